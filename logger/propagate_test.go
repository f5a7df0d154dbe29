package logger

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-lambda-go/lambdacontext"
)

func TestCorrelationIDOnContext(t *testing.T) {
	setLambdaEnv(t)
	var out lineBuffer
	h := WrapAction(func(ctx context.Context, _ int) error {
		if CorrelationID(ctx) != "" {
			t.Errorf("unexpected correlation id %q", CorrelationID(ctx))
		}
		ctx = WithCorrelationID(ctx, "apigw-req-1")
		FromContext(ctx).Info("m")
		return nil
	}, WithOutput(&out))
	h(invokeCtx("r", ""), 0)
	r := out.records(t)[0]
	if r["correlation_id"] != "apigw-req-1" || r["function_request_id"] != "r" {
		t.Errorf("%v", r)
	}
}

// TestCorrelationOverHTTP sends a request with Transport from one function's context to a real
// HTTP server, then hands the received headers, as an API Gateway event, to a second function.
func TestCorrelationOverHTTP(t *testing.T) {
	setLambdaEnv(t)
	received := make(chan http.Header, 1)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		received <- r.Header.Clone()
	}))
	defer srv.Close()

	ctx := WithCorrelationID(context.Background(), "txn-7")
	client := &http.Client{Transport: Transport(nil)}
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, srv.URL, nil)
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if req.Header.Get(CorrelationHeader) != "" {
		t.Error("Transport modified the caller's request")
	}
	hdr := <-received
	if hdr.Get(CorrelationHeader) != "txn-7" {
		t.Fatalf("header = %q", hdr.Get(CorrelationHeader))
	}

	var out lineBuffer
	callee := Wrap(func(ctx context.Context, e events.APIGatewayProxyRequest) (int, error) {
		FromContext(ctx).Info("callee")
		return 0, nil
	}, WithOutput(&out), WithCorrelationPath(CorrelationAPIGatewayREST))
	event, _ := json.Marshal(events.APIGatewayProxyRequest{
		Headers:        map[string]string{"x-correlation-id": hdr.Get(CorrelationHeader)},
		RequestContext: events.APIGatewayProxyRequestContext{RequestID: "apigw-id"},
	})
	if _, err := lambda.NewHandler(callee).Invoke(invokeCtx("r2", ""), event); err != nil {
		t.Fatal(err)
	}
	if r := out.records(t)[0]; r["correlation_id"] != "txn-7" {
		t.Errorf("callee correlation_id = %v, want txn-7", r["correlation_id"])
	}
}

// TestCorrelationOverInvoke builds the Invoke ClientContext, decodes it as Lambda and
// aws-lambda-go do, and checks the callee's records carry the id.
func TestCorrelationOverInvoke(t *testing.T) {
	setLambdaEnv(t)
	ctx := WithCorrelationID(context.Background(), "txn-9")
	existing := base64.StdEncoding.EncodeToString([]byte(`{"custom":{"tenant":"acme"},"env":{"k":"v"}}`))
	cc, err := ClientContext(ctx, existing)
	if err != nil {
		t.Fatal(err)
	}
	raw, err := base64.StdEncoding.DecodeString(cc)
	if err != nil {
		t.Fatal(err)
	}
	var lcc lambdacontext.ClientContext
	if err := json.Unmarshal(raw, &lcc); err != nil {
		t.Fatal(err)
	}
	if lcc.Custom["tenant"] != "acme" || lcc.Env["k"] != "v" {
		t.Errorf("existing client context lost: %+v", lcc)
	}
	if _, err := ClientContext(ctx, "%%%"); err == nil {
		t.Error("invalid base64 accepted")
	}

	var out lineBuffer
	callee := WrapAction(func(ctx context.Context, _ json.RawMessage) error {
		FromContext(ctx).Info("callee")
		return nil
	}, WithOutput(&out), WithCorrelationPath(CorrelationEventBridge))
	calleeCtx := lambdacontext.NewContext(context.Background(), &lambdacontext.LambdaContext{AwsRequestID: "r3", ClientContext: lcc})
	if _, err := lambda.NewHandler(callee).Invoke(calleeCtx, []byte(`{"id":"eventbridge-id"}`)); err != nil {
		t.Fatal(err)
	}
	if r := out.records(t)[0]; r["correlation_id"] != "txn-9" {
		t.Errorf("callee correlation_id = %v, want txn-9", r["correlation_id"])
	}
}

func TestBuiltinCorrelationPaths(t *testing.T) {
	tests := []struct{ path, event, want string }{
		{CorrelationAPIGatewayREST, `{"requestContext":{"requestId":"rest"}}`, "rest"},
		{CorrelationALB, `{"headers":{"X-Amzn-Trace-Id":"Root=1-abc"}}`, "Root=1-abc"},
		{CorrelationEventBridge, `{"id":"eb","detail":{}}`, "eb"},
		{CorrelationS3ObjectLambda, `{"xAmzRequestId":"s3"}`, "s3"},
		{CorrelationAppSync, `{"request":{"headers":{"x-amzn-trace-id":"as"}}}`, "as"},
		{`detail."order.id"`, `{"detail":{"order.id":42}}`, "42"},
		{CorrelationEventBridge, `{"id":{"not":"a string"}}`, ""},
	}
	for _, tt := range tests {
		path, err := parsePath(tt.path)
		if err != nil {
			t.Fatal(err)
		}
		tree, err := decodeEvent([]byte(tt.event))
		if err != nil {
			t.Fatal(err)
		}
		if got := lookupPath(tree, path); got != tt.want {
			t.Errorf("%s in %s = %q, want %q", tt.path, tt.event, got, tt.want)
		}
	}
	for _, bad := range []string{"", "a..b", `a."b`, `"a"b`, "a.", `a"b`} {
		if _, err := parsePath(bad); err == nil {
			t.Errorf("parsePath(%q) accepted", bad)
		}
	}
}

func TestCorrelationIDOutsideInvocation(t *testing.T) {
	setLambdaEnv(t)
	var out lineBuffer
	l := slog.New(NewHandler(&out))
	ctx := WithCorrelationID(context.Background(), "job-1")
	l.InfoContext(ctx, "with")
	l.Info("without")
	recs := out.records(t)
	if recs[0]["correlation_id"] != "job-1" || recs[1]["correlation_id"] != nil {
		t.Errorf("%v", recs)
	}
	if _, ok := recs[0]["function_request_id"]; ok {
		t.Errorf("Lambda keys outside an invocation: %v", recs[0])
	}
	if AppendKeys(ctx, slog.String("k", "v")) {
		t.Error("AppendKeys outside an invocation reported success")
	}
}

func TestInvalidCorrelationPathWarns(t *testing.T) {
	setLambdaEnv(t)
	var warnings, out lineBuffer
	h := WrapAction(func(ctx context.Context, _ json.RawMessage) error {
		FromContext(ctx).Info("m")
		return nil
	}, WithOutput(&out), WithWarnings(&warnings), WithCorrelationPath(`headers."x-amzn-trace-id`))
	if err := h(invokeCtx("r", ""), json.RawMessage(`{"headers":{}}`)); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(warnings.String(), "WithCorrelationPath") || !strings.Contains(warnings.String(), "unterminated quote") {
		t.Errorf("warnings = %q", warnings.String())
	}
	if r := out.records(t)[0]; r["correlation_id"] != nil {
		t.Errorf("%v", r)
	}
}
