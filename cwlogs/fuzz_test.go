package cwlogs

import (
	"bytes"
	"testing"
	"time"
	"unicode/utf8"
)

// FuzzSegment feeds arbitrary records and timestamps through prepare and a
// segment and checks the PutLogEvents invariants of every batch cut.
func FuzzSegment(f *testing.F) {
	f.Add([]byte("hello"), int64(0), uint16(3))
	f.Add([]byte{0xff, 0xfe, 'a'}, int64(-86400001), uint16(40))
	f.Add(bytes.Repeat([]byte("é"), 3000), int64(86400000), uint16(2))
	seg := newSegment() // reused: the fuzz function runs serially per worker
	f.Fuzz(func(t *testing.T, rec []byte, step int64, copies uint16) {
		seg.reset()
		base := time.Now().UnixMilli()
		check := func() {
			if len(seg.ents) > MaxBatchEvents || seg.size() > MaxBatchBytes || seg.maxTS-seg.minTS > MaxBatchSpan.Milliseconds() {
				t.Fatalf("segment breaks a limit: %d events, %d bytes, span %d", len(seg.ents), seg.size(), seg.maxTS-seg.minTS)
			}
			seg.sort()
			for i, e := range seg.ents {
				if i > 0 && e.ts < seg.ents[i-1].ts {
					t.Fatal("not sorted")
				}
				if !utf8.Valid(seg.message(e)) {
					t.Fatal("invalid UTF-8 stored")
				}
			}
			seg.reset()
		}
		for i := range int(copies%16) + 1 {
			msg, _ := prepare(rec)
			if len(msg) > MaxMessageBytes || !utf8.Valid(msg) {
				t.Fatalf("prepare returned %d bytes, valid=%v", len(msg), utf8.Valid(msg))
			}
			if len(msg) == 0 {
				continue
			}
			ts := base + step*int64(i%7-3)
			if !seg.fits(ts, len(msg)) {
				check()
			}
			seg.add(ts, msg)
		}
		check()
	})
}
