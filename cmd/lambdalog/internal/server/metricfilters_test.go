package server

import (
	"context"
	"fmt"
	"log/slog"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	cwtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs/types"

	"github.com/lambdalog/lambdalog/internal/testserver"
)

// sdkServer is a server on a real socket,
// with aws-sdk-go-v2 clients for CloudWatch Logs and CloudWatch metrics.
type sdkServer struct {
	srv     *Server
	logs    *cloudwatchlogs.Client
	metrics *cloudwatch.Client
}

func newSDKServer(t testing.TB, cfg Config) *sdkServer {
	t.Helper()
	cfg.Logger = slog.New(slog.DiscardHandler)
	s, err := Open(cfg)
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(s.Handler())
	t.Cleanup(func() {
		hs.Close()
		s.Close()
	})
	creds := credentials.NewStaticCredentialsProvider("AKIDLOCAL", "secret", "")
	return &sdkServer{
		srv: s,
		logs: cloudwatchlogs.New(cloudwatchlogs.Options{Region: "us-east-1", BaseEndpoint: aws.String(hs.URL), Credentials: creds,
			RetryMaxAttempts: 1, HTTPClient: testserver.HTTPClient(nil)}),
		metrics: cloudwatch.New(cloudwatch.Options{Region: "us-east-1", BaseEndpoint: aws.String(hs.URL), Credentials: creds,
			RetryMaxAttempts: 1, HTTPClient: testserver.HTTPClient(nil)}),
	}
}

func (s *sdkServer) put(t testing.TB, group, stream string, ts time.Time, msgs ...string) {
	t.Helper()
	evs := make([]types.InputLogEvent, len(msgs))
	for i, m := range msgs {
		evs[i] = types.InputLogEvent{Timestamp: aws.Int64(ts.UnixMilli()), Message: aws.String(m)}
	}
	_, err := s.logs.PutLogEvents(context.Background(), &cloudwatchlogs.PutLogEventsInput{
		LogGroupName: aws.String(group), LogStreamName: aws.String(stream), LogEvents: evs})
	if err != nil {
		t.Fatal(err)
	}
}

// stats returns "Sum/SampleCount" per datapoint of a metric over the last two hours, in time order.
func (s *sdkServer) stats(t *testing.T, name string, dims ...cwtypes.Dimension) string {
	t.Helper()
	out, err := s.metrics.GetMetricStatistics(context.Background(), &cloudwatch.GetMetricStatisticsInput{
		Namespace: aws.String("Orders"), MetricName: aws.String(name), Dimensions: dims,
		StartTime: aws.Time(time.Now().Add(-2 * time.Hour)), EndTime: aws.Time(time.Now().Add(time.Hour)), Period: aws.Int32(3 * 3600),
		Statistics: []cwtypes.Statistic{cwtypes.StatisticSum, cwtypes.StatisticSampleCount},
	})
	if err != nil {
		t.Fatalf("GetMetricStatistics(%s): %v", name, err)
	}
	var parts []string
	for _, dp := range out.Datapoints {
		parts = append(parts, fmt.Sprintf("%g/%g %s", *dp.Sum, *dp.SampleCount, dp.Unit))
	}
	return strings.Join(parts, ",")
}

// TestMetricFiltersPublishThroughTheAPIs: metric filters made with
// PutMetricFilter publish what events put with PutLogEvents match, read back
// with GetMetricStatistics; events put before a filter existed count for
// nothing.
func TestMetricFiltersPublishThroughTheAPIs(t *testing.T) {
	ctx := context.Background()
	s := newSDKServer(t, Config{Memory: true})
	const group = "/aws/lambda/orders"
	if _, err := s.logs.CreateLogGroup(ctx, &cloudwatchlogs.CreateLogGroupInput{LogGroupName: aws.String(group)}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.logs.CreateLogStream(ctx, &cloudwatchlogs.CreateLogStreamInput{LogGroupName: aws.String(group), LogStreamName: aws.String("s")}); err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	s.put(t, group, "s", now, `{"level":"ERROR","latency_ms":1000,"route":"/pay"}`, `{"level":"ERROR","latency_ms":1000,"route":"/pay"}`)

	for _, in := range []*cloudwatchlogs.PutMetricFilterInput{
		{LogGroupName: aws.String(group), FilterName: aws.String("errors"), FilterPattern: aws.String(`{ $.level = "ERROR" }`),
			MetricTransformations: []types.MetricTransformation{{MetricNamespace: aws.String("Orders"), MetricName: aws.String("Errors"),
				MetricValue: aws.String("1"), Unit: types.StandardUnitCount}}},
		{LogGroupName: aws.String(group), FilterName: aws.String("latency"), FilterPattern: aws.String(`{ $.latency_ms > 0 }`),
			MetricTransformations: []types.MetricTransformation{{MetricNamespace: aws.String("Orders"), MetricName: aws.String("Latency"),
				MetricValue: aws.String("$.latency_ms"), Unit: types.StandardUnitMilliseconds, Dimensions: map[string]string{"Route": "$.route"}}}},
	} {
		if _, err := s.logs.PutMetricFilter(ctx, in); err != nil {
			t.Fatal(err)
		}
	}
	s.put(t, group, "s", now,
		`{"level":"ERROR","latency_ms":120,"route":"/pay"}`,
		`{"level":"INFO","latency_ms":30,"route":"/pay"}`,
		`{"level":"INFO","latency_ms":7,"route":"/cart"}`,
		`{"level":"ERROR","msg":"no latency"}`,
		`ERROR but not JSON`)
	s.put(t, group, "s", now, `{"level":"ERROR","latency_ms":50,"route":"/pay"}`)

	route := func(r string) cwtypes.Dimension {
		return cwtypes.Dimension{Name: aws.String("Route"), Value: aws.String(r)}
	}
	for _, c := range []struct {
		name string
		dims []cwtypes.Dimension
		want string
	}{
		{"Errors", nil, "3/3 Count"},
		{"Latency", []cwtypes.Dimension{route("/pay")}, "200/3 Milliseconds"},
		{"Latency", []cwtypes.Dimension{route("/cart")}, "7/1 Milliseconds"},
		{"Latency", nil, ""}, // every latency event had a route
	} {
		if got := s.stats(t, c.name, c.dims...); got != c.want {
			t.Errorf("%s %v: Sum/SampleCount %q, want %q", c.name, c.dims, got, c.want)
		}
	}
	list, err := s.metrics.ListMetrics(ctx, &cloudwatch.ListMetricsInput{Namespace: aws.String("Orders")})
	if err != nil || len(list.Metrics) != 3 {
		t.Errorf("ListMetrics: %d metrics, %v; want Errors and Latency for two routes", len(list.Metrics), err)
	}
}

// BenchmarkPutLogEventsMetricFilters measures PutLogEvents through the API,
// with aws-sdk-go-v2 over loopback into a durable data directory (100 events of ~120 bytes a call, one stream per goroutine) into a log
// group with no metric filter, with a count filter ({ $.level = "ERROR" },
// matching 1 event in 10) and with a value filter with a dimension
// ($.latency_ms by $.route, matching every event), in memory and on disk
// (where each call with a matching event adds the metric store's fsync).
func BenchmarkPutLogEventsMetricFilters(b *testing.B) {
	b.Run("memory", func(b *testing.B) { benchmarkMetricFilters(b, func(testing.TB) Config { return Config{Memory: true} }) })
	b.Run("durable", func(b *testing.B) {
		benchmarkMetricFilters(b, func(b testing.TB) Config { return Config{DataDir: b.TempDir()} })
	})
}

func benchmarkMetricFilters(b *testing.B, cfg func(testing.TB) Config) {
	for _, bc := range []struct {
		name    string
		filters []*cloudwatchlogs.PutMetricFilterInput
	}{
		{"none", nil},
		{"count", []*cloudwatchlogs.PutMetricFilterInput{{FilterName: aws.String("errors"), FilterPattern: aws.String(`{ $.level = "ERROR" }`),
			MetricTransformations: []types.MetricTransformation{{MetricNamespace: aws.String("B"), MetricName: aws.String("Errors"), MetricValue: aws.String("1")}}}}},
		{"value+dimension", []*cloudwatchlogs.PutMetricFilterInput{{FilterName: aws.String("latency"), FilterPattern: aws.String(`{ $.latency_ms = * }`),
			MetricTransformations: []types.MetricTransformation{{MetricNamespace: aws.String("B"), MetricName: aws.String("Latency"),
				MetricValue: aws.String("$.latency_ms"), Dimensions: map[string]string{"Route": "$.route"}}}}}},
	} {
		b.Run(bc.name, func(b *testing.B) {
			ctx := context.Background()
			s := newSDKServer(b, cfg(b))
			if _, err := s.logs.CreateLogGroup(ctx, &cloudwatchlogs.CreateLogGroupInput{LogGroupName: aws.String("bench")}); err != nil {
				b.Fatal(err)
			}
			for _, f := range bc.filters {
				f.LogGroupName = aws.String("bench")
				if _, err := s.logs.PutMetricFilter(ctx, f); err != nil {
					b.Fatal(err)
				}
			}
			const perCall = 100
			msgs := make([]string, perCall)
			for i := range msgs {
				level := "INFO"
				if i%10 == 0 {
					level = "ERROR"
				}
				msgs[i] = fmt.Sprintf(`{"level":%q,"msg":"order placed","order_id":"o-%06d","latency_ms":%d,"route":"/r%d"}`, level, i, i%250, i%4)
			}
			var streams atomic.Int64
			b.ReportAllocs()
			b.ResetTimer()
			start := time.Now()
			b.RunParallel(func(pb *testing.PB) {
				stream := fmt.Sprintf("s%d", streams.Add(1))
				if _, err := s.logs.CreateLogStream(ctx, &cloudwatchlogs.CreateLogStreamInput{LogGroupName: aws.String("bench"), LogStreamName: aws.String(stream)}); err != nil {
					b.Error(err)
					return
				}
				for pb.Next() {
					s.put(b, "bench", stream, time.Now(), msgs...)
				}
			})
			b.ReportMetric(float64(b.N*perCall)/time.Since(start).Seconds(), "events/s")
		})
	}
}
