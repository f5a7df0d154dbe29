package metricstore

import (
	"context"
	"testing"
	"time"
)

// BenchmarkPut stores batches of 100 points (one synced Pebble batch each) in
// an in-memory store.
func BenchmarkPut(b *testing.B) {
	s, err := Open("", Options{InMemory: true})
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	pts := make([]Point, 100)
	for i := range pts {
		pts[i] = point("Bench", "Latency", t0.Add(time.Duration(i)*time.Second), []Dimension{{"service", "api"}}, float64(i))
	}
	b.ReportAllocs()
	for b.Loop() {
		if err := s.Put(context.Background(), pts); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N*len(pts))/b.Elapsed().Seconds(), "points/s")
}

// BenchmarkStatistics computes per-minute statistics over one day of a
// series with one point per second (86,400 points, 1,440 periods).
func BenchmarkStatistics(b *testing.B) {
	s, err := Open("", Options{InMemory: true})
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	dims := []Dimension{{"service", "api"}}
	for h := range 24 {
		pts := make([]Point, 3600)
		for i := range pts {
			pts[i] = point("Bench", "Latency", t0.Add(time.Duration(h*3600+i)*time.Second), dims, float64(i%100))
		}
		if err := s.Put(context.Background(), pts); err != nil {
			b.Fatal(err)
		}
	}
	q := Query{Series: Series{"Bench", "Latency", dims}, Start: t0, End: t0.Add(24 * time.Hour), Period: time.Minute}
	b.ReportAllocs()
	for b.Loop() {
		out, err := s.Statistics(context.Background(), q)
		if err != nil || len(out) != 1440 {
			b.Fatal(len(out), err)
		}
	}
	b.ReportMetric(86400*float64(b.N)/b.Elapsed().Seconds(), "points/s")
}
