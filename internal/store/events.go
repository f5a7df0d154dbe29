package store

import (
	"bytes"
	"context"
	"encoding/binary"
	"fmt"
	"math"

	"github.com/cockroachdb/pebble/v2"
)

// Event is one log event to store.
type Event struct {
	Timestamp int64 // epoch milliseconds
	Message   []byte
}

// PutEvents durably appends events to a stream and returns their
// ingestion time (epoch ms). Events need not be sorted; any number of
// callers may write to the same stream concurrently. It returns only after
// the events are synced to the write-ahead log.
func (s *Store) PutEvents(ctx context.Context, region, group, stream string, events []Event) (int64, error) {
	g, err := s.Group(ctx, region, group)
	if err != nil {
		return 0, err
	}
	st, err := s.streamRecord(g.ID, stream)
	if err != nil {
		return 0, err
	}
	ingest := s.nowMillis()
	if len(events) == 0 {
		return ingest, nil
	}
	seq, err := s.reserveIDs(uint64(len(events)))
	if err != nil {
		return 0, err
	}
	size := 64
	for i := range events {
		size += eventKeyLen + 8 + len(events[i].Message) + 16
	}
	b := s.db.NewBatchWithSize(size)
	defer b.Close()
	stats := emptyStats()
	stats.lastIngestion = ingest
	for i := range events {
		e := &events[i]
		op := b.SetDeferred(eventKeyLen, 8+len(e.Message))
		appendEventKey(op.Key[:0], st.ID, e.Timestamp, seq+uint64(i))
		binary.BigEndian.PutUint64(op.Value, uint64(ingest))
		copy(op.Value[8:], e.Message)
		if err := op.Finish(); err != nil {
			return 0, fmt.Errorf("store: put events: %w", err)
		}
		stats.first = min(stats.first, e.Timestamp)
		stats.last = max(stats.last, e.Timestamp)
		stats.storedBytes += int64(len(e.Message))
	}
	if err := b.Merge(statsKey(st.ID), stats.encode(), nil); err != nil {
		return 0, fmt.Errorf("store: put events: %w", err)
	}
	if err := b.Commit(pebble.Sync); err != nil {
		return 0, fmt.Errorf("store: commit events: %w", err)
	}
	return ingest, nil
}

// Position identifies an event within the store-wide (timestamp, seq)
// order. It is used to resume reads.
type Position struct {
	Timestamp int64
	Seq       uint64
}

// Next returns the smallest position after p.
func (p Position) Next() Position {
	if p.Seq == math.MaxUint64 {
		return Position{Timestamp: p.Timestamp + 1}
	}
	return Position{Timestamp: p.Timestamp, Seq: p.Seq + 1}
}

// Prev returns the greatest position before p.
func (p Position) Prev() Position {
	if p.Seq == 0 {
		return Position{Timestamp: p.Timestamp - 1, Seq: math.MaxUint64}
	}
	return Position{Timestamp: p.Timestamp, Seq: p.Seq - 1}
}

// Range selects events by time and position. All bounds are optional.
type Range struct {
	Start int64 // first timestamp included, ms
	End   int64 // first timestamp excluded, ms; 0 means no bound
	// After and Before exclude everything up to and including After and
	// from Before on.
	After, Before *Position
	// Reverse iterates newest first.
	Reverse bool
}

// EventView is an event read from the store. Message aliases store memory
// and is valid only until the iterator moves.
type EventView struct {
	Stream        string
	Timestamp     int64
	IngestionTime int64
	Seq           uint64
	Message       []byte
}

// Position returns the event's position.
func (e *EventView) Position() Position { return Position{Timestamp: e.Timestamp, Seq: e.Seq} }

// EventIter iterates the events of one stream in (timestamp, seq) order.
// It holds one Pebble iterator and never loads the stream into memory.
type EventIter struct {
	it      *pebble.Iterator
	reverse bool
	started bool
	match   func([]byte) bool
	ev      EventView
}

// Events returns an iterator over a stream's events in r. Events older than
// the group's retention period are never returned.
func (s *Store) Events(ctx context.Context, region, group, stream string, r Range) (*EventIter, error) {
	g, err := s.Group(ctx, region, group)
	if err != nil {
		return nil, err
	}
	st, err := s.streamRecord(g.ID, stream)
	if err != nil {
		return nil, err
	}
	return s.streamIter(ctx, &g, st, r, nil)
}

func (s *Store) streamIter(ctx context.Context, g *Group, st Stream, r Range, match func([]byte) bool) (*EventIter, error) {
	lower, upper := eventStreamBounds(st.ID)
	start := max(r.Start, g.retentionCutoff(s.nowMillis()))
	if start > 0 {
		lower = maxKey(lower, appendEventKey(nil, st.ID, start, 0))
	}
	if r.After != nil {
		n := r.After.Next()
		lower = maxKey(lower, appendEventKey(nil, st.ID, n.Timestamp, n.Seq))
	}
	if r.End > 0 {
		upper = minKey(upper, appendEventKey(nil, st.ID, r.End, 0))
	}
	if r.Before != nil {
		upper = minKey(upper, appendEventKey(nil, st.ID, r.Before.Timestamp, r.Before.Seq))
	}
	if bytes.Compare(lower, upper) > 0 {
		upper = lower
	}
	it, err := s.db.NewIterWithContext(ctx, &pebble.IterOptions{LowerBound: lower, UpperBound: upper})
	if err != nil {
		return nil, fmt.Errorf("store: read stream %q: %w", st.Name, err)
	}
	return &EventIter{it: it, reverse: r.Reverse, match: match, ev: EventView{Stream: st.Name}}, nil
}

func maxKey(a, b []byte) []byte {
	if bytes.Compare(a, b) >= 0 {
		return a
	}
	return b
}

func minKey(a, b []byte) []byte {
	if bytes.Compare(a, b) <= 0 {
		return a
	}
	return b
}

// Next advances to the next event and reports whether there is one.
func (e *EventIter) Next() bool {
	for {
		var ok bool
		switch {
		case !e.started && e.reverse:
			ok = e.it.Last()
		case !e.started:
			ok = e.it.First()
		case e.reverse:
			ok = e.it.Prev()
		default:
			ok = e.it.Next()
		}
		e.started = true
		if !ok {
			return false
		}
		k, v := e.it.Key(), e.it.Value()
		if len(k) != eventKeyLen || len(v) < 8 {
			continue // not an event record; cannot happen within bounds
		}
		if e.match != nil && !e.match(v[8:]) {
			continue
		}
		e.ev.Timestamp, e.ev.Seq = decodeEventKey(k)
		e.ev.IngestionTime = int64(binary.BigEndian.Uint64(v))
		e.ev.Message = v[8:]
		return true
	}
}

// Event returns the current event; valid until the next call to Next.
func (e *EventIter) Event() *EventView { return &e.ev }

// Close releases the iterator and reports any read error.
func (e *EventIter) Close() error {
	if err := e.it.Close(); err != nil {
		return fmt.Errorf("store: read events: %w", err)
	}
	return nil
}
