package queries

import (
	"context"
	"fmt"
	"strconv"
	"testing"
	"time"

	"github.com/lambdalog/lambdalog/cmd/lambdalog/internal/store"
	"github.com/lambdalog/lambdalog/insights"
)

// BenchmarkQueries runs queries of issue 12's performance section through
// the Manager over a durable store of 1,000,000 Powertools-shaped events in
// 8 streams (as bench/'s BenchmarkInsights does through the server, without
// the HTTP API and the client), and reports events/s: the query engine's
// share of the end-to-end figure.
func BenchmarkQueries(b *testing.B) {
	ctx := context.Background()
	st, err := store.Open(b.TempDir(), store.Options{SweepInterval: -1, FlatJSON: insights.FlatJSON})
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	if _, err := st.CreateGroup(ctx, "r", store.Group{Name: "g"}); err != nil {
		b.Fatal(err)
	}
	const streams, events = 8, 1_000_000
	base := time.Now().Add(-3 * time.Hour).UnixMilli()
	levels := []string{"INFO", "INFO", "INFO", "DEBUG", "WARNING", "INFO", "INFO", "INFO", "INFO", "INFO", "INFO", "INFO", "INFO", "INFO", "INFO", "INFO", "INFO", "INFO", "INFO", "INFO", "INFO", "INFO", "INFO", "INFO", "INFO", "INFO", "INFO", "INFO", "INFO", "INFO", "INFO", "ERROR"}
	for s := range streams {
		name := fmt.Sprintf("s%d", s)
		if err := st.CreateStream(ctx, "r", "g", name); err != nil {
			b.Fatal(err)
		}
		var evs []store.Event
		for i := s; i < events; i += streams {
			var m []byte
			m = append(m, `{"level":"`...)
			m = append(m, levels[i%len(levels)]...)
			m = append(m, `","location":"capture_payment:88","message":"payment captured for order `...)
			m = strconv.AppendInt(m, int64(i), 10)
			m = append(m, `","timestamp":"2026-11-23T10:00:00.014Z","service":"orders","cold_start":false,"function_name":"orders-api","function_request_id":"9341b310-d35f-4725-88b1-dc9a71f44906","correlation_id":"4a1d35a3-5579-4b55-a5f5-46d2ab07e9d2","xray_trace_id":"1-56512cb0-11e43c38eee0cb958ea4a020","latency_ms":`...)
			m = strconv.AppendInt(m, int64(i*7919%3000), 10)
			m = append(m, '}')
			evs = append(evs, store.Event{Timestamp: base + int64(i)*7, Message: m})
			if len(evs) == 10_000 {
				if _, err := st.PutEvents(ctx, "r", "g", name, evs); err != nil {
					b.Fatal(err)
				}
				evs = evs[:0]
			}
		}
		if _, err := st.PutEvents(ctx, "r", "g", name, evs); err != nil {
			b.Fatal(err)
		}
	}
	m := New(st, Options{})
	defer m.Close()
	for _, bq := range []struct{ name, query string }{
		{"filter-term", `filter @message like "ERROR"`},
		{"stats-bin", `stats count(*), avg(latency_ms), pct(latency_ms, 95) by bin(5m)`},
	} {
		b.Run(bq.name, func(b *testing.B) {
			for b.Loop() {
				if _, stats := run(b, m, bq.query, base, base+events*7+1); stats.RecordsScanned != events {
					b.Fatalf("%s: %d events scanned, want %d", bq.name, stats.RecordsScanned, events)
				}
			}
			b.ReportMetric(float64(b.N*events)/b.Elapsed().Seconds(), "events/s")
		})
	}
}
