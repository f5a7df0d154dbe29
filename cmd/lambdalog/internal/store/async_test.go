package store

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/cockroachdb/pebble/v2/vfs"
)

// openOn opens a store in /data on fs (no free-space floor, no sweep).
func openOn(t *testing.T, fs vfs.FS, opts Options) *Store {
	t.Helper()
	po := pebbleOptions()
	po.FS = fs
	opts.MinFreeBytes, opts.SweepInterval = -1, -1
	st, err := open("/data", opts, po)
	if err != nil {
		t.Fatal(err)
	}
	return st
}

// queueEvents queues puts batches of three events to stream s of group g,
// as the Lambda emulator queues invocations, and returns their messages.
func queueEvents(t *testing.T, st *Store, s string, puts int) []string {
	t.Helper()
	var want []string
	for i := range puts {
		evs := make([]Event, 3)
		for j := range evs {
			msg := fmt.Sprintf("%s put %d event %d", s, i, j)
			evs[j] = Event{Timestamp: int64(1_700_000_000_000 + 3*i + j), Message: []byte(msg)}
			want = append(want, msg)
		}
		if err := st.PutEventsAsync("r", "g", s, evs); err != nil {
			t.Fatal(err)
		}
	}
	return want
}

// asyncReaders read every message of stream s of group g, each with one
// of the store's event reads.
var asyncReaders = map[string]func(context.Context, *Store, string) ([]string, error){
	"Events": func(ctx context.Context, st *Store, s string) ([]string, error) {
		return drain(st.Events(ctx, "r", "g", s, Range{}))
	},
	"MergedEvents": func(ctx context.Context, st *Store, s string) ([]string, error) {
		return drain(st.MergedEvents(ctx, "r", "g", StreamSelector{Names: []string{s}}, Range{}, nil))
	},
	"Scan": func(ctx context.Context, st *Store, s string) ([]string, error) {
		var got []string
		_, err := st.Scan(ctx, "r", "g", s, ScanOptions{}, func(v *EventView) error {
			got = append(got, string(v.Message))
			return nil
		})
		return got, err
	},
}

// drain returns the messages of the events of it, the iterator a read
// returned with err.
func drain(it interface {
	Next() bool
	Event() *EventView
	Close() error
}, err error) ([]string, error) {
	if err != nil {
		return nil, err
	}
	var got []string
	for it.Next() {
		got = append(got, string(it.Event().Message))
	}
	return got, it.Close()
}

func createStream(t *testing.T, st *Store, names ...string) {
	t.Helper()
	ctx := context.Background()
	if _, err := st.CreateGroup(ctx, "r", Group{Name: "g"}); err != nil {
		t.Fatal(err)
	}
	for _, n := range names {
		if err := st.CreateStream(ctx, "r", "g", n); err != nil {
			t.Fatal(err)
		}
	}
}

// TestQueuedEventsReadBackSurviveACrash: whatever a read returns of the
// events PutEventsAsync queued has been synced, and a read made after the
// calls returned sees all of them. The crash keeps only synced data, as a
// power loss would.
func TestQueuedEventsReadBackSurviveACrash(t *testing.T) {
	for name, read := range asyncReaders {
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			fs := vfs.NewCrashableMem()
			st := openOn(t, fs, Options{})
			defer st.Close()
			createStream(t, st, "s")
			want := queueEvents(t, st, "s", 50)
			got, err := read(ctx, st, "s")
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(got, want) {
				t.Fatalf("read right after the puts: %d events, want %d:\n%q", len(got), len(want), got)
			}
			crashed := openOn(t, fs.CrashClone(vfs.CrashCloneCfg{UnsyncedDataPercent: 0}), Options{})
			defer crashed.Close()
			got, err = read(ctx, crashed, "s")
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(got, want) {
				t.Fatalf("after the crash: %d events, want the %d read before it", len(got), len(want))
			}
		})
	}
}

// TestQueuedEventsStats: stream statistics include the queued events.
func TestQueuedEventsStats(t *testing.T) {
	st := openOn(t, vfs.NewMem(), Options{})
	defer st.Close()
	createStream(t, st, "s")
	want := queueEvents(t, st, "s", 7)
	s, err := st.Stream(context.Background(), "r", "g", "s")
	if err != nil {
		t.Fatal(err)
	}
	if s.StoredEvents != int64(len(want)) || s.LastEventTimestamp != 1_700_000_000_000+int64(len(want))-1 {
		t.Fatalf("stream stats: %d events, last at %d; want %d events", s.StoredEvents, s.LastEventTimestamp, len(want))
	}
}

// TestQueuedEventsAfterPut: AfterPut has seen the queued events when Settle
// returns, and may read the store without waiting for itself.
func TestQueuedEventsAfterPut(t *testing.T) {
	var (
		mu   sync.Mutex
		seen []string
		st   *Store
	)
	afterPut := func(ctx context.Context, in Ingested) {
		// A read from AfterPut must not wait for the committer calling it.
		if _, err := asyncReaders["Events"](ctx, st, in.Stream); err != nil {
			t.Error(err)
		}
		mu.Lock()
		defer mu.Unlock()
		for _, e := range in.Events {
			seen = append(seen, string(e.Message))
		}
	}
	st = openOn(t, vfs.NewMem(), Options{AfterPut: afterPut})
	defer st.Close()
	createStream(t, st, "a", "b")
	wantA, wantB := queueEvents(t, st, "a", 20), queueEvents(t, st, "b", 20)
	if err := st.Settle(context.Background()); err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	defer mu.Unlock()
	want := append(wantA, wantB...)
	slices.Sort(seen)
	slices.Sort(want)
	if !slices.Equal(seen, want) {
		t.Fatalf("AfterPut saw %d events, want %d", len(seen), len(want))
	}
}

// TestQueuedEventsDropped: a queued write that fails is logged and
// dropped, and does not hold up the others or the reads.
func TestQueuedEventsDropped(t *testing.T) {
	var logs bytes.Buffer
	st := openOn(t, vfs.NewMem(), Options{Logger: slog.New(slog.NewTextHandler(&logs, nil))})
	defer st.Close()
	createStream(t, st, "s")
	queueEvents(t, st, "missing", 1)
	want := queueEvents(t, st, "s", 3)
	got, err := asyncReaders["Scan"](context.Background(), st, "s")
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(got, want) {
		t.Fatalf("read %q, want %q", got, want)
	}
	if l := logs.String(); !strings.Contains(l, "queued log events dropped") || !strings.Contains(l, "stream=missing") || !strings.Contains(l, "events=3") {
		t.Fatalf("log: %s", l)
	}
}

// TestCloseCommitsQueuedEvents: Close writes what is queued; later puts
// fail.
func TestCloseCommitsQueuedEvents(t *testing.T) {
	dir := t.TempDir()
	st, err := Open(dir, Options{MinFreeBytes: -1})
	if err != nil {
		t.Fatal(err)
	}
	createStream(t, st, "s")
	want := queueEvents(t, st, "s", 100)
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}
	if err := st.PutEventsAsync("r", "g", "s", []Event{{Timestamp: 1, Message: []byte("late")}}); err == nil {
		t.Fatal("PutEventsAsync after Close succeeded")
	}
	st, err = Open(dir, Options{MinFreeBytes: -1})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	got, err := asyncReaders["Events"](context.Background(), st, "s")
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(got, want) {
		t.Fatalf("after reopening: %d events, want %d", len(got), len(want))
	}
}

// TestSettleAllocatesNothing: with nothing queued, the wait every read
// makes costs no allocation.
func TestSettleAllocatesNothing(t *testing.T) {
	st := openOn(t, vfs.NewMem(), Options{})
	defer st.Close()
	createStream(t, st, "s")
	queueEvents(t, st, "s", 3)
	ctx := context.Background()
	if n := testing.AllocsPerRun(100, func() {
		if err := st.Settle(ctx); err != nil {
			t.Fatal(err)
		}
	}); n != 0 {
		t.Fatalf("Settle: %v allocations, want 0", n)
	}
}
