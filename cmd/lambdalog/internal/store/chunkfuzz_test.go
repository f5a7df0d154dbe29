package store

import (
	"bytes"
	"encoding/binary"
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
			v := appendChunk(nil, 42, evs[:n], flatOdd)
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
				if e.pos != want || !bytes.Equal(c.buf[e.start:e.end], evs[i].Message) || e.flat != flatOdd(evs[i].Message) {
					t.Fatalf("event %d: %+v %q flat %v, want %+v %q %v", i, e.pos, c.buf[e.start:e.end], e.flat, want, evs[i].Message, flatOdd(evs[i].Message))
				}
			}
			checkScanChunk(t, first, v)
			if n, err := readV1(v); n != 0 || err == nil {
				t.Fatalf("a reader from before flags read %d events of a chunk with flags (error %v), want none and an error", n, err)
			}
			// A chunk of the format before flags reads the same, no event flat.
			old := appendChunkV1(nil, 42, evs[:n])
			if err := c.decode(first, old, Position{Timestamp: math.MinInt64}, Position{Timestamp: math.MaxInt64}, all); err != nil {
				t.Fatal(err)
			}
			for i, e := range c.evs {
				if !bytes.Equal(c.buf[e.start:e.end], evs[i].Message) || e.flat || c.ingest != 42 {
					t.Fatalf("old format, event %d: %q flat %v ingest %d, want %q", i, c.buf[e.start:e.end], e.flat, c.ingest, evs[i].Message)
				}
			}
			checkScanChunk(t, first, old)
			evs = evs[n:]
		}
		_ = c.decode(first, raw, Position{Timestamp: math.MinInt64}, Position{Timestamp: math.MaxInt64}, nil)
		checkScanChunk(t, first, raw)
	})
}

// flatOdd is the FlatJSON of FuzzChunk: messages of odd length are flat.
func flatOdd(msg []byte) bool { return len(msg)%2 == 1 }

// appendChunkV1 appends a chunk value in the format before event flags:
// the ingestion time:8, then per event uvarint(ts - first ts), uvarint(len)
// and the message.
func appendChunkV1(dst []byte, ingest int64, evs []Event) []byte {
	dst = binary.BigEndian.AppendUint64(dst, uint64(ingest))
	for i := range evs {
		dst = binary.AppendUvarint(dst, uint64(evs[i].Timestamp-evs[0].Timestamp))
		dst = binary.AppendUvarint(dst, uint64(len(evs[i].Message)))
		dst = append(dst, evs[i].Message...)
	}
	return dst
}

// readV1 reads a chunk value as lambdalog did before event flags, and
// returns how many events it read before an error.
func readV1(v []byte) (int, error) {
	if len(v) < 8 {
		return 0, errCorruptChunk
	}
	n := 0
	for off := 8; off < len(v); n++ {
		_, n1 := binary.Uvarint(v[off:])
		if n1 <= 0 {
			return n, errCorruptChunk
		}
		off += n1
		l, n2 := binary.Uvarint(v[off:])
		if n2 <= 0 || l > uint64(len(v)-off-n2) {
			return n, errCorruptChunk
		}
		off += n2 + int(l)
	}
	return n, nil
}

// checkScanChunk reads chunk value v with a Scan's reader, forward and
// backward, and checks both against decode: the same events in opposite
// orders, or the same error.
func checkScanChunk(t *testing.T, first Position, v []byte) {
	t.Helper()
	var c chunk
	err := c.decode(first, v, Position{Timestamp: math.MinInt64}, Position{Timestamp: math.MaxInt64}, nil)
	var fwd, rev []Position
	var flats []bool
	r := reader{start: math.MinInt64, end: math.MaxInt64, fn: func(e *EventView) error {
		fwd = append(fwd, Position{Timestamp: e.Timestamp, Seq: e.Seq})
		flats = append(flats, e.Flat)
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
		if fwd[i] != e.pos || flats[i] != e.flat {
			t.Fatalf("event %d: scan %+v flat %v, decode %+v flat %v", i, fwd[i], flats[i], e.pos, e.flat)
		}
	}
}
