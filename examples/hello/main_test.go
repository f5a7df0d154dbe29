package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
)

// invocation is one event queued on the fake Runtime API, and what came back.
type invocation struct {
	id, trace, clientContext string
	event                    []byte
	done                     chan result
}

type result struct {
	kind string // "response" or "error"
	body []byte
}

// runtimeAPI is a Lambda Runtime API server (2018-06-01) feeding queued invocations.
type runtimeAPI struct {
	queue   chan *invocation
	mu      sync.Mutex
	pending map[string]*invocation
}

func (api *runtimeAPI) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	const prefix = "/2018-06-01/runtime/"
	path := strings.TrimPrefix(r.URL.Path, prefix)
	switch {
	case r.Method == http.MethodGet && path == "invocation/next":
		var inv *invocation
		select {
		case inv = <-api.queue:
		case <-r.Context().Done():
			return
		}
		api.mu.Lock()
		api.pending[inv.id] = inv
		api.mu.Unlock()
		h := w.Header()
		h.Set("Lambda-Runtime-Aws-Request-Id", inv.id)
		h.Set("Lambda-Runtime-Deadline-Ms", strconv.FormatInt(time.Now().Add(30*time.Second).UnixMilli(), 10))
		h.Set("Lambda-Runtime-Invoked-Function-Arn", "arn:aws:lambda:us-east-1:123456789012:function:hello")
		h.Set("Lambda-Runtime-Trace-Id", inv.trace)
		if inv.clientContext != "" {
			h.Set("Lambda-Runtime-Client-Context", inv.clientContext)
		}
		h.Set("Content-Type", "application/json")
		w.Write(inv.event)
	case r.Method == http.MethodPost && strings.HasPrefix(path, "invocation/"):
		id, kind, _ := strings.Cut(strings.TrimPrefix(path, "invocation/"), "/")
		body, _ := io.ReadAll(r.Body)
		api.mu.Lock()
		inv := api.pending[id]
		delete(api.pending, id)
		api.mu.Unlock()
		if inv == nil || (kind != "response" && kind != "error") {
			http.Error(w, `{"errorMessage":"unknown invocation","errorType":"InvalidRequestID"}`, http.StatusBadRequest)
			return
		}
		w.WriteHeader(http.StatusAccepted)
		inv.done <- result{kind: kind, body: body}
	case r.Method == http.MethodPost && path == "init/error":
		body, _ := io.ReadAll(r.Body)
		panic(fmt.Sprintf("init error: %s", body))
	default:
		http.NotFound(w, r)
	}
}

// xrayDaemon is an X-Ray daemon for the function: a loopback UDP socket receiving its segment
// documents, each a JSON header line and a document.
type xrayDaemon struct {
	conn *net.UDPConn
	docs chan []byte
}

func startDaemon(t *testing.T) *xrayDaemon {
	t.Helper()
	conn, err := net.ListenUDP("udp", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Fatal(err)
	}
	d := &xrayDaemon{conn: conn, docs: make(chan []byte, 1000)}
	go func() {
		buf := make([]byte, 1<<16)
		for {
			n, err := conn.Read(buf)
			if err != nil {
				close(d.docs)
				return
			}
			d.docs <- bytes.Clone(buf[:n])
		}
	}()
	t.Cleanup(func() { conn.Close() })
	return d
}

// received returns the documents received so far: the function sends an invocation's documents
// before it answers, so they all arrive before a marker the test sends afterwards.
func (d *xrayDaemon) received(t *testing.T) []map[string]any {
	t.Helper()
	c, err := net.Dial("udp", d.conn.LocalAddr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.Write([]byte("{\"format\":\"json\",\"version\":1}\n{\"name\":\"marker\"}"))
	var docs []map[string]any
	for datagram := range d.docs {
		header, body, ok := bytes.Cut(datagram, []byte("\n"))
		var h struct {
			Format  string
			Version int
		}
		var doc map[string]any
		if !ok || json.Unmarshal(header, &h) != nil || h.Format != "json" || h.Version != 1 || json.Unmarshal(body, &doc) != nil {
			t.Fatalf("not a daemon datagram: %q", datagram)
		}
		if doc["name"] == "marker" {
			return docs
		}
		docs = append(docs, doc)
	}
	t.Fatal("daemon closed")
	return nil
}

// startFunction builds examples/hello, starts it against a Runtime API server and returns a
// function to invoke it, one that stops the process and returns all it wrote on stdout, and the
// X-Ray daemon it sends its traces to.
func startFunction(t *testing.T) (invoke func(inv *invocation) result, stop func() string, xray *xrayDaemon) {
	t.Helper()
	xray = startDaemon(t)
	bin := filepath.Join(t.TempDir(), "bootstrap")
	build := exec.Command("go", "build", "-o", bin, ".")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	api := &runtimeAPI{queue: make(chan *invocation), pending: map[string]*invocation{}}
	srv := httptest.NewServer(api)
	t.Cleanup(srv.Close)

	var stdout, stderr bytes.Buffer
	ctx, cancel := context.WithCancel(context.Background())
	cmd := exec.CommandContext(ctx, bin)
	cmd.Env = append(os.Environ(),
		"AWS_LAMBDA_RUNTIME_API="+strings.TrimPrefix(srv.URL, "http://"),
		"AWS_LAMBDA_FUNCTION_NAME=hello",
		"AWS_LAMBDA_FUNCTION_MEMORY_SIZE=128",
		"AWS_LAMBDA_FUNCTION_VERSION=$LATEST",
		"AWS_LAMBDA_LOG_GROUP_NAME=/aws/lambda/hello",
		"AWS_LAMBDA_LOG_STREAM_NAME=2024/05/01/[$LATEST]0123456789abcdef0123456789abcdef",
		"AWS_REGION=us-east-1",
		"AWS_SESSION_TOKEN=super-secret-session-token",
		"POWERTOOLS_SERVICE_NAME=hello-api",
		"POWERTOOLS_LOGGER_LOG_EVENT=true",
		"AWS_LAMBDA_LOG_LEVEL=", "POWERTOOLS_LOG_LEVEL=", "LOG_LEVEL=", "POWERTOOLS_DEV=",
		"AWS_LAMBDA_INITIALIZATION_TYPE=on-demand",
		"LAMBDA_TASK_ROOT="+filepath.Dir(bin), // Lambda sets it: the tracer is on
		"AWS_XRAY_DAEMON_ADDRESS="+xray.conn.LocalAddr().String(),
		"POWERTOOLS_TRACE_DISABLED=", "POWERTOOLS_TRACER_CAPTURE_RESPONSE=", "POWERTOOLS_TRACER_CAPTURE_ERROR=",
		"OTEL_EXPORTER_OTLP_ENDPOINT=", "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT=", "AWS_SAM_LOCAL=",
	)
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	var once sync.Once
	stop = func() string {
		once.Do(func() {
			cancel()
			cmd.Wait() // returns once the process's output is all copied
		})
		return stdout.String()
	}
	t.Cleanup(func() {
		stop()
		if t.Failed() {
			t.Logf("stderr:\n%s", stderr.String())
		}
	})
	invoke = func(inv *invocation) result {
		inv.done = make(chan result, 1)
		select {
		case api.queue <- inv:
		case <-time.After(10 * time.Second):
			t.Fatal("function never asked for the next invocation")
		}
		select {
		case r := <-inv.done:
			return r
		case <-time.After(10 * time.Second):
			t.Fatal("no response from the function")
		}
		return result{}
	}
	return invoke, stop, xray
}

func apiEvent(method, path, requestID string, pathParams map[string]string) []byte {
	ev, _ := json.Marshal(events.APIGatewayProxyRequest{
		Resource:       "/hello/{name}",
		Path:           path,
		HTTPMethod:     method,
		Headers:        map[string]string{"Authorization": "Bearer top-secret-jwt", "Accept": "application/json"},
		PathParameters: pathParams,
		RequestContext: events.APIGatewayProxyRequestContext{RequestID: requestID, Stage: "prod"},
	})
	return ev
}

// restResponse decodes an API Gateway REST (v1) response and its JSON body.
func restResponse(t *testing.T, raw []byte) (status int, contentType, message string) {
	t.Helper()
	var resp events.APIGatewayProxyResponse
	if err := json.Unmarshal(raw, &resp); err != nil {
		t.Fatalf("response is not an API Gateway proxy response: %v: %s", err, raw)
	}
	var body struct{ Message string }
	if err := json.Unmarshal([]byte(resp.Body), &body); err != nil {
		t.Fatalf("body is not JSON: %q", resp.Body)
	}
	contentType = resp.Headers["Content-Type"]
	if ct := resp.MultiValueHeaders["Content-Type"]; contentType == "" && len(ct) > 0 {
		contentType = ct[0]
	}
	return resp.StatusCode, contentType, body.Message
}

func TestHelloThroughRuntimeAPI(t *testing.T) {
	invoke, stop, xray := startFunction(t)
	cases := []struct {
		method, path string
		params       map[string]string
		status       int
		message      string
	}{
		{"GET", "/hello", nil, 200, "hello unknown!"},
		{"GET", "/hello/world", map[string]string{"name": "world"}, 200, "hello world!"},
		{"GET", "/hello/a%20b", nil, 200, "hello a b!"},
		{"GET", "/nope", nil, 404, "Not Found"},
		{"GET", "/hello/a/b", nil, 404, "Not Found"},
		{"POST", "/hello", nil, 405, "Method Not Allowed"},
	}
	greetings := 0
	for i, c := range cases {
		id := fmt.Sprintf("req-%d", i)
		res := invoke(&invocation{
			id:    id,
			trace: fmt.Sprintf("Root=1-5759e988-00000000000000000000000%d;Parent=53995c3f42cd8ad8;Sampled=1", i),
			event: apiEvent(c.method, c.path, "apigw-"+id, c.params),
		})
		if res.kind != "response" {
			t.Fatalf("%s %s: %s %s", c.method, c.path, res.kind, res.body)
		}
		status, ct, msg := restResponse(t, res.body)
		if status != c.status || msg != c.message || ct != "application/json" {
			t.Errorf("%s %s = %d %q (%s), want %d %q", c.method, c.path, status, msg, ct, c.status, c.message)
		}
		if status == 200 {
			greetings++
		}
	}
	// A call from another function through Invoke carries its correlation id in the client context.
	res := invoke(&invocation{id: "req-cc", trace: "Root=1-5759e988-cccccccccccccccccccccccc",
		clientContext: `{"custom":{"correlation_id":"txn-upstream"}}`,
		event:         apiEvent("GET", "/hello", "apigw-req-cc", nil)})
	if res.kind != "response" {
		t.Fatalf("client context invocation: %s %s", res.kind, res.body)
	}
	greetings++

	// X-Ray: one document per traced invocation (req-cc's header has no Parent: not traced), the
	// tutorial's "## handler" with the greeting's subsegment nested in it.
	docs := xray.received(t)
	if len(docs) != len(cases) {
		t.Fatalf("%d segment documents, want %d: %v", len(docs), len(cases), docs)
	}
	greetingSegment := map[string]string{} // request id -> the greeting's subsegment id
	for i, c := range cases {
		root := fmt.Sprintf("1-5759e988-00000000000000000000000%d", i)
		var doc map[string]any
		for _, d := range docs {
			if d["trace_id"] == root {
				doc = d
			}
		}
		ann, _ := doc["annotations"].(map[string]any)
		if doc["name"] != "## handler" || doc["type"] != "subsegment" || doc["parent_id"] != "53995c3f42cd8ad8" ||
			ann["ColdStart"] != (i == 0) || ann["Service"] != "hello-api" || doc["metadata"].(map[string]any)["hello-api"].(map[string]any)["handler response"] == nil {
			t.Errorf("%s %s: handler document %v", c.method, c.path, doc)
		}
		subs, _ := doc["subsegments"].([]any)
		if c.status != 200 {
			if len(subs) != 0 {
				t.Errorf("%s %s: subsegments %v", c.method, c.path, subs)
			}
			continue
		}
		method, user := "hello_name", strings.TrimSuffix(strings.TrimPrefix(c.message, "hello "), "!")
		if c.path == "/hello" {
			method = "hello"
		}
		if len(subs) != 1 {
			t.Fatalf("%s %s: subsegments %v", c.method, c.path, subs)
		}
		sub := subs[0].(map[string]any)
		response := sub["metadata"].(map[string]any)["hello-api"].(map[string]any)[method+" response"]
		if sub["name"] != "## "+method || sub["annotations"].(map[string]any)["User"] != user ||
			!reflect.DeepEqual(response, map[string]any{"message": c.message}) {
			t.Errorf("%s %s: greeting subsegment %v", c.method, c.path, sub)
		}
		greetingSegment[fmt.Sprintf("req-%d", i)] = sub["id"].(string)
	}

	out := stop()
	if strings.Contains(out, "top-secret-jwt") || strings.Contains(out, "super-secret-session-token") {
		t.Fatalf("secret in the logs:\n%s", out)
	}
	sc := bufio.NewScanner(strings.NewReader(out))
	sc.Buffer(nil, 1<<20)
	perRequest := map[string][]map[string]any{}
	metricSums := map[string]float64{}
	for sc.Scan() {
		var rec map[string]any
		if err := json.Unmarshal(sc.Bytes(), &rec); err != nil {
			t.Fatalf("stdout line is not JSON: %q", sc.Text())
		}
		if _, ok := rec["_aws"]; ok { // an EMF metrics object
			for _, name := range []string{"SuccessfulGreetings", "ColdStart"} {
				switch v := rec[name].(type) {
				case float64:
					metricSums[name] += v
				case []any:
					for _, x := range v {
						metricSums[name] += x.(float64)
					}
				}
			}
			if _, ok := rec["ColdStart"]; ok && (rec["function_name"] != "hello" || rec["service"] != "hello-api") {
				t.Errorf("ColdStart dimensions: %s", sc.Text())
			}
			continue
		}
		for _, k := range []string{"level", "location", "message", "timestamp", "service", "cold_start",
			"function_name", "function_memory_size", "function_arn", "function_request_id", "correlation_id", "xray_trace_id"} {
			if _, ok := rec[k]; !ok {
				t.Errorf("no %s in %s", k, sc.Text())
			}
		}
		if rec["service"] != "hello-api" || rec["function_name"] != "hello" || rec["function_memory_size"] != 128.0 {
			t.Errorf("function keys: %s", sc.Text())
		}
		id := rec["function_request_id"].(string)
		perRequest[id] = append(perRequest[id], rec)
	}
	if metricSums["SuccessfulGreetings"] != float64(greetings) || metricSums["ColdStart"] != 1 {
		t.Errorf("metrics: %v, want SuccessfulGreetings %d and ColdStart 1", metricSums, greetings)
	}
	for i := range len(cases) + 1 {
		id := fmt.Sprintf("req-%d", i)
		wantCorr, wantRecords := "apigw-"+id, 1
		if i == len(cases) {
			id, wantCorr = "req-cc", "txn-upstream"
		}
		if i == len(cases) || cases[i].status == 200 {
			wantRecords = 2 // the event, then the greeting
		}
		recs := perRequest[id]
		if len(recs) != wantRecords || recs[0]["message"] != "Lambda event" {
			t.Fatalf("%s: want the event record and %d in all, got %v", id, wantRecords, recs)
		}
		if wantRecords == 2 && recs[1]["message"] != "greeting" {
			t.Errorf("%s: second record %v", id, recs[1])
		}
		headers := recs[0]["event"].(map[string]any)["headers"].(map[string]any)
		if headers["Authorization"] != "***" {
			t.Errorf("%s: event headers %v", id, headers)
		}
		for _, rec := range recs {
			if rec["cold_start"] != (i == 0) {
				t.Errorf("%s: cold_start = %v", id, rec["cold_start"])
			}
			if rec["correlation_id"] != wantCorr {
				t.Errorf("%s: correlation_id = %v, want %s", id, rec["correlation_id"], wantCorr)
			}
			if !strings.HasPrefix(rec["xray_trace_id"].(string), "1-5759e988-") || strings.Contains(rec["xray_trace_id"].(string), ";") {
				t.Errorf("%s: xray_trace_id = %v", id, rec["xray_trace_id"])
			}
		}
		// The greeting, logged in its subsegment, names it; the event, logged before, does not.
		if seg, _ := recs[len(recs)-1]["xray_segment_id"].(string); wantRecords == 2 && seg != greetingSegment[id] {
			t.Errorf("%s: greeting logged with xray_segment_id %q, want %q", id, seg, greetingSegment[id])
		}
		if seg, ok := recs[0]["xray_segment_id"]; ok {
			t.Errorf("%s: event logged with xray_segment_id %v", id, seg)
		}
	}
}

// TestHelloAnswersEveryEventSource sends the same request as an HTTP API (payload 2.0) event and as
// an ALB event to the same binary.
func TestHelloAnswersEveryEventSource(t *testing.T) {
	invoke, _, _ := startFunction(t)
	v2, _ := json.Marshal(events.APIGatewayV2HTTPRequest{
		Version: "2.0", RouteKey: "GET /hello/{name}", RawPath: "/hello/ann",
		Headers: map[string]string{"accept": "application/json"},
		RequestContext: events.APIGatewayV2HTTPRequestContext{RequestID: "v2-id", Stage: "$default",
			HTTP: events.APIGatewayV2HTTPRequestContextHTTPDescription{Method: "GET", Path: "/hello/ann"}},
	})
	res := invoke(&invocation{id: "req-v2", trace: "Root=1-5759e988-000000000000000000000002", event: v2})
	var v2resp events.APIGatewayV2HTTPResponse
	if err := json.Unmarshal(res.body, &v2resp); err != nil || v2resp.StatusCode != 200 || !strings.Contains(v2resp.Body, `"hello ann!"`) {
		t.Errorf("HTTP API v2: %v %s", err, res.body)
	}
	alb, _ := json.Marshal(events.ALBTargetGroupRequest{
		HTTPMethod: "GET", Path: "/hello/bo",
		Headers:        map[string]string{"x-amzn-trace-id": "Root=1-5759e988-000000000000000000000003"},
		RequestContext: events.ALBTargetGroupRequestContext{ELB: events.ELBContext{TargetGroupArn: "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/hello/1"}},
	})
	res = invoke(&invocation{id: "req-alb", trace: "Root=1-5759e988-000000000000000000000003", event: alb})
	var albresp events.ALBTargetGroupResponse
	if err := json.Unmarshal(res.body, &albresp); err != nil || albresp.StatusCode != 200 || !strings.Contains(albresp.Body, `"hello bo!"`) {
		t.Errorf("ALB: %v %s", err, res.body)
	}
}

// TestRoutesBehindAnHTTPServer serves the same handler from a real HTTP server, as a user would in
// local development or tests.
func TestRoutesBehindAnHTTPServer(t *testing.T) {
	srv := httptest.NewServer(routes())
	defer srv.Close()
	for _, c := range []struct {
		method, path string
		status       int
		message      string
	}{
		{"GET", "/hello", 200, "hello unknown!"},
		{"GET", "/hello/a%20b", 200, "hello a b!"},
		{"GET", "/hello/a/b", 404, "Not Found"},
		{"DELETE", "/hello", 405, "Method Not Allowed"},
	} {
		req, _ := http.NewRequest(c.method, srv.URL+c.path, nil)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		var body struct{ Message string }
		err = json.NewDecoder(resp.Body).Decode(&body)
		resp.Body.Close()
		if err != nil || resp.StatusCode != c.status || body.Message != c.message {
			t.Errorf("%s %s = %d %q (%v), want %d %q", c.method, c.path, resp.StatusCode, body.Message, err, c.status, c.message)
		}
	}
}
