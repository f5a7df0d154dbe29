package store_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/lambdalog/lambdalog/cmd/lambdalog/internal/store"
)

func collect(t *testing.T, it interface {
	Next() bool
	Event() *store.EventView
	Close() error
}) []string {
	t.Helper()
	var got []string
	for it.Next() {
		got = append(got, string(it.Event().Message))
	}
	if err := it.Close(); err != nil {
		t.Fatal(err)
	}
	return got
}

func TestConcurrentWritersKeepStatsConsistent(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	st, err := store.Open(dir, store.Options{SweepInterval: -1})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.CreateGroup(ctx, "r", store.Group{Name: "g"}); err != nil {
		t.Fatal(err)
	}
	if err := st.CreateStream(ctx, "r", "g", "s"); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for w := range 10 {
		wg.Go(func() {
			for b := range 20 {
				evs := []store.Event{{Timestamp: int64(1000 + w*100 + b), Message: []byte("0123456789")}}
				if _, err := st.PutEvents(ctx, "r", "g", "s", evs); err != nil {
					t.Error(err)
				}
			}
		})
	}
	wg.Wait()
	check := func(st *store.Store) {
		s, err := st.Stream(ctx, "r", "g", "s")
		if err != nil {
			t.Fatal(err)
		}
		if !s.HasEvents || s.FirstEventTimestamp != 1000 || s.LastEventTimestamp != 1919 || s.StoredBytes != 2000 {
			t.Fatalf("stats = %+v", s)
		}
		it, _ := st.Events(ctx, "r", "g", "s", store.Range{})
		if n := len(collect(t, it)); n != 200 {
			t.Fatalf("%d events", n)
		}
	}
	check(st)
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}
	st, err = store.Open(dir, store.Options{SweepInterval: -1})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	check(st)
	// Ids are never reused after reopening: a re-created stream starts empty.
	if err := st.DeleteStream(ctx, "r", "g", "s"); err != nil {
		t.Fatal(err)
	}
	if err := st.CreateStream(ctx, "r", "g", "s"); err != nil {
		t.Fatal(err)
	}
	it, _ := st.Events(ctx, "r", "g", "s", store.Range{})
	if got := collect(t, it); len(got) != 0 {
		t.Fatalf("re-created stream has %d events", len(got))
	}
}

func TestRangesAndReverse(t *testing.T) {
	ctx := context.Background()
	st, err := store.Open("", store.Options{InMemory: true, SweepInterval: -1})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	st.CreateGroup(ctx, "r", store.Group{Name: "g"})
	st.CreateStream(ctx, "r", "g", "s")
	var evs []store.Event
	for i := range 10 {
		evs = append(evs, store.Event{Timestamp: int64(i * 10), Message: fmt.Appendf(nil, "%d", i)})
	}
	if _, err := st.PutEvents(ctx, "r", "g", "s", evs); err != nil {
		t.Fatal(err)
	}
	it, _ := st.Events(ctx, "r", "g", "s", store.Range{Start: 20, End: 50, Reverse: true})
	if got := fmt.Sprint(collect(t, it)); got != "[4 3 2]" {
		t.Fatalf("reverse [20,50) = %s", got)
	}
	it, _ = st.Events(ctx, "r", "g", "s", store.Range{})
	it.Next()
	it.Next()
	p := it.Event().Position()
	it.Close()
	it, _ = st.Events(ctx, "r", "g", "s", store.Range{After: &p, End: 60})
	if got := fmt.Sprint(collect(t, it)); got != "[2 3 4 5]" {
		t.Fatalf("after second event = %s", got)
	}
	if _, err := st.Events(ctx, "r", "g", "nope", store.Range{}); !errors.Is(err, store.ErrStreamNotFound) {
		t.Fatalf("missing stream: %v", err)
	}
	if err := st.DeleteGroup(ctx, "r", "g"); err != nil {
		t.Fatal(err)
	}
	if _, err := st.Group(ctx, "r", "g"); !errors.Is(err, store.ErrGroupNotFound) {
		t.Fatalf("deleted group: %v", err)
	}
}

func TestRetentionSweepDeletes(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2026, 1, 10, 0, 0, 0, 0, time.UTC)
	var mu sync.Mutex
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	st, err := store.Open("", store.Options{InMemory: true, Now: clock, SweepInterval: -1})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	st.CreateGroup(ctx, "r", store.Group{Name: "g", RetentionDays: 1})
	st.CreateStream(ctx, "r", "g", "s")
	ms := now.UnixMilli()
	st.PutEvents(ctx, "r", "g", "s", []store.Event{{Timestamp: ms - 3600_000, Message: []byte("a")}, {Timestamp: ms, Message: []byte("b")}})
	mu.Lock()
	now = now.Add(24*time.Hour - 30*time.Minute)
	mu.Unlock()
	it, _ := st.Events(ctx, "r", "g", "s", store.Range{})
	if got := fmt.Sprint(collect(t, it)); got != "[b]" {
		t.Fatalf("visible after 23.5 h = %s", got)
	}
	if err := st.Sweep(ctx); err != nil {
		t.Fatal(err)
	}
	// With retention removed, only really deleted events stay gone.
	st.UpdateGroup(ctx, "r", "g", func(g *store.Group) error { g.RetentionDays = 0; return nil })
	it, _ = st.Events(ctx, "r", "g", "s", store.Range{})
	if got := fmt.Sprint(collect(t, it)); got != "[b]" {
		t.Fatalf("after sweep = %s", got)
	}
}

func TestMergedEventsParallelOrderAndEarlyClose(t *testing.T) {
	ctx := context.Background()
	st, err := store.Open("", store.Options{InMemory: true, SweepInterval: -1})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	st.CreateGroup(ctx, "r", store.Group{Name: "g"})
	const streams, per = 4, 3000
	for s := range streams {
		name := fmt.Sprintf("s%d", s)
		st.CreateStream(ctx, "r", "g", name)
		var evs []store.Event
		for i := range per {
			evs = append(evs, store.Event{Timestamp: int64(i*streams + s), Message: fmt.Appendf(nil, "%s-%d", name, i)})
		}
		if _, err := st.PutEvents(ctx, "r", "g", name, evs); err != nil {
			t.Fatal(err)
		}
	}
	notNine := func(m []byte) bool { return m[len(m)-1] != '9' }
	it, err := st.MergedEvents(ctx, "r", "g", store.StreamSelector{}, store.Range{}, notNine)
	if err != nil {
		t.Fatal(err)
	}
	n, last := 0, int64(-1)
	for it.Next() {
		e := it.Event()
		if e.Timestamp <= last || !notNine(e.Message) || string(e.Message) != fmt.Sprintf("%s-%d", e.Stream, e.Timestamp/streams) {
			t.Fatalf("event %d: %+v after ts %d", n, e, last)
		}
		last = e.Timestamp
		n++
	}
	if err := it.Close(); err != nil || n != streams*per*9/10 {
		t.Fatalf("got %d events, err %v", n, err)
	}
	// Closing early stops the scanners and releases their iterators.
	it, _ = st.MergedEvents(ctx, "r", "g", store.StreamSelector{Prefix: "s"}, store.Range{}, notNine)
	for range 10 {
		it.Next()
	}
	if err := it.Close(); err != nil {
		t.Fatal(err)
	}
}
