package store_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/lambdalog/lambdalog/cmd/lambdalog/internal/store"
)

type modelEvent struct {
	pos store.Position
	msg string
}

// TestEventsMatchModelWithOverlappingBatches writes batches whose time
// ranges overlap (as concurrent writers' do), some unsorted, with gaps
// wider than a chunk's span, and checks every read, forward and backward,
// with time bounds and After/Before positions, against a sorted model.
func TestEventsMatchModelWithOverlappingBatches(t *testing.T) {
	ctx := context.Background()
	st, err := store.Open("", store.Options{InMemory: true, SweepInterval: -1})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if _, err := st.CreateGroup(ctx, "r", store.Group{Name: "g"}); err != nil {
		t.Fatal(err)
	}
	if err := st.CreateStream(ctx, "r", "g", "s"); err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(1, 2))
	base := time.Now().Add(-time.Hour).UnixMilli()
	var model []modelEvent
	written := map[string]int64{} // message -> timestamp
	for b := range 60 {
		n := 1 + rng.IntN(700)
		start := base + rng.Int64N(20_000)
		step := []int64{0, 1, 3, 700, 2500}[rng.IntN(5)] // 0: equal timestamps; 2500: wider than a chunk
		batch := make([]store.Event, n)
		for i := range batch {
			batch[i] = store.Event{Timestamp: start + int64(i)*step + rng.Int64N(2), Message: []byte(fmt.Sprintf("b%d-e%d", b, i))}
		}
		for _, e := range batch {
			written[string(e.Message)] = e.Timestamp
		}
		if b%7 == 3 {
			rng.Shuffle(len(batch), func(i, j int) { batch[i], batch[j] = batch[j], batch[i] })
		}
		if _, err := st.PutEvents(ctx, "r", "g", "s", batch); err != nil {
			t.Fatal(err)
		}
	}
	// Read everything once to learn the positions the store assigned.
	it, err := st.Events(ctx, "r", "g", "s", store.Range{})
	if err != nil {
		t.Fatal(err)
	}
	for it.Next() {
		e := it.Event()
		model = append(model, modelEvent{e.Position(), string(e.Message)})
	}
	if err := it.Close(); err != nil {
		t.Fatal(err)
	}
	if !slices.IsSortedFunc(model, func(a, b modelEvent) int { return cmpPos(a.pos, b.pos) }) {
		t.Fatal("forward read is not in (timestamp, seq) order")
	}
	seen := map[string]bool{}
	for _, m := range model {
		if ts, ok := written[m.msg]; !ok || ts != m.pos.Timestamp || seen[m.msg] {
			t.Fatalf("read %q at %d: written %v at %d, seen before %v", m.msg, m.pos.Timestamp, ok, ts, seen[m.msg])
		}
		seen[m.msg] = true
	}
	if len(seen) != len(written) {
		t.Fatalf("read %d events, wrote %d", len(seen), len(written))
	}
	pick := func() store.Position { return model[rng.IntN(len(model))].pos }
	for q := range 400 {
		var r store.Range
		if rng.IntN(2) == 0 {
			r.Start = pick().Timestamp + rng.Int64N(3) - 1
		}
		if rng.IntN(2) == 0 {
			r.End = pick().Timestamp + rng.Int64N(3) - 1
		}
		if rng.IntN(3) == 0 {
			p := pick()
			r.After = &p
		}
		if rng.IntN(3) == 0 {
			p := pick()
			r.Before = &p
		}
		r.Reverse = rng.IntN(2) == 0
		var want []string
		for _, m := range model {
			if m.pos.Timestamp < r.Start || r.End > 0 && m.pos.Timestamp >= r.End ||
				r.After != nil && cmpPos(m.pos, *r.After) <= 0 || r.Before != nil && cmpPos(m.pos, *r.Before) >= 0 {
				continue
			}
			want = append(want, m.msg)
		}
		if r.Reverse {
			slices.Reverse(want)
		}
		it, err := st.Events(ctx, "r", "g", "s", r)
		if err != nil {
			t.Fatal(err)
		}
		got := collect(t, it)
		if !slices.Equal(got, want) {
			t.Fatalf("query %d %+v: got %d events, want %d", q, r, len(got), len(want))
		}
	}
}

func cmpPos(a, b store.Position) int {
	if a.Timestamp != b.Timestamp {
		if a.Timestamp < b.Timestamp {
			return -1
		}
		return 1
	}
	if a.Seq != b.Seq {
		if a.Seq < b.Seq {
			return -1
		}
		return 1
	}
	return 0
}
