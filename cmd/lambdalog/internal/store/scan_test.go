package store_test

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/lambdalog/lambdalog/cmd/lambdalog/internal/store"
)

// scanned is an event as Scan passed it on.
type scanned struct {
	ts  int64
	seq uint64
	msg string
}

// scanAll returns the events Scan passes on with o, and its statistics.
func scanAll(t *testing.T, st *store.Store, stream string, o store.ScanOptions) ([]scanned, store.ScanStats) {
	t.Helper()
	var out []scanned
	stats, err := st.Scan(context.Background(), "r", "g", stream, o, func(v *store.EventView) error {
		out = append(out, scanned{v.Timestamp, v.Seq, string(v.Message)})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out, stats
}

// writeOverlapping writes batches of events whose time ranges overlap, as
// concurrent writers' do, some of them unsorted, into stream s, and returns
// the number of events and of message bytes written.
func writeOverlapping(t *testing.T, st *store.Store, s string, seed uint64, base int64) (events, bytes int64) {
	t.Helper()
	ctx := context.Background()
	if err := st.CreateStream(ctx, "r", "g", s); err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(seed, 2))
	for b := range 40 {
		n := 1 + rng.IntN(600)
		start := base + rng.Int64N(20_000)
		step := []int64{0, 1, 3, 700, 2500}[rng.IntN(5)]
		batch := make([]store.Event, n)
		for i := range batch {
			batch[i] = store.Event{Timestamp: start + int64(i)*step + rng.Int64N(2), Message: fmt.Appendf(nil, "%s-b%d-e%d", s, b, i)}
			bytes += int64(len(batch[i].Message))
		}
		if b%5 == 2 {
			rng.Shuffle(len(batch), func(i, j int) { batch[i], batch[j] = batch[j], batch[i] })
		}
		if _, err := st.PutEvents(ctx, "r", "g", s, batch); err != nil {
			t.Fatal(err)
		}
		events += int64(n)
	}
	return events, bytes
}

func newScanStore(t *testing.T, now time.Time) *store.Store {
	t.Helper()
	st, err := store.Open("", store.Options{InMemory: true, SweepInterval: -1, Now: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	if _, err := st.CreateGroup(context.Background(), "r", store.Group{Name: "g"}); err != nil {
		t.Fatal(err)
	}
	return st
}

// TestScanReverse checks that a reverse scan passes on exactly the events
// of a forward scan, in the opposite order, within time bounds too, with
// the same statistics, and that stream statistics count the events.
func TestScanReverse(t *testing.T) {
	now := time.Now()
	st := newScanStore(t, now)
	base := now.Add(-time.Hour).UnixMilli()
	events, bytes := writeOverlapping(t, st, "s", 1, base)
	s, err := st.Stream(context.Background(), "r", "g", "s")
	if err != nil {
		t.Fatal(err)
	}
	if s.StoredEvents != events || s.StoredBytes != bytes {
		t.Fatalf("stream statistics: %d events, %d bytes; %d and %d written", s.StoredEvents, s.StoredBytes, events, bytes)
	}
	for _, r := range [][2]int64{{0, 0}, {base + 5000, base + 15_000}, {base + 12_345, 0}} {
		o := store.ScanOptions{Start: r[0], End: r[1]}
		fwd, fstats := scanAll(t, st, "s", o)
		o.Reverse = true
		rev, rstats := scanAll(t, st, "s", o)
		slices.Reverse(rev)
		if !slices.Equal(fwd, rev) || fstats != rstats {
			t.Fatalf("range %v: reverse scan differs from the forward one reversed (%d and %d events, %+v and %+v)", r, len(fwd), len(rev), fstats, rstats)
		}
		for _, e := range fwd {
			if e.ts < r[0] || r[1] != 0 && e.ts >= r[1] {
				t.Fatalf("range %v: event at %d", r, e.ts)
			}
		}
		if r == [2]int64{} && fstats != (store.ScanStats{Events: events, Bytes: bytes}) {
			t.Fatalf("whole stream: %+v, want %d events and %d bytes", fstats, events, bytes)
		}
	}
}

// TestScanHorizon checks the horizon of a reverse scan: every event at or
// after the cutoff is passed on, those skipped are counted as Unread and in
// the statistics (from the stream's totals when they cover the range, by
// reading otherwise), and a horizon that rises as events come, as a query
// keeping the newest rows makes it, still gets the newest events.
func TestScanHorizon(t *testing.T) {
	now := time.Now()
	st := newScanStore(t, now)
	base := now.Add(-time.Hour).UnixMilli()
	events, bytes := writeOverlapping(t, st, "s", 3, base)
	all, _ := scanAll(t, st, "s", store.ScanOptions{})
	tss := make([]int64, len(all))
	for i, e := range all {
		tss[i] = e.ts
	}
	slices.Sort(tss)
	for _, c := range []struct {
		name       string
		start, end int64 // the scan's range
		cutoff     int64
		totals     bool // the stream's totals describe the range
	}{
		{"whole stream, cutoff in the middle", 0, 0, tss[len(tss)/2], true},
		{"whole stream, cutoff near the end", 0, 0, tss[len(tss)-20], true},
		{"whole stream, no cutoff", 0, 0, math.MinInt64, true},
		{"part of the stream", base + 3000, 0, tss[len(tss)*3/4], false},
	} {
		t.Run(c.name, func(t *testing.T) {
			o := store.ScanOptions{Start: c.start, End: c.end}
			want, wantStats := scanAll(t, st, "s", o)
			o.Reverse, o.Horizon = true, func() int64 { return c.cutoff }
			got, stats := scanAll(t, st, "s", o)
			if stats.Events != wantStats.Events || stats.Bytes != wantStats.Bytes {
				t.Fatalf("statistics %+v, a full scan's %+v", stats, wantStats)
			}
			if stats.Events-stats.Unread != int64(len(got)) {
				t.Fatalf("%d events passed on, %d counted minus %d unread", len(got), stats.Events, stats.Unread)
			}
			var wantBytes int64
			for _, e := range got {
				wantBytes += int64(len(e.msg))
			}
			if stats.Bytes-stats.UnreadBytes != wantBytes {
				t.Fatalf("%d bytes passed on, %d counted minus %d unread", wantBytes, stats.Bytes, stats.UnreadBytes)
			}
			passed := map[scanned]bool{}
			for _, e := range got {
				passed[e] = true
			}
			for _, e := range want {
				if e.ts >= c.cutoff && !passed[e] {
					t.Fatalf("event %+v at or after the cutoff %d is not passed on", e, c.cutoff)
				}
			}
			if c.cutoff != math.MinInt64 && stats.Unread == 0 {
				t.Fatalf("nothing skipped with the cutoff at %d", c.cutoff)
			}
			if c.totals && c.name == "whole stream, no cutoff" && stats != (store.ScanStats{Events: events, Bytes: bytes}) {
				t.Fatalf("without a cutoff: %+v", stats)
			}
		})
	}

	t.Run("rising", func(t *testing.T) {
		// The horizon of a query keeping the 100 newest events: the
		// timestamp of the 100th newest passed on so far.
		const keep = 100
		var seen []int64
		var mu sync.Mutex
		cutoff := func() int64 {
			mu.Lock()
			defer mu.Unlock()
			if len(seen) < keep {
				return math.MinInt64
			}
			slices.Sort(seen)
			seen = seen[len(seen)-keep:]
			return seen[0]
		}
		var got []int64
		stats, err := st.Scan(context.Background(), "r", "g", "s", store.ScanOptions{Reverse: true, Horizon: cutoff}, func(v *store.EventView) error {
			mu.Lock()
			seen = append(seen, v.Timestamp)
			mu.Unlock()
			got = append(got, v.Timestamp)
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		slices.Sort(got)
		if !slices.Equal(got[len(got)-keep:], tss[len(tss)-keep:]) {
			t.Fatalf("the newest %d timestamps passed on differ from the stream's", keep)
		}
		if stats.Events != events || stats.Bytes != bytes || stats.Unread == 0 || int64(len(got)) != events-stats.Unread {
			t.Fatalf("statistics %+v for %d events (%d bytes), %d passed on", stats, events, bytes, len(got))
		}
		t.Logf("%d of %d events passed on", len(got), events)
	})
}

// TestSweepForgetsEventCount checks that a stream whose events the
// retention sweep deleted no longer claims to know how many it holds, and
// that a reverse scan with a horizon then counts the events it skips by
// reading them.
func TestSweepForgetsEventCount(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2026, 1, 10, 0, 0, 0, 0, time.UTC)
	var mu sync.Mutex
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	st, err := store.Open("", store.Options{InMemory: true, Now: clock, SweepInterval: -1})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if _, err := st.CreateGroup(ctx, "r", store.Group{Name: "g", RetentionDays: 1}); err != nil {
		t.Fatal(err)
	}
	if err := st.CreateStream(ctx, "r", "g", "s"); err != nil {
		t.Fatal(err)
	}
	ms := now.UnixMilli()
	var evs []store.Event
	for i := range 1000 {
		evs = append(evs, store.Event{Timestamp: ms - 3*3600_000 + int64(i)*10_000, Message: fmt.Appendf(nil, "e%d", i)})
	}
	if _, err := st.PutEvents(ctx, "r", "g", "s", evs); err != nil {
		t.Fatal(err)
	}
	if err := st.Sweep(ctx); err != nil { // nothing has expired
		t.Fatal(err)
	}
	s, _ := st.Stream(ctx, "r", "g", "s")
	if s.StoredEvents != 1000 {
		t.Fatalf("StoredEvents %d before anything expired, want 1000", s.StoredEvents)
	}
	mu.Lock()
	now = now.Add(24*time.Hour - time.Hour) // the first two hours of events expire
	mu.Unlock()
	if err := st.Sweep(ctx); err != nil {
		t.Fatal(err)
	}
	s, _ = st.Stream(ctx, "r", "g", "s")
	if s.StoredEvents != -1 {
		t.Fatalf("StoredEvents %d after the sweep deleted events, want -1 (unknown)", s.StoredEvents)
	}
	// Remove the retention: the swept events are gone, the stream's first
	// timestamp is not rewound, and its totals are no longer trusted.
	if err := st.UpdateGroup(ctx, "r", "g", func(g *store.Group) error { g.RetentionDays = 0; return nil }); err != nil {
		t.Fatal(err)
	}
	full, fullStats := scanAll(t, st, "s", store.ScanOptions{})
	cut := full[len(full)-10].ts
	got, stats := scanAll(t, st, "s", store.ScanOptions{Reverse: true, Horizon: func() int64 { return cut }})
	if stats.Events != fullStats.Events || stats.Bytes != fullStats.Bytes || int64(len(got)) != stats.Events-stats.Unread || len(got) < 10 {
		t.Fatalf("after the sweep: %+v with %d passed on, a full scan %+v", stats, len(got), fullStats)
	}
}
