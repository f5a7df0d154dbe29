package tracer

import (
	"bytes"
	"context"
	"errors"
	"reflect"
	"testing"

	"github.com/aws/aws-lambda-go/lambda"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"
)

// otelHandler uses the OpenTelemetry API inside a captured function: on the tracer's own span
// (attributes, an error, the status) and to start a span with the tracer's provider below it,
// as OpenTelemetry instrumentation does.
func otelHandler(tr *Tracer) lambda.Handler {
	return lambda.NewHandler(WrapNoEvent(tr, func(ctx context.Context) (string, error) {
		return CaptureMethod(ctx, "query", func(ctx context.Context) (string, error) {
			span := trace.SpanFromContext(ctx)
			if !span.IsRecording() || span.TracerProvider() != tr.TracerProvider() {
				return "", errors.New("the captured function's span is not the tracer's")
			}
			PutAnnotation(ctx, "Table", "orders")
			span.SetAttributes(attribute.String("team", "payments"), attribute.String("team", "billing"), attribute.Int("rows", 2))
			_, db := tr.TracerProvider().Tracer("db").Start(ctx, "SELECT", trace.WithSpanKind(trace.SpanKindClient),
				trace.WithAttributes(attribute.String(attrServerAddress, "db.internal")))
			db.End()
			span.RecordError(errors.New("slow query"))
			span.SetStatus(codes.Error, "slow query")
			span.SetStatus(codes.Unset, "") // changes nothing
			return "2 rows", nil
		})
	}))
}

// The OpenTelemetry API works on the tracer's subsegments: attributes (the last of a key wins)
// are metadata, a recorded error and an Error status are the fault and its cause, and a span
// started below one with the tracer's provider is nested in it.
func TestOpenTelemetryAPIOnSubsegments(t *testing.T) {
	d := newDaemon(t)
	tr := newTestTracer(t, d)
	if _, err := otelHandler(tr).Invoke(invokeCtx("req", sampled), nil); err != nil {
		t.Fatal(err)
	}
	doc := d.collect(1)[0]
	subs, _ := doc.m["subsegments"].([]any)
	if len(subs) != 1 {
		t.Fatalf("document %s", doc.raw)
	}
	query := subs[0].(map[string]any)
	meta, _ := query["metadata"].(map[string]any)
	def, _ := meta["default"].(map[string]any)
	orders, _ := meta["orders"].(map[string]any)
	ann, _ := query["annotations"].(map[string]any)
	if def["team"] != "billing" || def["rows"] != 2.0 || orders["query response"] != "2 rows" || ann["Table"] != "orders" || query["fault"] != true {
		t.Errorf("subsegment %v", query)
	}
	cause, _ := query["cause"].(map[string]any)
	exceptions, _ := cause["exceptions"].([]any)
	if len(exceptions) != 1 || exceptions[0].(map[string]any)["message"] != "slow query" || exceptions[0].(map[string]any)["type"] != "*errors.errorString" {
		t.Errorf("cause %v", cause)
	}
	dbs, _ := query["subsegments"].([]any)
	if len(dbs) != 1 || dbs[0].(map[string]any)["name"] != "db.internal" || dbs[0].(map[string]any)["namespace"] != "remote" {
		t.Errorf("span started below the subsegment: %v", query["subsegments"])
	}
}

// Another exporter gets the tracer's subsegments as the SDK's spans: the annotations and the
// metadata as attributes, the parents, the resource and the instrumentation scope.
func TestOtherExporterGetsSDKSpans(t *testing.T) {
	exp := tracetest.NewInMemoryExporter()
	tr, err := New(WithDisabled(false), WithService("orders"), WithExporter(exp))
	if err != nil {
		t.Fatal(err)
	}
	defer tr.Shutdown(context.Background())
	if _, err := otelHandler(tr).Invoke(invokeCtx("req", sampled), nil); err != nil {
		t.Fatal(err)
	}
	spans := map[string]tracetest.SpanStub{}
	for _, s := range exp.GetSpans() {
		spans[s.Name] = s
	}
	handler, query, db := spans["## handler"], spans["## query"], spans["SELECT"]
	if len(spans) != 3 || handler.Parent.SpanID().String() != testParent || !handler.Parent.IsRemote() ||
		query.Parent.SpanID() != handler.SpanContext.SpanID() || db.Parent.SpanID() != query.SpanContext.SpanID() ||
		TraceID(trace.ContextWithSpanContext(context.Background(), query.SpanContext)) != testRoot {
		t.Fatalf("spans %v", spans)
	}
	attrs := map[attribute.Key]string{}
	for _, kv := range query.Attributes {
		attrs[kv.Key] = kv.Value.Emit()
	}
	want := map[attribute.Key]string{
		"team": "billing", "rows": "2", "Table": "orders", attrAnnotations: `["Table"]`,
		attrMetadataPrefix + "orders": `{"query response":"2 rows"}`,
	}
	if len(attrs) != len(want) {
		t.Errorf("attributes %v, want %v", attrs, want)
	}
	for k, v := range want {
		if attrs[k] != v {
			t.Errorf("attribute %s = %q, want %q", k, attrs[k], v)
		}
	}
	if query.Status.Code != codes.Error || len(query.Events) != 1 || query.Events[0].Name != eventException ||
		query.InstrumentationScope.Name != instrumentationName || query.Resource != handler.Resource {
		t.Errorf("query span %+v", query)
	}
	if v, _ := handler.Resource.Set().Value("service.name"); v.AsString() != "orders" {
		t.Errorf("resource %v", handler.Resource)
	}
	if !query.StartTime.Before(query.EndTime) || query.StartTime.Before(handler.StartTime) || query.EndTime.After(handler.EndTime) {
		t.Errorf("times: handler %v-%v, query %v-%v", handler.StartTime, handler.EndTime, query.StartTime, query.EndTime)
	}
}

// Attributes set with the OpenTelemetry API that name annotations or metadata namespaces, as
// the OpenTelemetry collector's X-Ray exporter reads them, join the subsegment's own; where
// both have a key, the tracer's annotation or namespace is kept, once.
func TestOpenTelemetryAttributesMeetOwnAnnotations(t *testing.T) {
	d := newDaemon(t)
	tr := newTestTracer(t, d)
	h := lambda.NewHandler(WrapNoEvent(tr, func(ctx context.Context) (string, error) {
		PutAnnotation(ctx, "User", "alice")
		trace.SpanFromContext(ctx).SetAttributes(
			attribute.String("User", "bob"),
			attribute.String("Team", "payments"),
			attribute.StringSlice(attrAnnotations, []string{"User", "Team"}),
			attribute.String(attrMetadataPrefix+"orders", `{"lost":true}`),
			attribute.String(attrMetadataPrefix+"extra", `{"y":2}`),
			attribute.Int("rows", 2),
		)
		return "done", nil
	}))
	if _, err := h.Invoke(invokeCtx("req", sampled), nil); err != nil {
		t.Fatal(err)
	}
	doc := d.collect(1)[0]
	for _, key := range []string{`"User":`, `"orders":`} {
		if n := bytes.Count(doc.raw, []byte(key)); n != 1 {
			t.Errorf("%s %d times in %s", key, n, doc.raw)
		}
	}
	want := map[string]any{
		"annotations": map[string]any{"ColdStart": true, "Service": "orders", "User": "alice", "Team": "payments"},
		"metadata": map[string]any{
			"orders":  map[string]any{"handler response": "done"},
			"extra":   map[string]any{"y": 2.0},
			"default": map[string]any{"rows": 2.0},
		},
	}
	for k, v := range want {
		if !reflect.DeepEqual(doc.m[k], v) {
			t.Errorf("%s: %v, want %v", k, doc.m[k], v)
		}
	}
}
