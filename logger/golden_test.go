package logger

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"regexp"
	"runtime"
	"strconv"
	"testing"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-lambda-go/lambdacontext"
)

var update = flag.Bool("update", false, "rewrite golden files")

// setLambdaEnv sets the environment Lambda gives a function, and clears the logger's variables.
func setLambdaEnv(t *testing.T) {
	t.Helper()
	t.Setenv("AWS_LAMBDA_FUNCTION_NAME", "payment-collector")
	t.Setenv("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "256")
	for _, k := range []string{EnvServiceName, EnvLogLevel, EnvLogLevelLegacy, EnvLambdaLogLevel,
		EnvSampleRate, EnvLogEvent, EnvDev, EnvInitType} {
		t.Setenv(k, "")
		os.Unsetenv(k)
	}
}

// invokeCtx is the context aws-lambda-go's runtime loop gives a handler.
func invokeCtx(requestID, traceHeader string) context.Context {
	ctx := lambdacontext.NewContext(context.Background(), &lambdacontext.LambdaContext{
		AwsRequestID:       requestID,
		InvokedFunctionArn: "arn:aws:lambda:eu-west-1:123456789012:function:payment-collector",
	})
	return context.WithValue(ctx, "x-amzn-trace-id", traceHeader) //nolint:staticcheck // aws-lambda-go's key
}

var timestampRE = regexp.MustCompile(`"timestamp":"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z"`)

func TestGoldenPowertoolsRecord(t *testing.T) {
	setLambdaEnv(t)
	t.Setenv(EnvServiceName, "payment")
	var buf lineBuffer
	var line int
	h := Wrap(func(ctx context.Context, req events.APIGatewayProxyRequest) (events.APIGatewayProxyResponse, error) {
		AppendKeys(ctx, slog.String("order_id", "o-42"))
		_, _, line, _ = runtime.Caller(0)
		FromContext(ctx).Error("payment failed", "amount", 12.5, "card", slog.GroupValue(slog.String("brand", "visa")),
			"error", fmt.Errorf("charging card: %w", errTest))
		return events.APIGatewayProxyResponse{StatusCode: 500}, nil
	}, WithOutput(&buf), WithPersistentKeys(slog.String("tenant", "acme")),
		WithCorrelationPath(CorrelationAPIGatewayREST), WithSampleRate(0.5))

	event := `{"path":"/pay","httpMethod":"POST","requestContext":{"requestId":"c6af9ac6-7b61-11e6-9a41-93e8deadbeef"}}`
	ctx := invokeCtx("8f507cfc-1111-4697-b07a-ac58fc914c95", "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1")
	if _, err := lambda.NewHandler(h).Invoke(ctx, []byte(event)); err != nil {
		t.Fatal(err)
	}
	got := buf.String()
	if !timestampRE.MatchString(got) {
		t.Fatalf("no RFC 3339 millisecond UTC timestamp in %s", got)
	}
	wantLoc := `"location":"logger/golden_test.go:` + strconv.Itoa(line+1) + `"`
	if !regexp.MustCompile(regexp.QuoteMeta(wantLoc)).MatchString(got) {
		t.Fatalf("location should be %s in %s", wantLoc, got)
	}
	got = timestampRE.ReplaceAllString(got, `"timestamp":"2024-05-01T12:00:00.000Z"`)
	got = regexp.MustCompile(`"location":"[^"]*"`).ReplaceAllString(got, `"location":"logger/golden_test.go:1"`)

	golden := "testdata/powertools_record.json"
	if *update {
		if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	if got != string(want) {
		t.Errorf("record differs from %s\n got: %s\nwant: %s", golden, got, want)
	}
	keys := keysInOrder(t, got)
	wantKeys := []string{"level", "location", "message", "timestamp", "service", "sampling_rate",
		"cold_start", "function_name", "function_memory_size", "function_arn", "function_request_id",
		"correlation_id", "tenant", "order_id", "amount", "card", "exception", "exception_name", "xray_trace_id"}
	if fmt.Sprint(keys) != fmt.Sprint(wantKeys) {
		t.Errorf("keys = %v\nwant  %v", keys, wantKeys)
	}
	var rec map[string]any
	if err := json.Unmarshal([]byte(got), &rec); err != nil {
		t.Fatal(err)
	}
}
