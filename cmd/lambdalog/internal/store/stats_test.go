package store

import (
	"encoding/binary"
	"testing"
)

// TestStatsWithoutEventCount merges stream statistics written before
// events were counted (32 bytes) with newer ones: the event count becomes
// unknown, everything else combines as before.
func TestStatsWithoutEventCount(t *testing.T) {
	var old []byte
	for _, v := range []int64{100, 200, 1000, 50} { // first, last, last ingestion, stored bytes
		old = binary.BigEndian.AppendUint64(old, uint64(v))
	}
	newer := streamStats{first: 150, last: 300, lastIngestion: 2000, storedBytes: 70, events: 7}.encode()
	more := streamStats{first: 90, last: 120, lastIngestion: 1500, storedBytes: 5, events: 1}.encode()
	for _, order := range [][][]byte{{old, newer, more}, {newer, old, more}, {newer, more, old}} {
		m, err := statsMerger.Merge(nil, order[0])
		if err != nil {
			t.Fatal(err)
		}
		for _, v := range order[1:] {
			if err := m.MergeOlder(v); err != nil {
				t.Fatal(err)
			}
		}
		b, _, err := m.Finish(true)
		if err != nil {
			t.Fatal(err)
		}
		got, err := decodeStats(b)
		if err != nil {
			t.Fatal(err)
		}
		if want := (streamStats{first: 90, last: 300, lastIngestion: 2000, storedBytes: 125, events: -1}); got != want {
			t.Fatalf("merged %+v, want %+v", got, want)
		}
	}
	m, _ := statsMerger.Merge(nil, newer)
	m.MergeNewer(more)
	b, _, _ := m.Finish(true)
	if got, _ := decodeStats(b); got.events != 8 {
		t.Fatalf("counted stats merge to %d events, want 8", got.events)
	}
	if _, err := decodeStats(make([]byte, 36)); err == nil {
		t.Fatal("36 bytes of stats decode")
	}
}
