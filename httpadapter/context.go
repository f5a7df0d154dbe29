package httpadapter

import (
	"context"
	"encoding/json"
	"sync"

	"github.com/aws/aws-lambda-go/events"
)

type eventKey struct{}

// eventContext is the request's context: its parent plus the event, in one
// allocation.
type eventContext struct {
	context.Context
	ev eventValue
}

// Value returns the event for eventKey and defers to the parent otherwise.
func (c *eventContext) Value(key any) any {
	if key == (eventKey{}) {
		return &c.ev
	}
	return c.Context.Value(key)
}

// eventValue carries the original event in a request's context. Events
// that arrive as JSON are decoded into their aws-lambda-go type only when a
// handler asks for them, so handlers that never look pay nothing.
type eventValue struct {
	source  Source
	payload string
	once    sync.Once
	typed   any
}

func (v *eventValue) get() any {
	v.once.Do(func() {
		if v.typed != nil {
			return
		}
		var dst any
		switch v.source {
		case SourceAPIGatewayV1:
			dst = new(events.APIGatewayProxyRequest)
		case SourceAPIGatewayV2:
			dst = new(events.APIGatewayV2HTTPRequest)
		case SourceALB:
			dst = new(events.ALBTargetGroupRequest)
		case SourceFunctionURL:
			dst = new(events.LambdaFunctionURLRequest)
		case SourceVPCLattice:
			dst = new(VPCLatticeV2Request)
		default:
			return
		}
		if json.Unmarshal([]byte(v.payload), dst) == nil {
			v.typed = dst
		}
	})
	return v.typed
}

func eventFrom[T any](ctx context.Context) (*T, bool) {
	v, ok := ctx.Value(eventKey{}).(*eventValue)
	if !ok {
		return nil, false
	}
	t, ok := v.get().(*T)
	return t, ok
}

// EventSource returns the source of the event a request was built from, or
// SourceAuto if ctx is not an adapted request's context.
func EventSource(ctx context.Context) Source {
	if v, ok := ctx.Value(eventKey{}).(*eventValue); ok {
		return v.source
	}
	return SourceAuto
}

// APIGatewayV1Event returns the API Gateway REST (payload 1.0) event a
// request was built from, including its request context, authorizer claims,
// path parameters and stage variables. Do not modify it.
func APIGatewayV1Event(ctx context.Context) (*events.APIGatewayProxyRequest, bool) {
	return eventFrom[events.APIGatewayProxyRequest](ctx)
}

// APIGatewayV2Event returns the HTTP API (payload 2.0) event a request was
// built from; JWT and Lambda authorizer claims are in
// RequestContext.Authorizer. Do not modify it.
func APIGatewayV2Event(ctx context.Context) (*events.APIGatewayV2HTTPRequest, bool) {
	return eventFrom[events.APIGatewayV2HTTPRequest](ctx)
}

// ALBEvent returns the Application Load Balancer event a request was built
// from. Do not modify it.
func ALBEvent(ctx context.Context) (*events.ALBTargetGroupRequest, bool) {
	return eventFrom[events.ALBTargetGroupRequest](ctx)
}

// FunctionURLEvent returns the Lambda function URL event a request was
// built from. Do not modify it.
func FunctionURLEvent(ctx context.Context) (*events.LambdaFunctionURLRequest, bool) {
	return eventFrom[events.LambdaFunctionURLRequest](ctx)
}

// VPCLatticeEvent returns the VPC Lattice v2 event a request was built from.
// Do not modify it.
func VPCLatticeEvent(ctx context.Context) (*VPCLatticeV2Request, bool) {
	return eventFrom[VPCLatticeV2Request](ctx)
}
