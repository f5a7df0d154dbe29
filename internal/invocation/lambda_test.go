package invocation

import (
	"context"
	"sync"
	"testing"

	"github.com/aws/aws-lambda-go/lambdacontext"
)

func TestColdStart(t *testing.T) {
	t.Setenv(EnvInitializationType, "on-demand")
	c := NewColdStart()
	var wg sync.WaitGroup
	var mu sync.Mutex
	cold := 0
	for range 32 {
		wg.Go(func() {
			if c.Next() {
				mu.Lock()
				cold++
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	if cold != 1 || c.Next() {
		t.Errorf("%d cold starts among 32 concurrent invocations, want 1", cold)
	}
	if !NewColdStart().Next() {
		t.Error("a second handler's first invocation is not a cold start")
	}

	t.Setenv(EnvInitializationType, "provisioned-concurrency")
	if NewColdStart().Next() {
		t.Error("cold start under provisioned concurrency")
	}
}

func TestFromContext(t *testing.T) {
	t.Setenv(EnvTraceHeader, "")
	if r := FromContext(context.Background()); r.ID != "" || r.FunctionARN != "" || r.Trace.Root != "" {
		t.Errorf("outside an invocation: %+v", r)
	}
	// The context aws-lambda-go's runtime loop gives a handler (lambda/invoke_loop.go).
	ctx := lambdacontext.NewContext(context.Background(), &lambdacontext.LambdaContext{
		AwsRequestID: "req", InvokedFunctionArn: "arn:aws:lambda:eu-west-1:123456789012:function:f",
		TenantID: "t1", ClientContext: lambdacontext.ClientContext{Custom: map[string]string{"k": "v"}},
	})
	ctx = context.WithValue(ctx, "x-amzn-trace-id", "Root=1-a;Parent=b;Sampled=1") //nolint:staticcheck // aws-lambda-go's key
	r := FromContext(ctx)
	if r.ID != "req" || r.FunctionARN != "arn:aws:lambda:eu-west-1:123456789012:function:f" || r.TenantID != "t1" ||
		r.ClientContext.Custom["k"] != "v" || r.Trace.String() != "Root=1-a;Parent=b;Sampled=1" {
		t.Errorf("in an invocation: %+v", r)
	}
	t.Setenv(EnvTraceHeader, "Root=1-env")
	if got := FromContext(ctx).Trace.Root; got != "1-a" {
		t.Errorf("the context's trace header should win over %s: %q", EnvTraceHeader, got)
	}
	if got := FromContext(context.Background()).Trace.Root; got != "1-env" {
		t.Errorf("a context without a trace header should fall back to %s: %q", EnvTraceHeader, got)
	}
}

func TestLoadEnvironment(t *testing.T) {
	t.Setenv(EnvFunctionName, "f")
	t.Setenv(EnvMemorySize, "not a number")
	if e := LoadEnvironment(); e.FunctionName != "f" || e.MemoryMB != lambdacontext.MemoryLimitInMB {
		t.Errorf("%+v", e)
	}
}

func TestParseFunctionARN(t *testing.T) {
	for _, c := range []struct {
		arn  string
		want FunctionARN
		ok   bool
	}{
		{"arn:aws:lambda:us-east-1:123456789012:function:hello", FunctionARN{"aws", "us-east-1", "123456789012", "hello", ""}, true},
		{"arn:aws-cn:lambda:cn-north-1:123456789012:function:hello:prod", FunctionARN{"aws-cn", "cn-north-1", "123456789012", "hello", "prod"}, true},
		{"arn:aws:lambda:us-east-1:123456789012:function:hello:1:x", FunctionARN{}, false},
		{"arn:aws:lambda:us-east-1:123456789012:layer:hello:1", FunctionARN{}, false},
		{"arn:aws:s3:us-east-1:123456789012:function:hello", FunctionARN{}, false},
		{"arn:aws:lambda:us-east-1:123456789012:function:", FunctionARN{}, false},
		{"hello", FunctionARN{}, false},
		{"", FunctionARN{}, false},
	} {
		got, ok := ParseFunctionARN(c.arn)
		if got != c.want || ok != c.ok {
			t.Errorf("ParseFunctionARN(%q) = %+v, %v; want %+v, %v", c.arn, got, ok, c.want, c.ok)
		}
	}
}
