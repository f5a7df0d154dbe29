package tracestore

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/cockroachdb/pebble/v2"
)

func (s *Store) sweepLoop(interval time.Duration) {
	defer close(s.done)
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-s.stop:
			return
		case <-t.C:
			if err := s.Sweep(context.Background()); err != nil {
				s.logger.Error("tracestore: retention sweep failed", "err", err)
			}
		}
	}
}

// Sweep deletes the traces whose last document was stored longer than
// the retention period ago, and the index entries older than that. It runs
// in the background; tests call it directly.
func (s *Store) Sweep(ctx context.Context) error {
	cutoff := s.now().Add(-s.retention).UnixMilli()
	lo, hi := []byte{prefixUpdate}, timeBound(prefixUpdate, cutoff)
	it, err := s.db.NewIterWithContext(ctx, &pebble.IterOptions{LowerBound: lo, UpperBound: hi})
	if err != nil {
		return fmt.Errorf("tracestore: sweep: %w", err)
	}
	b := s.db.NewBatch()
	defer func() { b.Close() }()
	flush := func() error {
		if b.Empty() {
			return nil
		}
		err := s.db.Commit(b)
		b.Close()
		b = s.db.NewBatch()
		return err
	}
	done := map[TraceID]bool{}
	for it.First(); it.Valid(); it.Next() {
		var id TraceID
		copy(id[:], it.Key()[9:25])
		if done[id] {
			continue
		}
		done[id] = true
		latest, found, err := s.latest(id)
		if err != nil {
			it.Close()
			return err
		}
		if found && latest >= cutoff {
			continue // updated since
		}
		start, end := docRange(id)
		if err := errors.Join(b.DeleteRange(start, end, nil), b.Delete(latestKey(id), nil)); err != nil {
			it.Close()
			return fmt.Errorf("tracestore: sweep: %w", err)
		}
		if b.Count() >= 1000 {
			if err := flush(); err != nil {
				it.Close()
				return fmt.Errorf("tracestore: sweep: %w", err)
			}
		}
		if err := ctx.Err(); err != nil {
			it.Close()
			return err
		}
	}
	if err := it.Close(); err != nil {
		return fmt.Errorf("tracestore: sweep: %w", err)
	}
	if err := errors.Join(b.DeleteRange(lo, hi, nil), flush()); err != nil {
		return fmt.Errorf("tracestore: sweep: %w", err)
	}
	// Start entries of deleted traces; a trace that started before the
	// cutoff but was updated since keeps its entry.
	it, err = s.db.NewIterWithContext(ctx, &pebble.IterOptions{LowerBound: []byte{prefixStart}, UpperBound: timeBound(prefixStart, cutoff)})
	if err != nil {
		return fmt.Errorf("tracestore: sweep: %w", err)
	}
	defer it.Close()
	for it.First(); it.Valid(); it.Next() {
		var id TraceID
		copy(id[:], it.Key()[9:25])
		if _, found, err := s.latest(id); err != nil || found {
			if err != nil {
				return err
			}
			continue
		}
		if err := b.Delete(it.Key(), nil); err != nil {
			return fmt.Errorf("tracestore: sweep: %w", err)
		}
		if b.Count() >= 1000 {
			if err := flush(); err != nil {
				return fmt.Errorf("tracestore: sweep: %w", err)
			}
		}
	}
	if err := errors.Join(it.Error(), flush()); err != nil {
		return fmt.Errorf("tracestore: sweep: %w", err)
	}
	return nil
}
