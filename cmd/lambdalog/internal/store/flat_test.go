package store_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/lambdalog/lambdalog/cmd/lambdalog/internal/store"
)

// TestFlatFlag stores events with Options.FlatJSON set and checks that
// every way of reading them (Scan forward and backward, Events forward and
// backward, MergedEvents over several streams, which prefetches) gives each
// event the flag FlatJSON gave it.
func TestFlatFlag(t *testing.T) {
	ctx := context.Background()
	isFlat := func(msg []byte) bool { return len(msg) > 0 && msg[0] == '{' }
	st, err := store.Open(t.TempDir(), store.Options{SweepInterval: -1, FlatJSON: isFlat})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if _, err := st.CreateGroup(ctx, "r", store.Group{Name: "g"}); err != nil {
		t.Fatal(err)
	}
	want := map[string]bool{}
	for _, s := range []string{"a", "b"} {
		if err := st.CreateStream(ctx, "r", "g", s); err != nil {
			t.Fatal(err)
		}
		var evs []store.Event
		for i := range 700 { // several chunks
			msg := fmt.Sprintf(`{"stream":%q,"i":%d}`, s, i)
			if i%3 == 0 {
				msg = fmt.Sprintf("text %s %d", s, i)
			}
			want[msg] = isFlat([]byte(msg))
			evs = append(evs, store.Event{Timestamp: 1000 + int64(i), Message: []byte(msg)})
		}
		if _, err := st.PutEvents(ctx, "r", "g", s, evs); err != nil {
			t.Fatal(err)
		}
	}
	check := func(how string, v *store.EventView, n *int) {
		t.Helper()
		w, ok := want[string(v.Message)]
		if !ok || v.Flat != w {
			t.Fatalf("%s: %q: Flat %v, want %v", how, v.Message, v.Flat, w)
		}
		*n++
	}
	for _, reverse := range []bool{false, true} {
		n := 0
		for _, s := range []string{"a", "b"} {
			if _, err := st.Scan(ctx, "r", "g", s, store.ScanOptions{Reverse: reverse}, func(v *store.EventView) error {
				check(fmt.Sprintf("Scan (reverse %v)", reverse), v, &n)
				return nil
			}); err != nil {
				t.Fatal(err)
			}
			it, err := st.Events(ctx, "r", "g", s, store.Range{Reverse: reverse})
			if err != nil {
				t.Fatal(err)
			}
			for it.Next() {
				check(fmt.Sprintf("Events (reverse %v)", reverse), it.Event(), &n)
			}
			if err := it.Close(); err != nil {
				t.Fatal(err)
			}
		}
		if n != 2*len(want) {
			t.Fatalf("read %d events, want %d", n, 2*len(want))
		}
	}
	it, err := st.MergedEvents(ctx, "r", "g", store.StreamSelector{}, store.Range{}, func(msg []byte) bool { return true })
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for it.Next() {
		check("MergedEvents", it.Event(), &n)
	}
	if err := it.Close(); err != nil {
		t.Fatal(err)
	}
	if n != len(want) {
		t.Fatalf("MergedEvents read %d events, want %d", n, len(want))
	}
}
