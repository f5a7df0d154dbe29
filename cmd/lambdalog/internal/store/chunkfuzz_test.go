package store

import (
	"bytes"
	"math"
	"slices"
	"testing"
)

// FuzzChunk round-trips events through a chunk value and decodes arbitrary
// bytes as a chunk, which must fail cleanly, never panic.
func FuzzChunk(f *testing.F) {
	f.Add([]byte("hello\x00world"), int64(1), uint8(3), []byte{})
	f.Add([]byte{}, int64(-5), uint8(0), []byte{0, 0, 0, 0, 0, 0, 0, 1, 0, 2, 'h', 'i'})
	f.Fuzz(func(t *testing.T, msgs []byte, ts int64, step uint8, raw []byte) {
		// Split msgs at NUL bytes into non-empty messages, timestamps step ms apart.
		var evs []Event
		for i, m := range bytes.Split(msgs, []byte{0}) {
			if len(m) > 0 {
				evs = append(evs, Event{Timestamp: ts + int64(i)*int64(step), Message: m})
			}
		}
		first := Position{Timestamp: ts, Seq: 7}
		all := func([]byte) bool { return true }
		var c chunk
		for len(evs) > 0 {
			n, size := chunkLen(evs)
			v := appendChunk(nil, 42, evs[:n])
			if len(v) != size {
				t.Fatalf("chunk of %d bytes, chunkLen said %d", len(v), size)
			}
			first.Timestamp = evs[0].Timestamp
			if err := c.decode(first, v, Position{Timestamp: math.MinInt64}, Position{Timestamp: math.MaxInt64}, all); err != nil {
				t.Fatal(err)
			}
			if len(c.evs) != n || c.ingest != 42 {
				t.Fatalf("decoded %d events (ingest %d), want %d", len(c.evs), c.ingest, n)
			}
			for i, e := range c.evs {
				want := Position{Timestamp: evs[i].Timestamp, Seq: first.Seq + uint64(i)}
				if e.pos != want || !bytes.Equal(c.buf[e.start:e.end], evs[i].Message) {
					t.Fatalf("event %d: %+v %q, want %+v %q", i, e.pos, c.buf[e.start:e.end], want, evs[i].Message)
				}
			}
			checkScanChunk(t, first, v)
			evs = evs[n:]
		}
		_ = c.decode(first, raw, Position{Timestamp: math.MinInt64}, Position{Timestamp: math.MaxInt64}, nil)
		checkScanChunk(t, first, raw)
	})
}

// checkScanChunk reads chunk value v with a Scan's reader, forward and
// backward, and checks both against decode: the same events in opposite
// orders, or the same error.
func checkScanChunk(t *testing.T, first Position, v []byte) {
	t.Helper()
	var c chunk
	err := c.decode(first, v, Position{Timestamp: math.MinInt64}, Position{Timestamp: math.MaxInt64}, nil)
	var fwd, rev []Position
	r := reader{start: math.MinInt64, end: math.MaxInt64, fn: func(e *EventView) error {
		fwd = append(fwd, Position{Timestamp: e.Timestamp, Seq: e.Seq})
		return nil
	}}
	ferr := r.chunk(first.Timestamp, first.Seq, v)
	r.fn = func(e *EventView) error {
		rev = append(rev, Position{Timestamp: e.Timestamp, Seq: e.Seq})
		return nil
	}
	rerr := r.chunkReverse(first.Timestamp, first.Seq, v)
	if (err == nil) != (ferr == nil) || (err == nil) != (rerr == nil) {
		t.Fatalf("decode: %v, scan forward: %v, backward: %v", err, ferr, rerr)
	}
	if err != nil {
		return
	}
	slices.Reverse(rev)
	if len(fwd) != len(c.evs) || !slices.Equal(fwd, rev) {
		t.Fatalf("scan forward %v, backward reversed %v, decode %d events", fwd, rev, len(c.evs))
	}
	for i, e := range c.evs {
		if fwd[i] != e.pos {
			t.Fatalf("event %d: scan %+v, decode %+v", i, fwd[i], e.pos)
		}
	}
}
