package tracer

import (
	"context"
	"errors"
	"reflect"

	awsmiddleware "github.com/aws/aws-sdk-go-v2/aws/middleware"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/smithy-go/middleware"
	smithyhttp "github.com/aws/smithy-go/transport/http"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/trace"

	"github.com/lambdalog/lambdalog/internal/invocation"
)

// InstrumentAWS adds to an aws-sdk-go-v2 configuration's API options (aws.Config.APIOptions,
// or a client's Options.APIOptions) the middleware that records each operation called with a
// traced context as a subsegment: namespace aws, named after the service (DynamoDB, Lambda,
// ...), with the operation, the region, the request id, the HTTP status, the number of
// retries, and the table name or queue URL of DynamoDB and SQS calls. It sends the trace header
// X-Amzn-Trace-Id with the subsegment as Parent (X-Ray then links the call to what the service
// records, such as the called function of a Lambda Invoke), keeping the Lineage Lambda uses to
// detect recursive loops. An error response marks the subsegment as an error (4xx; 429 also as
// throttled) or a fault (5xx, or no response at all). With an untraced (Sampled=0) context it
// only sends the header. A disabled tracer adds nothing.
//
//	cfg, err := config.LoadDefaultConfig(ctx)
//	t.InstrumentAWS(&cfg.APIOptions)
func (t *Tracer) InstrumentAWS(apiOptions *[]func(*middleware.Stack) error) {
	if !t.enabled {
		return
	}
	*apiOptions = append(*apiOptions, func(s *middleware.Stack) error {
		if err := s.Initialize.Add(awsSpan{t}, middleware.Before); err != nil {
			return err
		}
		// Before the SDK's recursion detection, which sets the header from _X_AMZN_TRACE_ID
		// when it is not set.
		return s.Build.Add(traceHeaderMiddleware{}, middleware.Before)
	})
}

// awsSpan opens the subsegment of an operation around its retries.
type awsSpan struct{ t *Tracer }

func (awsSpan) ID() string { return "lambdalog/tracer/span" }

func (m awsSpan) HandleInitialize(ctx context.Context, in middleware.InitializeInput, next middleware.InitializeHandler) (
	out middleware.InitializeOutput, md middleware.Metadata, err error,
) {
	parent := trace.SpanFromContext(ctx)
	if !parent.IsRecording() {
		return next.HandleInitialize(ctx, in)
	}
	service, operation := awsmiddleware.GetServiceID(ctx), awsmiddleware.GetOperationName(ctx)
	attrs := []attribute.KeyValue{
		attribute.String(attrRPCSystem, rpcSystemAWS),
		attribute.String(attrRPCService, service),
		attribute.String(attrRPCMethod, operation),
		attribute.String(attrRegion, awsmiddleware.GetRegion(ctx)),
	}
	if v := stringField(in.Parameters, "TableName"); v != "" {
		attrs = append(attrs, attribute.String(attrTableName, v))
	}
	if v := stringField(in.Parameters, "QueueUrl"); v != "" {
		attrs = append(attrs, attribute.String(attrQueueURL, v))
	}
	ctx, span := m.t.tracer.Start(ctx, service+"."+operation, trace.WithSpanKind(trace.SpanKindClient), trace.WithAttributes(attrs...))
	defer span.End()

	out, md, err = next.HandleInitialize(ctx, in)

	status := 0
	if resp, ok := awsmiddleware.GetRawResponse(md).(*smithyhttp.Response); ok && resp != nil {
		status = resp.StatusCode
	}
	requestID, _ := awsmiddleware.GetRequestIDMetadata(md)
	var respErr *awshttp.ResponseError
	if errors.As(err, &respErr) {
		status = respErr.HTTPStatusCode()
		requestID = respErr.ServiceRequestID()
	}
	if status != 0 {
		span.SetAttributes(attribute.Int(attrStatus, status))
	}
	if requestID != "" {
		span.SetAttributes(attribute.String(attrRequestID, requestID))
	}
	if results, ok := retry.GetAttemptResults(md); ok && len(results.Results) > 1 {
		span.SetAttributes(attribute.Int(attrRetries, len(results.Results)-1))
	}
	if err != nil {
		span.RecordError(err)
		if status == 0 || status >= 500 {
			span.SetStatus(codes.Error, err.Error())
		}
	}
	return out, md, err
}

// stringField returns the string or *string field name of the struct params points to, or "".
func stringField(params any, name string) string {
	v := reflect.ValueOf(params)
	if v.Kind() == reflect.Pointer {
		v = v.Elem()
	}
	if v.Kind() != reflect.Struct {
		return ""
	}
	f := v.FieldByName(name)
	if f.Kind() == reflect.Pointer && !f.IsNil() {
		f = f.Elem()
	}
	if f.Kind() != reflect.String {
		return ""
	}
	return f.String()
}

// traceHeaderMiddleware sets X-Amzn-Trace-Id on the request from the span on the context.
type traceHeaderMiddleware struct{}

func (traceHeaderMiddleware) ID() string { return "lambdalog/tracer/header" }

func (traceHeaderMiddleware) HandleBuild(ctx context.Context, in middleware.BuildInput, next middleware.BuildHandler) (
	middleware.BuildOutput, middleware.Metadata, error,
) {
	if req, ok := in.Request.(*smithyhttp.Request); ok {
		if sc := trace.SpanContextFromContext(ctx); sc.IsValid() {
			req.Header.Set(invocation.TraceHeaderName, traceHeader(sc))
		}
	}
	return next.HandleBuild(ctx, in)
}
