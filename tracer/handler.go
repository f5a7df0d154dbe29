package tracer

import (
	"context"
	"reflect"
	"runtime"
	"strings"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/trace"

	"github.com/lambdalog/lambdalog/internal/invocation"
)

// Annotation keys of the handler's subsegment, as Powertools writes them.
const (
	AnnotationColdStart = "ColdStart"
	AnnotationService   = "Service"
)

// Wrap returns h wrapped in the tracer's middleware, for use with lambda.Start. For each
// invocation whose trace header (Lambda-Runtime-Trace-Id, on the context as aws-lambda-go puts
// it) has a valid Root and Parent and Sampled=1, it opens the subsegment "## <handler>" as a
// child of Parent in trace Root, annotated ColdStart (true for the handler's first invocation)
// and Service; runs h with a context carrying it; records h's response as the metadata
// "<handler> response" or its error as "<handler> error" (and as fault and cause); records a
// panic with its stack and panics again; and sends the invocation's spans before returning.
// With Sampled=0 (or ?, or none) h runs with the header's trace context on its context, so that
// downstream calls pass the decision on, and nothing is recorded. A disabled tracer returns h
// itself.
//
// Invocations may run concurrently (AWS_LAMBDA_MAX_CONCURRENCY > 1): their state lives on
// their contexts.
func Wrap[In, Out any](t *Tracer, h func(context.Context, In) (Out, error)) func(context.Context, In) (Out, error) {
	if !t.enabled {
		return h
	}
	w := t.newHandler(h)
	return func(ctx context.Context, in In) (Out, error) {
		return invoke(ctx, w, true, func(ctx context.Context) (Out, error) { return h(ctx, in) })
	}
}

// WrapAction is Wrap for handlers that return only an error; no response is recorded.
func WrapAction[In any](t *Tracer, h func(context.Context, In) error) func(context.Context, In) error {
	if !t.enabled {
		return h
	}
	w := t.newHandler(h)
	return func(ctx context.Context, in In) error {
		_, err := invoke(ctx, w, false, func(ctx context.Context) (struct{}, error) { return struct{}{}, h(ctx, in) })
		return err
	}
}

// WrapNoEvent is Wrap for handlers that take no event.
func WrapNoEvent[Out any](t *Tracer, h func(context.Context) (Out, error)) func(context.Context) (Out, error) {
	if !t.enabled {
		return h
	}
	w := t.newHandler(h)
	return func(ctx context.Context) (Out, error) { return invoke(ctx, w, true, h) }
}

// invoke runs one invocation of a wrapped handler, call, recording its response if respond.
func invoke[Out any](ctx context.Context, w *handler, respond bool, call func(context.Context) (Out, error)) (Out, error) {
	ctx, e := w.start(ctx)
	if e == nil {
		return call(ctx)
	}
	defer func() {
		if p := recover(); p != nil {
			e.endPanic(p)
			w.t.flush(ctx)
			panic(p)
		}
	}()
	out, err := call(ctx)
	e.end(out, respond, err)
	w.t.flush(ctx)
	return out, err
}

// handler is the per-wrapped-handler state.
type handler struct {
	t     *Tracer
	names *spanNames
	cold  *invocation.ColdStart
	// The annotations ColdStart and Service, of a cold and of a warm invocation.
	coldAnnotations, warmAnnotations *presetAnnotations
}

func (t *Tracer) newHandler(h any) *handler {
	name := t.handlerName
	if name == "" {
		name = funcName(h)
	}
	service := attribute.String(AnnotationService, t.service)
	return &handler{t: t, names: t.newSpanNames(name), cold: invocation.NewColdStart(),
		coldAnnotations: newPresetAnnotations(attribute.Bool(AnnotationColdStart, true), service),
		warmAnnotations: newPresetAnnotations(attribute.Bool(AnnotationColdStart, false), service),
	}
}

// funcName returns the Go name of function f without its package ("handler", "Handle" for a
// method value), or "handler" for a function literal.
func funcName(f any) string {
	fn := runtime.FuncForPC(reflect.ValueOf(f).Pointer())
	if fn == nil {
		return "handler"
	}
	name := strings.TrimSuffix(fn.Name(), "-fm")
	name = name[strings.LastIndexByte(name, '/')+1:]
	if strings.Contains(name, ".func") || strings.Contains(name, ".gowrap") {
		return "handler"
	}
	return name[strings.LastIndexByte(name, '.')+1:]
}

// start begins an invocation: it returns the context for the handler and the handler's
// subsegment, nil when the invocation is not traced.
func (w *handler) start(ctx context.Context) (context.Context, *entity) {
	cold := w.cold.Next()
	sc, ok := spanContext(invocation.FromContext(ctx).Trace)
	if !ok {
		return ctx, nil
	}
	if !sc.IsSampled() {
		return trace.ContextWithRemoteSpanContext(ctx, sc), nil
	}
	ctx, e := w.t.start(ctx, sc, nil, w.names, serverSpan)
	if cold {
		e.preset = w.coldAnnotations
	} else {
		e.preset = w.warmAnnotations
	}
	return ctx, e
}
