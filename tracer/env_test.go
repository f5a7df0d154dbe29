package tracer

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"reflect"
	"runtime"
	"strings"
	"testing"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/smithy-go/middleware"
	coltracepb "go.opentelemetry.io/proto/otlp/collector/trace/v1"
	"google.golang.org/protobuf/proto"

	"github.com/lambdalog/lambdalog/internal/invocation"
	"github.com/lambdalog/lambdalog/logger"
)

// clearEnv unsets every variable the tracer reads.
func clearEnv(t *testing.T) {
	t.Helper()
	for _, k := range []string{EnvService, EnvDisabled, EnvCaptureResponse, EnvCaptureError, EnvTaskRoot, EnvSAMLocal,
		EnvOTLPEndpoint, EnvOTLPTraces, EnvDaemonAddress, invocation.EnvTraceHeader} {
		t.Setenv(k, "")
		os.Unsetenv(k)
	}
}

// ownGoroutines returns the stacks of the goroutines running code of the OpenTelemetry SDK or
// of this package, other than the tests and the test daemon.
func ownGoroutines() []string {
	buf := make([]byte, 1<<20)
	buf = buf[:runtime.Stack(buf, true)]
	var own []string
	for _, g := range strings.Split(string(buf), "\n\n") {
		if strings.Contains(g, "testing.tRunner") || strings.Contains(g, "tracer.(*daemon).read") {
			continue
		}
		if strings.Contains(g, "go.opentelemetry.io/") || strings.Contains(g, "github.com/lambdalog/lambdalog/tracer.") {
			own = append(own, g)
		}
	}
	return own
}

func openFiles(t *testing.T) int {
	entries, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		t.Skip("no /proc/self/fd")
	}
	return len(entries)
}

// Outside Lambda the tracer is disabled: it opens no socket, starts no goroutine, and its
// middleware, transport and SDK middleware are the wrapped things themselves.
func TestOutsideLambdaCostsNothing(t *testing.T) {
	clearEnv(t)
	for name, env := range map[string]map[string]string{
		"no LAMBDA_TASK_ROOT": {},
		"disabled":            {EnvTaskRoot: "/var/task", EnvDisabled: "true"},
		"sam local":           {EnvTaskRoot: "/var/task", EnvSAMLocal: "true"},
	} {
		t.Run(name, func(t *testing.T) {
			for k, v := range env {
				t.Setenv(k, v)
			}
			files := openFiles(t)
			tr, err := New()
			if err != nil || tr.Enabled() {
				t.Fatalf("New: %v, enabled %v", err, tr.Enabled())
			}
			h := func(ctx context.Context, in string) (string, error) {
				if err := PutAnnotation(ctx, "User", in); err != nil {
					return "", err
				}
				PutMetadata(ctx, "k", in)
				return CaptureMethod(ctx, "m", func(ctx context.Context) (string, error) { return in, nil })
			}
			w := Wrap(tr, h)
			if reflect.ValueOf(w).Pointer() != reflect.ValueOf(h).Pointer() {
				t.Error("Wrap wrapped")
			}
			if out, err := lambda.NewHandler(w).Invoke(invokeCtx("req", sampled), []byte(`"x"`)); err != nil || string(out) != `"x"` {
				t.Errorf("invoke: %s %v", out, err)
			}
			if tr.Transport(http.DefaultTransport) != http.DefaultTransport {
				t.Error("Transport wrapped")
			}
			var apiOptions []func(*middleware.Stack) error
			if tr.InstrumentAWS(&apiOptions); len(apiOptions) != 0 {
				t.Error("InstrumentAWS added middleware")
			}
			if err := PutAnnotation(context.Background(), "bad key", 1); err == nil {
				t.Error("invalid key accepted")
			}
			if tr.Flush(context.Background()) != nil || tr.Shutdown(context.Background()) != nil {
				t.Error("flush or shutdown failed")
			}
			// More open files would be the tracer's; fewer are another test's closing.
			if f := openFiles(t); f > files {
				t.Errorf("open files %d -> %d", files, f)
			}
			if g := ownGoroutines(); len(g) > 0 {
				t.Errorf("goroutines started: %q", g)
			}
		})
	}
}

// In Lambda (LAMBDA_TASK_ROOT set) the tracer sends to AWS_XRAY_DAEMON_ADDRESS, with the settings
// of the Powertools variables, and starts no goroutine.
func TestLambdaEnvironment(t *testing.T) {
	clearEnv(t)
	d := newDaemon(t)
	t.Setenv(EnvTaskRoot, "/var/task")
	t.Setenv(EnvDaemonAddress, "tcp:127.0.0.1:1 udp:"+d.addr())
	t.Setenv(EnvService, "payments")
	t.Setenv(EnvCaptureResponse, "false")
	tr, err := New()
	if err != nil || !tr.Enabled() || tr.Service() != "payments" {
		t.Fatalf("New: %v", err)
	}
	defer tr.Shutdown(context.Background())
	h := lambda.NewHandler(WrapNoEvent(tr, func(ctx context.Context) (string, error) { return "secret response", nil }))
	if _, err := h.Invoke(invokeCtx("req", sampled), nil); err != nil {
		t.Fatal(err)
	}
	doc := d.collect(1)[0]
	if doc.m["annotations"].(map[string]any)["Service"] != "payments" || bytes.Contains(doc.raw, []byte("secret response")) {
		t.Errorf("document %s", doc.raw)
	}
	if g := ownGoroutines(); len(g) > 0 {
		t.Errorf("goroutines started: %q", g)
	}

	for _, k := range []string{EnvDisabled, EnvCaptureResponse, EnvCaptureError} {
		t.Setenv(k, "maybe")
		if _, err := New(); err == nil || !strings.Contains(err.Error(), k) {
			t.Errorf("%s=maybe: %v", k, err)
		}
		t.Setenv(k, "")
	}
}

// With OTEL_EXPORTER_OTLP_ENDPOINT the spans go to the OTLP/HTTP endpoint instead, with the
// annotations and metadata as the OpenTelemetry collector's X-Ray exporter reads them.
func TestOTLPEndpoint(t *testing.T) {
	clearEnv(t)
	requests := make(chan *coltracepb.ExportTraceServiceRequest, 10)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		var req coltracepb.ExportTraceServiceRequest
		if r.URL.Path != "/v1/traces" || r.Header.Get("Content-Type") != "application/x-protobuf" || proto.Unmarshal(body, &req) != nil {
			t.Errorf("%s %s %s", r.Method, r.URL, r.Header.Get("Content-Type"))
		}
		requests <- &req
	}))
	defer srv.Close()
	t.Setenv(EnvTaskRoot, "/var/task")
	t.Setenv(EnvOTLPEndpoint, srv.URL)
	tr, err := New(WithService("orders"))
	if err != nil {
		t.Fatal(err)
	}
	defer tr.Shutdown(context.Background())
	h := lambda.NewHandler(WrapNoEvent(tr, func(ctx context.Context) (int, error) {
		return CaptureMethod(ctx, "count", func(ctx context.Context) (int, error) {
			PutAnnotation(ctx, "User", "alice")
			return 3, nil
		})
	}))
	if _, err := h.Invoke(invokeCtx("req", sampled), nil); err != nil {
		t.Fatal(err)
	}
	req := <-requests // sent before the invocation returned
	spans := req.ResourceSpans[0].ScopeSpans[0].Spans
	if len(spans) != 2 {
		t.Fatalf("%d spans", len(spans))
	}
	attrs := map[string]string{}
	for _, kv := range spans[0].Attributes {
		v, _ := json.Marshal(kv.Value)
		attrs[kv.Key] = string(v)
	}
	if spans[0].Name != "## count" || attrs["User"] == "" || !strings.Contains(attrs["aws.xray.annotations"], "User") ||
		!strings.Contains(attrs["aws.xray.metadata.orders"], `count response`) {
		t.Errorf("span %s: %v", spans[0].Name, attrs)
	}
	if got := TraceID(invokeCtx("", "")); got != "" {
		t.Errorf("TraceID outside a trace: %q", got)
	}
}

// A record logged inside a captured function carries the trace id and the subsegment id that
// the tracer sends.
func TestLoggerMeetsTracer(t *testing.T) {
	clearEnv(t)
	d := newDaemon(t)
	tr := newTestTracer(t, d)
	var logs bytes.Buffer
	h := lambda.NewHandler(logger.WrapNoEvent(WrapNoEvent(tr, func(ctx context.Context) (string, error) {
		return CaptureMethod(ctx, "greet", func(ctx context.Context) (string, error) {
			logger.FromContext(ctx).InfoContext(ctx, "greeting")
			return "hi", nil
		})
	}), logger.WithOutput(&logs)))
	if _, err := h.Invoke(invokeCtx("req", sampled), nil); err != nil {
		t.Fatal(err)
	}
	var rec map[string]any
	if err := json.Unmarshal(logs.Bytes(), &rec); err != nil {
		t.Fatalf("%v: %s", err, logs.Bytes())
	}
	doc := d.collect(1)[0]
	greet := doc.m["subsegments"].([]any)[0].(map[string]any)
	if rec["xray_trace_id"] != doc.m["trace_id"] || rec[logger.SegmentIDKey] != greet["id"] || greet["name"] != "## greet" {
		t.Errorf("log record %v, subsegment %v", rec, greet)
	}
}
