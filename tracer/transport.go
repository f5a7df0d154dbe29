package tracer

import (
	"net/http"
	"net/url"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/trace"

	"github.com/lambdalog/lambdalog/internal/invocation"
)

// Transport returns an http.RoundTripper that records each request made with a traced context
// as a subsegment (namespace remote, named after the host, with the method, the URL without
// its user information, query and fragment, and the response status), and sends the trace
// header X-Amzn-Trace-Id with the subsegment as Parent, so that a traced service it calls joins
// the trace. The subsegment ends when the response headers arrive. A status of 4xx marks it as
// an error (429 also as throttled), 5xx or a failed round trip as a fault. With an untraced
// (Sampled=0) context it only sends the header, passing the decision on. A nil base means
// http.DefaultTransport; a disabled tracer returns base itself.
func (t *Tracer) Transport(base http.RoundTripper) http.RoundTripper {
	if base == nil {
		base = http.DefaultTransport
	}
	if !t.enabled {
		return base
	}
	return &transport{t: t, base: base}
}

type transport struct {
	t    *Tracer
	base http.RoundTripper
}

// RoundTrip implements http.RoundTripper; it never modifies the caller's request.
func (rt *transport) RoundTrip(req *http.Request) (*http.Response, error) {
	ctx := req.Context()
	parent := trace.SpanFromContext(ctx)
	if !parent.SpanContext().IsValid() {
		return rt.base.RoundTrip(req)
	}
	if !parent.IsRecording() {
		req = req.Clone(ctx)
		req.Header.Set(invocation.TraceHeaderName, traceHeader(parent.SpanContext()))
		return rt.base.RoundTrip(req)
	}
	ctx, span := rt.t.tracer.Start(ctx, req.Method, trace.WithSpanKind(trace.SpanKindClient), trace.WithAttributes(
		attribute.String(attrMethod, req.Method),
		attribute.String(attrURL, redactURL(req.URL)),
		attribute.String(attrServerAddress, req.URL.Hostname()),
	))
	defer span.End()
	req = req.Clone(ctx)
	req.Header.Set(invocation.TraceHeaderName, traceHeader(span.SpanContext()))
	resp, err := rt.base.RoundTrip(req)
	if err != nil {
		span.RecordError(err)
		span.SetStatus(codes.Error, err.Error())
		return resp, err
	}
	span.SetAttributes(attribute.Int(attrStatus, resp.StatusCode))
	if resp.ContentLength >= 0 {
		span.SetAttributes(attribute.Int64(attrBodySize, resp.ContentLength))
	}
	if resp.StatusCode >= 500 {
		span.SetStatus(codes.Error, "") // the status says it all: no exception in the cause
	}
	return resp, nil
}

// redactURL returns u without user information, query and fragment, which may hold secrets
// (passwords, presigned URL signatures).
func redactURL(u *url.URL) string {
	c := *u
	c.User, c.RawQuery, c.ForceQuery, c.Fragment, c.RawFragment = nil, "", false, "", ""
	return c.String()
}
