package metricstore

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"testing"
	"time"

	"github.com/lambdalog/lambdalog/cmd/lambdalog/internal/emf"
	"github.com/lambdalog/lambdalog/metrics"
)

var t0 = time.Date(2026, 11, 20, 10, 0, 0, 0, time.UTC)

func openMem(t *testing.T) *Store {
	t.Helper()
	s, err := Open("", Options{InMemory: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func point(ns, name string, ts time.Time, dims []Dimension, vals ...float64) Point {
	return Point{Series: Series{ns, name, dims}, Unit: "Count", Values: vals, Timestamp: ts}
}

func TestStatisticsPerPeriod(t *testing.T) {
	ctx := context.Background()
	s := openMem(t)
	dims := []Dimension{{"service", "cart"}, {"env", "dev"}} // unsorted on purpose
	must(t, s.Put(ctx, []Point{
		point("Shop", "Orders", t0.Add(5*time.Second), dims, 1, 2),
		point("Shop", "Orders", t0.Add(50*time.Second), dims, 3),
		point("Shop", "Orders", t0.Add(70*time.Second), dims, 10),
		point("Shop", "Orders", t0.Add(70*time.Second), dims[:1], 1000), // other series
		point("Shop", "Orders", t0.Add(-time.Second), dims, 1000),       // before start
		point("Shop", "Orders", t0.Add(3*time.Minute), dims, 1000),      // at end: excluded
	}))
	got, err := s.Statistics(ctx, Query{
		Series: Series{"Shop", "Orders", []Dimension{{"env", "dev"}, {"service", "cart"}}},
		Start:  t0.Add(10 * time.Second), End: t0.Add(3 * time.Minute), Period: time.Minute,
		Percentiles: []float64{50, 100},
	})
	must(t, err)
	if len(got) != 2 {
		t.Fatalf("got %d buckets, want 2: %+v", len(got), got)
	}
	b := got[0]
	if !b.Timestamp.Equal(t0) || b.SampleCount != 3 || b.Sum != 6 || b.Minimum != 1 || b.Maximum != 3 || b.Average() != 2 || b.Unit != "Count" {
		t.Errorf("bucket 0 = %+v", b)
	}
	if b.Percentiles[0] != 2 || b.Percentiles[1] != 3 {
		t.Errorf("percentiles = %v, want [2 3]", b.Percentiles)
	}
	if b := got[1]; !b.Timestamp.Equal(t0.Add(time.Minute)) || b.Sum != 10 || b.SampleCount != 1 {
		t.Errorf("bucket 1 = %+v", b)
	}
	got, err = s.Statistics(ctx, Query{Series: Series{"Shop", "Orders", dims}, Unit: "Seconds", Start: t0, End: t0.Add(time.Hour), Period: time.Minute})
	must(t, err)
	if len(got) != 0 {
		t.Errorf("unit filter Seconds: got %+v, want nothing", got)
	}
}

func TestListFiltersAndPages(t *testing.T) {
	ctx := context.Background()
	s := openMem(t)
	var pts []Point
	for _, name := range []string{"A", "B", "C", "D", "E"} {
		pts = append(pts, point("Shop", name, t0, []Dimension{{"service", "cart"}}, 1))
	}
	pts = append(pts, point("Shop", "A", t0, []Dimension{{"service", "pay"}}, 1), point("Other", "A", t0, nil, 1))
	must(t, s.Put(ctx, pts))
	must(t, s.Put(ctx, pts[:1])) // a second point in an existing series adds no metric

	var all []Series
	token := ""
	for pages := 0; ; pages++ {
		page, next, err := s.List(ctx, ListFilter{Namespace: "Shop"}, 2, token)
		must(t, err)
		all = append(all, page...)
		if next == "" {
			break
		}
		token = next
		if pages > 10 {
			t.Fatal("pagination does not end")
		}
	}
	if len(all) != 6 {
		t.Errorf("listed %d Shop metrics, want 6: %+v", len(all), all)
	}
	got, _, err := s.List(ctx, ListFilter{MetricName: "A", Dimensions: []DimensionFilter{{Name: "service", Value: "pay", HasValue: true}}}, 500, "")
	must(t, err)
	if len(got) != 1 || got[0].Dimensions[0].Value != "pay" {
		t.Errorf("filtered list = %+v", got)
	}
	got, _, err = s.List(ctx, ListFilter{Dimensions: []DimensionFilter{{Name: "service"}}}, 500, "")
	must(t, err)
	if len(got) != 6 {
		t.Errorf("metrics with a service dimension = %d, want 6", len(got))
	}
	if _, _, err := s.List(ctx, ListFilter{}, 10, "garbage!"); !errors.Is(err, ErrInvalidToken) {
		t.Errorf("bad token error = %v", err)
	}
}

func TestPutRejectsBadPoints(t *testing.T) {
	s := openMem(t)
	for _, p := range []Point{
		point("", "A", t0, nil, 1),
		point("N", "A", t0, nil),
		point("N", "A", t0, []Dimension{{"d", "1"}, {"d", "2"}}, 1),
		point("N", "A", time.UnixMilli(-5), nil, 1),
	} {
		if err := s.Put(context.Background(), []Point{point("N", "ok", t0, nil, 1), p}); err == nil {
			t.Errorf("Put(%+v) succeeded", p)
		}
	}
	got, _, err := s.List(context.Background(), ListFilter{}, 10, "")
	must(t, err)
	if len(got) != 0 {
		t.Errorf("a rejected batch stored %+v", got)
	}
}

func TestDurableAcrossReopen(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	s, err := Open(dir, Options{})
	must(t, err)
	must(t, s.Put(ctx, []Point{point("Shop", "Orders", t0, nil, 4, 5)}))
	must(t, s.Close())
	s, err = Open(dir, Options{})
	must(t, err)
	defer s.Close()
	must(t, s.Put(ctx, []Point{point("Shop", "Orders", t0, nil, 1)}))
	got, err := s.Statistics(ctx, Query{Series: Series{Namespace: "Shop", Name: "Orders"}, Start: t0, End: t0.Add(time.Hour), Period: time.Hour})
	must(t, err)
	if len(got) != 1 || got[0].Sum != 10 || got[0].SampleCount != 3 {
		t.Errorf("after reopen = %+v, want sum 10 of 3 samples", got)
	}
}

// EMF written by the metrics package is ingested; invalid EMF is counted.
func TestIngestMetricsOutput(t *testing.T) {
	ctx := context.Background()
	s := openMem(t)
	var out bytes.Buffer
	m, err := metrics.New(metrics.WithNamespace("Hello"), metrics.WithService("greeter"), metrics.WithWriter(&out),
		metrics.WithClock(func() time.Time { return t0 }))
	must(t, err)
	for range 3 {
		r := m.NewRecorder()
		must(t, r.Add("SuccessfulGreetings", metrics.Count, 1))
		must(t, r.Flush())
	}
	sc := bufio.NewScanner(&out)
	for sc.Scan() {
		if n, err := s.Ingest(ctx, t0, sc.Bytes()); err != nil || n != 1 {
			t.Fatalf("Ingest = %d, %v", n, err)
		}
	}
	if n, err := s.Ingest(ctx, t0, []byte(`{"level":"INFO","message":"hi"}`)); n != 0 || err != nil {
		t.Errorf("plain log line: %d, %v", n, err)
	}
	if _, err := s.Ingest(ctx, t0, []byte(`{"_aws":{"Timestamp":1}}`)); !errors.Is(err, emf.ErrInvalid) {
		t.Errorf("invalid EMF error = %v", err)
	}
	if s.InvalidEMF() != 1 {
		t.Errorf("InvalidEMF = %d, want 1", s.InvalidEMF())
	}
	got, err := s.Statistics(ctx, Query{Series: Series{"Hello", "SuccessfulGreetings", []Dimension{{"service", "greeter"}}},
		Start: t0, End: t0.Add(time.Minute), Period: time.Minute})
	must(t, err)
	if len(got) != 1 || got[0].Sum != 3 {
		t.Errorf("SuccessfulGreetings = %+v, want sum 3", got)
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func FuzzDecode(f *testing.F) {
	f.Add(appendPoint(nil, "Count", 60, []float64{1, 2}))
	f.Add(appendSeries(nil, Series{"N", "M", []Dimension{{"a", "b"}}}))
	f.Fuzz(func(t *testing.T, b []byte) {
		_, _ = decodePoint(b, func(float64) {})
		_, _, _ = decodeSeries(b)
	})
}
