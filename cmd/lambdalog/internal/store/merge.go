package store

import (
	"context"
	"errors"
	"slices"
)

// MergeIter yields the events of several streams interleaved in
// (timestamp, seq) order. It keeps one iterator per stream and a heap of
// their current events, so memory does not grow with the data.
type MergeIter struct {
	heap    []eventSource
	advance eventSource // source whose event was returned last
	err     error
}

// StreamSelector chooses the streams of a merged read: Names when
// non-empty, otherwise every stream whose name starts with Prefix.
type StreamSelector struct {
	Names  []string
	Prefix string
}

// MergedEvents returns the events of the selected streams of a group that
// satisfy match (nil matches everything), forward in (timestamp, seq)
// order. match receives the raw message bytes and must not retain them;
// with a match function and several streams, streams are scanned in
// parallel goroutines, so match must be safe for concurrent use.
// Streams named in sel that do not exist are skipped.
func (s *Store) MergedEvents(ctx context.Context, region, group string, sel StreamSelector, r Range, match func([]byte) bool) (*MergeIter, error) {
	if err := s.Settle(ctx); err != nil {
		return nil, err
	}
	g, err := s.Group(ctx, region, group)
	if err != nil {
		return nil, err
	}
	var streams []Stream
	if len(sel.Names) > 0 {
		for _, n := range sel.Names {
			st, err := s.stream(g.ID, n)
			if errors.Is(err, ErrStreamNotFound) {
				continue
			}
			if err != nil {
				return nil, err
			}
			streams = append(streams, st)
		}
	} else if err := s.eachStream(g.ID, sel.Prefix, func(st Stream) bool {
		streams = append(streams, st)
		return true
	}); err != nil {
		return nil, err
	}
	streams = slices.DeleteFunc(streams, func(st Stream) bool { return !st.HasEvents })
	parallel := match != nil && len(streams) > 1
	r.Reverse = false
	m := &MergeIter{}
	for _, st := range streams {
		it, err := s.streamIter(ctx, &g, st, r, match)
		if err != nil {
			m.Close()
			return nil, err
		}
		var src eventSource = it
		if parallel {
			src = prefetch(it)
		}
		if src.Next() {
			m.heap = append(m.heap, src)
		} else if err := src.Close(); err != nil {
			m.Close()
			return nil, err
		}
	}
	for i := len(m.heap)/2 - 1; i >= 0; i-- {
		m.down(i)
	}
	return m, nil
}

func less(a, b eventSource) bool {
	ea, eb := a.Event(), b.Event()
	if ea.Timestamp != eb.Timestamp {
		return ea.Timestamp < eb.Timestamp
	}
	return ea.Seq < eb.Seq
}

func (m *MergeIter) down(i int) { siftDown(m.heap, i, less) }

// Next advances to the next event and reports whether there is one.
func (m *MergeIter) Next() bool {
	if m.advance != nil {
		if m.advance.Next() {
			m.down(0)
		} else {
			if err := m.advance.Close(); err != nil && m.err == nil {
				m.err = err
			}
			last := len(m.heap) - 1
			m.heap[0] = m.heap[last]
			m.heap = m.heap[:last]
			if len(m.heap) > 0 {
				m.down(0)
			}
		}
		m.advance = nil
	}
	if len(m.heap) == 0 || m.err != nil {
		return false
	}
	m.advance = m.heap[0]
	return true
}

// Event returns the current event; valid until the next call to Next.
func (m *MergeIter) Event() *EventView { return m.heap[0].Event() }

// Close releases all iterators and reports the first read error.
func (m *MergeIter) Close() error {
	for _, it := range m.heap {
		if err := it.Close(); err != nil && m.err == nil {
			m.err = err
		}
	}
	m.heap = nil
	return m.err
}
