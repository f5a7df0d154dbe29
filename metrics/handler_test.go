package metrics

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-lambda-go/lambdacontext"

	"github.com/lambdalog/lambdalog/internal/invocation"
)

type greeting struct {
	Name string `json:"name"`
}

// TestHandlerThroughAWSLambdaGo runs the wrapped handlers through aws-lambda-go's own
// handler adapter (JSON payload in, JSON out), as lambda.Start does.
func TestHandlerThroughAWSLambdaGo(t *testing.T) {
	m, out := newTest(t)
	withOutput := Handler(m, func(ctx context.Context, g greeting) (string, error) {
		return "hello " + g.Name, FromContext(ctx).Add("SuccessfulGreetings", Count, 1)
	})
	noOutput := HandlerNoOutput(m, func(ctx context.Context, g greeting) error {
		return FromContext(ctx).Add("SuccessfulGreetings", Count, 1)
	})
	for _, h := range []any{withOutput, noOutput} {
		if _, err := lambda.NewHandler(h).Invoke(context.Background(), []byte(`{"name":"ana"}`)); err != nil {
			t.Fatal(err)
		}
	}
	objs := parseLines(t, out.Bytes())
	if len(objs) != 2 || objs[0].Values["SuccessfulGreetings"][0] != 1 || objs[1].Values["SuccessfulGreetings"][0] != 1 {
		t.Fatalf("want one SuccessfulGreetings object per invocation, got\n%s", out)
	}
}

func TestHandlerFlushesOnErrorAndPanic(t *testing.T) {
	m, out := newTest(t)
	boom := errors.New("boom")
	failing := Handler(m, func(ctx context.Context, _ int) (int, error) {
		must(t, FromContext(ctx).Add("Failures", Count, 1))
		return 0, boom
	})
	if _, err := failing(context.Background(), 0); !errors.Is(err, boom) {
		t.Fatalf("error = %v, want the handler's error", err)
	}
	panicking := HandlerNoOutput(m, func(ctx context.Context, _ int) error {
		must(t, FromContext(ctx).Add("Panics", Count, 1))
		panic("kaboom")
	})
	func() {
		defer func() {
			if p := recover(); p != "kaboom" {
				t.Fatalf("recovered %v, want the handler's panic to continue", p)
			}
		}()
		_ = panicking(context.Background(), 0)
	}()
	objs := parseLines(t, out.Bytes())
	if len(objs) != 2 || len(objs[0].Values["Failures"]) != 1 || len(objs[1].Values["Panics"]) != 1 {
		t.Fatalf("want the metrics of the failed and the panicking invocation, got\n%s", out)
	}
}

// TestConcurrentInvocations runs many invocations at once (AWS_LAMBDA_MAX_CONCURRENCY):
// each keeps its own dimensions and values, and objects never interleave.
func TestConcurrentInvocations(t *testing.T) {
	m, out := newTest(t, WithColdStartMetric())
	h := Handler(m, func(ctx context.Context, i int) (int, error) {
		r := FromContext(ctx)
		must(t, r.AddDimension("customer", fmt.Sprint(i%4)))
		var wg sync.WaitGroup
		for range 10 { // the handler's own goroutines share its Recorder
			wg.Go(func() { must(t, r.Add("Items", Count, float64(i%4))) })
		}
		wg.Wait()
		return i, nil
	})
	var wg sync.WaitGroup
	for i := range 64 {
		wg.Go(func() {
			if _, err := h(context.Background(), i); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	coldStarts := 0
	sums := map[string]float64{}
	for _, o := range parseLines(t, out.Bytes()) {
		if _, ok := o.Values["ColdStart"]; ok {
			coldStarts++
			continue
		}
		c := o.Root["customer"].(string)
		for _, v := range o.Values["Items"] {
			if fmt.Sprint(v) != c {
				t.Fatalf("invocation for customer %s has value %v of another invocation", c, v)
			}
			sums[c] += v
		}
	}
	if coldStarts != 1 {
		t.Errorf("%d ColdStart objects, want 1", coldStarts)
	}
	if fmt.Sprint(sums) != "map[0:0 1:160 2:320 3:480]" {
		t.Errorf("sums per customer = %v", sums)
	}
}

func TestColdStart(t *testing.T) {
	run := func(t *testing.T, ctx context.Context, opts ...Option) string {
		m, out := newTest(t, append([]Option{WithColdStartMetric()}, opts...)...)
		h := HandlerNoOutput(m, func(ctx context.Context, _ int) error { return FromContext(ctx).Add("X", Count, 1) })
		must(t, h(ctx, 0))
		must(t, h(ctx, 0))
		return out.String()
	}
	t.Run("function name from the invoked ARN", func(t *testing.T) {
		t.Setenv("AWS_LAMBDA_FUNCTION_NAME", "")
		ctx := lambdacontext.NewContext(context.Background(), &lambdacontext.LambdaContext{
			InvokedFunctionArn: "arn:aws:lambda:us-east-1:123456789012:function:hello:prod",
		})
		if got := run(t, ctx); strings.Count(got, `"ColdStart":[1]`) != 1 || !strings.Contains(got, `"function_name":"hello"`) {
			t.Fatalf("want one ColdStart with function_name hello, got\n%s", got)
		}
	})
	t.Run("provisioned concurrency", func(t *testing.T) {
		t.Setenv("AWS_LAMBDA_INITIALIZATION_TYPE", "provisioned-concurrency")
		if got := run(t, context.Background()); strings.Contains(got, "ColdStart") {
			t.Fatalf("no cold start under provisioned concurrency, got\n%s", got)
		}
	})
	t.Run("without the option", func(t *testing.T) {
		m, out := newTest(t)
		must(t, HandlerNoOutput(m, func(ctx context.Context, _ int) error { return FromContext(ctx).Add("X", Count, 1) })(context.Background(), 0))
		if strings.Contains(out.String(), "ColdStart") {
			t.Fatalf("ColdStart without WithColdStartMetric:\n%s", out)
		}
	})
}

func TestEnvironment(t *testing.T) {
	t.Setenv(EnvNamespace, "FromEnv")
	t.Setenv(EnvService, "env-service")
	t.Setenv(EnvDisabled, "")
	var out bytes.Buffer
	m, err := New(WithWriter(&out))
	must(t, err)
	r := m.NewRecorder()
	must(t, r.Add("A", Count, 1))
	must(t, r.Flush())
	o := parseLines(t, out.Bytes())[0]
	if o.Namespace != "FromEnv" || o.Root["service"] != "env-service" {
		t.Fatalf("namespace %q service %v, want them from the environment", o.Namespace, o.Root["service"])
	}

	out.Reset()
	m, err = New(WithWriter(&out), WithNamespace("Option"), WithService("opt"))
	must(t, err)
	r = m.NewRecorder()
	must(t, r.Add("A", Count, 1))
	must(t, r.Flush())
	if o := parseLines(t, out.Bytes())[0]; o.Namespace != "Option" || o.Root["service"] != "opt" {
		t.Fatalf("options must win over the environment, got %q %v", o.Namespace, o.Root["service"])
	}

	t.Setenv(EnvNamespace, "")
	t.Setenv(EnvDisabled, "true")
	out.Reset()
	m, err = New(WithWriter(&out), WithColdStartMetric())
	must(t, err)
	h := HandlerNoOutput(m, func(ctx context.Context, _ int) error { return FromContext(ctx).Add("A", Count, 1) })
	must(t, h(context.Background(), 0))
	if out.Len() != 0 {
		t.Fatalf("%s=true must write nothing, got\n%s", EnvDisabled, out.String())
	}
}

func TestEmptyFlush(t *testing.T) {
	var logs bytes.Buffer
	m, out := newTest(t, WithLogger(slog.New(slog.NewTextHandler(&logs, nil))))
	must(t, m.NewRecorder().Flush())
	if out.Len() != 0 || !strings.Contains(logs.String(), "no application metrics to publish") {
		t.Fatalf("want a warning and no output, got output %q logs %q", out, logs.String())
	}
	m, _ = newTest(t, WithErrorOnEmpty())
	h := HandlerNoOutput(m, func(ctx context.Context, _ int) error { return nil })
	if err := h(context.Background(), 0); !errors.Is(err, ErrNoMetrics) {
		t.Fatalf("error = %v, want ErrNoMetrics", err)
	}
}

func TestNoRecorder(t *testing.T) {
	r := FromContext(context.Background())
	if err := r.Add("A", Count, 1); !errors.Is(err, ErrNoRecorder) {
		t.Fatalf("Add without a Recorder: %v, want ErrNoRecorder", err)
	}
	if err := r.Flush(); !errors.Is(err, ErrNoRecorder) {
		t.Fatalf("Flush without a Recorder: %v, want ErrNoRecorder", err)
	}
}

func TestFlushClearsInvocationState(t *testing.T) {
	m, out := newTest(t, WithDefaultDimensions(Dimension{"env", "prod"}))
	r := m.NewRecorder()
	must(t, r.AddDimension("op", "a"))
	must(t, r.AddMetadata("request", "r1"))
	must(t, r.Add("A", Count, 1))
	must(t, r.Flush())
	out.Reset()
	must(t, r.Add("B", Count, 2))
	must(t, r.Flush())
	o := parseLines(t, out.Bytes())[0]
	if _, ok := o.Root["op"]; ok || o.Root["request"] != nil || o.Root["A"] != nil || o.Root["env"] != "prod" {
		t.Fatalf("second flush must keep only default dimensions, got\n%s", out)
	}
}

func TestAddExistingMetricAllocatesNothing(t *testing.T) {
	m, _ := newTest(t)
	r := m.NewRecorder()
	must(t, r.Add("Latency", Milliseconds, 1))
	must(t, r.Add("Other", Milliseconds, 1))
	for range 1000 { // grow the value list once; a flush keeps its capacity
		must(t, r.Add("Latency", Milliseconds, 1))
	}
	m.out = discard{}
	must(t, r.Flush())
	must(t, r.Add("Latency", Milliseconds, 1))
	must(t, r.Add("Other", Milliseconds, 1))
	i := 0
	allocs := testing.AllocsPerRun(500, func() {
		name := "Latency"
		if i%2 == 0 {
			name = "Other"
		}
		i++
		_ = r.Add(name, Milliseconds, 2)
	})
	if allocs != 0 {
		t.Fatalf("adding to an existing metric allocates %v times", allocs)
	}
}

type discard struct{}

func (discard) Write(b []byte) (int, error) { return len(b), nil }

func TestRecorderAfterInvocation(t *testing.T) {
	m, out := newTest(t)
	var kept *Recorder
	h := HandlerNoOutput(m, func(ctx context.Context, _ int) error {
		kept = FromContext(ctx)
		return kept.Add("A", Count, 1)
	})
	must(t, h(context.Background(), 0))
	if err := kept.Add("A", Count, 1); !errors.Is(err, ErrClosed) {
		t.Fatalf("Add after the invocation: %v, want ErrClosed", err)
	}
	must(t, h(context.Background(), 0)) // the next invocation reuses the storage, clean
	objs := parseLines(t, out.Bytes())
	if len(objs) != 2 || len(objs[1].Values["A"]) != 1 {
		t.Fatalf("want two objects with one value each, got\n%s", out)
	}
}

// TestServiceVariableIsInvocations checks that the name documented here is the one
// internal/invocation reads.
func TestServiceVariableIsInvocations(t *testing.T) {
	if EnvService != invocation.EnvService {
		t.Errorf("metrics reads %s, internal/invocation %s", EnvService, invocation.EnvService)
	}
}
