package invocation_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/lambdalog/lambdalog/internal/invocation"
)

// pending is one invocation the test's Runtime API hands to the function.
type pending struct {
	id, arn, trace string
}

// runtimeAPI serves Lambda's Runtime API (next, response, error) for a queue of invocations.
type runtimeAPI struct {
	mu        sync.Mutex
	queue     []pending
	results   map[string][]byte
	responded chan string
}

func (a *runtimeAPI) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	const prefix = "/2018-06-01/runtime/invocation/"
	rest, ok := strings.CutPrefix(r.URL.Path, prefix)
	switch {
	case ok && rest == "next" && r.Method == http.MethodGet:
		a.mu.Lock()
		if len(a.queue) == 0 {
			a.mu.Unlock()
			<-r.Context().Done() // no more work: hold the poll until the function is stopped
			return
		}
		p := a.queue[0]
		a.queue = a.queue[1:]
		a.mu.Unlock()
		h := w.Header()
		h.Set("Lambda-Runtime-Aws-Request-Id", p.id)
		h.Set("Lambda-Runtime-Deadline-Ms", strconv.FormatInt(time.Now().Add(time.Minute).UnixMilli(), 10))
		h.Set("Lambda-Runtime-Invoked-Function-Arn", p.arn)
		if p.trace != "" {
			h.Set("Lambda-Runtime-Trace-Id", p.trace)
		}
		w.Write([]byte("{}"))
	case ok && strings.HasSuffix(rest, "/response") && r.Method == http.MethodPost:
		id := strings.TrimSuffix(rest, "/response")
		body, err := io.ReadAll(r.Body)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		a.mu.Lock()
		a.results[id] = body
		a.mu.Unlock()
		w.WriteHeader(http.StatusAccepted)
		a.responded <- id
	default:
		http.Error(w, "unexpected "+r.Method+" "+r.URL.Path, http.StatusNotFound)
		a.responded <- "error: " + r.Method + " " + r.URL.Path
	}
}

// probeResult mirrors the probe's answer.
type probeResult struct {
	Cold       bool
	Request    invocation.Request
	Trace      string
	Background string
	Env        invocation.Environment
}

var buildProbe = sync.OnceValues(func() (string, error) {
	dir, err := os.MkdirTemp("", "invocation-probe")
	if err != nil {
		return "", err
	}
	bin := filepath.Join(dir, "probe")
	out, err := exec.Command("go", "build", "-o", bin, "./testdata/probe").CombinedOutput()
	if err != nil {
		return "", &buildError{out: string(out), err: err}
	}
	return bin, nil
})

type buildError struct {
	out string
	err error
}

func (e *buildError) Error() string { return "building the probe: " + e.err.Error() + "\n" + e.out }

// runProbe runs the probe function under aws-lambda-go's runtime loop against a Runtime API
// holding invocations, with the extra environment env, and returns its answers in order.
func runProbe(t *testing.T, env []string, invocations ...pending) []probeResult {
	t.Helper()
	bin, err := buildProbe()
	if err != nil {
		t.Fatal(err)
	}
	api := &runtimeAPI{queue: invocations, results: map[string][]byte{}, responded: make(chan string, len(invocations)+4)}
	srv := httptest.NewServer(api)
	t.Cleanup(srv.Close)
	cmd := exec.Command(bin)
	cmd.Env = append(os.Environ(),
		"AWS_LAMBDA_RUNTIME_API="+strings.TrimPrefix(srv.URL, "http://"),
		"AWS_LAMBDA_FUNCTION_NAME=probe", "AWS_LAMBDA_FUNCTION_VERSION=$LATEST",
		"AWS_LAMBDA_FUNCTION_MEMORY_SIZE=512", "AWS_LAMBDA_LOG_GROUP_NAME=/aws/lambda/probe",
		"AWS_LAMBDA_LOG_STREAM_NAME=2024/05/01/[$LATEST]abc", "AWS_REGION=eu-west-1",
		"POWERTOOLS_SERVICE_NAME=orders", "AWS_LAMBDA_MAX_CONCURRENCY=", invocation.EnvTraceHeader+"=")
	cmd.Env = append(cmd.Env, env...) // the last value of a variable wins
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() }) // runs before srv.Close
	for range invocations {
		select {
		case id := <-api.responded:
			if strings.HasPrefix(id, "error") {
				t.Fatal(id)
			}
		case <-time.After(time.Minute):
			t.Fatal("the probe did not answer within a minute")
		}
	}
	var out []probeResult
	for _, p := range invocations {
		var r probeResult
		if err := json.Unmarshal(api.results[p.id], &r); err != nil {
			t.Fatalf("answer to %s: %v: %s", p.id, err, api.results[p.id])
		}
		out = append(out, r)
	}
	return out
}

const (
	probeARN = "arn:aws:lambda:eu-west-1:123456789012:function:probe:live"
	traceA   = "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1;Lineage=a87bd80c:1"
	traceB   = "Root=1-6759e988-cd862e3fe1be46a994272794;Parent=63995c3f42cd8ad9;Sampled=0"
)

// TestUnderTheRuntimeLoop checks, under aws-lambda-go's own runtime loop, where every fact comes
// from: the trace header on the handler's context, _X_AMZN_TRACE_ID for other contexts when
// invocations run one at a time, the request facts and the environment.
func TestUnderTheRuntimeLoop(t *testing.T) {
	got := runProbe(t, nil,
		pending{"req-1", probeARN, traceA},
		pending{"req-2", probeARN, traceB},
		pending{"req-3", probeARN, ""})
	for i, want := range []struct {
		cold      bool
		id, trace string
		root      string
		sampled   invocation.Sampled
	}{
		{true, "req-1", traceA, "1-5759e988-bd862e3fe1be46a994272793", invocation.SampledTrue},
		{false, "req-2", traceB, "1-6759e988-cd862e3fe1be46a994272794", invocation.SampledFalse},
		{false, "req-3", "", "", invocation.SampledUnknown},
	} {
		r := got[i]
		if r.Cold != want.cold || r.Request.ID != want.id || r.Request.FunctionARN != probeARN {
			t.Errorf("invocation %d: cold %v, request %+v", i, r.Cold, r.Request)
		}
		if r.Trace != want.trace || r.Request.Trace.Root != want.root || r.Request.Trace.Sampled != want.sampled {
			t.Errorf("invocation %d: trace %q (%+v), want %q", i, r.Trace, r.Request.Trace, want.trace)
		}
		if r.Background != want.trace {
			t.Errorf("invocation %d: from another context the trace header is %q, want %q from %s", i, r.Background, want.trace, invocation.EnvTraceHeader)
		}
	}
	wantEnv := invocation.Environment{FunctionName: "probe", FunctionVersion: "$LATEST", MemoryMB: 512,
		LogGroup: "/aws/lambda/probe", LogStream: "2024/05/01/[$LATEST]abc", Region: "eu-west-1", Service: "orders"}
	if got[0].Env != wantEnv {
		t.Errorf("environment %+v, want %+v", got[0].Env, wantEnv)
	}
}

// TestConcurrentRuntimeLoopIgnoresTheVariable runs the probe with AWS_LAMBDA_MAX_CONCURRENCY=2:
// aws-lambda-go then leaves _X_AMZN_TRACE_ID alone and a stale value there must not be read.
func TestConcurrentRuntimeLoopIgnoresTheVariable(t *testing.T) {
	got := runProbe(t, []string{"AWS_LAMBDA_MAX_CONCURRENCY=2", invocation.EnvTraceHeader + "=Root=1-stale"},
		pending{"req-1", probeARN, traceA}, pending{"req-2", probeARN, traceB})
	cold := 0
	for i, r := range got {
		if r.Cold {
			cold++
		}
		if want := []string{traceA, traceB}[i]; r.Trace != want {
			t.Errorf("invocation %d: trace %q, want %q", i, r.Trace, want)
		}
		if r.Background != "" {
			t.Errorf("invocation %d: trace header %q read from another context with concurrent invocations", i, r.Background)
		}
	}
	if cold != 1 {
		t.Errorf("%d cold starts among 2 invocations, want 1", cold)
	}
}
