package tracer

import (
	"context"

	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/trace"

	"github.com/lambdalog/lambdalog/internal/invocation"
)

// lineageKey is the trace state key under which the Lineage field of an extracted trace header
// travels to the headers injected below it.
const lineageKey = "xray-lineage"

// Propagator is an OpenTelemetry TextMapPropagator for the X-Ray trace header, X-Amzn-Trace-Id:
//
//	Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1;Lineage=a87bd80c:1
//
// Extract reads a header with a valid Root (the trace id) and Parent (the parent's id) into a
// remote span context, sampled when Sampled=1 (Sampled=0, Sampled=? and no Sampled field all
// give an unsampled context: in Lambda the decision always comes made); a header without both is
// ignored. Lineage, which Lambda appends to detect recursive loops, is kept in the trace state
// (key xray-lineage) and written back by Inject, so that it reaches the next service unchanged;
// other fields (Self, ...) are dropped. Inject writes Root, Parent (the span on the context),
// Sampled (1 or 0) and Lineage. Parsing follows [invocation.ParseTraceHeader]; nothing panics
// on any input.
type Propagator struct{}

var _ propagation.TextMapPropagator = Propagator{}

// Inject sets the X-Amzn-Trace-Id header of carrier from the span context on ctx, if valid.
func (Propagator) Inject(ctx context.Context, carrier propagation.TextMapCarrier) {
	if sc := trace.SpanContextFromContext(ctx); sc.IsValid() {
		carrier.Set(invocation.TraceHeaderName, traceHeader(sc))
	}
}

// Extract returns ctx with the remote span context of carrier's X-Amzn-Trace-Id header, or ctx
// unchanged when it has no valid one.
func (Propagator) Extract(ctx context.Context, carrier propagation.TextMapCarrier) context.Context {
	if sc, ok := spanContext(invocation.ParseTraceHeader(carrier.Get(invocation.TraceHeaderName))); ok {
		return trace.ContextWithRemoteSpanContext(ctx, sc)
	}
	return ctx
}

// Fields returns the header the propagator reads and writes.
func (Propagator) Fields() []string { return []string{invocation.TraceHeaderName} }

// spanContext returns the remote span context of a parsed trace header; ok is false unless it
// has a valid Root and Parent.
func spanContext(h invocation.TraceHeader) (sc trace.SpanContext, ok bool) {
	tid, ok := parseTraceID(h.Root)
	if !ok {
		return sc, false
	}
	sid, ok := parseSpanID(h.Parent)
	if !ok {
		return sc, false
	}
	cfg := trace.SpanContextConfig{TraceID: tid, SpanID: sid, Remote: true}
	if h.Sampled == invocation.SampledTrue {
		cfg.TraceFlags = trace.FlagsSampled
	}
	if h.Lineage != "" {
		// A lineage the trace state cannot hold (a ',' or '=' in it) is dropped.
		cfg.TraceState, _ = trace.TraceState{}.Insert(lineageKey, h.Lineage)
	}
	return trace.NewSpanContext(cfg), true
}

// traceHeader returns the X-Amzn-Trace-Id value for a span context.
func traceHeader(sc trace.SpanContext) string {
	lineage := sc.TraceState().Get(lineageKey)
	b := make([]byte, 0, len("Root=;Parent=;Sampled=1;Lineage=")+xrayTraceIDLen+16+len(lineage))
	b = append(b, "Root="...)
	b = appendTraceID(b, sc.TraceID())
	b = append(b, ";Parent="...)
	b = appendSpanID(b, sc.SpanID())
	if sc.IsSampled() {
		b = append(b, ";Sampled=1"...)
	} else {
		b = append(b, ";Sampled=0"...)
	}
	if lineage != "" {
		b = append(b, ";Lineage="...)
		b = append(b, lineage...)
	}
	return string(b)
}
