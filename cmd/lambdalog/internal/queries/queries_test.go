package queries

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/lambdalog/lambdalog/cmd/lambdalog/internal/store"
	"github.com/lambdalog/lambdalog/insights"
)

// run runs a query to its end and returns its rows and statistics.
func run(t testing.TB, m *Manager, text string, start, end int64) ([][]insights.Field, insights.Statistics) {
	t.Helper()
	q, err := insights.Parse(text)
	if err != nil {
		t.Fatal(err)
	}
	id, err := m.Start(Spec{Region: "r", Account: "123456789012", Text: text, Query: q, Groups: []string{"g"}, Start: start, End: end})
	if err != nil {
		t.Fatal(err)
	}
	for {
		s, err := m.Results("r", id)
		if err != nil {
			t.Fatal(err)
		}
		if s.Status.Ended() {
			if s.Status != Complete {
				t.Fatalf("%q ended %s: %v", text, s.Status, s.Err)
			}
			return s.Result.Rows, s.Stats
		}
		time.Sleep(time.Millisecond)
	}
}

// newStore returns an in-memory store with the log group g in region r,
// closed when the test ends.
func newStore(t *testing.T) *store.Store {
	t.Helper()
	st, err := store.Open("", store.Options{InMemory: true, SweepInterval: -1})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	if _, err := st.CreateGroup(context.Background(), "r", store.Group{Name: "g"}); err != nil {
		t.Fatal(err)
	}
	return st
}

// TestNewestFirst runs queries that keep only the newest events, which read
// streams newest first and stop early, and the same queries with a filter
// that passes every event, which read everything: rows and statistics must
// be the same, over streams whose events interleave in time and over a
// time range that cuts them.
func TestNewestFirst(t *testing.T) {
	ctx := context.Background()
	st := newStore(t)
	base := time.Now().Add(-time.Hour).UnixMilli()
	const streams, perStream = 6, 3000
	for s := range streams {
		name := fmt.Sprintf("s%d", s)
		if err := st.CreateStream(ctx, "r", "g", name); err != nil {
			t.Fatal(err)
		}
		for b := 0; b < perStream; b += 500 { // several writes per stream
			var evs []store.Event
			for i := b; i < b+500; i++ {
				evs = append(evs, store.Event{Timestamp: base + int64(i*streams+s)/2, Message: fmt.Appendf(nil, `{"s":%d,"i":%d}`, s, i)})
			}
			if _, err := st.PutEvents(ctx, "r", "g", name, evs); err != nil {
				t.Fatal(err)
			}
		}
	}
	m := New(st, Options{Workers: 2})
	defer m.Close()
	end := base + perStream*streams
	for _, c := range []struct {
		query, full string
		start, end  int64
	}{
		{"fields @timestamp, @message | sort @timestamp desc | limit 50",
			"fields @timestamp, @message | filter ispresent(@message) | sort @timestamp desc | limit 50", base, end},
		{"fields @message, s", "fields @message, s | filter ispresent(@message)", base, end},
		{"fields @timestamp, s, i | limit 7 | stats count(*) as n by s",
			"fields @timestamp, s, i | filter ispresent(s) | limit 7 | stats count(*) as n by s", base, end},
		// A range that cuts every stream: skipped events are counted by reading them.
		{"fields @timestamp, @message | sort @timestamp desc | limit 20",
			"fields @timestamp, @message | filter ispresent(@message) | sort @timestamp desc | limit 20", base + 1000, end - 1000},
	} {
		if q, _ := insights.Parse(c.query); !q.KeepsNewest() {
			t.Fatalf("%q does not keep the newest", c.query)
		}
		rows, stats := run(t, m, c.query, c.start, c.end)
		wantRows, wantStats := run(t, m, c.full, c.start, c.end)
		if !slices.EqualFunc(rows, wantRows, slices.Equal) {
			t.Errorf("%q: %d rows, reading everything %d:\n%v\n%v", c.query, len(rows), len(wantRows), rows, wantRows)
		}
		if stats != wantStats {
			t.Errorf("%q: statistics %+v, reading everything %+v", c.query, stats, wantStats)
		}
		if c.start == base && wantStats.RecordsScanned != streams*perStream {
			t.Errorf("%q: %d records scanned, want %d", c.full, wantStats.RecordsScanned, streams*perStream)
		}
	}
}

// TestParts checks that reading streams in parts gives what reading each
// stream whole gives: rows and statistics, for queries that keep every
// matching event, aggregate, sort, read newest first and cut the range.
func TestParts(t *testing.T) {
	ctx := context.Background()
	st := newStore(t)
	base := time.Now().Add(-time.Hour).UnixMilli()
	const streams, perStream = 3, 4000
	for s := range streams {
		name := fmt.Sprintf("s%d", s)
		if err := st.CreateStream(ctx, "r", "g", name); err != nil {
			t.Fatal(err)
		}
		var evs []store.Event
		for i := range perStream {
			level := []string{"INFO", "ERROR", "DEBUG"}[(i*7+s)%3]
			evs = append(evs, store.Event{Timestamp: base + int64(i*streams+s)*3, Message: fmt.Appendf(nil, `{"level":"%s","i":%d,"s":%d}`, level, i, s)})
		}
		if _, err := st.PutEvents(ctx, "r", "g", name, evs); err != nil {
			t.Fatal(err)
		}
	}
	whole := New(st, Options{Workers: 2})
	defer whole.Close()
	parts := New(st, Options{Workers: 3})
	parts.partBytes = 5000 // 16 parts a stream
	end := base + perStream*streams*3
	for _, c := range []struct {
		query      string
		start, end int64
	}{
		{`filter level = "ERROR"`, base, end},
		{`filter level = "ERROR" | limit 5000`, base, end},
		{`stats count(*), sum(i) by s, level`, base, end},
		{`fields i, s | sort i desc | limit 50`, base, end},
		{`filter @message like "DEBUG" | fields s, i`, base + 5000, end - 7000},
	} {
		got, gotStats := run(t, parts, c.query, c.start, c.end)
		want, wantStats := run(t, whole, c.query, c.start, c.end)
		if !slices.EqualFunc(got, want, slices.Equal) || gotStats != wantStats {
			t.Errorf("%q: in parts %d rows %+v, whole %d rows %+v", c.query, len(got), gotStats, len(want), wantStats)
		}
		if len(want) == 0 {
			t.Errorf("%q: no rows", c.query)
		}
	}
}
