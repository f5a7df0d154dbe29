package tracer

import (
	"context"
	"encoding/json"
	"fmt"
	"net"
	"reflect"
	"strings"
	"testing"
	"unsafe"

	"github.com/aws/aws-lambda-go/lambda"
)

// shapes runs one invocation of a handler of each shape Wrap, WrapAction and WrapNoEvent take,
// through aws-lambda-go's handler adapter, and returns what each returned.
func shapes(t *testing.T, tr *Tracer, body func(ctx context.Context) error) map[string]error {
	t.Helper()
	handlers := map[string]lambda.Handler{
		"Wrap": lambda.NewHandler(Wrap(tr, func(ctx context.Context, in map[string]any) (string, error) {
			return "ok", body(ctx)
		})),
		"WrapAction": lambda.NewHandler(WrapAction(tr, func(ctx context.Context, in map[string]any) error {
			return body(ctx)
		})),
		"WrapNoEvent": lambda.NewHandler(WrapNoEvent(tr, func(ctx context.Context) (int, error) {
			return 42, body(ctx)
		})),
	}
	errs := map[string]error{}
	for name, h := range handlers {
		_, err := h.Invoke(invokeCtx("req-"+name, sampled), []byte(`{"k":"v"}`))
		errs[name] = err
	}
	return errs
}

func TestEveryHandlerShape(t *testing.T) {
	d := newDaemon(t)
	tr := newTestTracer(t, d)
	for name, err := range shapes(t, tr, func(ctx context.Context) error {
		return PutAnnotation(ctx, "Shape", true)
	}) {
		if err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
	responses := map[string]bool{}
	for _, doc := range d.collect(3) {
		m := doc.m
		ann, _ := m["annotations"].(map[string]any)
		if m["name"] != "## handler" || m["parent_id"] != testParent || m["trace_id"] != testRoot ||
			ann["Shape"] != true || ann["Service"] != "orders" || ann["ColdStart"] != true {
			t.Errorf("document %s", doc.raw)
		}
		meta, _ := m["metadata"].(map[string]any)
		ns, _ := meta["orders"].(map[string]any)
		responses[fmt.Sprint(ns["handler response"])] = true
	}
	// WrapAction's handler has no response to record.
	if want := map[string]bool{"ok": true, "42": true, "<nil>": true}; !reflect.DeepEqual(responses, want) {
		t.Errorf("responses %v, want %v", responses, want)
	}
}

// ColdStart is true for each wrapped handler's first invocation only, and the function name
// names the subsegment.
func TestColdStartAndHandlerName(t *testing.T) {
	d := newDaemon(t)
	tr := newTestTracer(t, d)
	h := lambda.NewHandler(WrapNoEvent(tr, namedHandler))
	for i := range 3 {
		if _, err := h.Invoke(invokeCtx("req", sampled), nil); err != nil {
			t.Fatal(err)
		}
		doc := d.collect(1)[0]
		if cold := doc.m["annotations"].(map[string]any)["ColdStart"]; cold != (i == 0) || doc.m["name"] != "## namedHandler" {
			t.Errorf("invocation %d: %s", i, doc.raw)
		}
	}
}

func namedHandler(ctx context.Context) (string, error) { return "", nil }

// Sampled=0 (and a header without a decision) records and sends nothing, but the trace context
// reaches downstream calls.
func TestNotSampledSendsNothing(t *testing.T) {
	d := newDaemon(t)
	tr := newTestTracer(t, d)
	for _, header := range []string{notSampled, "Root=" + testRoot + ";Parent=" + testParent, "Root=" + testRoot, ""} {
		var sawTrace string
		h := lambda.NewHandler(Wrap(tr, func(ctx context.Context, in json.RawMessage) (string, error) {
			sawTrace = TraceID(ctx)
			if err := PutAnnotation(ctx, "User", "x"); err != nil {
				t.Error(err)
			}
			return CaptureMethod(ctx, "m", func(ctx context.Context) (string, error) { return "ok", nil })
		}))
		if _, err := h.Invoke(invokeCtx("req", header), []byte(`{}`)); err != nil {
			t.Fatal(err)
		}
		d.nothingSent()
		if want := map[bool]string{true: testRoot, false: ""}[strings.Contains(header, "Parent")]; sawTrace != want {
			t.Errorf("%q: trace on the handler's context %q, want %q", header, sawTrace, want)
		}
	}
}

// A panic is recorded with its stack, sent, and goes on (to aws-lambda-go's runtime loop, which
// reports it).
func TestPanicRecordedAndRepanicked(t *testing.T) {
	d := newDaemon(t)
	tr := newTestTracer(t, d)
	h := lambda.NewHandler(Wrap(tr, func(ctx context.Context, in json.RawMessage) (string, error) {
		return CaptureMethod(ctx, "explode", func(ctx context.Context) (string, error) {
			explode()
			return "", nil
		})
	}))
	func() {
		defer func() {
			if p := recover(); p != "boom" {
				t.Errorf("panic %v, want boom", p)
			}
		}()
		h.Invoke(invokeCtx("req", sampled), []byte(`{}`))
	}()
	checkGolden(t, "panic", d.collect(1)[0].raw)
}

func explode() { panic("boom") }

// A traced invocation allocates one object per subsegment (which holds its first annotations
// and metadata and the context that carries it, as the current OpenTelemetry span too) and
// nothing to encode and send its document; a subsegment is a small object for the allocator
// (at most 512 bytes: no malloc header).
func TestInvocationAllocations(t *testing.T) {
	if size := unsafe.Sizeof(entity{}); size > 512 {
		t.Errorf("a subsegment is %d bytes", size)
	}
	if spanKey == nil {
		t.Error("no spanKey: the OpenTelemetry API does not find the current span as it did")
	}
	step := func(ctx context.Context) (int, error) { return 1, nil }
	handler := func(tr *Tracer) func(context.Context, string) (int, error) {
		return Wrap(tr, func(ctx context.Context, user string) (int, error) {
			PutAnnotation(ctx, "User", user)
			n, _ := CaptureMethod(ctx, "validate", step)
			m, _ := CaptureMethod(ctx, "reserve", func(ctx context.Context) (int, error) {
				PutAnnotation(ctx, "Items", 3)
				return 3, nil
			})
			k, _ := CaptureMethod(ctx, "charge", step)
			return n + m + k, nil
		})
	}
	ctx := invokeCtx("req", sampled)
	// The invocations measured send to a socket nobody reads: the test daemon decodes every
	// document on its own goroutine, which AllocsPerRun counts whenever the scheduler runs it
	// during the measurement, as on a loaded machine it does.
	sink, err := net.ListenUDP("udp", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Fatal(err)
	}
	defer sink.Close()
	d := newDaemon(t)
	measured := handler(newTestTracer(t, d, WithDaemonAddress(sink.LocalAddr().String())))
	measured(ctx, "alice") // the names of the captured functions, the buffers of the encoder
	if allocs := testing.AllocsPerRun(100, func() { measured(ctx, "alice") }); allocs > 4 {
		t.Errorf("%v allocations per invocation, want 4", allocs)
	}
	// What such an invocation sends.
	handler(newTestTracer(t, d))(ctx, "alice")
	if doc := d.collect(1)[0]; len(doc.m["subsegments"].([]any)) != 3 {
		t.Errorf("document %s", doc.raw)
	}
}
