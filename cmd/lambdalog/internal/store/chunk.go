package store

import (
	"encoding/binary"
	"errors"
	"math"
	"math/bits"
)

// Events are stored in chunks: one Pebble key holds up to chunkMaxEvents
// consecutive events of one PutEvents call. Pebble's cost (memtable insert,
// flush, compaction, iteration) is mostly per key, so chunking divides it
// by the chunk size. A chunk's events are sorted by (timestamp, seq), and
// its timestamps lie within chunkSpan milliseconds of its first, which
// bounds how far back a reader must look for events at or after a given
// timestamp.
const (
	chunkMaxEvents = 256
	chunkMaxBytes  = 16 << 10
	chunkSpan      = 1000 // ms
)

// errCorruptChunk reports a chunk value that does not decode.
var errCorruptChunk = errors.New("store: corrupt event chunk")

// flagged marks, in the top bit of a chunk's ingestion time, a chunk whose
// events carry a flag (the format since FlatJSON): chunks written before
// have none, and their events read as not flat.
const flagged = 1 << 63

// oldReaderStop follows the header of a chunk with flags: an overflowing
// uvarint, where a lambdalog from before flags reads the first event's
// timestamp, so that it reports the chunk as corrupt instead of misreading
// it.
const oldReaderStop = "\xff\xff\xff\xff\xff\xff\xff\xff\xff\x7f"

// chunkStart is where a chunk's first event starts.
const chunkStart = 8 + len(oldReaderStop)

// appendChunk appends the value of a chunk holding the sorted events evs,
// whose seqs are consecutive from the seq in the chunk's key, flagging the
// events for which flat (if not nil) reports true:
//
//	ingestion time | 1<<63 :8, oldReaderStop:10, then per event
//	uvarint(ts - first ts), uvarint(len << 1 | flat), message
func appendChunk(dst []byte, ingest int64, evs []Event, flat func([]byte) bool) []byte {
	dst = binary.BigEndian.AppendUint64(dst, uint64(ingest)|flagged)
	dst = append(dst, oldReaderStop...)
	for i := range evs {
		n := uint64(len(evs[i].Message)) << 1
		if flat != nil && flat(evs[i].Message) {
			n |= 1
		}
		dst = binary.AppendUvarint(dst, uint64(evs[i].Timestamp-evs[0].Timestamp))
		dst = binary.AppendUvarint(dst, n)
		dst = append(dst, evs[i].Message...)
	}
	return dst
}

// chunkHeader reads a chunk value's ingestion time, whether its events
// carry the flat flag, and where its first event starts.
func chunkHeader(v []byte) (ingest int64, flags bool, start int, err error) {
	if len(v) < 8 {
		return 0, false, 0, errCorruptChunk
	}
	h := binary.BigEndian.Uint64(v)
	if h&flagged == 0 {
		return int64(h), false, 8, nil
	}
	if len(v) < chunkStart || string(v[8:chunkStart]) != oldReaderStop {
		return 0, false, 0, errCorruptChunk
	}
	return int64(h &^ flagged), true, chunkStart, nil
}

// chunkLen returns how many of the sorted events evs go into the next
// chunk, and the exact size of its value.
func chunkLen(evs []Event) (n, size int) {
	size = chunkStart
	for n < len(evs) && n < chunkMaxEvents {
		dts := uint64(evs[n].Timestamp - evs[0].Timestamp)
		if n > 0 && (size >= chunkMaxBytes || dts > chunkSpan) {
			break
		}
		size += uvarintLen(dts) + uvarintLen(uint64(len(evs[n].Message))<<1) + len(evs[n].Message)
		n++
	}
	return n, size
}

func uvarintLen(v uint64) int { return (bits.Len64(v|1) + 6) / 7 }

// chunkEvent is one event decoded from a chunk; its message is
// chunk.buf[start:end].
type chunkEvent struct {
	pos        Position
	start, end int
	flat       bool
}

// chunk is a decoded chunk being read, in either direction.
type chunk struct {
	buf    []byte // copy of the value
	ingest int64
	evs    []chunkEvent // events within the reader's bounds, sorted
	i      int          // next event to read, counting from the end when reverse
}

// decode fills c from a chunk value whose key holds first, keeping the
// events in [lo, hi) that match (nil matches all).
func (c *chunk) decode(first Position, val []byte, lo, hi Position, match func([]byte) bool) error {
	c.buf = append(c.buf[:0], val...)
	return c.index(first, lo, hi, match)
}

// decodeInPlace fills c.evs with every event of a chunk value, which c.buf
// then aliases.
func (c *chunk) decodeInPlace(first Position, val []byte) error {
	c.buf = val
	return c.index(first, Position{Timestamp: math.MinInt64}, Position{Timestamp: math.MaxInt64, Seq: math.MaxUint64}, nil)
}

// index fills c.evs from the chunk value in c.buf, as decode does.
func (c *chunk) index(first Position, lo, hi Position, match func([]byte) bool) error {
	ingest, flags, off, err := chunkHeader(c.buf)
	if err != nil {
		return err
	}
	c.evs, c.i, c.ingest = c.evs[:0], 0, ingest
	b := c.buf
	for i := uint64(0); off < len(b); i++ {
		dts, start, end, flat, err := chunkEventAt(b, off, flags)
		if err != nil {
			return err
		}
		off = end
		p := Position{Timestamp: first.Timestamp + int64(dts), Seq: first.Seq + i}
		if p.less(lo) || !p.less(hi) {
			continue
		}
		if match != nil && !match(b[start:end]) {
			continue
		}
		c.evs = append(c.evs, chunkEvent{pos: p, start: start, end: end, flat: flat})
	}
	return nil
}

// chunkEventAt decodes the event at b[off:] of a chunk value (off at or
// after the start chunkHeader gave), whose header said whether its events
// carry flags: the offset of its timestamp from the chunk's first, where
// its message lies (which is where the next event starts), and its flag.
func chunkEventAt(b []byte, off int, flags bool) (dts uint64, start, end int, flat bool, err error) {
	dts, n1 := binary.Uvarint(b[off:])
	if n1 <= 0 {
		return 0, 0, 0, false, errCorruptChunk
	}
	off += n1
	l, n2 := binary.Uvarint(b[off:])
	if flags {
		flat, l = l&1 != 0, l>>1
	}
	if n2 <= 0 || l > uint64(len(b)-off-n2) {
		return 0, 0, 0, false, errCorruptChunk
	}
	return dts, off + n2, off + n2 + int(l), flat, nil
}

// less reports whether p orders before q.
func (p Position) less(q Position) bool {
	return p.Timestamp < q.Timestamp || p.Timestamp == q.Timestamp && p.Seq < q.Seq
}
