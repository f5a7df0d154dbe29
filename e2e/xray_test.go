package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/xray"

	"github.com/lambdalog/lambdalog/internal/testserver"
)

// TestXRayBoto3 runs testdata/boto3_xray.py: PutTraceSegments, the
// GetTraceSummaries paginator and filter expressions, an unsupported
// expression's error, BatchGetTraces, the service and trace graphs, and the
// sampling APIs on the daemon's TCP port, as a Python script sees them.
func TestXRayBoto3(t *testing.T) {
	t.Parallel()
	requireTool(t, "python3", "-c", "import boto3")
	daemon := freeXRayAddr(t)
	srv := testserver.Serve(t, "--memory", "--xray-addr", daemon)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "python3", "testdata/boto3_xray.py", srv.URL, "http://"+daemon, "eu-west-1")
	cmd.Env = isolatedEnv(t)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("boto3_xray.py: %v\n%s\n%s", err, out, srv.Output())
	}
}

// freeXRayAddr returns a loopback address whose port is free for UDP and TCP.
func freeXRayAddr(t *testing.T) string {
	t.Helper()
	for range 20 {
		u, err := net.ListenPacket("udp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		addr := u.LocalAddr().String()
		l, err := net.Listen("tcp", addr)
		u.Close()
		if err == nil {
			l.Close()
			return addr
		}
	}
	t.Fatal("no free port for both UDP and TCP")
	return ""
}

// xrayTrace is a trace as the aws CLI prints it.
type xrayTrace struct {
	ID       string `json:"Id"`
	Segments []struct {
		ID       string `json:"Id"`
		Document string `json:"Document"`
	} `json:"Segments"`
}

// TestXRayAWSCLI puts segment documents with the aws CLI v1 and v2 and reads
// them back with get-trace-summaries (paginated by the CLI, and filtered),
// batch-get-traces and get-service-graph.
func TestXRayAWSCLI(t *testing.T) {
	t.Parallel()
	requireTool(t, "aws", "--version")
	clis := []string{"aws"}
	if v2 := findAWSCLIv2(); v2 != "" && v2 != "aws" {
		clis = append(clis, v2)
	} else if v2 == "" && os.Getenv("CI") == "true" {
		t.Fatal("CI installs the aws CLI v2 (Debian's awscli); it is missing")
	}
	srv := testserver.Serve(t, "--memory", "--xray-addr", freeXRayAddr(t))
	now := time.Now()
	for i, bin := range clis {
		cli := newAWSCLI(t, bin, srv.URL, "us-east-2")
		svc := fmt.Sprintf("cli-v%d", i+1)
		var docs []string
		var ids []string
		for n := range 120 {
			id := fmt.Sprintf("1-%08x-%024x", now.Unix(), i*1000+n)
			ids = append(ids, id)
			start := float64(now.UnixMilli())/1000 - 30 + float64(n)/100
			docs = append(docs, fmt.Sprintf(`{"trace_id":%q,"id":"%016x","name":%q,"start_time":%.3f,"end_time":%.3f,"annotations":{"n":%d},"error":%v,"http":{"response":{"status":%d}}}`,
				id, n+1, svc, start, start+0.05, n, n%4 == 0, map[bool]int{true: 404, false: 200}[n%4 == 0]))
		}
		input, _ := json.Marshal(map[string]any{"TraceSegmentDocuments": docs})
		inputFile := filepath.Join(t.TempDir(), "segments.json")
		if err := os.WriteFile(inputFile, input, 0o644); err != nil {
			t.Fatal(err)
		}
		var put struct{ UnprocessedTraceSegments []any }
		cli.runJSON(t, &put, "xray", "put-trace-segments", "--cli-input-json", "file://"+inputFile)
		if len(put.UnprocessedTraceSegments) != 0 {
			t.Fatalf("%s: unprocessed %v", bin, put.UnprocessedTraceSegments)
		}
		start, end := strconv.FormatInt(now.Add(-time.Minute).Unix(), 10), strconv.FormatInt(now.Add(time.Minute).Unix(), 10)
		var sums struct {
			TraceSummaries []struct {
				ID       string `json:"Id"`
				HasError bool
			}
		}
		// The CLI follows NextToken: 120 of this CLI's traces, over two pages.
		cli.runJSON(t, &sums, "xray", "get-trace-summaries", "--start-time", start, "--end-time", end,
			"--filter-expression", fmt.Sprintf(`service(%q)`, svc))
		if len(sums.TraceSummaries) != 120 {
			t.Errorf("%s: %d summaries, want 120", bin, len(sums.TraceSummaries))
		}
		cli.runJSON(t, &sums, "xray", "get-trace-summaries", "--start-time", start, "--end-time", end,
			"--filter-expression", fmt.Sprintf(`service(%q) { error } AND annotation.n >= 100`, svc))
		if len(sums.TraceSummaries) != 5 || !sums.TraceSummaries[0].HasError {
			t.Errorf("%s: filtered summaries %+v", bin, sums.TraceSummaries)
		}
		_, stderr, err := cli.try(t, "xray", "get-trace-summaries", "--start-time", start, "--end-time", end, "--filter-expression", `json CONTAINS "x"`)
		if err == nil || !strings.Contains(string(stderr), "InvalidRequestException") || !strings.Contains(string(stderr), `"json" is not supported`) {
			t.Errorf("%s: unsupported filter: %v %s", bin, err, stderr)
		}

		var traces struct {
			Traces              []xrayTrace
			UnprocessedTraceIds []string
		}
		cli.runJSON(t, &traces, "xray", "batch-get-traces", "--trace-ids", ids[7], ids[8], "1-00000000-000000000000000000000000")
		if len(traces.Traces) != 2 || len(traces.UnprocessedTraceIds) != 1 {
			t.Fatalf("%s: batch-get-traces %+v", bin, traces)
		}
		for _, tr := range traces.Traces {
			var doc map[string]any
			if err := json.Unmarshal([]byte(tr.Segments[0].Document), &doc); err != nil || doc["trace_id"] != tr.ID || doc["name"] != svc {
				t.Errorf("%s: document %s: %v", bin, tr.Segments[0].Document, err)
			}
		}

		var graph struct {
			Services []struct {
				Name, Type        string
				SummaryStatistics *struct{ TotalCount int }
			}
		}
		cli.runJSON(t, &graph, "xray", "get-service-graph", "--start-time", start, "--end-time", end)
		total := -1
		for _, s := range graph.Services {
			if s.Name == svc && s.Type == "" && s.SummaryStatistics != nil {
				total = s.SummaryStatistics.TotalCount
			}
		}
		if total != 120 {
			t.Errorf("%s: %s in the service graph with %d requests: %+v", bin, svc, total, graph.Services)
		}
	}
}

// segmentDoc is what these tests read of a segment document.
type segmentDoc struct {
	ID          string         `json:"id"`
	Name        string         `json:"name"`
	ParentID    string         `json:"parent_id"`
	Origin      string         `json:"origin"`
	Fault       bool           `json:"fault"`
	Annotations map[string]any `json:"annotations"`
	Subsegments []*segmentDoc  `json:"subsegments"`
}

// find returns the (sub)segment with the given name, depth first.
func (s *segmentDoc) find(name string) *segmentDoc {
	if s.Name == name {
		return s
	}
	for _, c := range s.Subsegments {
		if f := c.find(name); f != nil {
			return f
		}
	}
	return nil
}

// TestXRayAcrossFunctions runs two functions under dev: a Python function
// traced with the AWS X-Ray SDK for Python (a custom runtime), which calls
// examples/hello through the Lambda Invoke API with boto3 patched by the
// SDK. It is one trace: the caller's Lambda segments, its SDK subsegments
// sent over UDP to dev's daemon address, hello's Lambda segments under the
// caller's Invoke subsegment, and hello's own subsegments (lambdalog's
// tracer); the service graph has the edge. A Python application outside
// Lambda sends a segment and streamed subsegments to the same daemon.
func TestXRayAcrossFunctions(t *testing.T) {
	t.Parallel()
	requireTool(t, "python3", "-c", "import aws_xray_sdk, boto3")
	python, err := exec.Command("python3", "-c", "import sys; print(sys.executable)").Output()
	if err != nil {
		t.Fatal(err)
	}
	body, err := os.ReadFile("testdata/xray_caller.py")
	if err != nil {
		t.Fatal(err)
	}
	caller := filepath.Join(t.TempDir(), "caller")
	if err := os.WriteFile(caller, append([]byte("#!"+strings.TrimSpace(string(python))+"\n"), body...), 0o755); err != nil {
		t.Fatal(err)
	}
	env := isolatedEnv(t)
	d := testserver.Dev(t, "..", env, "--memory", "--addr", "127.0.0.1:0", "--api-addr", "127.0.0.1:0", "--xray-addr", "127.0.0.1:0",
		"--function", "caller="+caller, "--function", "hello=examples/hello", "--timeout", "20")
	api := d.URL
	ctx := context.Background()
	opts := func(o *lambda.Options) {
		o.Region, o.BaseEndpoint, o.RetryMaxAttempts = "us-east-1", aws.String(api), 1
		o.Credentials = credentials.NewStaticCredentialsProvider("test", "test", "")
		o.HTTPClient = testserver.HTTPClient(nil)
	}
	helloEvent := map[string]any{"resource": "/hello/{name}", "path": "/hello/py", "httpMethod": "GET", "pathParameters": map[string]string{"name": "py"},
		"requestContext": map[string]any{"requestId": "r1", "stage": "dev", "httpMethod": "GET", "resourcePath": "/hello/{name}"}}
	payload, _ := json.Marshal(map[string]any{"endpoint": api, "function": "hello", "payload": helloEvent})
	out, err := lambda.New(lambda.Options{}, opts).Invoke(ctx, &lambda.InvokeInput{FunctionName: aws.String("caller"), Payload: payload})
	if err != nil {
		t.Fatal(err)
	}
	if out.FunctionError != nil || !strings.Contains(string(out.Payload), `hello py!`) {
		t.Fatalf("caller answered %s %s\n%s", aws.ToString(out.FunctionError), out.Payload, d.Output())
	}

	client := xray.New(xray.Options{Region: "us-east-1", BaseEndpoint: aws.String(api), RetryMaxAttempts: 1, HTTPClient: testserver.HTTPClient(nil),
		Credentials: credentials.NewStaticCredentialsProvider("test", "test", "")})
	summaries := func(expr string) []string {
		t.Helper()
		s, err := client.GetTraceSummaries(ctx, &xray.GetTraceSummariesInput{StartTime: aws.Time(time.Now().Add(-time.Hour)), EndTime: aws.Time(time.Now()),
			FilterExpression: aws.String(expr)})
		if err != nil {
			t.Fatal(err)
		}
		var ids []string
		for _, x := range s.TraceSummaries {
			ids = append(ids, aws.ToString(x.Id))
		}
		return ids
	}
	// Complete: the caller's SDK subsegment and hello's tracer subsegment.
	expr := `annotation.Target = "hello" AND annotation.User = "py" AND !partial`
	var ids []string
	for deadline := time.Now().Add(30 * time.Second); len(ids) == 0; time.Sleep(100 * time.Millisecond) {
		if ids = summaries(expr); time.Now().After(deadline) {
			t.Fatalf("no complete trace of the call after 30 s; all traces: %v\n%s", summaries(""), d.Output())
		}
	}
	if len(ids) != 1 || !slices.Equal(summaries(`edge("caller", "hello")`), ids) {
		t.Fatalf("traces %v; edge caller->hello: %v", ids, summaries(`edge("caller", "hello")`))
	}
	bt, err := client.BatchGetTraces(ctx, &xray.BatchGetTracesInput{TraceIds: ids})
	if err != nil {
		t.Fatal(err)
	}
	byKey := map[string]*segmentDoc{}
	for _, s := range bt.Traces[0].Segments {
		var doc segmentDoc
		if err := json.Unmarshal([]byte(aws.ToString(s.Document)), &doc); err != nil {
			t.Fatal(err)
		}
		byKey[doc.Name+" "+doc.Origin] = &doc
	}
	callerFn, helloLambda, helloFn := byKey["caller AWS::Lambda::Function"], byKey["hello AWS::Lambda"], byKey["hello AWS::Lambda::Function"]
	if byKey["caller AWS::Lambda"] == nil || callerFn == nil || helloLambda == nil || helloFn == nil {
		t.Fatalf("segments %v", slices.Sorted(func(yield func(string) bool) {
			for k := range byKey {
				if !yield(k) {
					return
				}
			}
		}))
	}
	// The SDK's subsegments, sent apart, are joined under Invocation; the
	// Invoke call's subsegment is the parent of hello's AWS::Lambda segment.
	inv := callerFn.find("Invocation")
	handler := inv.find("## handler")
	call := inv.find("lambda") // the SDK names the subsegment after the service, in lower case
	if handler == nil || call == nil || helloLambda.ParentID != call.ID || handler.Annotations["Target"] != "hello" {
		b, _ := json.Marshal(callerFn)
		t.Errorf("caller's function segment: %s; hello's parent %s", b, helloLambda.ParentID)
	}
	if h := helloFn.find("Invocation").find("## handler"); h == nil || h.find("## hello_name") == nil {
		t.Errorf("hello's subsegments: %+v", helloFn)
	}

	g, err := client.GetServiceGraph(ctx, &xray.GetServiceGraphInput{StartTime: aws.Time(time.Now().Add(-time.Hour)), EndTime: aws.Time(time.Now())})
	if err != nil {
		t.Fatal(err)
	}
	ref := map[int32]string{}
	for _, s := range g.Services {
		ref[aws.ToInt32(s.ReferenceId)] = aws.ToString(s.Name) + " " + aws.ToString(s.Type)
	}
	edge := false
	for _, s := range g.Services {
		for _, e := range s.Edges {
			if ref[aws.ToInt32(s.ReferenceId)] == "caller AWS::Lambda::Function" && ref[aws.ToInt32(e.ReferenceId)] == "hello AWS::Lambda" {
				edge = aws.ToInt64(e.SummaryStatistics.TotalCount) == 1
			}
		}
	}
	if !edge {
		t.Errorf("no edge caller -> hello in the service graph: %v", ref)
	}

	// A Python application outside Lambda, to the same daemon.
	app := exec.Command("python3", "testdata/xray_sdk_app.py")
	app.Env = append(env, "AWS_XRAY_DAEMON_ADDRESS="+strings.TrimPrefix(d.URLs["xray"], "http://"))
	tid, err := app.Output()
	if err != nil {
		t.Fatalf("xray_sdk_app.py: %v", err)
	}
	var found []string
	for deadline := time.Now().Add(30 * time.Second); len(found) == 0; time.Sleep(100 * time.Millisecond) {
		if found = summaries(`service("py-app") { http.status = 200 } AND annotation.order = 42 AND annotation.rows = 3 AND fault AND !partial`); time.Now().After(deadline) {
			t.Fatalf("the application's trace %s is not complete after 30 s: %v", tid, summaries(`service("py-app")`))
		}
	}
	if !slices.Equal(found, []string{strings.TrimSpace(string(tid))}) {
		t.Errorf("found %v, want %s", found, tid)
	}
}
