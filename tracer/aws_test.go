package tracer

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"

	"github.com/lambdalog/lambdalog/internal/invocation"
)

// cloudWatchLogs answers CloudWatch Logs' JSON protocol as the service does for four
// operations: CreateLogGroup succeeds, DescribeLogStreams fails with ResourceNotFoundException
// (400), PutRetentionPolicy fails twice with ServiceUnavailableException (503) and then
// succeeds, DeleteLogGroup always fails so. It keeps the trace header of each request.
type cloudWatchLogs struct {
	mu       sync.Mutex
	attempts map[string]int
	headers  map[string][]string
}

func (s *cloudWatchLogs) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	op := strings.TrimPrefix(r.Header.Get("X-Amz-Target"), "Logs_20140328.")
	s.mu.Lock()
	s.attempts[op]++
	n := s.attempts[op]
	s.headers[op] = append(s.headers[op], r.Header.Get("X-Amzn-Trace-Id"))
	s.mu.Unlock()
	w.Header().Set("Content-Type", "application/x-amz-json-1.1")
	w.Header().Set("X-Amzn-Requestid", op+"-request-"+string(rune('0'+n)))
	switch {
	case op == "DescribeLogStreams":
		w.WriteHeader(400)
		w.Write([]byte(`{"__type":"ResourceNotFoundException","message":"The specified log group does not exist."}`))
	case op == "PutRetentionPolicy" && n <= 2, op == "DeleteLogGroup":
		w.WriteHeader(503)
		w.Write([]byte(`{"__type":"ServiceUnavailableException","message":"try again"}`))
	default:
		w.Write([]byte(`{}`))
	}
}

func TestAWSMiddleware(t *testing.T) {
	d := newDaemon(t)
	tr := newTestTracer(t, d)
	service := &cloudWatchLogs{attempts: map[string]int{}, headers: map[string][]string{}}
	srv := httptest.NewServer(service)
	defer srv.Close()
	// The SDK's recursion detection would send this header; ours, with the subsegment, wins.
	t.Setenv("AWS_LAMBDA_FUNCTION_NAME", "orders")
	t.Setenv(invocation.EnvTraceHeader, "Root=1-00000000-000000000000000000000000;Parent=0000000000000000;Sampled=1")

	opts := cloudwatchlogs.Options{
		Region:       "eu-west-1",
		BaseEndpoint: aws.String(srv.URL),
		Credentials: aws.CredentialsProviderFunc(func(context.Context) (aws.Credentials, error) {
			return aws.Credentials{AccessKeyID: "AKIDEXAMPLE", SecretAccessKey: "secret"}, nil
		}),
		Retryer: retry.NewStandard(func(o *retry.StandardOptions) {
			o.Backoff = retry.BackoffDelayerFunc(func(int, error) (time.Duration, error) { return 0, nil })
		}),
	}
	tr.InstrumentAWS(&opts.APIOptions)
	client := cloudwatchlogs.New(opts)

	calls := func(ctx context.Context) (string, error) {
		if _, err := client.CreateLogGroup(ctx, &cloudwatchlogs.CreateLogGroupInput{LogGroupName: aws.String("/orders")}); err != nil {
			return "", err
		}
		_, err := client.DescribeLogStreams(ctx, &cloudwatchlogs.DescribeLogStreamsInput{LogGroupName: aws.String("/nope")})
		var notFound interface{ ErrorCode() string }
		if !errors.As(err, &notFound) || notFound.ErrorCode() != "ResourceNotFoundException" {
			t.Errorf("DescribeLogStreams: %v", err)
		}
		if _, err = client.PutRetentionPolicy(ctx, &cloudwatchlogs.PutRetentionPolicyInput{LogGroupName: aws.String("/orders"), RetentionInDays: aws.Int32(7)}); err != nil {
			return "", err
		}
		if _, err = client.DeleteLogGroup(ctx, &cloudwatchlogs.DeleteLogGroupInput{LogGroupName: aws.String("/orders")}); err == nil {
			t.Error("DeleteLogGroup succeeded")
		}
		return "", nil
	}
	h := lambda.NewHandler(WrapNoEvent(tr, calls))
	if _, err := h.Invoke(invokeCtx("req", sampled+";Lineage=a87bd80c:1"), nil); err != nil {
		t.Fatal(err)
	}
	doc := d.collect(1)[0]
	subs, _ := doc.m["subsegments"].([]any)
	if len(subs) != 4 {
		t.Fatalf("subsegments: %s", doc.raw)
	}
	want := []struct {
		op, requestID   string
		status, retries float64
		err, fault      bool
	}{
		{"CreateLogGroup", "CreateLogGroup-request-1", 200, 0, false, false},
		{"DescribeLogStreams", "DescribeLogStreams-request-1", 400, 0, true, false},
		{"PutRetentionPolicy", "PutRetentionPolicy-request-3", 200, 2, false, false},
		{"DeleteLogGroup", "DeleteLogGroup-request-3", 503, 2, false, true},
	}
	for i, s := range subs {
		m, w := s.(map[string]any), want[i]
		a, _ := m["aws"].(map[string]any)
		resp, _ := m["http"].(map[string]any)["response"].(map[string]any)
		retries, _ := a["retries"].(float64)
		if m["name"] != "CloudWatch Logs" || m["namespace"] != "aws" || a["operation"] != w.op || a["region"] != "eu-west-1" ||
			a["request_id"] != w.requestID || resp["status"] != w.status || retries != w.retries ||
			(m["error"] == true) != w.err || (m["fault"] == true) != w.fault || (m["cause"] != nil) != (w.err || w.fault) {
			t.Errorf("%s: %v", w.op, m)
		}
		for _, header := range service.headers[w.op] {
			sent := invocation.ParseTraceHeader(header)
			if sent.Root != testRoot || sent.Parent != m["id"] || sent.Sampled != invocation.SampledTrue || sent.Lineage != "a87bd80c:1" {
				t.Errorf("%s: trace header %q, want the subsegment %s", w.op, header, m["id"])
			}
		}
	}

	// Untraced: the header carries the decision, nothing is recorded.
	h = lambda.NewHandler(WrapNoEvent(tr, func(ctx context.Context) (string, error) {
		_, err := client.CreateLogGroup(ctx, &cloudwatchlogs.CreateLogGroupInput{LogGroupName: aws.String("/x")})
		return "", err
	}))
	if _, err := h.Invoke(invokeCtx("req", notSampled), nil); err != nil {
		t.Fatal(err)
	}
	d.nothingSent()
	if got := service.headers["CreateLogGroup"][1]; got != notSampled {
		t.Errorf("untraced header %q, want %q", got, notSampled)
	}
}
