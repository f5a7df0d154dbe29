package store

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"

	"github.com/cockroachdb/pebble/v2"
)

// Stream is a log stream's metadata and statistics.
type Stream struct {
	Name         string
	ID           uint64
	CreationTime int64
	// HasEvents reports whether events were ever stored; the event
	// timestamps below are meaningful only when it is true.
	HasEvents           bool
	FirstEventTimestamp int64
	LastEventTimestamp  int64
	LastIngestionTime   int64
	StoredBytes         int64
	// StoredEvents is the number of events stored in the stream, or -1
	// when it is unknown: for streams written by a lambdalog that did not
	// count them, and once the retention sweep has deleted events of the
	// stream. Like StoredBytes, it counts the events stored, not those
	// left: expired events hidden from reads but not yet deleted count.
	StoredEvents int64
}

// CreateStream creates a log stream in an existing group.
func (s *Store) CreateStream(ctx context.Context, region, group, name string) error {
	if err := s.db.Admit(len(name) + 64); err != nil {
		return err
	}
	s.metaMu.Lock()
	defer s.metaMu.Unlock()
	g, err := s.Group(ctx, region, group)
	if err != nil {
		return err
	}
	key := streamKey(g.ID, name)
	if _, closer, err := s.db.Get(key); err == nil {
		closer.Close()
		return ErrStreamExists
	} else if !errors.Is(err, pebble.ErrNotFound) {
		return fmt.Errorf("store: read stream %q: %w", name, err)
	}
	id, err := s.reserveIDs(1)
	if err != nil {
		return err
	}
	v := binary.BigEndian.AppendUint64(nil, id)
	v = binary.BigEndian.AppendUint64(v, uint64(s.nowMillis()))
	if err := s.db.Set(key, v, pebble.Sync); err != nil {
		return fmt.Errorf("store: create stream %q: %w", name, err)
	}
	return nil
}

// Stream returns a stream of a group with its statistics.
func (s *Store) Stream(ctx context.Context, region, group, name string) (Stream, error) {
	if err := s.Settle(ctx); err != nil {
		return Stream{}, err
	}
	g, err := s.Group(ctx, region, group)
	if err != nil {
		return Stream{}, err
	}
	return s.stream(g.ID, name)
}

func (s *Store) stream(groupID uint64, name string) (Stream, error) {
	st, err := s.streamRecord(groupID, name)
	if err != nil {
		return Stream{}, err
	}
	return st, s.loadStats(&st)
}

// streamRecord reads a stream's id and creation time, without its stats
// (whose merge operands make them slower to read).
func (s *Store) streamRecord(groupID uint64, name string) (Stream, error) {
	v, closer, err := s.db.Get(streamKey(groupID, name))
	if errors.Is(err, pebble.ErrNotFound) {
		return Stream{}, ErrStreamNotFound
	}
	if err != nil {
		return Stream{}, fmt.Errorf("store: read stream %q: %w", name, err)
	}
	defer closer.Close()
	return decodeStream(name, v)
}

func decodeStream(name string, v []byte) (Stream, error) {
	if len(v) != 16 {
		return Stream{}, fmt.Errorf("store: corrupt stream record %q", name)
	}
	return Stream{Name: name, ID: binary.BigEndian.Uint64(v), CreationTime: int64(binary.BigEndian.Uint64(v[8:]))}, nil
}

func (s *Store) loadStats(st *Stream) error { return s.loadStatsFrom(s.db, st) }

// loadStatsFrom is loadStats from r, the database or a snapshot of it.
func (s *Store) loadStatsFrom(r pebble.Reader, st *Stream) error {
	v, closer, err := r.Get(statsKey(st.ID))
	if errors.Is(err, pebble.ErrNotFound) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("store: read stream stats %q: %w", st.Name, err)
	}
	defer closer.Close()
	ss, err := decodeStats(v)
	if err != nil {
		return err
	}
	st.HasEvents = ss.first <= ss.last
	st.FirstEventTimestamp, st.LastEventTimestamp = ss.first, ss.last
	st.LastIngestionTime, st.StoredBytes, st.StoredEvents = ss.lastIngestion, ss.storedBytes, ss.events
	return nil
}

// DeleteStream deletes a log stream and its events.
func (s *Store) DeleteStream(ctx context.Context, region, group, name string) error {
	s.metaMu.Lock()
	defer s.metaMu.Unlock()
	g, err := s.Group(ctx, region, group)
	if err != nil {
		return err
	}
	st, err := s.stream(g.ID, name)
	if err != nil {
		return err
	}
	b := s.db.NewBatch()
	defer b.Close()
	s.deleteStreamOps(b, g.ID, st)
	if err := s.db.Commit(b); err != nil {
		return fmt.Errorf("store: delete stream %q: %w", name, err)
	}
	return nil
}

func (s *Store) deleteStreamOps(b *pebble.Batch, groupID uint64, st Stream) {
	lo, hi := eventStreamBounds(st.ID)
	_ = b.DeleteRange(lo, hi, nil)
	_ = b.Delete(statsKey(st.ID), nil)
	_ = b.Delete(streamKey(groupID, st.Name), nil)
}

// ListStreams calls fn for each stream of the group whose name starts with
// prefix, in name order, until fn returns false.
func (s *Store) ListStreams(ctx context.Context, region, group, prefix string, fn func(Stream) bool) error {
	if err := s.Settle(ctx); err != nil {
		return err
	}
	g, err := s.Group(ctx, region, group)
	if err != nil {
		return err
	}
	return s.eachStream(g.ID, prefix, fn)
}

func (s *Store) eachStream(groupID uint64, prefix string, fn func(Stream) bool) error {
	p := streamPrefix(groupID)
	lower := append(p[:len(p):len(p)], prefix...)
	it, err := s.db.NewIter(&pebble.IterOptions{LowerBound: lower, UpperBound: prefixEnd(lower)})
	if err != nil {
		return fmt.Errorf("store: list streams: %w", err)
	}
	defer it.Close()
	for it.First(); it.Valid(); it.Next() {
		st, err := decodeStream(string(it.Key()[len(p):]), it.Value())
		if err != nil {
			return err
		}
		if err := s.loadStats(&st); err != nil {
			return err
		}
		if !fn(st) {
			break
		}
	}
	return it.Error()
}

// GroupStoredBytes returns the sum of the stored bytes of a group's streams.
func (s *Store) GroupStoredBytes(ctx context.Context, region, group string) (int64, error) {
	var n int64
	err := s.ListStreams(ctx, region, group, "", func(st Stream) bool {
		n += st.StoredBytes
		return true
	})
	return n, err
}
