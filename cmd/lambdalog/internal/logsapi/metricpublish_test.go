package logsapi_test

import (
	"context"
	"fmt"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	cwl "github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs/types"

	"github.com/lambdalog/lambdalog/cmd/lambdalog/internal/awsapi"
	"github.com/lambdalog/lambdalog/cmd/lambdalog/internal/logsapi"
	"github.com/lambdalog/lambdalog/cmd/lambdalog/internal/metricstore"
	"github.com/lambdalog/lambdalog/cmd/lambdalog/internal/store"
	"github.com/lambdalog/lambdalog/internal/testserver"
)

// published is a CloudWatch Logs server whose store hands every batch to a
// MetricPublisher and records the points it returns.
type published struct {
	client *cwl.Client
	store  *store.Store
	mu     sync.Mutex
	points []metricstore.Point
}

func newPublished(t *testing.T) *published {
	t.Helper()
	p := &published{}
	var pub *logsapi.MetricPublisher
	st, err := store.Open("", store.Options{InMemory: true, SweepInterval: -1, AfterPut: func(ctx context.Context, in store.Ingested) {
		pts, err := pub.Points(ctx, &in, nil)
		if err != nil {
			t.Errorf("Points: %v", err)
		}
		p.mu.Lock()
		p.points = append(p.points, pts...)
		p.mu.Unlock()
	}})
	if err != nil {
		t.Fatal(err)
	}
	pub = logsapi.NewMetricPublisher(st)
	srv := httptest.NewServer(awsapi.NewRouter(awsapi.Options{}, logsapi.New(st, logsapi.Options{})))
	t.Cleanup(func() {
		srv.Close()
		st.Close()
	})
	p.store = st
	p.client = cwl.New(cwl.Options{Region: "us-east-1", BaseEndpoint: aws.String(srv.URL), RetryMaxAttempts: 1,
		Credentials: credentials.NewStaticCredentialsProvider("AKID", "secret", ""), HTTPClient: testserver.HTTPClient(nil)})
	return p
}

// take returns the points recorded so far as "Namespace/Name{dims} unit @minute: values" lines, sorted, and forgets them.
func (p *published) take(t0 time.Time) []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	var out []string
	for _, pt := range p.points {
		var dims []string
		for _, d := range pt.Dimensions {
			dims = append(dims, d.Name+"="+d.Value)
		}
		out = append(out, fmt.Sprintf("%s/%s{%s} %s @%d: %v", pt.Namespace, pt.Name, strings.Join(dims, ","), pt.Unit,
			pt.Timestamp.Sub(t0)/time.Minute, pt.Values))
	}
	p.points = nil
	slices.Sort(out)
	return out
}

func (p *published) put(t *testing.T, group string, ts time.Time, msgs ...string) {
	t.Helper()
	evs := make([]types.InputLogEvent, len(msgs))
	for i, m := range msgs {
		evs[i] = types.InputLogEvent{Timestamp: aws.Int64(ts.UnixMilli() + int64(i)), Message: aws.String(m)}
	}
	if _, err := p.client.PutLogEvents(context.Background(), &cwl.PutLogEventsInput{LogGroupName: aws.String(group), LogStreamName: aws.String("s"), LogEvents: evs}); err != nil {
		t.Fatal(err)
	}
}

func (p *published) filter(t *testing.T, group, name, pattern string, tr types.MetricTransformation) {
	t.Helper()
	if _, err := p.client.PutMetricFilter(context.Background(), metricFilter(group, name, pattern, tr)); err != nil {
		t.Fatalf("PutMetricFilter(%s): %v", name, err)
	}
}

func TestMetricFiltersPublish(t *testing.T) {
	ctx := context.Background()
	p := newPublished(t)
	mustCreateGroup(t, p.client, "app")
	mustCreateStream(t, p.client, "app", "s")
	t0 := time.Now().Add(-time.Hour).Truncate(time.Hour)

	// Before any filter: nothing.
	p.put(t, "app", t0, `{"level":"ERROR"}`)
	if got := p.take(t0); got != nil {
		t.Fatalf("no filter yet: %q", got)
	}

	p.filter(t, "app", "errors", `{ $.level = "ERROR" }`, types.MetricTransformation{MetricName: aws.String("Errors"),
		MetricNamespace: aws.String("App"), MetricValue: aws.String("1"), DefaultValue: aws.Float64(0), Unit: types.StandardUnitCount})
	p.filter(t, "app", "latency", `{ $.latency_ms = * }`, types.MetricTransformation{MetricName: aws.String("Latency"),
		MetricNamespace: aws.String("App"), MetricValue: aws.String("$.latency_ms"), Unit: types.StandardUnitMilliseconds,
		Dimensions: map[string]string{"Route": "$.req.route", "Shard": "$.shards[1]"}})
	p.put(t, "app", t0,
		`{"level":"ERROR","latency_ms":12.5,"req":{"route":"/a"},"shards":[0,7]}`,
		`{"level":"INFO","latency_ms":"30","req":{"route":"/a"},"shards":[0,7]}`, // a number in a string counts
		`{"level":"INFO","latency_ms":"slow","req":{"route":"/a"}}`,              // not a number: nothing
		`{"level":"INFO","latency_ms":5,"req":{"r\u006fute":"/b"}}`,              // escaped key; no shard
		`{"level":"INFO","latency_ms":1e3}`,                                      // no dimension found
		`{"level":"INFO","latency_ms":{"p50":1}}`,                                // an object: nothing
		`plain text ERROR`)
	p.put(t, "app", t0.Add(90*time.Second), `{"level":"ERROR"}`, `{"level":"ERROR","latency_ms":-2,"req":{"route":true}}`)
	want := []string{
		"App/Errors{} Count @0: [1 0 0 0 0 0 0]",
		"App/Errors{} Count @1: [1 1]",
		"App/Latency{Route=/a,Shard=7} Milliseconds @0: [12.5 30]",
		"App/Latency{Route=/b} Milliseconds @0: [5]",
		"App/Latency{Route=true} Milliseconds @1: [-2]",
		"App/Latency{} Milliseconds @0: [1000]",
	}
	if got := p.take(t0); !slices.Equal(got, want) {
		t.Errorf("points:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}

	// Space-delimited fields by name and position; a filter without unit gives "" (stored as None).
	mustCreateGroup(t, p.client, "web")
	mustCreateStream(t, p.client, "web", "s")
	p.filter(t, "web", "bytes", `[..., status = 5*, bytes]`, types.MetricTransformation{MetricName: aws.String("Bytes"),
		MetricNamespace: aws.String("Web"), MetricValue: aws.String("$bytes"), Dimensions: map[string]string{"Status": "$status", "Client": "$1"}})
	p.put(t, "web", t0, `10.0.0.1 frank 503 1534`, `10.0.0.2 - 200 99`, `10.0.0.3 - 500 -`)
	if got, want := p.take(t0), []string{"Web/Bytes{Client=10.0.0.1,Status=503}  @0: [1534]"}; !slices.Equal(got, want) {
		t.Errorf("space-delimited: %q, want %q", got, want)
	}

	// A deleted filter publishes nothing from then on; the other one goes on.
	if _, err := p.client.DeleteMetricFilter(ctx, &cwl.DeleteMetricFilterInput{LogGroupName: aws.String("app"), FilterName: aws.String("latency")}); err != nil {
		t.Fatal(err)
	}
	p.put(t, "app", t0, `{"level":"ERROR","latency_ms":1}`)
	if got, want := p.take(t0), []string{"App/Errors{} Count @0: [1]"}; !slices.Equal(got, want) {
		t.Errorf("after DeleteMetricFilter: %q, want %q", got, want)
	}

	// A group deleted and created again has none of the old group's filters.
	if _, err := p.client.DeleteLogGroup(ctx, &cwl.DeleteLogGroupInput{LogGroupName: aws.String("app")}); err != nil {
		t.Fatal(err)
	}
	mustCreateGroup(t, p.client, "app")
	mustCreateStream(t, p.client, "app", "s")
	p.put(t, "app", t0, `{"level":"ERROR"}`)
	if got := p.take(t0); got != nil {
		t.Errorf("recreated group: %q", got)
	}
}

func TestMetricFilterSelectorsAreChecked(t *testing.T) {
	p := newPublished(t)
	mustCreateGroup(t, p.client, "app")
	for _, ref := range []string{"$.", "$.a b", "$.a[", "$.a[x]", "$a", "$.a..b"} {
		_, err := p.client.PutMetricFilter(context.Background(), metricFilter("app", "f", `{ $.a = * }`, types.MetricTransformation{
			MetricName: aws.String("M"), MetricNamespace: aws.String("N"), MetricValue: aws.String(ref)}))
		if code(err) != "InvalidParameterException" {
			t.Errorf("metricValue %q: %v, want InvalidParameterException", ref, err)
		}
	}
}

// publisherBench is a log group in an in-memory store with the given metric
// filters, and a batch of 100 JSON events for it.
func publisherBench(t testing.TB, filters ...*cwl.PutMetricFilterInput) (*logsapi.MetricPublisher, *store.Ingested) {
	ctx := context.Background()
	st, err := store.Open("", store.Options{InMemory: true, SweepInterval: -1})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	g, err := st.CreateGroup(ctx, "us-east-1", store.Group{Name: "g"})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(awsapi.NewRouter(awsapi.Options{}, logsapi.New(st, logsapi.Options{})))
	defer srv.Close()
	c := cwl.New(cwl.Options{Region: "us-east-1", BaseEndpoint: aws.String(srv.URL), RetryMaxAttempts: 1,
		Credentials: credentials.NewStaticCredentialsProvider("AKID", "secret", ""), HTTPClient: testserver.HTTPClient(nil)})
	for _, f := range filters {
		f.LogGroupName = aws.String("g")
		if _, err := c.PutMetricFilter(ctx, f); err != nil {
			t.Fatal(err)
		}
	}
	now := time.Now().UnixMilli()
	in := &store.Ingested{Region: "us-east-1", Group: g, Stream: "s", Millis: now}
	for i := range 100 {
		level := "INFO"
		if i%10 == 0 {
			level = "ERROR"
		}
		in.Events = append(in.Events, store.Event{Timestamp: now, Message: fmt.Appendf(nil,
			`{"level":%q,"msg":"order placed","order_id":"o-%06d","latency_ms":%d,"route":"/r%d"}`, level, i, i%250, i%4)})
	}
	return logsapi.NewMetricPublisher(st), in
}

var (
	benchCountFilter = &cwl.PutMetricFilterInput{FilterName: aws.String("errors"), FilterPattern: aws.String(`{ $.level = "ERROR" }`),
		MetricTransformations: []types.MetricTransformation{{MetricNamespace: aws.String("B"), MetricName: aws.String("Errors"), MetricValue: aws.String("1")}}}
	benchValueFilter = &cwl.PutMetricFilterInput{FilterName: aws.String("latency"), FilterPattern: aws.String(`{ $.latency_ms = * }`),
		MetricTransformations: []types.MetricTransformation{{MetricNamespace: aws.String("B"), MetricName: aws.String("Latency"),
			MetricValue: aws.String("$.latency_ms"), Dimensions: map[string]string{"Route": "$.route"}}}}
)

// TestNoMetricFiltersAllocateNothing: once a group is known to have no
// metric filters, a batch for it costs a map lookup and no allocation.
func TestNoMetricFiltersAllocateNothing(t *testing.T) {
	ctx := context.Background()
	pub, in := publisherBench(t)
	if pts, err := pub.Points(ctx, in, nil); err != nil || pts != nil {
		t.Fatalf("Points = %v, %v", pts, err)
	}
	if n := testing.AllocsPerRun(100, func() { pub.Points(ctx, in, nil) }); n != 0 {
		t.Errorf("Points allocates %v times for a group without metric filters", n)
	}
}

// BenchmarkMetricPublisher measures Points on batches of 100 JSON events for
// a group with no metric filter, a count filter matching 1 event in 10, and
// a value filter with a dimension matching every event.
func BenchmarkMetricPublisher(b *testing.B) {
	for _, bc := range []struct {
		name    string
		filters []*cwl.PutMetricFilterInput
	}{{"none", nil}, {"count", []*cwl.PutMetricFilterInput{benchCountFilter}}, {"value+dimension", []*cwl.PutMetricFilterInput{benchValueFilter}}} {
		b.Run(bc.name, func(b *testing.B) {
			ctx := context.Background()
			pub, in := publisherBench(b, bc.filters...)
			var pts []metricstore.Point
			b.ReportAllocs()
			for b.Loop() {
				pts, _ = pub.Points(ctx, in, pts[:0])
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(in.Events)), "ns/event")
		})
	}
}
