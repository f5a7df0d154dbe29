package logger

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambda"
)

func TestColdStartOnlyFirstInvocation(t *testing.T) {
	setLambdaEnv(t)
	var buf lineBuffer
	h := lambda.NewHandler(WrapNoEvent(func(ctx context.Context) (string, error) {
		FromContext(ctx).Info("hi")
		return "ok", nil
	}, WithOutput(&buf)))
	for i := range 3 {
		if _, err := h.Invoke(invokeCtx(fmt.Sprint("req-", i), ""), nil); err != nil {
			t.Fatal(err)
		}
	}
	recs := buf.records(t)
	if len(recs) != 3 {
		t.Fatalf("%d records", len(recs))
	}
	for i, r := range recs {
		if r["cold_start"] != (i == 0) {
			t.Errorf("invocation %d: cold_start = %v", i, r["cold_start"])
		}
		if r["function_request_id"] != fmt.Sprint("req-", i) || r["function_name"] != "payment-collector" ||
			r["function_memory_size"] != 256.0 {
			t.Errorf("invocation %d: lambda keys %v", i, r)
		}
		if _, ok := r["xray_trace_id"]; ok {
			t.Errorf("xray_trace_id without a trace header: %v", r)
		}
	}
}

func TestProvisionedConcurrencyIsNeverColdStart(t *testing.T) {
	setLambdaEnv(t)
	t.Setenv(EnvInitType, "provisioned-concurrency")
	var buf lineBuffer
	h := lambda.NewHandler(WrapNoEvent(func(ctx context.Context) (string, error) {
		FromContext(ctx).Info("hi")
		return "ok", nil
	}, WithOutput(&buf)))
	if _, err := h.Invoke(invokeCtx("r", ""), nil); err != nil {
		t.Fatal(err)
	}
	if r := buf.records(t)[0]; r["cold_start"] != false {
		t.Errorf("cold_start = %v under provisioned concurrency", r["cold_start"])
	}
}

// TestConcurrentInvocationsKeepTheirKeys runs many invocations at once, as aws-lambda-go does
// with AWS_LAMBDA_MAX_CONCURRENCY > 1, and checks no record carries another one's keys.
func TestConcurrentInvocationsKeepTheirKeys(t *testing.T) {
	setLambdaEnv(t)
	var buf lineBuffer
	h := lambda.NewHandler(Wrap(func(ctx context.Context, e events.APIGatewayProxyRequest) (string, error) {
		AppendKeys(ctx, slog.String("user", e.PathParameters["user"]))
		l := FromContext(ctx)
		for i := range 20 {
			l.Info("step", "i", i, "want_request", e.PathParameters["user"])
			slog.New(NewHandler(&buf)).InfoContext(ctx, "via context", "want_request", e.PathParameters["user"])
		}
		return "ok", nil
	}, WithOutput(&buf), WithCorrelationPath(CorrelationAPIGatewayREST)))

	const n = 50
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			id := fmt.Sprint("req-", i)
			ev := fmt.Sprintf(`{"pathParameters":{"user":%q},"requestContext":{"requestId":"corr-%s"}}`, id, id)
			if _, err := h.Invoke(invokeCtx(id, "Root=1-"+id), []byte(ev)); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	recs := buf.records(t)
	if len(recs) != n*40 {
		t.Fatalf("%d records, want %d", len(recs), n*40)
	}
	for _, r := range recs {
		id := r["want_request"]
		if r["function_request_id"] != id || r["correlation_id"] != "corr-"+id.(string) ||
			r["xray_trace_id"] != "1-"+id.(string) {
			t.Fatalf("record mixes invocations: %v", r)
		}
		if r["message"] == "step" && r["user"] != id {
			t.Fatalf("invocation key of another invocation: %v", r)
		}
	}
}

func TestPanicIsLoggedWithStackAndRepanics(t *testing.T) {
	setLambdaEnv(t)
	var buf lineBuffer
	var hookErr error
	h := Wrap(func(ctx context.Context, _ json.RawMessage) (string, error) {
		var m map[string]int
		m["x"] = 1 // panics: assignment to entry in nil map
		return "", nil
	}, WithOutput(&buf), WithInvocationEnd(func(_ context.Context, err error) { hookErr = err }))
	var repanic any
	func() {
		// aws-lambda-go's runtime loop recovers the panic above Invoke, as this does.
		defer func() { repanic = recover() }()
		lambda.NewHandler(h).Invoke(invokeCtx("r1", ""), []byte(`{}`))
	}()
	if err, ok := repanic.(error); !ok || !strings.Contains(err.Error(), "nil map") {
		t.Fatalf("the middleware should panic again with the original value, got %v", repanic)
	}
	var pe *PanicError
	if !errors.As(hookErr, &pe) {
		t.Fatalf("invocation-end hook got %v, want a *PanicError", hookErr)
	}
	recs := buf.records(t)
	if len(recs) != 1 {
		t.Fatalf("%d records", len(recs))
	}
	r := recs[0]
	if r["level"] != "ERROR" || !strings.Contains(r["exception"].(string), "assignment to entry in nil map") {
		t.Errorf("panic record: %v", r)
	}
	stack, _ := r["stack_trace"].([]any)
	if len(stack) == 0 {
		t.Fatalf("no stack_trace: %v", r)
	}
	top := stack[0].(map[string]any)
	if !strings.Contains(top["function"].(string), "TestPanicIsLoggedWithStackAndRepanics") ||
		!strings.HasSuffix(top["file"].(string), "middleware_test.go") {
		t.Errorf("stack should start at the panic site, got %v", top)
	}
}

func TestReturnedErrorLoggedWhenAsked(t *testing.T) {
	setLambdaEnv(t)
	var buf lineBuffer
	h := WrapAction(func(ctx context.Context, _ struct{}) error {
		return fmt.Errorf("saving: %w", errors.Join(errTest, WithStack(errors.New("disk full"))))
	}, WithOutput(&buf), WithLogError(true))
	if err := h(invokeCtx("r1", ""), struct{}{}); err == nil {
		t.Fatal("error lost")
	}
	r := buf.records(t)[0]
	if r["exception_name"] != "*fmt.wrapError > *errors.joinError[*logger.testError, *errors.errorString]" {
		t.Errorf("exception_name = %v", r["exception_name"])
	}
	if r["exception"] != "saving: test failure\ndisk full" {
		t.Errorf("exception = %q", r["exception"])
	}
	stack, _ := r["stack_trace"].([]any)
	if len(stack) == 0 || !strings.Contains(stack[0].(map[string]any)["function"].(string), "TestReturnedErrorLoggedWhenAsked") {
		t.Errorf("stack_trace should come from WithStack: %v", r["stack_trace"])
	}
}

func TestLogEventIsRedacted(t *testing.T) {
	setLambdaEnv(t)
	t.Setenv(EnvLogEvent, "true")
	var buf lineBuffer
	h := Wrap(func(ctx context.Context, e events.APIGatewayProxyRequest) (int, error) { return 1, nil }, WithOutput(&buf))
	ev := `{"path":"/x","headers":{"Authorization":"Bearer abc","Accept":"*/*"},"body":"{}"}`
	if _, err := lambda.NewHandler(h).Invoke(invokeCtx("r", ""), []byte(ev)); err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	if strings.Contains(out, "Bearer abc") {
		t.Fatalf("secret leaked: %s", out)
	}
	r := buf.records(t)[0]
	event := r["event"].(map[string]any)
	headers := event["headers"].(map[string]any)
	if r["message"] != "Lambda event" || headers["Authorization"] != "***" || headers["Accept"] != "*/*" || event["path"] != "/x" {
		t.Errorf("event record: %v", r)
	}
}

func TestSamplingEnablesDebugPerInvocation(t *testing.T) {
	setLambdaEnv(t)
	var buf lineBuffer
	run := func(rate float64) []map[string]any {
		buf = lineBuffer{}
		h := WrapNoEvent(func(ctx context.Context) (int, error) {
			FromContext(ctx).Debug("details")
			return 0, nil
		}, WithOutput(&buf), WithSampleRate(rate))
		for range 10 {
			h(invokeCtx("r", ""))
		}
		return buf.records(t)
	}
	if recs := run(1); len(recs) != 10 || recs[0]["sampling_rate"] != 1.0 {
		t.Errorf("rate 1: %d debug records, want 10: %v", len(recs), recs)
	}
	if recs := run(0); len(recs) != 0 {
		t.Errorf("rate 0: %d debug records, want 0", len(recs))
	}
}

func TestInvocationEndHooksRunInOrder(t *testing.T) {
	setLambdaEnv(t)
	var calls []string
	h := WrapAction(func(ctx context.Context, _ int) error { return errTest },
		WithOutput(&lineBuffer{}),
		WithInvocationEnd(func(ctx context.Context, err error) { calls = append(calls, "a:"+err.Error()) }),
		WithInvocationEnd(func(ctx context.Context, err error) { calls = append(calls, "b:"+CorrelationID(ctx)) }))
	h(invokeCtx("r", ""), 1)
	if fmt.Sprint(calls) != "[a:test failure b:]" {
		t.Errorf("hooks: %v", calls)
	}
}
