package tracer

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"runtime/debug"
	"strconv"
	"strings"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/trace"

	"github.com/lambdalog/lambdalog/internal/jsonstr"
)

// ErrInvalidKey reports an annotation key that X-Ray could not filter on, or a reserved or
// empty metadata namespace.
var ErrInvalidKey = errors.New("invalid key")

// The span kinds of the tracer's subsegments.
const (
	internalSpan = trace.SpanKindInternal
	serverSpan   = trace.SpanKindServer
)

// end records how the captured function returned (its result if respond) and ends the subsegment.
func (e *entity) end(result any, respond bool, err error) {
	if err != nil {
		e.RecordError(err)
		e.SetStatus(codes.Error, err.Error())
		if e.names.t.captureError {
			e.put(e.names.t.service, e.names.err, err.Error())
		}
	} else if respond && e.names.t.captureResponse {
		e.put(e.names.t.service, e.names.response, result)
	}
	e.End()
}

// endPanic records a panic, with the stack where it happened, and ends the subsegment.
func (e *entity) endPanic(p any) {
	msg := fmt.Sprint(p)
	e.AddEvent(eventException, trace.WithAttributes(
		attribute.String(attrExceptionType, fmt.Sprintf("panic %T", p)),
		attribute.String(attrExceptionMsg, msg),
		attribute.String(attrExceptionStack, panicStack()),
	))
	e.SetStatus(codes.Error, "panic: "+msg)
	if e.names.t.captureError {
		e.put(e.names.t.service, e.names.err, "panic: "+msg)
	}
	e.End()
}

// panicStack returns the stack of the panicking goroutine from the function that panicked
// down, for a deferred function that recovered the panic.
func panicStack() string {
	s := string(debug.Stack())
	if i := strings.LastIndex(s, "\npanic("); i >= 0 { // the last: a re-panic passes through recovering frames
		rest := s[i+1:]
		for range 2 { // the panic( line and its file:line
			_, rest, _ = strings.Cut(rest, "\n")
		}
		return rest
	}
	return s
}

// appendJSON appends v as JSON: json.RawMessage as it is (when valid), errors as their message,
// other values as encoding/json encodes them, or as a string saying why it cannot.
func appendJSON(b []byte, v any) []byte {
	switch x := v.(type) {
	case nil:
		return append(b, "null"...)
	case string:
		return jsonstr.Append(b, x)
	case bool:
		return strconv.AppendBool(b, x)
	case int:
		return strconv.AppendInt(b, int64(x), 10)
	case int64:
		return strconv.AppendInt(b, x, 10)
	case float64:
		return appendFloat(b, x)
	case json.RawMessage:
		if json.Valid(x) {
			return append(b, x...)
		}
		return jsonstr.Append(b, []byte(x))
	case error:
		return jsonstr.Append(b, x.Error())
	}
	raw, err := json.Marshal(v)
	if err != nil {
		return jsonstr.Append(b, fmt.Sprintf("(%T cannot be encoded as JSON: %v)", v, err))
	}
	return append(b, raw...)
}

// CaptureMethod runs fn in a subsegment "## name" of the subsegment open on ctx (the handler's,
// or another captured function's), and records fn's result as the metadata "<name> response"
// or its error as "<name> error" in the service's namespace (as the capture settings say), the
// error also as the subsegment's fault and cause. A panic is recorded the same way, with its
// stack, and goes on. fn gets a context that carries the subsegment: annotations, metadata,
// log records and downstream calls made with it belong to the subsegment.
//
// Outside a traced invocation (tracer disabled, Sampled=0, no handler middleware) it only calls
// fn(ctx).
func CaptureMethod[T any](ctx context.Context, name string, fn func(context.Context) (T, error)) (T, error) {
	return capture(ctx, name, true, fn)
}

// Capture is CaptureMethod for a function that returns only an error; no response is recorded.
func Capture(ctx context.Context, name string, fn func(context.Context) error) error {
	_, err := capture(ctx, name, false, func(ctx context.Context) (struct{}, error) { return struct{}{}, fn(ctx) })
	return err
}

// capture runs fn in a subsegment, recording its result if respond.
func capture[T any](ctx context.Context, name string, respond bool, fn func(context.Context) (T, error)) (T, error) {
	parent := entityFrom(ctx)
	sc := trace.SpanContextFromContext(ctx) // the innermost span: parent, or one started below it
	if parent == nil || !sc.IsSampled() {
		return fn(ctx)
	}
	ctx, e := parent.names.t.start(ctx, sc, parent, parent.names.t.namesFor(name), internalSpan)
	defer func() {
		if p := recover(); p != nil {
			e.endPanic(p)
			panic(p)
		}
	}()
	result, err := fn(ctx)
	e.end(result, respond, err)
	return result, err
}

// AnnotationValue is the type of an annotation's value: a string, a boolean or a number.
type AnnotationValue interface {
	string | bool | int | int8 | int16 | int32 | int64 | uint | uint8 | uint16 | uint32 | uint64 | float32 | float64
}

// PutAnnotation adds an annotation, which X-Ray indexes for filter expressions
// (annotation.key = value), to the subsegment open on ctx, replacing an earlier value of the
// same key. The key must be ASCII letters, digits and underscores, as X-Ray requires for
// filtering: any other key, or a float that is NaN or infinite, is not recorded and gives an
// error wrapping ErrInvalidKey, which the tracer also reports on its warnings writer the first
// time, in a traced invocation. X-Ray indexes at most 50 annotations per trace. Outside a traced
// invocation nothing is recorded and the error is nil unless the annotation is invalid.
func PutAnnotation[V AnnotationValue](ctx context.Context, key string, value V) error {
	kv, err := annotation(key, value)
	e := entityFrom(ctx)
	if err != nil {
		if e != nil {
			e.names.t.warnOnce(&e.names.t.warnedKey, "%v (further invalid annotations are not reported)", err)
		}
		return err
	}
	if e == nil {
		return nil
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.ended {
		return nil
	}
	for i, a := range e.annotations {
		if a.Key == kv.Key {
			e.annotations[i] = kv
			return nil
		}
	}
	e.annotations = append(e.annotations, kv)
	return nil
}

// annotation returns the attribute of a valid annotation.
func annotation[V AnnotationValue](key string, value V) (attribute.KeyValue, error) {
	valid := key != ""
	for i := 0; i < len(key) && valid; i++ {
		valid = validKeyByte(key[i])
	}
	if !valid {
		return attribute.KeyValue{}, fmt.Errorf("tracer: annotation key %q: %w: X-Ray filters only on keys of ASCII letters, digits and _", key, ErrInvalidKey)
	}
	switch v := any(value).(type) {
	case string:
		return attribute.String(key, v), nil
	case bool:
		return attribute.Bool(key, v), nil
	case int:
		return attribute.Int(key, v), nil
	case int8:
		return attribute.Int64(key, int64(v)), nil
	case int16:
		return attribute.Int64(key, int64(v)), nil
	case int32:
		return attribute.Int64(key, int64(v)), nil
	case int64:
		return attribute.Int64(key, v), nil
	case uint:
		return uintAnnotation(key, uint64(v)), nil
	case uint8:
		return attribute.Int64(key, int64(v)), nil
	case uint16:
		return attribute.Int64(key, int64(v)), nil
	case uint32:
		return attribute.Int64(key, int64(v)), nil
	case uint64:
		return uintAnnotation(key, v), nil
	case float32:
		return floatAnnotation(key, float64(v))
	case float64:
		return floatAnnotation(key, v)
	}
	panic("unreachable: AnnotationValue has no other types")
}

func uintAnnotation(key string, v uint64) attribute.KeyValue {
	if v > math.MaxInt64 {
		return attribute.Float64(key, float64(v))
	}
	return attribute.Int64(key, int64(v))
}

func floatAnnotation(key string, v float64) (attribute.KeyValue, error) {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return attribute.KeyValue{}, fmt.Errorf("tracer: annotation %q: %w: %v is not a JSON number", key, ErrInvalidKey, v)
	}
	return attribute.Float64(key, v), nil
}

// PutMetadata records value, which need not be indexable (any value encoding/json can encode),
// as the metadata key of the subsegment open on ctx, in the service's namespace, replacing an
// earlier value of the same key. The value is encoded when the subsegment ends. Outside a
// traced invocation nothing is recorded.
func PutMetadata(ctx context.Context, key string, value any) {
	if e := entityFrom(ctx); e != nil {
		e.put(e.names.t.service, key, value)
	}
}

// PutMetadataInNamespace is PutMetadata in another namespace. Namespaces starting with "AWS."
// are reserved for AWS, and the empty namespace is invalid: both give an error wrapping
// ErrInvalidKey and record nothing.
func PutMetadataInNamespace(ctx context.Context, namespace, key string, value any) error {
	if namespace == "" || strings.HasPrefix(namespace, "AWS.") {
		return fmt.Errorf("tracer: metadata namespace %q: %w: empty or reserved for AWS", namespace, ErrInvalidKey)
	}
	if e := entityFrom(ctx); e != nil {
		e.put(namespace, key, value)
	}
	return nil
}
