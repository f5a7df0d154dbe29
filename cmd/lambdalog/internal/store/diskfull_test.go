package store_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/lambdalog/lambdalog/cmd/lambdalog/internal/store"
	"github.com/lambdalog/lambdalog/cmd/lambdalog/internal/tmpfs"
	"github.com/lambdalog/lambdalog/internal/testserver"
)

const mib = 1 << 20

// textLogger returns a logger writing to b, for checking what a store logs.
func textLogger(b *testserver.Buffer) *slog.Logger { return slog.New(slog.NewTextHandler(b, nil)) }

// guard runs call on its own goroutine and fails the test if it does not
// return within a minute: a hang must fail the test, not freeze it.
func guard[T any](t *testing.T, what string, call func() (T, error)) (T, error) {
	t.Helper()
	type result struct {
		v   T
		err error
	}
	done := make(chan result, 1)
	go func() {
		v, err := call()
		done <- result{v, err}
	}()
	select {
	case r := <-done:
		return r.v, r.err
	case <-time.After(time.Minute):
		t.Fatalf("%s hangs", what)
		panic("unreachable")
	}
}

// available returns the bytes available on the file system holding dir.
func available(t *testing.T, dir string) int64 {
	t.Helper()
	var st syscall.Statfs_t
	if err := syscall.Statfs(dir, &st); err != nil {
		t.Fatal(err)
	}
	return int64(st.Bavail) * st.Bsize
}

// noise is incompressible text that events take their bodies from, as real
// log lines are not.
var noise = func() []byte {
	b := make([]byte, 1<<16)
	x := uint32(1)
	for i := range b {
		x ^= x << 13
		x ^= x >> 17
		x ^= x << 5
		b[i] = 'a' + byte(x%26)
	}
	return b
}()

// event returns event i of batch b: 1 KiB whose message names its batch
// and index, with a body of noise that depends on both.
func event(b, i int) store.Event {
	m := fmt.Appendf(make([]byte, 0, 1024), "batch=%06d event=%04d ", b, i)
	off := (b*7919 + i*104729) % (len(noise) - 1024)
	m = append(m, noise[off:off+1024-len(m)]...)
	return store.Event{Timestamp: int64(b<<12 + i), Message: m}
}

// batch returns the first n events of batch b.
func batch(b, n int) []store.Event {
	evs := make([]store.Event, n)
	for i := range evs {
		evs[i] = event(b, i)
	}
	return evs
}

// countEvents reads a stream, checks that every event is one that event
// made, intact, and returns how many there are.
func countEvents(t *testing.T, st *store.Store, group, stream string) int {
	t.Helper()
	it, err := guard(t, "Events", func() (*store.EventIter, error) {
		return st.Events(context.Background(), "r", group, stream, store.Range{})
	})
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	var bad error
	for bad == nil && it.Next() {
		e := it.Event()
		var b, i int
		if _, err := fmt.Sscanf(string(e.Message), "batch=%d event=%d ", &b, &i); err != nil {
			bad = fmt.Errorf("event %d: %q: %v", n, e.Message[:min(len(e.Message), 40)], err)
		} else if want := event(b, i); e.Timestamp != want.Timestamp || !bytes.Equal(e.Message, want.Message) {
			bad = fmt.Errorf("event %d of batch %d is damaged", i, b)
		}
		n++
	}
	if err := errors.Join(bad, it.Close()); err != nil {
		t.Fatal(err)
	}
	return n
}

// TestDiskFullRefusesWritesUntilSpaceReturns fills a 512 MiB tmpfs through
// the store until the floor refuses writes, and checks that the refusal is
// ErrDiskFull, comes before the disk is full and never hangs; that below
// the floor every write that adds data is refused while reads, deletes and
// the retention sweep answer; that writes resume by themselves once space
// is freed, by removing a file or by deleting a log group; that every
// acknowledged event is there after a restart; and that Pebble itself never
// met the full disk (nothing logged at ERROR).
func TestDiskFullRefusesWritesUntilSpaceReturns(t *testing.T) {
	ctx := context.Background()
	// Pebble preallocates each write-ahead log at 1.1 memtables (35 MiB)
	// and keeps up to five for reuse, so the store takes about 200 MiB
	// before its data, and its free space moves by a log's size as logs are
	// reused or deleted; the floor leaves room for the flushes in flight.
	dir := tmpfs.Mount(t, 512*mib)
	const floor = 128 * mib
	filler := filepath.Join(dir, "filler")
	if err := os.WriteFile(filler, make([]byte, 96*mib), 0o600); err != nil {
		t.Fatal(err)
	}
	data := filepath.Join(dir, "data")
	var logs testserver.Buffer
	opts := store.Options{SweepInterval: -1, MinFreeBytes: floor, Logger: textLogger(&logs)}
	st, err := store.Open(data, opts)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { st.Close() }()
	reopen := func(o store.Options) {
		t.Helper()
		if err := st.Close(); err != nil {
			t.Fatal(err)
		}
		if st, err = store.Open(data, o); err != nil {
			t.Fatal(err)
		}
	}
	for _, g := range []string{"g", "g2", "other"} {
		if _, err := st.CreateGroup(ctx, "r", store.Group{Name: g, RetentionDays: map[bool]int32{true: 1}[g == "other"]}); err != nil {
			t.Fatal(err)
		}
		if err := st.CreateStream(ctx, "r", g, "s"); err != nil {
			t.Fatal(err)
		}
	}
	if err := st.CreateStream(ctx, "r", "other", "s2"); err != nil {
		t.Fatal(err)
	}
	// Events from 1970, for the retention sweep of "other" to delete.
	if _, err := st.PutEvents(ctx, "r", "other", "s", batch(0, 10)); err != nil {
		t.Fatal(err)
	}
	const perBatch = 500
	put := func(group string, b int) error {
		_, err := guard(t, fmt.Sprintf("PutEvents of batch %d", b), func() (int64, error) {
			return st.PutEvents(ctx, "r", group, "s", batch(b, perBatch))
		})
		return err
	}
	// fill writes batches from b on to group until the floor refuses one
	// and returns the number of the refused batch.
	fill := func(group string, b int) int {
		for first := b; ; b++ {
			err := put(group, b)
			if errors.Is(err, store.ErrDiskFull) {
				t.Logf("%s: refused after %d batches (%d MiB): %v", group, b-first, (b-first)*perBatch/1024, err)
				if b-first < 20 {
					t.Fatalf("only %d batches before the refusal", b-first)
				}
				if free := available(t, dir); free < floor/2 {
					t.Fatalf("the refusal came late: %d MiB available", free/mib)
				}
				return b
			}
			if err != nil {
				t.Fatalf("batch %d: want success or ErrDiskFull, got %v", b, err)
			}
			if b-first > 2000 {
				t.Fatal("1000 MiB of events without a refusal")
			}
		}
	}
	acked := fill("g", 0)

	// Below the floor, every write that adds data is refused; reads,
	// deletes and the sweep answer. The floor is raised past the disk's
	// size for this: around any floor the free space moves by tens of MiB
	// as Pebble reuses or deletes its logs (a restart deletes them all).
	below := opts
	below.MinFreeBytes = 1024 * mib
	reopen(below)
	for name, call := range map[string]func() error{
		"PutEvents":    func() error { return put("g", acked) },
		"CreateGroup":  func() error { _, err := st.CreateGroup(ctx, "r", store.Group{Name: "new"}); return err },
		"CreateStream": func() error { return st.CreateStream(ctx, "r", "g", "new") },
		"UpdateGroup": func() error {
			return st.UpdateGroup(ctx, "r", "g", func(g *store.Group) error { g.RetentionDays = 3; return nil })
		},
		"PutFilter": func() error {
			_, err := st.PutFilter(ctx, "r", store.MetricFilter, store.Filter{Group: "g", Name: "f", Pattern: "ERROR"}, nil)
			return err
		},
	} {
		if _, err := guard(t, name, func() (struct{}, error) { return struct{}{}, call() }); !errors.Is(err, store.ErrDiskFull) {
			t.Errorf("%s below the floor: %v, want ErrDiskFull", name, err)
		}
	}
	if n := countEvents(t, st, "g", "s"); n != acked*perBatch {
		t.Fatalf("read %d events below the floor, want %d", n, acked*perBatch)
	}
	for _, c := range []struct {
		name string
		call func() error
	}{
		{"Sweep", func() error { return st.Sweep(ctx) }},
		{"DeleteStream", func() error { return st.DeleteStream(ctx, "r", "other", "s2") }},
		{"DeleteGroup", func() error { return st.DeleteGroup(ctx, "r", "other") }},
	} {
		if _, err := guard(t, c.name, func() (struct{}, error) { return struct{}{}, c.call() }); err != nil {
			t.Errorf("%s below the floor: %v", c.name, err)
		}
	}

	// Removing a file lets writes resume at once (the floor is back at
	// 128 MiB, with the disk around it).
	reopen(opts)
	if err := os.Remove(filler); err != nil {
		t.Fatal(err)
	}
	for range 5 {
		if err := put("g", acked); err != nil {
			t.Fatalf("write after space was freed: %v", err)
		}
		acked++
	}
	reopen(opts)
	if n := countEvents(t, st, "g", "s"); n != acked*perBatch {
		t.Fatalf("after reopening: %d events, want %d", n, acked*perBatch)
	}
	if r := st.Recovery(); r != nil {
		t.Fatalf("a clean close left a recovery report: %v", r)
	}

	// Below the floor again, deleting a log group gives its space back once
	// Pebble has flushed the deletion and dropped the tables; writes resume.
	refused := fill("g2", 0)
	if err := st.DeleteGroup(ctx, "r", "g"); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	for errors.Is(put("g2", refused), store.ErrDiskFull) {
		if time.Since(start) > time.Minute {
			t.Fatal("deleting a log group gave no space back within a minute")
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Logf("writes resumed %v after DeleteGroup", time.Since(start))
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}
	// The floor kept Pebble itself from meeting a full disk.
	if l := logs.String(); strings.Contains(l, "no space left") || strings.Contains(l, "level=ERROR") {
		t.Fatalf("the store logged errors:\n%s", l)
	}
}
