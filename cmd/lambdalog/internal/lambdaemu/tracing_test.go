package lambdaemu

import (
	"context"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	lambdafacts "github.com/lambdalog/lambdalog/internal/invocation"
)

var update = flag.Bool("update", false, "rewrite the golden segment documents in testdata/segments")

// TestLambdaSegmentsGolden compares the segments of a cold invocation and
// of a warm one that failed with golden documents, in the form of the
// segments Lambda emits (see the package documentation).
func TestLambdaSegmentsGolden(t *testing.T) {
	at := func(ms int) time.Time { return time.UnixMicro(1_700_000_000_000_000 + int64(ms)*1000) }
	base := lambdaSegments{root: "1-6553f100-0123456789abcdef01234567", lambdaID: "1111111111111111", functionID: "2222222222222222",
		name: "hello", arn: "arn:aws:lambda:us-east-1:123456789012:function:hello", account: "123456789012", logGroup: "/aws/lambda/hello",
		requestID: "c6af9ac6-7b61-11e6-9a41-93e812345678", initID: "3333333333333333", invocationID: "4444444444444444", overheadID: "5555555555555555"}
	cold := base
	cold.received, cold.initStart, cold.initEnd = at(0), at(2), at(120)
	cold.invokeStart, cold.invokeEnd, cold.overheadEnd, cold.responded = at(121), at(135), at(136), at(137)
	warm := base
	warm.callerParent = "9999999999999999"
	warm.received, warm.invokeStart, warm.invokeEnd, warm.responded = at(0), at(1), at(5), at(6)
	warm.fault, warm.cause = true, json.RawMessage(`{"working_directory":"/var/task","exceptions":[{"type":"errorString","message":"boom","stack":[]}],"paths":[]}`)
	for name, s := range map[string]lambdaSegments{"cold": cold, "warm_error": warm} {
		var b strings.Builder
		for _, d := range s.documents() {
			b.Write(d)
			b.WriteByte('\n')
		}
		path := filepath.Join("testdata", "segments", name+".jsonl")
		if *update {
			if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		want, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		if b.String() != string(want) {
			t.Errorf("%s segments\n got %s\nwant %s", name, b.String(), want)
		}
	}
}

func TestNewTracing(t *testing.T) {
	now := time.Unix(1_700_000_000, 0)
	const root = "1-6553f100-0123456789abcdef01234567"
	for _, c := range []struct {
		incoming          string
		active            bool
		sampled, segments bool
		keepRoot          bool
		callerParent      string
	}{
		{"", true, true, true, false, ""},
		{"Root=" + root + ";Parent=53995c3f42cd8ad8;Sampled=1", true, true, true, true, "53995c3f42cd8ad8"},
		{"Root=" + root + ";Parent=53995c3f42cd8ad8;Sampled=?", true, true, true, true, "53995c3f42cd8ad8"},
		{"Root=" + root + ";Parent=53995c3f42cd8ad8", true, true, true, true, "53995c3f42cd8ad8"},
		{"Root=" + root + ";Parent=53995c3f42cd8ad8;Sampled=0", true, false, false, true, "53995c3f42cd8ad8"},
		{"Root=not-a-trace;Parent=53995c3f42cd8ad8;Sampled=1", true, true, true, false, ""},
		{"", false, false, false, false, ""},
		{"Root=" + root + ";Parent=53995c3f42cd8ad8;Sampled=1", false, true, false, true, ""},
	} {
		tr := newTracing(c.incoming, c.active, now)
		h := lambdafacts.ParseTraceHeader(tr.header)
		if tr.sampled != c.sampled || tr.segments != c.segments || tr.callerParent != c.callerParent || (tr.root == root) != c.keepRoot || h.Root != tr.root ||
			!validRoot(tr.root) || len(h.Parent) != 16 || (h.Sampled == lambdafacts.SampledTrue) != c.sampled {
			t.Errorf("%q active=%v: %+v (header %s)", c.incoming, c.active, tr, tr.header)
		}
		switch {
		case c.active && h.Parent != tr.functionID:
			t.Errorf("%q: the function's Parent %s is not its segment %s", c.incoming, h.Parent, tr.functionID)
		case !c.active && c.keepRoot && h.Parent != "53995c3f42cd8ad8":
			t.Errorf("%q: PassThrough changed the Parent: %s", c.incoming, tr.header)
		}
		if !c.keepRoot && !strings.HasPrefix(tr.root, "1-6553f100-") {
			t.Errorf("new root %s does not carry the time", tr.root)
		}
	}
	if h := newTracing("Root="+root+";Parent=53995c3f42cd8ad8;Sampled=1;Lineage=a87bd80c:1", true, now).header; !strings.HasSuffix(h, ";Sampled=1;Lineage=a87bd80c:1") {
		t.Errorf("Lineage not passed on: %s", h)
	}
}

// traceSink collects the segments an emulator emits.
type traceSink struct {
	mu   sync.Mutex
	docs []map[string]any
}

func (s *traceSink) PutSegments(_ context.Context, docs ...[]byte) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, d := range docs {
		var m map[string]any
		if err := json.Unmarshal(d, &m); err != nil {
			return err
		}
		s.docs = append(s.docs, m)
	}
	return nil
}

// segmentsOf returns the AWS::Lambda and AWS::Lambda::Function segments of
// a request id.
func (s *traceSink) segmentsOf(t *testing.T, requestID string) (lambda, function map[string]any) {
	t.Helper()
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, d := range s.docs {
		if aws, _ := d["aws"].(map[string]any); d["origin"] == "AWS::Lambda" && aws["request_id"] == requestID {
			lambda = d
		}
	}
	if lambda == nil {
		t.Fatalf("no AWS::Lambda segment for %s among %d documents", requestID, len(s.docs))
	}
	for _, d := range s.docs {
		if d["origin"] == "AWS::Lambda::Function" && d["parent_id"] == lambda["id"] {
			function = d
		}
	}
	if function == nil {
		t.Fatalf("no AWS::Lambda::Function segment under %v", lambda["id"])
	}
	return lambda, function
}

func subsegmentNames(function map[string]any) []string {
	var names []string
	for _, s := range function["subsegments"].([]any) {
		names = append(names, s.(map[string]any)["name"].(string))
	}
	return names
}

// behaveResponse is what the behave function answers.
type behaveResponse struct {
	TraceID string            `json:"trace_id"`
	Env     map[string]string `json:"env"`
}

var reXRay = regexp.MustCompile(`\nXRAY TraceId: (1-[0-9a-f]{8}-[0-9a-f]{24})\tSegmentId: ([0-9a-f]{16})\tSampled: (true|false)\t\n$`)

func TestTracedInvocations(t *testing.T) {
	sink := &traceSink{}
	st := newTestStore(t)
	emu, err := New(Options{Sink: StoreSink(st, "us-east-1"), Traces: sink, XRayDaemonAddr: "127.0.0.1:2999"})
	if err != nil {
		t.Fatal(err)
	}
	active := behave(t, "active")
	active.Tracing = true
	if err := emu.AddFunction(active); err != nil {
		t.Fatal(err)
	}
	if err := emu.AddFunction(behave(t, "passthrough")); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	call := func(name, payload, header string) (*InvokeOutput, behaveResponse) {
		t.Helper()
		out, err := emu.Invoke(ctx, name, InvokeInput{Payload: []byte(payload), TraceID: header})
		if err != nil {
			t.Fatal(err)
		}
		var r behaveResponse
		_ = json.Unmarshal(out.Payload, &r)
		return out, r
	}
	cold, coldResp := call("active", `{}`, "")
	warm, warmResp := call("active", `{}`, "Root=1-6553f100-0123456789abcdef01234567;Parent=53995c3f42cd8ad8;Sampled=1")
	failed, _ := call("active", `{"fail":"boom"}`, "")
	unsampled, _ := call("active", `{}`, "Root=1-6553f100-0123456789abcdef01234568;Parent=53995c3f42cd8ad8;Sampled=0")
	passed, passedResp := call("passthrough", `{}`, "")
	if err := emu.Close(); err != nil { // waits for the segments
		t.Fatal(err)
	}

	if coldResp.Env["AWS_XRAY_DAEMON_ADDRESS"] != "127.0.0.1:2999" || coldResp.Env["_AWS_XRAY_DAEMON_ADDRESS"] != "127.0.0.1" ||
		coldResp.Env["_AWS_XRAY_DAEMON_PORT"] != "2999" || coldResp.Env["AWS_XRAY_CONTEXT_MISSING"] != "LOG_ERROR" {
		t.Errorf("X-Ray environment: %v", coldResp.Env)
	}
	for _, c := range []struct {
		out              *InvokeOutput
		subsegments      string
		fault            bool
		root, parent     string
		traceFromHandler string
	}{
		{cold, "Initialization Invocation Overhead", false, "", "", coldResp.TraceID},
		{warm, "Invocation Overhead", false, "1-6553f100-0123456789abcdef01234567", "53995c3f42cd8ad8", warmResp.TraceID},
		{failed, "Invocation Overhead", true, "", "", ""},
	} {
		lambda, function := sink.segmentsOf(t, c.out.RequestID)
		if got := strings.Join(subsegmentNames(function), " "); got != c.subsegments {
			t.Errorf("%s: subsegments %q, want %q", c.out.RequestID, got, c.subsegments)
		}
		if (function["fault"] == true) != c.fault || c.fault && !strings.Contains(string(mustJSON(function["cause"])), "boom") {
			t.Errorf("%s: fault %v cause %v", c.out.RequestID, function["fault"], function["cause"])
		}
		if c.root != "" && (lambda["trace_id"] != c.root || lambda["parent_id"] != c.parent) {
			t.Errorf("%s: the caller's trace not continued: %v", c.out.RequestID, lambda)
		}
		if c.root == "" && lambda["parent_id"] != nil {
			t.Errorf("%s: a new trace's AWS::Lambda segment has a parent: %v", c.out.RequestID, lambda)
		}
		// The REPORT line, the runtime's trace header and the segments agree.
		m := reXRay.FindStringSubmatch(c.out.Log)
		if m == nil || m[1] != lambda["trace_id"] || m[2] != function["id"] || m[3] != "true" {
			t.Errorf("%s: XRAY line %q, segments %v %v", c.out.RequestID, c.out.Log, lambda["trace_id"], function["id"])
		}
		if c.traceFromHandler != "" {
			h := lambdafacts.ParseTraceHeader(c.traceFromHandler)
			if h.Root != lambda["trace_id"] || h.Parent != function["id"] || h.Sampled != lambdafacts.SampledTrue {
				t.Errorf("%s: handler saw %s", c.out.RequestID, c.traceFromHandler)
			}
		}
		// Invocation lies within the function segment, after Initialization.
		subs := function["subsegments"].([]any)
		inv := subs[len(subs)-2].(map[string]any)
		if inv["name"] != "Invocation" || inv["start_time"].(float64) < lambda["start_time"].(float64) ||
			inv["end_time"].(float64) > function["end_time"].(float64) || function["end_time"].(float64) < lambda["end_time"].(float64)-1 {
			t.Errorf("%s: times %v / %v", c.out.RequestID, lambda, function)
		}
	}
	sink.mu.Lock()
	n := len(sink.docs)
	sink.mu.Unlock()
	if n != 6 {
		t.Errorf("%d documents, want 6: the unsampled and PassThrough invocations emit none", n)
	}
	if m := reXRay.FindStringSubmatch(unsampled.Log); m == nil || m[3] != "false" || m[1] != "1-6553f100-0123456789abcdef01234568" {
		t.Errorf("unsampled XRAY line: %q", unsampled.Log)
	}
	if strings.Contains(passed.Log, "XRAY") || !strings.Contains(passedResp.TraceID, "Sampled=0") {
		t.Errorf("PassThrough: log %q, header %s", passed.Log, passedResp.TraceID)
	}
}
