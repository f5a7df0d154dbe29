package store

import (
	"context"
	"fmt"
	"testing"

	"github.com/cockroachdb/pebble/v2"
	"github.com/cockroachdb/pebble/v2/sstable"
	"github.com/cockroachdb/pebble/v2/vfs"
)

// previousOptions are the Pebble options of the log store before the format
// upgrade: no format major version (Pebble's oldest supported one), Snappy
// blocks of 32 KiB.
func previousOptions() *pebble.Options {
	po := &pebble.Options{
		Merger:                      statsMerger,
		MemTableSize:                32 << 20,
		MemTableStopWritesThreshold: 4,
		L0CompactionThreshold:       4,
		L0StopWritesThreshold:       32,
		FormatMajorVersion:          pebble.FormatMinSupported,
	}
	for i := range po.Levels {
		po.Levels[i].BlockSize = 32 << 10
		po.Levels[i].Compression = func() *sstable.CompressionProfile { return sstable.SnappyCompression }
	}
	return po
}

// formatEvents returns n events of stream s from timestamp base, one per ms.
func formatEvents(s, n int, base int64) []Event {
	evs := make([]Event, n)
	for i := range evs {
		evs[i] = Event{Timestamp: base + int64(i), Message: fmt.Appendf(nil, `{"stream":%d,"i":%d,"pad":"%0200d"}`, s, i, i)}
	}
	return evs
}

// checkFormatEvents reads every stream of group g with Scan and GetEvents and
// compares their events with want (by stream).
func checkFormatEvents(t *testing.T, st *Store, want map[string][]Event) {
	t.Helper()
	ctx := context.Background()
	for name, evs := range want {
		var got []Event
		if _, err := st.Scan(ctx, "r", "g", name, ScanOptions{}, func(v *EventView) error {
			got = append(got, Event{Timestamp: v.Timestamp, Message: append([]byte(nil), v.Message...)})
			return nil
		}); err != nil {
			t.Fatalf("scan %s: %v", name, err)
		}
		if len(got) != len(evs) {
			t.Fatalf("stream %s: %d events, want %d", name, len(got), len(evs))
		}
		for i := range evs {
			if got[i].Timestamp != evs[i].Timestamp || string(got[i].Message) != string(evs[i].Message) {
				t.Fatalf("stream %s event %d: %d %q, want %d %q", name, i, got[i].Timestamp, got[i].Message, evs[i].Timestamp, evs[i].Message)
			}
		}
		s, err := st.Stream(ctx, "r", "g", name)
		if err != nil {
			t.Fatal(err)
		}
		if s.FirstEventTimestamp != evs[0].Timestamp || s.LastEventTimestamp != evs[len(evs)-1].Timestamp {
			t.Fatalf("stream %s: stats %+v", name, s)
		}
	}
}

// tableCompressions returns the compression of every sstable, counted by name.
func tableCompressions(t *testing.T, st *Store) map[string]int {
	t.Helper()
	levels, err := st.db.SSTables(pebble.WithProperties())
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]int{}
	for _, l := range levels {
		for _, tab := range l {
			out[tab.Properties.CompressionName]++
		}
	}
	return out
}

// TestOpenPreviousFormat opens a directory written with the options of the
// log store before the format upgrade: its events read back, Open ratchets
// the directory to pebbledb.FormatMajorVersion, new events are written with
// the new compression, a compaction rewrites the old tables, and the previous
// options still open the upgraded directory.
func TestOpenPreviousFormat(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	old, err := open(dir, Options{SweepInterval: -1, MinFreeBytes: -1}, previousOptions())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := old.CreateGroup(ctx, "r", Group{Name: "g"}); err != nil {
		t.Fatal(err)
	}
	want := map[string][]Event{}
	for s := range 3 {
		name := fmt.Sprintf("s%d", s)
		if err := old.CreateStream(ctx, "r", "g", name); err != nil {
			t.Fatal(err)
		}
		want[name] = formatEvents(s, 2000, 1_000_000)
		if _, err := old.PutEvents(ctx, "r", "g", name, want[name]); err != nil {
			t.Fatal(err)
		}
	}
	if err := old.Close(); err != nil { // flushes: the events are in Snappy tables
		t.Fatal(err)
	}
	desc, err := pebble.Peek(dir, vfs.Default)
	if err != nil {
		t.Fatal(err)
	}
	if desc.FormatMajorVersion != pebble.FormatMinSupported {
		t.Fatalf("written at format %v, want %v", desc.FormatMajorVersion, pebble.FormatMinSupported)
	}

	st, err := Open(dir, Options{SweepInterval: -1, MinFreeBytes: -1})
	if err != nil {
		t.Fatal(err)
	}
	if got := st.db.FormatMajorVersion(); got != pebble.FormatTableFormatV6 {
		t.Fatalf("opened at format %v, want %v", got, pebble.FormatTableFormatV6)
	}
	if c := tableCompressions(t, st); c["Snappy"] == 0 {
		t.Fatalf("table compressions before compaction: %v, want the previous Snappy tables", c)
	}
	checkFormatEvents(t, st, want)
	// New events in an old stream and in a new one.
	more := formatEvents(0, 500, 2_000_000)
	if _, err := st.PutEvents(ctx, "r", "g", "s0", more); err != nil {
		t.Fatal(err)
	}
	want["s0"] = append(want["s0"], more...)
	if err := st.CreateStream(ctx, "r", "g", "s3"); err != nil {
		t.Fatal(err)
	}
	want["s3"] = formatEvents(3, 1000, 3_000_000)
	if _, err := st.PutEvents(ctx, "r", "g", "s3", want["s3"]); err != nil {
		t.Fatal(err)
	}
	checkFormatEvents(t, st, want)
	if err := st.db.Compact(ctx, []byte{0}, []byte{0xff}, false); err != nil {
		t.Fatal(err)
	}
	c := tableCompressions(t, st)
	if c["Snappy"] != 0 || len(c) == 0 {
		t.Fatalf("table compressions after compaction: %v, want none Snappy", c)
	}
	t.Logf("table compressions after compaction: %v", c)
	checkFormatEvents(t, st, want)
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}

	// The previous options open the upgraded directory at its format.
	old, err = open(dir, Options{SweepInterval: -1, MinFreeBytes: -1}, previousOptions())
	if err != nil {
		t.Fatalf("previous options on the upgraded directory: %v", err)
	}
	defer old.Close()
	if got := old.db.FormatMajorVersion(); got != pebble.FormatTableFormatV6 {
		t.Fatalf("previous options opened at format %v, want %v", got, pebble.FormatTableFormatV6)
	}
	checkFormatEvents(t, old, want)
}
