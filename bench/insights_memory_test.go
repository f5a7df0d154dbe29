package bench

import (
	"context"
	"fmt"
	"os"
	"testing"
	"time"
)

// BenchmarkInsightsMemory measures the memory bound of issue 12: the peak
// RSS of `lambdalog serve` (durable) while it runs `stats count(*) by
// function_request_id` over 10,000,000 Powertools-shaped events with 100,000
// distinct request ids (100 lines per invocation, 8 streams, 19 h 27 min),
// with StartQuery's limit at 100,000 so that every group is returned. It
// takes minutes (writing the events), so it runs only when
// LAMBDALOG_BENCH_BIG=1:
//
//	cd bench && LAMBDALOG_BENCH_BIG=1 go test -run '^$' -bench InsightsMemory -benchtime 1x .
//
// Before the query the server's peak is reset (clear_refs 5) so that
// peak-RSS-MiB is VmHWM during the query alone (ingest has its own peak);
// RSS is also sampled every 10 ms as a cross-check.
func BenchmarkInsightsMemory(b *testing.B) {
	if os.Getenv("LAMBDALOG_BENCH_BIG") != "1" {
		b.Skip("set LAMBDALOG_BENCH_BIG=1 to run (10,000,000 events: minutes)")
	}
	c := insCorpus{events: 10_000_000, perInvocation: 100, streams: 8, base: insBase(time.Now())}
	ll, err := insStartLambdalog(b)
	if err != nil {
		b.Fatal(err)
	}
	defer ll.stop()
	start := time.Now()
	line := func(i int) string { return string(c.appendLine(nil, i)) }
	if err := insLoad(context.Background(), ll.client, insGroup, c, line); err != nil {
		b.Fatal(err)
	}
	loaded := time.Since(start)
	ll.waitIdle(5 * time.Minute)
	rss, hwm, err := ll.memoryMB()
	if err != nil {
		b.Fatal(err)
	}
	b.Logf("%d events written in %v, idle after %v; then RSS %.0f MiB, peak while writing %.0f MiB",
		c.events, loaded.Round(time.Second), time.Since(start).Round(time.Second), rss, hwm)

	q := &insQuery{name: "stats-by-request", insights: `stats count(*) by function_request_id`,
		cells: insPick("function_request_id", "count(*)")}
	groups := c.invocations()
	var peak, sampled float64
	for b.Loop() {
		b.StopTimer()
		reset := os.WriteFile(fmt.Sprintf("/proc/%d/clear_refs", ll.cmd.Process.Pid), []byte("5"), 0)
		if reset != nil {
			b.Logf("cannot reset the peak RSS (%v): peak-RSS-MiB includes the ingest", reset)
		}
		stop := make(chan struct{})
		done := make(chan float64)
		go func() { done <- insSampleRSS(ll, stop) }()
		b.StartTimer()
		got, err := ll.query(context.Background(), q, c.base, c.end(), int32(groups))
		b.StopTimer()
		close(stop)
		sampled = max(sampled, <-done)
		if err != nil {
			b.Fatal(err)
		}
		_, hwm, err := ll.memoryMB()
		if err != nil {
			b.Fatal(err)
		}
		peak = max(peak, hwm)
		if got.scanned != int64(c.events) {
			b.Fatalf("recordsScanned %d, want %d", got.scanned, c.events)
		}
		if len(got.rows) != groups {
			b.Fatalf("%d groups, want %d", len(got.rows), groups)
		}
		for _, r := range got.rows {
			if r[1] != fmt.Sprint(c.perInvocation) {
				b.Fatalf("group %q, want %d events in each", r, c.perInvocation)
			}
		}
		b.StartTimer()
	}
	b.ReportMetric(float64(b.N*c.events)/b.Elapsed().Seconds(), "events/s")
	b.ReportMetric(peak, "peak-RSS-MiB")
	b.ReportMetric(sampled, "sampled-RSS-MiB")
	b.ReportMetric(rss, "RSS-before-MiB")
}

// insSampleRSS returns the largest VmRSS of the server (MiB) seen every
// 10 ms until stop is closed.
func insSampleRSS(s *insServer, stop <-chan struct{}) float64 {
	var most float64
	tick := time.NewTicker(10 * time.Millisecond)
	defer tick.Stop()
	for {
		if rss, _, err := s.memoryMB(); err == nil {
			most = max(most, rss)
		}
		select {
		case <-stop:
			return most
		case <-tick.C:
		}
	}
}
