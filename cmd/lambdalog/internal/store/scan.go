package store

import (
	"context"
	"encoding/binary"
	"fmt"
	"math"

	"github.com/cockroachdb/pebble/v2"
)

// ScanStats counts the events a Scan read and the bytes of their messages,
// those its match rejected included.
type ScanStats struct {
	Events, Bytes int64
}

// Scan calls fn with each event of a stream whose timestamp is in
// [start, end) (end 0: no bound) and whose message match accepts (nil
// accepts all), in storage order: chunk by chunk, which is by time within a
// writer's batches but not across concurrent writers. It reads chunks in
// place, without copying them, which makes it the fastest way through a
// stream for a caller that does not need the events in order, such as a Logs
// Insights query. The view and its Message are valid only during the call;
// an error from fn stops the scan and is returned. Events older than the
// group's retention period are skipped, and not counted.
func (s *Store) Scan(ctx context.Context, region, group, stream string, start, end int64, match func([]byte) bool, fn func(*EventView) error) (stats ScanStats, err error) {
	g, err := s.Group(ctx, region, group)
	if err != nil {
		return stats, err
	}
	st, err := s.streamRecord(g.ID, stream)
	if err != nil {
		return stats, err
	}
	start = max(start, g.retentionCutoff(s.nowMillis()))
	if end <= 0 {
		end = math.MaxInt64
	}
	lower, upper := eventStreamBounds(st.ID)
	if start > math.MinInt64+chunkSpan {
		lower = appendEventKey(nil, st.ID, start-chunkSpan, 0)
	}
	if end != math.MaxInt64 {
		upper = appendEventKey(nil, st.ID, end, 0)
	}
	if start >= end {
		return stats, nil
	}
	it, err := s.db.NewIterWithContext(ctx, &pebble.IterOptions{LowerBound: lower, UpperBound: upper})
	if err != nil {
		return stats, fmt.Errorf("store: scan stream %q: %w", stream, err)
	}
	defer func() {
		if cerr := it.Close(); cerr != nil && err == nil {
			err = fmt.Errorf("store: scan stream %q: %w", stream, cerr)
		}
	}()
	view := EventView{Stream: st.Name}
	for ok := it.First(); ok; ok = it.Next() {
		k := it.Key()
		if len(k) != eventKeyLen {
			return stats, errCorruptChunk
		}
		first, seq := decodeEventKey(k)
		v, err := it.ValueAndErr()
		if err != nil {
			return stats, fmt.Errorf("store: scan stream %q: %w", stream, err)
		}
		if len(v) < 8 {
			return stats, errCorruptChunk
		}
		view.IngestionTime = int64(binary.BigEndian.Uint64(v))
		for off := 8; off < len(v); seq++ {
			dts, n1 := binary.Uvarint(v[off:])
			if n1 <= 0 {
				return stats, errCorruptChunk
			}
			off += n1
			l, n2 := binary.Uvarint(v[off:])
			if n2 <= 0 || l > uint64(len(v)-off-n2) {
				return stats, errCorruptChunk
			}
			msg := v[off+n2 : off+n2+int(l) : off+n2+int(l)]
			off += n2 + int(l)
			ts := first + int64(dts)
			if ts < start || ts >= end {
				continue
			}
			stats.Events++
			stats.Bytes += int64(len(msg))
			if match != nil && !match(msg) {
				continue
			}
			view.Timestamp, view.Seq, view.Message = ts, seq, msg
			if err := fn(&view); err != nil {
				return stats, err
			}
		}
		if err := ctx.Err(); err != nil {
			return stats, err
		}
	}
	return stats, nil
}
