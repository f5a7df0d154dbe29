package httpadapter

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"sync"

	"github.com/aws/aws-lambda-go/events"

	"github.com/lambdalog/lambdalog/internal/invocation"
	"github.com/lambdalog/lambdalog/logger"
)

// Adapter serves an http.Handler to Lambda HTTP events. It implements
// aws-lambda-go's lambda.Handler, so lambda.Start(adapter) passes it
// the raw event bytes and it returns the response bytes: the event is
// decoded once, by a purpose-built decoder, not by reflection.
//
// An Adapter is safe for concurrent use.
type Adapter struct {
	handler  http.Handler
	source   Source
	basePath string
	writers  sync.Pool
}

// Option configures an Adapter.
type Option func(*Adapter)

// WithSource fixes the event source instead of detecting it from each
// event. Use it when a function has exactly one trigger.
func WithSource(s Source) Option { return func(a *Adapter) { a.source = s } }

// WithBasePath removes a base path (an API Gateway custom domain's base path
// mapping, or an ALB listener rule prefix) from request paths, so the
// handler's routes need not repeat it. "/v1" turns "/v1/hello" into "/hello";
// paths without the prefix are left alone.
func WithBasePath(prefix string) Option {
	return func(a *Adapter) { a.basePath = "/" + strings.Trim(prefix, "/") }
}

// New returns an Adapter that serves h. A panic in h is recovered, logged
// and answered with a 500 JSON body, as Recover does.
func New(h http.Handler, opts ...Option) *Adapter {
	a := &Adapter{handler: h}
	for _, o := range opts {
		o(a)
	}
	if a.basePath == "/" {
		a.basePath = ""
	}
	a.writers.New = func() any { return &responseWriter{header: make(http.Header)} }
	return a
}

// Invoke handles one Lambda invocation: payload is an HTTP event from any
// supported source (or the source chosen with WithSource) and the result is
// that source's response JSON. It implements lambda.Handler.
//
// Invoke returns an error, which makes the invocation fail, only when the
// payload is not a usable HTTP event or the response exceeds
// MaxResponseBytes; handler errors are HTTP responses.
func (a *Adapter) Invoke(ctx context.Context, payload []byte) ([]byte, error) {
	return a.invoke(ctx, string(payload), a.source, nil)
}

func (a *Adapter) invoke(ctx context.Context, payload string, src Source, typed any) ([]byte, error) {
	e, err := parseEvent(payload, src)
	if err != nil {
		return nil, err
	}
	ctx = &eventContext{Context: ctx, ev: eventValue{source: e.source, payload: payload, typed: typed}}
	if id := correlationID(&e); id != "" && logger.CorrelationID(ctx) == "" {
		ctx = logger.WithCorrelationID(ctx, id)
	}
	r, err := a.newRequest(ctx, &e)
	if err != nil {
		return nil, err
	}
	w := a.writers.Get().(*responseWriter)
	defer func() {
		if w.body.Cap() <= 64<<10 {
			w.reset()
			a.writers.Put(w)
		}
	}()
	w.limit, w.noBody = MaxResponseBytes, r.Method == http.MethodHead
	a.serve(w, r)
	w.finish()
	out, err := encodeResponse(&e, w)
	if err != nil {
		logger.FromContext(ctx).ErrorContext(ctx, "response too large for Lambda", "method", r.Method, "path", r.URL.Path, "error", err)
	}
	return out, err
}

// serve runs the handler, replacing whatever it wrote with a 500 JSON
// response if it panics.
func (a *Adapter) serve(w *responseWriter, r *http.Request) {
	defer func() {
		if p := recover(); p != nil {
			logPanic(r, p)
			w.reset()
			writeJSONMessage(w, http.StatusInternalServerError, http.StatusText(http.StatusInternalServerError))
		}
	}()
	a.handler.ServeHTTP(w, r)
}

// correlationID is the id that ties the function's logs to the request:
// the API Gateway or function URL request id, or for ALB and VPC Lattice the
// X-Amzn-Trace-Id header. A correlation id already on the context (from
// logger.Wrap, e.g. a propagated X-Correlation-Id) is kept.
func correlationID(e *event) string {
	if e.requestID != "" {
		return e.requestID
	}
	for _, p := range e.headers {
		if strings.EqualFold(p.k, invocation.TraceHeaderName) {
			return p.v
		}
	}
	return ""
}

// serveTyped runs a typed event through the same path as Invoke.
func serveTyped[Req, Resp any](ctx context.Context, a *Adapter, src Source, ev *Req) (Resp, error) {
	var resp Resp
	payload, err := json.Marshal(ev)
	if err != nil {
		return resp, fmt.Errorf("httpadapter: encode %s event: %w", src, err)
	}
	out, err := a.invoke(ctx, string(payload), src, ev)
	if err != nil {
		return resp, err
	}
	if err := json.Unmarshal(out, &resp); err != nil {
		return resp, fmt.Errorf("httpadapter: decode %s response: %w", src, err)
	}
	return resp, nil
}

// ServeAPIGatewayV1 serves an API Gateway REST (payload 1.0) event. Prefer
// Invoke with lambda.Start: it avoids decoding the event twice.
func (a *Adapter) ServeAPIGatewayV1(ctx context.Context, ev events.APIGatewayProxyRequest) (events.APIGatewayProxyResponse, error) {
	return serveTyped[events.APIGatewayProxyRequest, events.APIGatewayProxyResponse](ctx, a, SourceAPIGatewayV1, &ev)
}

// ServeAPIGatewayV2 serves an HTTP API (payload 2.0) event.
func (a *Adapter) ServeAPIGatewayV2(ctx context.Context, ev events.APIGatewayV2HTTPRequest) (events.APIGatewayV2HTTPResponse, error) {
	return serveTyped[events.APIGatewayV2HTTPRequest, events.APIGatewayV2HTTPResponse](ctx, a, SourceAPIGatewayV2, &ev)
}

// ServeALB serves an Application Load Balancer event. The response uses
// multiValueHeaders when the event did (multi-value headers enabled on the
// target group), headers otherwise.
func (a *Adapter) ServeALB(ctx context.Context, ev events.ALBTargetGroupRequest) (events.ALBTargetGroupResponse, error) {
	return serveTyped[events.ALBTargetGroupRequest, events.ALBTargetGroupResponse](ctx, a, SourceALB, &ev)
}

// ServeFunctionURL serves a Lambda function URL event.
func (a *Adapter) ServeFunctionURL(ctx context.Context, ev events.LambdaFunctionURLRequest) (events.LambdaFunctionURLResponse, error) {
	return serveTyped[events.LambdaFunctionURLRequest, events.LambdaFunctionURLResponse](ctx, a, SourceFunctionURL, &ev)
}

// ServeVPCLattice serves a VPC Lattice v2 event.
func (a *Adapter) ServeVPCLattice(ctx context.Context, ev VPCLatticeV2Request) (VPCLatticeResponse, error) {
	return serveTyped[VPCLatticeV2Request, VPCLatticeResponse](ctx, a, SourceVPCLattice, &ev)
}
