package cwlogs_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/lambdacontext"

	"github.com/lambdalog/lambdalog/cwlogs"
	"github.com/lambdalog/lambdalog/internal/testserver"
	"github.com/lambdalog/lambdalog/logger"
)

// The logger middleware's end-of-invocation hook flushes cwlogs, so the
// records are stored before the handler's response goes back to Lambda
// (after which the environment may be frozen).
func TestInvocationEndFlushes(t *testing.T) {
	srv := testserver.Serve(t, "--memory")
	api := newAPI(srv.URL)
	t.Setenv("AWS_LAMBDA_FUNCTION_NAME", "orders")
	app, err := cwlogs.Config{Group: "/app/shop", Stream: "{function}", FlushInterval: "1h"}.Open(context.Background(), api)
	if err != nil {
		t.Fatal(err)
	}
	defer app.Close(context.Background())
	h := logger.WrapAction(func(ctx context.Context, _ map[string]any) error {
		logger.FromContext(ctx).Info("order stored")
		return nil
	}, app.LoggerOptions(2*time.Second)...)
	ctx := lambdacontext.NewContext(context.Background(), &lambdacontext.LambdaContext{AwsRequestID: "req-1"})
	ctx = logger.WithCorrelationID(ctx, "tx-9")
	if err := h(ctx, map[string]any{}); err != nil {
		t.Fatal(err)
	}
	ev := readAll(t, api, "/app/shop", "orders") // no Flush or Close: the hook did it
	if len(ev) != 1 {
		t.Fatalf("stream holds %d events right after the invocation, want 1", len(ev))
	}
	for _, key := range []string{`"function_name":"orders"`, `"function_request_id":"req-1"`, `"message":"order stored"`} {
		if !strings.Contains(*ev[0].Message, key) {
			t.Errorf("event lacks %s: %s", key, *ev[0].Message)
		}
	}
}
