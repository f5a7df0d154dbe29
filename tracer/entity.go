package tracer

import (
	"context"
	"fmt"
	"reflect"
	"runtime/debug"
	"slices"
	"strings"
	"sync"
	"time"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/sdk/instrumentation"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"
	"go.opentelemetry.io/otel/trace/embedded"
	"go.opentelemetry.io/otel/trace/noop"

	"github.com/lambdalog/lambdalog/internal/invocation"
	"github.com/lambdalog/lambdalog/internal/jsonstr"
)

// entity is a subsegment the tracer opened (the handler's or a captured function's). It is an
// OpenTelemetry span of its own, not the SDK's: the SDK's recording span costs more than
// everything else an invocation does but sending, and a Lambda function pays it on every
// invocation. As a trace.Span on the context it is the parent of the spans OpenTelemetry
// instrumentation starts below it, and it accepts their API calls (attributes, events, status);
// when it ends it goes to the tracer's processor with the SDK's spans, and an exporter other
// than the X-Ray exporter gets it as an SDK ReadOnlySpan (otelSpan), its annotations and
// metadata as attributes. It is also the invocation.Entity the logger finds on the context,
// and it holds the context that carries it (as both), so that opening one costs one
// allocation.
type entity struct {
	embedded.Span // what the OpenTelemetry API adds to trace.Span is a compile error here

	ctx          invocation.EntityContext // the context handed out: e as the Entity, on spanCtx
	spanCtx      spanCtx                  // e as the current span, on the parent context
	names        *spanNames
	sc           trace.SpanContext
	parentID     trace.SpanID // in the same trace, sampled, with the same trace state
	parentRemote bool
	kind         uint8     // a trace.SpanKind
	ended        bool      // under mu
	start        time.Time // with the monotonic clock reading that the later times are measured with

	mu          sync.Mutex
	dur         time.Duration // from start to the end
	x           *extra
	preset      *presetAnnotations   // the handler's ColdStart and Service, shared; or nil
	annotations []attribute.KeyValue // put: valid keys and values, one per key
	metadata    []metadatum
	meta        []byte // the metadata's values, JSON encoded when the entity ends

	// The first annotations and metadata, in the allocation of the entity, which stays within
	// the 512 bytes of the allocator's small objects.
	annBuf    [2]attribute.KeyValue
	metaBuf   [1]metadatum
	metaBytes [32]byte
}

// extra is what few subsegments have: what the OpenTelemetry API set on them.
type extra struct {
	name   string
	status sdktrace.Status
	attrs  []attribute.KeyValue // one per key
	events []sdktrace.Event
	links  []sdktrace.Link
}

// presetAnnotations are annotations a subsegment has without PutAnnotation: the handler's
// ColdStart and Service.
type presetAnnotations struct {
	kvs  []attribute.KeyValue
	json []byte // their members, "key":value,...
}

func newPresetAnnotations(kvs ...attribute.KeyValue) *presetAnnotations {
	p := &presetAnnotations{kvs: kvs}
	for _, kv := range kvs {
		p.json = appendAnnotation(p.json, kv, len(p.json) > 0)
	}
	return p
}

// metadatum is one metadata key. Until the entity ends its value is value; then meta[from:to]
// is the member "key":value, and value is nil.
type metadatum struct {
	namespace, key string
	value          any
	from, to       int
}

// spanNames are the names of a captured function's (or a handler's) subsegment and metadata.
type spanNames struct {
	t                   *Tracer // whose subsegments they name
	span, response, err string  // "## name", "name response", "name error"
	json                []byte  // span as appendName writes it
	responseKey, errKey []byte  // "name response": and "name error":
}

func (t *Tracer) newSpanNames(name string) *spanNames {
	n := &spanNames{t: t, span: "## " + name, response: name + " response", err: name + " error"}
	n.json = appendName(nil, n.span)
	n.responseKey = append(jsonstr.Append(nil, n.response), ':')
	n.errKey = append(jsonstr.Append(nil, n.err), ':')
	return n
}

// maxNames bounds the tracer's cache of spanNames.
const maxNames = 1024

// namesFor returns the names for a captured function, made once per name.
func (t *Tracer) namesFor(name string) *spanNames {
	t.namesMu.RLock()
	n := t.names[name]
	t.namesMu.RUnlock()
	if n != nil {
		return n
	}
	n = t.newSpanNames(name)
	t.namesMu.Lock()
	if len(t.names) < maxNames {
		t.names[name] = n
	}
	t.namesMu.Unlock()
	return n
}

// start opens a subsegment named n of kind under parent, a sampled span context, and returns the
// context carrying it. clock is the entity whose clock times it (its parent), or nil.
func (t *Tracer) start(ctx context.Context, parent trace.SpanContext, clock *entity, n *spanNames, kind trace.SpanKind) (context.Context, *entity) {
	e := &entity{names: n, parentID: parent.SpanID(), parentRemote: parent.IsRemote(), kind: uint8(kind)}
	e.sc = trace.NewSpanContext(trace.SpanContextConfig{
		TraceID: parent.TraceID(), SpanID: newSpanID(), TraceFlags: trace.FlagsSampled, TraceState: parent.TraceState(),
	})
	if clock != nil {
		e.start = clock.now()
	} else {
		e.start = time.Now()
	}
	e.annotations, e.metadata, e.meta = e.annBuf[:0], e.metaBuf[:0], e.metaBytes[:0]
	if spanKey != nil {
		e.spanCtx = spanCtx{ctx, e}
		ctx = &e.spanCtx
	} else {
		ctx = trace.ContextWithSpan(ctx, e)
	}
	e.ctx = invocation.EntityContext{Context: ctx, Entity: e}
	return &e.ctx, e
}

// spanKey is the key under which the OpenTelemetry API keeps the current span on a context,
// which it does not export: the key trace.SpanFromContext asks a context for. With it a
// subsegment's context (spanCtx) carries the span itself, in the subsegment's allocation,
// instead of another with trace.ContextWithSpan. It is nil if the API does not find the span
// that way, and then the tracer uses trace.ContextWithSpan.
var spanKey = findSpanKey()

func findSpanKey() any {
	probe := &keyProbe{Context: context.Background()}
	trace.SpanFromContext(probe)
	if probe.key == nil {
		return nil
	}
	probe.span = &noop.Span{}
	if trace.SpanFromContext(probe) != probe.span {
		return nil
	}
	return probe.key
}

// keyProbe is a context that remembers the first key it is asked for, and answers span for it.
type keyProbe struct {
	context.Context
	key  any
	span trace.Span
}

func (p *keyProbe) Value(key any) any {
	if p.key == nil {
		p.key = key
	}
	if p.span != nil && key == p.key {
		return p.span
	}
	return p.Context.Value(key)
}

// spanCtx is a context carrying a subsegment as the current OpenTelemetry span, under spanKey.
type spanCtx struct {
	context.Context // the parent
	e               *entity
}

// Value returns the subsegment for spanKey and asks the parent for every other key.
func (c *spanCtx) Value(key any) any {
	if key == spanKey {
		return trace.Span(c.e)
	}
	return c.Context.Value(key)
}

// now returns the time: e's start plus the time elapsed on the monotonic clock, one clock
// reading instead of time.Now's two.
func (e *entity) now() time.Time { return e.start.Add(time.Since(e.start)) }

// entityFrom returns the innermost subsegment the tracer opened on ctx, or nil.
func entityFrom(ctx context.Context) *entity {
	e, _ := invocation.EntityFromContext(ctx).(*entity)
	return e
}

// AppendEntityID appends the subsegment's id.
func (e *entity) AppendEntityID(b []byte) []byte { return appendSpanID(b, e.sc.SpanID()) }

// put records metadata on the subsegment, replacing an earlier value of the same key.
func (e *entity) put(namespace, key string, value any) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.ended {
		return
	}
	for i, m := range e.metadata {
		if m.namespace == namespace && m.key == key {
			e.metadata[i].value = value
			return
		}
	}
	e.metadata = append(e.metadata, metadatum{namespace: namespace, key: key, value: value})
}

// End ends the subsegment (at the time of the option WithTimestamp, if given): its metadata
// values are encoded now, and it goes to the tracer's processor. Later calls do nothing.
func (e *entity) End(opts ...trace.SpanEndOption) {
	dur := time.Since(e.start)
	if len(opts) > 0 {
		if c := trace.NewSpanEndConfig(opts...); !c.Timestamp().IsZero() {
			dur = c.Timestamp().Sub(e.start)
		}
	}
	e.mu.Lock()
	if e.ended {
		e.mu.Unlock()
		return
	}
	e.ended, e.dur = true, dur
	for i := range e.metadata {
		m := &e.metadata[i]
		m.from = len(e.meta)
		switch m.key {
		case e.names.response:
			e.meta = append(e.meta, e.names.responseKey...)
		case e.names.err:
			e.meta = append(e.meta, e.names.errKey...)
		default:
			e.meta = append(jsonstr.Append(e.meta, m.key), ':')
		}
		e.meta = appendJSON(e.meta, m.value)
		m.to, m.value = len(e.meta), nil
	}
	e.mu.Unlock()
	e.names.t.proc.add(e)
}

// AddEvent records an event, as the SDK's span does.
func (e *entity) AddEvent(name string, opts ...trace.EventOption) {
	c := trace.NewEventConfig(opts...)
	e.mu.Lock()
	defer e.mu.Unlock()
	if !e.ended {
		x := e.extra()
		x.events = append(x.events, sdktrace.Event{Name: name, Attributes: c.Attributes(), Time: c.Timestamp()})
	}
}

// extra returns e.x, made if nil; e.mu is held.
func (e *entity) extra() *extra {
	if e.x == nil {
		e.x = &extra{}
	}
	return e.x
}

// AddLink records a link, as the SDK's span does.
func (e *entity) AddLink(link trace.Link) {
	if !link.SpanContext.IsValid() && len(link.Attributes) == 0 && link.SpanContext.TraceState().Len() == 0 {
		return
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	if !e.ended {
		x := e.extra()
		x.links = append(x.links, sdktrace.Link{SpanContext: link.SpanContext, Attributes: link.Attributes})
	}
}

// IsRecording reports whether the subsegment has not ended.
func (e *entity) IsRecording() bool {
	e.mu.Lock()
	defer e.mu.Unlock()
	return !e.ended
}

// RecordError records err as an exception event, as the SDK's span does: its type
// (package.Name, or the type's text for an unnamed type), message and, with the option
// WithStackTrace, the stack.
func (e *entity) RecordError(err error, opts ...trace.EventOption) {
	if err == nil {
		return
	}
	opts = append(opts, trace.WithAttributes(
		attribute.String(attrExceptionType, typeName(err)),
		attribute.String(attrExceptionMsg, err.Error()),
	))
	if c := trace.NewEventConfig(opts...); c.StackTrace() {
		opts = append(opts, trace.WithAttributes(attribute.String(attrExceptionStack, string(debug.Stack()))))
	}
	e.AddEvent(eventException, opts...)
}

// typeName names the type of v as the SDK's RecordError does.
func typeName(v any) string {
	t := reflect.TypeOf(v)
	if t.PkgPath() == "" && t.Name() == "" {
		return t.String()
	}
	return fmt.Sprintf("%s.%s", t.PkgPath(), t.Name())
}

// SpanContext returns the subsegment's span context.
func (e *entity) SpanContext() trace.SpanContext { return e.sc }

// SetStatus sets the status as the SDK's span does: Ok is final, Error keeps its description,
// Unset changes nothing.
func (e *entity) SetStatus(code codes.Code, description string) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.ended || code == codes.Unset || (e.x != nil && e.x.status.Code > code) {
		return
	}
	x := e.extra()
	x.status = sdktrace.Status{Code: code}
	if code == codes.Error {
		x.status.Description = description
	}
}

// SetName renames the subsegment.
func (e *entity) SetName(name string) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if !e.ended {
		e.extra().name = name
	}
}

// SetAttributes sets attributes, replacing those of the same keys; invalid ones are dropped.
// They go in the document as the SDK's spans' attributes do (package documentation).
func (e *entity) SetAttributes(kvs ...attribute.KeyValue) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.ended || len(kvs) == 0 {
		return
	}
	x := e.extra()
	for _, kv := range kvs {
		if !kv.Valid() {
			continue
		}
		if i := slices.IndexFunc(x.attrs, func(a attribute.KeyValue) bool { return a.Key == kv.Key }); i >= 0 {
			x.attrs[i] = kv
		} else {
			x.attrs = append(x.attrs, kv)
		}
	}
}

// TracerProvider returns the provider of the tracer's OpenTelemetry spans.
func (e *entity) TracerProvider() trace.TracerProvider { return e.names.t.provider }

// The methods the encoder reads an ended entity with, as it reads the SDK's spans (span).

func (e *entity) Name() string {
	if e.x != nil && e.x.name != "" {
		return e.x.name
	}
	return e.names.span
}

func (e *entity) Parent() trace.SpanContext {
	return trace.NewSpanContext(trace.SpanContextConfig{
		TraceID: e.sc.TraceID(), SpanID: e.parentID, TraceFlags: trace.FlagsSampled, TraceState: e.sc.TraceState(), Remote: e.parentRemote,
	})
}

func (e *entity) SpanKind() trace.SpanKind { return trace.SpanKind(e.kind) }
func (e *entity) StartTime() time.Time     { return e.start }
func (e *entity) EndTime() time.Time       { return e.start.Add(e.dur) }

func (e *entity) Attributes() []attribute.KeyValue {
	if e.x == nil {
		return nil
	}
	return e.x.attrs
}

func (e *entity) Events() []sdktrace.Event {
	if e.x == nil {
		return nil
	}
	return e.x.events
}

func (e *entity) Status() sdktrace.Status {
	if e.x == nil {
		return sdktrace.Status{}
	}
	return e.x.status
}

// appendAnnotations appends the subsegment's annotations to dst: the preset ones but those put
// again, then those put.
func (e *entity) appendAnnotations(dst []attribute.KeyValue) []attribute.KeyValue {
	if e.preset != nil {
		for _, kv := range e.preset.kvs {
			if !hasKey(e.annotations, kv.Key) {
				dst = append(dst, kv)
			}
		}
	}
	return append(dst, e.annotations...)
}

// hasAnnotations reports whether the subsegment has annotations.
func (e *entity) hasAnnotations() bool { return e.preset != nil || len(e.annotations) > 0 }

// hasAnnotation reports whether the subsegment has the annotation key.
func (e *entity) hasAnnotation(key attribute.Key) bool {
	return hasKey(e.annotations, key) || (e.preset != nil && hasKey(e.preset.kvs, key))
}

// appendAnnotationMembers appends the annotations as "key":value members, comma separated.
func (e *entity) appendAnnotationMembers(b []byte) []byte {
	start := len(b)
	switch {
	case e.preset == nil:
	case !slices.ContainsFunc(e.preset.kvs, func(kv attribute.KeyValue) bool { return hasKey(e.annotations, kv.Key) }):
		b = append(b, e.preset.json...)
	default:
		for _, kv := range e.preset.kvs {
			if !hasKey(e.annotations, kv.Key) {
				b = appendAnnotation(b, kv, len(b) > start)
			}
		}
	}
	for _, kv := range e.annotations {
		b = appendAnnotation(b, kv, len(b) > start)
	}
	return b
}

// hasNamespace reports whether the entity has metadata in namespace ns.
func (e *entity) hasNamespace(ns string) bool { return e.namespaceBefore(len(e.metadata), ns) }

// namespaceBefore reports whether one of the first n metadata is in namespace ns.
func (e *entity) namespaceBefore(n int, ns string) bool {
	for i := range n {
		if e.metadata[i].namespace == ns {
			return true
		}
	}
	return false
}

// appendNamespaces appends "namespace":{...} for each namespace of the metadata but default,
// comma separated, after a comma if sep.
func (e *entity) appendNamespaces(b []byte, sep bool) []byte {
	for i := range e.metadata {
		ns := e.metadata[i].namespace
		if ns == defaultMetadataName || e.namespaceBefore(i, ns) {
			continue
		}
		if sep {
			b = append(b, ',')
		}
		sep = true
		if ns == e.names.t.service {
			b = append(b, e.names.t.serviceJSON...)
		} else {
			b = jsonstr.Append(b, ns)
		}
		b = append(b, ':', '{')
		b = e.appendMembers(b, ns, false)
		b = append(b, '}')
	}
	return b
}

// appendMembers appends the "key":value members of namespace ns, after a comma if sep.
func (e *entity) appendMembers(b []byte, ns string, sep bool) []byte {
	for i := range e.metadata {
		if m := &e.metadata[i]; m.namespace == ns {
			if sep {
				b = append(b, ',')
			}
			sep = true
			b = append(b, e.meta[m.from:m.to]...)
		}
	}
	return b
}

// otelSpan returns the ended entity as the SDK's spans are exported: the annotations are
// attributes named in the attribute aws.xray.annotations, each metadata namespace a JSON object
// in the attribute aws.xray.metadata.<namespace>, as the OpenTelemetry collector's X-Ray exporter
// reads them.
func (e *entity) otelSpan() sdktrace.ReadOnlySpan {
	annotations := e.appendAnnotations(nil)
	var stub tracetest.SpanStub
	if e.x != nil {
		stub.Events, stub.Links, stub.Status = e.x.events, e.x.links, e.x.status
	}
	attrs := make([]attribute.KeyValue, 0, len(e.Attributes())+len(annotations)+len(e.metadata)+1)
	for _, kv := range e.Attributes() {
		ns, isMeta := strings.CutPrefix(string(kv.Key), attrMetadataPrefix)
		if !hasKey(annotations, kv.Key) && kv.Key != attrAnnotations && !(isMeta && e.hasNamespace(ns)) {
			attrs = append(attrs, kv)
		}
	}
	attrs = append(attrs, annotations...)
	if len(annotations) > 0 {
		keys := make([]string, len(annotations))
		for i, kv := range annotations {
			keys[i] = string(kv.Key)
		}
		attrs = append(attrs, attribute.StringSlice(attrAnnotations, keys))
	}
	for i, m := range e.metadata {
		if !e.namespaceBefore(i, m.namespace) {
			obj := append(e.appendMembers([]byte{'{'}, m.namespace, false), '}')
			attrs = append(attrs, attribute.String(attrMetadataPrefix+m.namespace, string(obj)))
		}
	}
	stub.Name, stub.SpanContext, stub.Parent, stub.SpanKind = e.Name(), e.sc, e.Parent(), e.SpanKind()
	stub.StartTime, stub.EndTime, stub.Attributes = e.start, e.EndTime(), attrs
	stub.Resource, stub.InstrumentationScope = e.names.t.resource, instrumentation.Scope{Name: instrumentationName}
	return stub.Snapshot()
}
