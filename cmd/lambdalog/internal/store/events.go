package store

import (
	"bytes"
	"cmp"
	"context"
	"fmt"
	"math"
	"slices"

	"github.com/cockroachdb/pebble/v2"
)

// Event is one log event to store.
type Event struct {
	Timestamp int64 // epoch milliseconds
	Message   []byte
}

// Ingested is what PutEvents hands to Options.AfterPut: a batch of events it
// has committed durably to one stream.
type Ingested struct {
	Region string
	// Group is the log group as PutEvents found it; its ID tells a group
	// apart from an earlier one of the same name.
	Group  Group
	Stream string
	// Events are sorted by timestamp.
	Events []Event
	// Seq is the sequence number of Events[0]; Events[i] has Seq+i, so its
	// Position is {Events[i].Timestamp, Seq+i}.
	Seq uint64
	// Millis is the ingestion time, epoch milliseconds.
	Millis int64
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
	msgBytes := 0
	for i := range events {
		msgBytes += len(events[i].Message)
	}
	// Messages, their varints (at most 5 bytes), chunk keys and headers.
	size := 64 + msgBytes + 5*len(events) + (len(events)/chunkMaxEvents+1)*(eventKeyLen+16)
	if err := s.db.Admit(size); err != nil {
		return 0, err
	}
	if !slices.IsSortedFunc(events, byTimestamp) {
		events = slices.Clone(events)
		slices.SortStableFunc(events, byTimestamp)
	}
	seq, err := s.reserveIDs(uint64(len(events)))
	if err != nil {
		return 0, err
	}
	b := s.db.NewBatchWithSize(size)
	defer b.Close()
	stats := streamStats{
		first: events[0].Timestamp, last: events[len(events)-1].Timestamp,
		lastIngestion: ingest, storedBytes: int64(msgBytes), events: int64(len(events)),
	}
	for i := 0; i < len(events); {
		n, vlen := chunkLen(events[i:])
		op := b.SetDeferred(eventKeyLen, vlen)
		appendEventKey(op.Key[:0], st.ID, events[i].Timestamp, seq+uint64(i))
		if v := appendChunk(op.Value[:0], ingest, events[i:i+n], s.flat); len(v) != vlen {
			return 0, fmt.Errorf("store: put events: chunk of %d bytes, want %d", len(v), vlen)
		}
		if err := op.Finish(); err != nil {
			return 0, fmt.Errorf("store: put events: %w", err)
		}
		i += n
	}
	if err := b.Merge(statsKey(st.ID), stats.encode(), nil); err != nil {
		return 0, fmt.Errorf("store: put events: %w", err)
	}
	if err := s.db.Commit(b); err != nil {
		return 0, fmt.Errorf("store: commit events: %w", err)
	}
	if s.afterPut != nil {
		s.afterPut(ctx, Ingested{Region: region, Group: g, Stream: stream, Events: events, Seq: seq, Millis: ingest})
	}
	return ingest, nil
}

func byTimestamp(a, b Event) int { return cmp.Compare(a.Timestamp, b.Timestamp) }

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
	// Flat is what Options.FlatJSON said of the message when it was
	// stored (false for events stored before the store kept it).
	Flat bool
}

// Position returns the event's position.
func (e *EventView) Position() Position { return Position{Timestamp: e.Timestamp, Seq: e.Seq} }

// EventIter iterates the events of one stream in (timestamp, seq) order.
// It holds one Pebble iterator and the chunks it is reading (usually one;
// more where concurrent writers' batches overlap in time), never the
// stream.
type EventIter struct {
	it      *pebble.Iterator
	reverse bool
	started bool
	more    bool // it is positioned on a chunk not yet opened
	match   func([]byte) bool
	lo, hi  Position // events in [lo, hi)
	open    []*chunk // heap of opened chunks with events left, by next event
	free    []*chunk
	cur     *chunk // chunk of the event returned last
	ev      EventView
	err     error
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

var (
	minPosition = Position{Timestamp: math.MinInt64}
	maxPosition = Position{Timestamp: math.MaxInt64, Seq: math.MaxUint64}
)

func (s *Store) streamIter(ctx context.Context, g *Group, st Stream, r Range, match func([]byte) bool) (*EventIter, error) {
	if err := s.Settle(ctx); err != nil {
		return nil, err
	}
	lo, hi := minPosition, maxPosition
	if start := max(r.Start, g.retentionCutoff(s.nowMillis())); start > 0 {
		lo = Position{Timestamp: start}
	}
	if r.After != nil && lo.less(r.After.Next()) {
		lo = r.After.Next()
	}
	if r.End > 0 {
		hi = Position{Timestamp: r.End}
	}
	if r.Before != nil && r.Before.less(hi) {
		hi = *r.Before
	}
	lower, upper := eventStreamBounds(st.ID)
	// A chunk holding events at or after lo starts at most chunkSpan
	// earlier; one starting at or after hi holds nothing before hi.
	if lo.Timestamp > math.MinInt64+chunkSpan {
		lower = appendEventKey(nil, st.ID, lo.Timestamp-chunkSpan, 0)
	}
	if hi != maxPosition {
		upper = appendEventKey(nil, st.ID, hi.Timestamp, hi.Seq)
	}
	if !lo.less(hi) || bytes.Compare(lower, upper) > 0 {
		upper = lower
	}
	it, err := s.db.NewIterWithContext(ctx, &pebble.IterOptions{LowerBound: lower, UpperBound: upper})
	if err != nil {
		return nil, fmt.Errorf("store: read stream %q: %w", st.Name, err)
	}
	if err := s.Settle(ctx); err != nil {
		it.Close()
		return nil, err
	}
	return &EventIter{it: it, reverse: r.Reverse, match: match, lo: lo, hi: hi, ev: EventView{Stream: st.Name}}, nil
}

// head returns c's next event in the iteration order.
func (e *EventIter) head(c *chunk) *chunkEvent {
	if e.reverse {
		return &c.evs[len(c.evs)-1-c.i]
	}
	return &c.evs[c.i]
}

// before reports whether a's next event comes before b's in the iteration order.
func (e *EventIter) before(a, b *chunk) bool {
	if e.reverse {
		return e.head(b).pos.less(e.head(a).pos)
	}
	return e.head(a).pos.less(e.head(b).pos)
}

// mayPrecede reports whether the unopened chunk starting at first may hold
// an event that comes no later than p in the iteration order. Forward,
// chunks arrive by first position; backward, by first position descending,
// and a chunk's events lie within chunkSpan of its first timestamp.
func (e *EventIter) mayPrecede(first, p Position) bool {
	if e.reverse {
		return p.Timestamp <= first.Timestamp || uint64(p.Timestamp-first.Timestamp) <= chunkSpan
	}
	return !p.less(first)
}

// Next advances to the next event and reports whether there is one.
func (e *EventIter) Next() bool {
	if e.err != nil {
		return false
	}
	if c := e.cur; c != nil {
		e.cur = nil
		if c.i++; c.i < len(c.evs) {
			e.down(0)
		} else {
			e.pop()
		}
	}
	if !e.started {
		e.started = true
		if e.reverse {
			e.more = e.it.Last()
		} else {
			e.more = e.it.First()
		}
	}
	for e.more {
		k := e.it.Key()
		if len(k) != eventKeyLen {
			e.err = errCorruptChunk
			return false
		}
		ts, seq := decodeEventKey(k)
		first := Position{Timestamp: ts, Seq: seq}
		if len(e.open) > 0 && !e.mayPrecede(first, e.head(e.open[0]).pos) {
			break
		}
		c := e.newChunk()
		v, err := e.it.ValueAndErr()
		if err == nil {
			err = c.decode(first, v, e.lo, e.hi, e.match)
		}
		if err != nil {
			e.err = err
			return false
		}
		if len(c.evs) > 0 {
			e.push(c)
		} else {
			e.free = append(e.free, c)
		}
		if e.reverse {
			e.more = e.it.Prev()
		} else {
			e.more = e.it.Next()
		}
	}
	if len(e.open) == 0 {
		return false
	}
	c := e.open[0]
	h := e.head(c)
	e.cur = c
	e.ev.Timestamp, e.ev.Seq = h.pos.Timestamp, h.pos.Seq
	e.ev.IngestionTime = c.ingest
	e.ev.Message = c.buf[h.start:h.end:h.end]
	e.ev.Flat = h.flat
	return true
}

func (e *EventIter) newChunk() *chunk {
	if n := len(e.free); n > 0 {
		c := e.free[n-1]
		e.free = e.free[:n-1]
		return c
	}
	return &chunk{}
}

func (e *EventIter) push(c *chunk) {
	e.open = append(e.open, c)
	for i := len(e.open) - 1; i > 0; {
		p := (i - 1) / 2
		if !e.before(e.open[i], e.open[p]) {
			break
		}
		e.open[i], e.open[p] = e.open[p], e.open[i]
		i = p
	}
}

func (e *EventIter) pop() {
	last := len(e.open) - 1
	e.free = append(e.free, e.open[0])
	e.open[0] = e.open[last]
	e.open = e.open[:last]
	if last > 0 {
		e.down(0)
	}
}

func (e *EventIter) down(i int) { siftDown(e.open, i, e.before) }

// Event returns the current event; valid until the next call to Next.
func (e *EventIter) Event() *EventView { return &e.ev }

// Close releases the iterator and reports any read error.
func (e *EventIter) Close() error {
	err := e.it.Close()
	if e.err != nil {
		err = e.err
	}
	if err != nil {
		return fmt.Errorf("store: read events: %w", err)
	}
	return nil
}
