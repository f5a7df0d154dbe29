package cwlogs

import (
	"cmp"
	"slices"
	"time"
)

// entry locates one event inside a segment's arena.
type entry struct {
	ts  int64 // epoch milliseconds
	off int32
	n   int32
}

// segment is a pre-allocated arena that holds exactly one future
// PutLogEvents batch. Invariants: len(ents) <= MaxBatchEvents;
// size == len(buf) + EventOverhead*len(ents) <= MaxBatchBytes;
// maxTS-minTS <= MaxBatchSpan. A segment is only written while it is the
// client's current segment; once sealed it is immutable until it is recycled,
// which lets senders alias its bytes without copying.
type segment struct {
	seq     uint64 // order of sealing, used by Flush
	buf     []byte
	ents    []entry
	minTS   int64
	maxTS   int64
	firstAt time.Duration // when the first event arrived, since Client.epoch
}

func newSegment() *segment {
	return &segment{
		buf:  make([]byte, 0, MaxBatchBytes),
		ents: make([]entry, 0, 1024),
	}
}

func (s *segment) size() int { return len(s.buf) + EventOverhead*len(s.ents) }

// fits reports whether an event of n message bytes at ts can join s.
func (s *segment) fits(ts int64, n int) bool {
	if len(s.ents) == 0 {
		return true
	}
	if len(s.ents) >= MaxBatchEvents || s.size()+n+EventOverhead > MaxBatchBytes {
		return false
	}
	span := MaxBatchSpan.Milliseconds()
	return max(s.maxTS, ts)-min(s.minTS, ts) <= span
}

// add appends an event; the caller has checked fits.
func (s *segment) add(ts int64, msg []byte) {
	if len(s.ents) == 0 {
		s.minTS, s.maxTS = ts, ts
	} else {
		s.minTS, s.maxTS = min(s.minTS, ts), max(s.maxTS, ts)
	}
	s.ents = append(s.ents, entry{ts: ts, off: int32(len(s.buf)), n: int32(len(msg))})
	s.buf = append(s.buf, msg...)
}

// sort puts the events in chronological order, keeping write order for
// equal timestamps, as PutLogEvents requires.
func (s *segment) sort() {
	if slices.IsSortedFunc(s.ents, cmpEntry) {
		return
	}
	slices.SortStableFunc(s.ents, cmpEntry)
}

func cmpEntry(a, b entry) int { return cmp.Compare(a.ts, b.ts) }

func (s *segment) message(e entry) []byte { return s.buf[e.off : e.off+e.n] }

func (s *segment) reset() {
	s.buf = s.buf[:0]
	s.ents = s.ents[:0]
}
