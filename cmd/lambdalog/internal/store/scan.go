package store

import (
	"context"
	"fmt"
	"math"

	"github.com/cockroachdb/pebble/v2"
)

// ScanStats counts the events a Scan read and the bytes of their messages,
// those its match rejected included.
type ScanStats struct {
	Events, Bytes int64
	// Unread and UnreadBytes count the events of Events that a Horizon
	// kept from being passed on (see ScanOptions.Horizon).
	Unread, UnreadBytes int64
}

// ScanOptions select the events of a Scan and their order. The zero value
// reads every event, oldest chunk first.
type ScanOptions struct {
	// Start and End bound the events' timestamps to [Start, End); End 0
	// means no bound.
	Start, End int64
	// Match, when set, sees the message of each event in the range first:
	// the events it rejects are counted but not passed on.
	Match func(message []byte) bool
	// Reverse reads the chunks newest first (by the timestamp of their
	// first event), and the events of each chunk newest first.
	Reverse bool
	// Horizon, with Reverse, is called before each chunk and returns the
	// timestamp below which the caller needs no more events
	// (math.MinInt64: it needs them all). Once every event left is older,
	// no more is passed on, and they are counted in ScanStats as Unread:
	// from the stream's stored totals, without reading them, when those
	// describe the stream's events in the range exactly (StoredEvents known,
	// every event of the stream in [Start, End) and none expired), and
	// otherwise by reading on.
	Horizon func() int64
}

// Scan calls fn with each event of a stream that o selects, in storage
// order (or its reverse): chunk by chunk, which is by time within a
// writer's batches but not across concurrent writers. It reads chunks in
// place, without copying them, which makes it the fastest way through a
// stream for a caller that does not need the events in order, such as a Logs
// Insights query. The view and its Message are valid only during the call;
// an error from fn stops the scan and is returned. Events older than the
// group's retention period are skipped, and not counted.
func (s *Store) Scan(ctx context.Context, region, group, stream string, o ScanOptions, fn func(*EventView) error) (stats ScanStats, err error) {
	if err := s.Settle(ctx); err != nil {
		return stats, err
	}
	g, err := s.Group(ctx, region, group)
	if err != nil {
		return stats, err
	}
	st, err := s.streamRecord(g.ID, stream)
	if err != nil {
		return stats, err
	}
	start, end := max(o.Start, g.retentionCutoff(s.nowMillis())), o.End
	if end <= 0 {
		end = math.MaxInt64
	}
	if start >= end {
		return stats, nil
	}
	lower, upper := eventStreamBounds(st.ID)
	if start > math.MinInt64+chunkSpan {
		lower = appendEventKey(nil, st.ID, start-chunkSpan, 0)
	}
	if end != math.MaxInt64 {
		upper = appendEventKey(nil, st.ID, end, 0)
	}
	r := reader{Reader: s.db, start: start, end: end, match: o.Match, fn: fn, view: EventView{Stream: st.Name}}
	horizon := o.Horizon
	if !o.Reverse {
		horizon = nil
	}
	if horizon != nil {
		// The stream's totals must describe the events the iterator sees.
		if err := s.db.Err(); err != nil {
			return stats, err
		}
		snap := s.db.NewSnapshot()
		defer snap.Close()
		r.Reader = snap
		if err := s.loadStatsFrom(snap, &st); err != nil {
			return stats, err
		}
	}
	it, err := r.NewIterWithContext(ctx, &pebble.IterOptions{LowerBound: lower, UpperBound: upper})
	if err != nil {
		return stats, fmt.Errorf("store: scan stream %q: %w", stream, err)
	}
	defer func() {
		if cerr := it.Close(); cerr != nil && err == nil {
			err = fmt.Errorf("store: scan stream %q: %w", stream, cerr)
		}
	}()
	if err := s.Settle(ctx); err != nil {
		return stats, err
	}
	next, ok := it.Next, it.First()
	if o.Reverse {
		next, ok = it.Prev, it.Last()
	}
	for ; ok; ok = next() {
		k := it.Key()
		if len(k) != eventKeyLen {
			return r.stats, errCorruptChunk
		}
		first, seq := decodeEventKey(k)
		if horizon != nil && r.fn != nil && first+chunkSpan < horizon() {
			// Every event left, in this chunk and the older ones, is older
			// than the horizon.
			if st.StoredEvents >= 0 && st.HasEvents && st.FirstEventTimestamp >= start && st.LastEventTimestamp < end {
				return ScanStats{Events: st.StoredEvents, Bytes: st.StoredBytes,
					Unread: st.StoredEvents - r.stats.Events, UnreadBytes: st.StoredBytes - r.stats.Bytes}, nil
			}
			r.fn, r.match = nil, nil // count the rest
		}
		v, err := it.ValueAndErr()
		if err != nil {
			return r.stats, fmt.Errorf("store: scan stream %q: %w", stream, err)
		}
		if o.Reverse {
			err = r.chunkReverse(first, seq, v)
		} else {
			err = r.chunk(first, seq, v)
		}
		if err != nil {
			return r.stats, err
		}
		if err := ctx.Err(); err != nil {
			return r.stats, err
		}
	}
	return r.stats, nil
}

// reader holds a Scan's state.
type reader struct {
	pebble.Reader
	start, end int64
	match      func([]byte) bool
	fn         func(*EventView) error // nil: count the events as Unread
	view       EventView
	stats      ScanStats
	evs        []chunkEvent // a chunk's events, for reading them backwards
}

// event passes on the event at ts with message msg, if it is in the range
// and matches.
func (r *reader) event(ts int64, seq uint64, msg []byte, flat bool) error {
	if ts < r.start || ts >= r.end {
		return nil
	}
	r.stats.Events++
	r.stats.Bytes += int64(len(msg))
	if r.fn == nil {
		r.stats.Unread++
		r.stats.UnreadBytes += int64(len(msg))
		return nil
	}
	if r.match != nil && !r.match(msg) {
		return nil
	}
	r.view.Timestamp, r.view.Seq, r.view.Message, r.view.Flat = ts, seq, msg, flat
	return r.fn(&r.view)
}

// chunk reads the events of the chunk v whose key holds first and seq, in
// order.
func (r *reader) chunk(first int64, seq uint64, v []byte) error {
	ingest, flags, off, err := chunkHeader(v)
	if err != nil {
		return err
	}
	r.view.IngestionTime = ingest
	for ; off < len(v); seq++ {
		dts, start, end, flat, err := chunkEventAt(v, off, flags)
		if err != nil {
			return err
		}
		off = end
		if err := r.event(first+int64(dts), seq, v[start:end:end], flat); err != nil {
			return err
		}
	}
	return nil
}

// chunkReverse reads the events of a chunk as chunk does, newest first.
func (r *reader) chunkReverse(first int64, seq uint64, v []byte) error {
	var c chunk
	c.evs = r.evs[:0]
	err := c.decodeInPlace(Position{Timestamp: first, Seq: seq}, v)
	r.evs = c.evs
	if err != nil {
		return err
	}
	r.view.IngestionTime = c.ingest
	for i := len(c.evs) - 1; i >= 0; i-- {
		e := &c.evs[i]
		if err := r.event(e.pos.Timestamp, e.pos.Seq, v[e.start:e.end:e.end], e.flat); err != nil {
			return err
		}
	}
	return nil
}
