package store

import (
	"context"
	"encoding/json"
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
				s.logger.Error("retention sweep failed", "err", err)
			}
		}
	}
}

// Sweep deletes every event that is older than its group's retention
// period. It runs periodically in the background; tests call it directly.
func (s *Store) Sweep(ctx context.Context) error {
	type target struct {
		groupID uint64
		cutoff  int64
	}
	var targets []target
	now := s.nowMillis()
	it, err := s.db.NewIterWithContext(ctx, &pebble.IterOptions{LowerBound: []byte{prefixGroup}, UpperBound: []byte{prefixGroup + 1}})
	if err != nil {
		return fmt.Errorf("store: sweep: %w", err)
	}
	for it.First(); it.Valid(); it.Next() {
		var g Group
		if err := json.Unmarshal(it.Value(), &g); err != nil {
			it.Close()
			return fmt.Errorf("store: sweep: decode group: %w", err)
		}
		if g.RetentionDays > 0 {
			targets = append(targets, target{g.ID, g.retentionCutoff(now)})
		}
	}
	if err := it.Close(); err != nil {
		return fmt.Errorf("store: sweep: %w", err)
	}
	for _, t := range targets {
		var delErr error
		err := s.eachStream(t.groupID, "", func(st Stream) bool {
			// Chunks starting chunkSpan before the cutoff may still hold
			// live events; reads hide their expired ones.
			lo, _ := eventStreamBounds(st.ID)
			hi := t.cutoff - chunkSpan
			if st.HasEvents && st.FirstEventTimestamp < hi && st.StoredEvents >= 0 {
				// The first deletion of events of the stream: from now on
				// how many it holds is unknown, which is recorded with it.
				b := s.db.NewBatch()
				_ = b.DeleteRange(lo, appendEventKey(nil, st.ID, hi, 0), nil)
				_ = b.Merge(statsKey(st.ID), swept().encode(), nil)
				delErr = s.db.Commit(b)
				b.Close()
			} else {
				delErr = s.db.DeleteRange(lo, appendEventKey(nil, st.ID, hi, 0), pebble.NoSync)
			}
			return delErr == nil && ctx.Err() == nil
		})
		if err = errors.Join(err, delErr); err != nil {
			return fmt.Errorf("store: sweep: %w", err)
		}
		if err := ctx.Err(); err != nil {
			return err
		}
	}
	return nil
}
