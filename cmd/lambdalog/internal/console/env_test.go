package console_test

import (
	"context"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	cwtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs/types"
	"github.com/aws/aws-sdk-go-v2/service/lambda"

	"github.com/lambdalog/lambdalog/cmd/lambdalog/internal/awsapi"
	"github.com/lambdalog/lambdalog/cmd/lambdalog/internal/console"
	"github.com/lambdalog/lambdalog/cmd/lambdalog/internal/lambdaemu"
	"github.com/lambdalog/lambdalog/cmd/lambdalog/internal/server"
	"github.com/lambdalog/lambdalog/internal/testserver"
)

// binDir holds the test function, built once per test process.
var (
	binDir    string
	buildOnce sync.Once
	greeter   []string
	buildErr  error
)

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "console-test")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	binDir = dir
	code := m.Run()
	if benchSrv != nil {
		benchSrv.Close()
	}
	os.RemoveAll(dir)
	os.Exit(code)
}

// env is a lambdalog server running in this process on a loopback port,
// with AWS SDK clients pointed at it.
type env struct {
	URL     string
	Srv     *server.Server
	Logs    *cloudwatchlogs.Client
	Metrics *cloudwatch.Client
	Lambda  *lambda.Client
}

type envOptions struct {
	// creds makes the server require SigV4 signatures and the console
	// Basic authentication.
	creds *awsapi.Credentials
	// functions runs the greeter function, as `lambdalog dev` runs
	// functions, and adds the functions page.
	functions bool
}

// start runs a server with an in-memory store until the test ends.
func start(t testing.TB, o envOptions) *env {
	t.Helper()
	logger := slog.New(slog.DiscardHandler)
	srv, err := server.Open(server.Config{Memory: true, Credentials: o.creds, Logger: logger})
	if err != nil {
		t.Fatal(err)
	}
	var emu *lambdaemu.Emulator
	if o.functions {
		if emu, err = lambdaemu.New(lambdaemu.Options{Sink: lambdaemu.StoreSink(srv.Logs, "us-east-1"), Logger: logger}); err != nil {
			t.Fatal(err)
		}
		if err := emu.AddFunction(lambdaemu.Function{Name: "greeter", Command: buildGreeter(t), Handler: "bootstrap",
			Routes: []lambdaemu.Route{{Kind: "Api", Method: "GET", Path: "/hello/{name}"}}}); err != nil {
			t.Fatal(err)
		}
		srv.Router.Register(emu.InvokeAPI())
		srv.Console.Register(console.FunctionsPage(emu))
	}
	ctx, cancel := context.WithCancel(context.Background())
	urls := make(chan string, 1)
	done := make(chan error, 1)
	go func() {
		done <- server.Run(ctx, logger, []server.Listener{{Name: "api", Addr: "127.0.0.1:0", Flag: "--addr", Handler: srv.Handler()}},
			func(u map[string]string) error { urls <- u["api"]; return nil })
	}()
	var url string
	select {
	case url = <-urls:
	case err := <-done:
		t.Fatalf("server: %v", err)
	}
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("server: %v", err)
		}
		if emu != nil {
			emu.Close()
		}
		srv.Close()
	})
	id, secret := "test", "test"
	if o.creds != nil {
		id, secret = o.creds.AccessKeyID, o.creds.SecretAccessKey
	}
	cfg := aws.Config{Region: "us-east-1", Credentials: credentials.NewStaticCredentialsProvider(id, secret, ""),
		HTTPClient: testserver.HTTPClient(nil)}
	return &env{URL: url, Srv: srv,
		Logs:    cloudwatchlogs.NewFromConfig(cfg, func(o *cloudwatchlogs.Options) { o.BaseEndpoint = aws.String(url) }),
		Metrics: cloudwatch.NewFromConfig(cfg, func(o *cloudwatch.Options) { o.BaseEndpoint = aws.String(url) }),
		Lambda:  lambda.NewFromConfig(cfg, func(o *lambda.Options) { o.BaseEndpoint = aws.String(url) }),
	}
}

// buildGreeter builds testdata/greeter once and returns its command.
func buildGreeter(t testing.TB) []string {
	t.Helper()
	buildOnce.Do(func() {
		dir, err := filepath.Abs("testdata/greeter")
		if err != nil {
			buildErr = err
			return
		}
		greeter, buildErr = lambdaemu.Build(context.Background(), dir, filepath.Join(binDir, "greeter"))
	})
	if buildErr != nil {
		t.Fatalf("building the test function: %v", buildErr)
	}
	return greeter
}

// put writes events to a stream through PutLogEvents, creating the group
// and stream when needed.
func (e *env) put(t testing.TB, group, stream string, events ...types.InputLogEvent) {
	t.Helper()
	ctx := context.Background()
	if _, err := e.Logs.CreateLogGroup(ctx, &cloudwatchlogs.CreateLogGroupInput{LogGroupName: &group}); err != nil && !strings.Contains(err.Error(), "ResourceAlreadyExists") {
		t.Fatal(err)
	}
	if _, err := e.Logs.CreateLogStream(ctx, &cloudwatchlogs.CreateLogStreamInput{LogGroupName: &group, LogStreamName: &stream}); err != nil && !strings.Contains(err.Error(), "ResourceAlreadyExists") {
		t.Fatal(err)
	}
	for len(events) > 0 {
		n := min(len(events), 5000)
		if _, err := e.Logs.PutLogEvents(ctx, &cloudwatchlogs.PutLogEventsInput{LogGroupName: &group, LogStreamName: &stream, LogEvents: events[:n]}); err != nil {
			t.Fatal(err)
		}
		events = events[n:]
	}
}

func ev(ts time.Time, msg string) types.InputLogEvent {
	return types.InputLogEvent{Timestamp: aws.Int64(ts.UnixMilli()), Message: aws.String(msg)}
}

// Seeded data: what the pages are expected to show.
const (
	ordersGroup   = "/aws/lambda/orders"
	paymentsGroup = "/app/payments"
	ordersTrace   = "1-6643a1b2-5f0e4d3c2b1a09f8e7d6c5b4"
)

// seeded says what seed wrote.
type seeded struct {
	streams []string
	// traceRequest and traceAt are the invocation that logged ordersTrace.
	traceRequest     string
	traceAt          time.Time
	events, errors   int // events in orders, and its ERROR lines
	reports          int
	newest           time.Time
	paymentsMessages []string
}

// seed writes a Lambda function's log group as Lambda and Powertools write
// it (platform lines, JSON application lines at several levels, EMF
// metrics) over the last 50 minutes, a group of plain text lines, and a
// custom metric through PutMetricData.
func seed(t testing.TB, e *env) seeded {
	t.Helper()
	rng := rand.New(rand.NewPCG(1, 2))
	now := time.Now().Truncate(time.Second)
	var s seeded
	for i := range 3 {
		stream := fmt.Sprintf("%s/[$LATEST]%032x", now.UTC().Format("2006/01/02"), rng.Uint64())
		s.streams = append(s.streams, stream)
		var evs []types.InputLogEvent
		at := now.Add(-50*time.Minute + time.Duration(i)*7*time.Second)
		evs = append(evs, ev(at, "INIT_START Runtime Version: provided:al2023.v100\tRuntime Version ARN: arn:aws:lambda:us-east-1::runtime:0000\n"))
		for n := range 20 {
			at = at.Add(time.Duration(120+rng.IntN(60)) * time.Second / 2)
			id := fmt.Sprintf("%08x-%04x-4%03x-8%03x-%012x", rng.Uint32(), rng.Uint32()&0xffff, rng.Uint32()&0xfff, rng.Uint32()&0xfff, rng.Uint64()&0xffffffffffff)
			trace := fmt.Sprintf("1-%08x-%024x", at.Unix(), rng.Uint64())
			if i == 0 && n == 5 {
				trace, s.traceRequest, s.traceAt = ordersTrace, id, at
			}
			latency := 20 + rng.Float64()*180
			level, msg := "INFO", "order placed"
			switch {
			case n%7 == 3:
				level, msg = "ERROR", "payment declined"
				s.errors++
			case n%5 == 1:
				level, msg = "WARN", "inventory low"
			}
			evs = append(evs,
				ev(at, "START RequestId: "+id+" Version: $LATEST\n"),
				ev(at.Add(2*time.Millisecond), fmt.Sprintf(`{"level":%q,"location":"main.handle:42","message":%q,"timestamp":%q,"service":"orders","cold_start":%t,"function_name":"orders","function_memory_size":"128","function_request_id":%q,"xray_trace_id":%q,"order":{"id":%d,"items":["tea","cake"],"total":12.5},"latency_ms":%.1f}`,
					level, msg, at.UTC().Format(time.RFC3339Nano), n == 0, id, trace, 1000*i+n, latency)),
				ev(at.Add(3*time.Millisecond), fmt.Sprintf(`{"_aws":{"Timestamp":%d,"CloudWatchMetrics":[{"Namespace":"orders","Dimensions":[["service"]],"Metrics":[{"Name":"OrderLatency","Unit":"Milliseconds"},{"Name":"OrdersPlaced","Unit":"Count"}]}]},"service":"orders","OrderLatency":%.1f,"OrdersPlaced":1}`,
					at.UnixMilli(), latency)),
				ev(at.Add(time.Duration(latency)*time.Millisecond), "END RequestId: "+id+"\n"))
			report := fmt.Sprintf("REPORT RequestId: %s\tDuration: %.2f ms\tBilled Duration: %d ms\tMemory Size: 128 MB\tMax Memory Used: %d MB\t", id, latency, int(latency)+1, 30+rng.IntN(20))
			if n == 0 {
				report += "Init Duration: 83.12 ms\t"
			}
			evs = append(evs, ev(at.Add(time.Duration(latency)*time.Millisecond), report+"\nXRAY TraceId: "+trace+"\tSegmentId: 0123456789abcdef\tSampled: true\t\n"))
			s.reports++
		}
		s.events += len(evs)
		s.newest = maxTime(s.newest, at.Add(200*time.Millisecond))
		e.put(t, ordersGroup, stream, evs...)
	}
	if _, err := e.Logs.PutRetentionPolicy(context.Background(), &cloudwatchlogs.PutRetentionPolicyInput{LogGroupName: aws.String(ordersGroup), RetentionInDays: aws.Int32(14)}); err != nil {
		t.Fatal(err)
	}
	var pay []types.InputLogEvent
	for i := range 20 {
		msg := fmt.Sprintf("2026-05-14T10:%02d:00Z INFO payment accepted id=pay_%04d amount=%d.00 currency=EUR", i, i, 10+i)
		s.paymentsMessages = append(s.paymentsMessages, msg)
		pay = append(pay, ev(now.Add(time.Duration(i-40)*time.Minute), msg))
	}
	e.put(t, paymentsGroup, "web-1", pay...)
	var data []cwtypes.MetricDatum
	for i := range 12 {
		data = append(data, cwtypes.MetricDatum{MetricName: aws.String("QueueDepth"), Unit: cwtypes.StandardUnitCount, Value: aws.Float64(float64(10 + i*3%7)),
			Timestamp: aws.Time(now.Add(time.Duration(i-12) * 5 * time.Minute)), Dimensions: []cwtypes.Dimension{{Name: aws.String("Queue"), Value: aws.String("orders")}}})
	}
	if _, err := e.Metrics.PutMetricData(context.Background(), &cloudwatch.PutMetricDataInput{Namespace: aws.String("custom"), MetricData: data}); err != nil {
		t.Fatal(err)
	}
	return s
}

func maxTime(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}
