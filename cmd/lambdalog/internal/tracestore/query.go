package tracestore

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"
	"time"

	"github.com/cockroachdb/pebble/v2"
)

// TimeRange is the time of a trace that a Query's range applies to.
type TimeRange uint8

const (
	// ByStart is the trace's start: the earliest start_time of its
	// documents (X-Ray's TimeRangeType TraceId).
	ByStart TimeRange = iota
	// ByUpdate is when a document of the trace was last stored (X-Ray's
	// TimeRangeType Event, and Service).
	ByUpdate
)

// Query selects traces by time, newest first.
type Query struct {
	// Start and End bound the time range, both included, to the
	// millisecond.
	Start, End time.Time
	By         TimeRange
	// Match, when set, keeps only the traces it returns true for.
	Match func(*Trace) bool
	// Limit is the most traces a Page holds; 0 means 100.
	Limit int
	// Budget bounds the time Query spends examining traces before it
	// returns a Page with a Next cursor; 0 means one second.
	Budget time.Duration
	// Cursor resumes a previous Query with the same range: its Page.Next.
	Cursor string
}

// Page is one page of a Query's traces.
type Page struct {
	Traces []*Trace
	// Scanned is how many traces were examined.
	Scanned int
	// Next resumes the query after this page; "" when the range is done.
	Next string
}

// ErrBadCursor: a Query's Cursor is not one that Query returned for the
// same kind of time range.
var ErrBadCursor = errors.New("invalid pagination token")

// Query returns the traces in the time range, newest first, in pages.
// Every trace is returned once over all the pages of a query: at the index
// entry that holds its start (ByStart) or its last update (ByUpdate).
func (s *Store) Query(ctx context.Context, q Query) (Page, error) {
	if q.Limit <= 0 {
		q.Limit = 100
	}
	if q.Budget <= 0 {
		q.Budget = time.Second
	}
	prefix := byte(prefixStart)
	if q.By == ByUpdate {
		prefix = prefixUpdate
	}
	lo, hi := timeBound(prefix, q.Start.UnixMilli()), timeBound(prefix, q.End.UnixMilli()+1)
	if q.Cursor != "" {
		c, err := base64.RawURLEncoding.DecodeString(q.Cursor)
		if err != nil || len(c) != 25 || c[0] != prefix {
			return Page{}, ErrBadCursor
		}
		if bytes.Compare(c, hi) < 0 {
			hi = c
		}
	}
	it, err := s.db.NewIterWithContext(ctx, &pebble.IterOptions{LowerBound: lo, UpperBound: hi})
	if err != nil {
		return Page{}, fmt.Errorf("tracestore: query: %w", err)
	}
	defer it.Close()
	var page Page
	deadline := time.Now().Add(q.Budget)
	seen := map[TraceID]*entry{}
	for ok := it.Last(); ok; ok = it.Prev() {
		if err := ctx.Err(); err != nil {
			return Page{}, err
		}
		k := it.Key()
		ms := int64(binary.BigEndian.Uint64(k[1:9]) ^ (1 << 63))
		var id TraceID
		copy(id[:], k[9:25])
		t, emit, err := s.atEntry(ctx, q.By, id, ms, seen, &page.Scanned)
		if err != nil {
			return Page{}, err
		}
		if emit && (q.Match == nil || q.Match(t)) {
			page.Traces = append(page.Traces, t)
		}
		if len(page.Traces) >= q.Limit || time.Now().After(deadline) {
			next := base64.RawURLEncoding.EncodeToString(k) // before Prev reuses k
			if it.Prev() {
				page.Next = next
			}
			break
		}
	}
	if err := it.Error(); err != nil {
		return Page{}, fmt.Errorf("tracestore: query: %w", err)
	}
	return page, nil
}

// entry is what Query learnt of a trace it met in the index.
type entry struct {
	trace  *Trace // nil until loaded, or when not stored
	at     int64  // the index time the trace is returned at
	loaded bool
}

// atEntry reports whether the index entry (id, ms) is the one the trace is
// returned at, and if so the trace.
func (s *Store) atEntry(ctx context.Context, by TimeRange, id TraceID, ms int64, seen map[TraceID]*entry, scanned *int) (*Trace, bool, error) {
	e, ok := seen[id]
	if !ok {
		e = &entry{at: -1 << 63}
		seen[id] = e
		if by == ByUpdate {
			// The entry of the last update is the one: the trace is
			// loaded only there.
			latest, found, err := s.latest(id)
			if err != nil {
				return nil, false, err
			}
			if !found {
				e.loaded = true
			}
			e.at = latest
		}
	}
	if e.loaded && e.trace == nil || by == ByUpdate && ms != e.at {
		return nil, false, nil
	}
	if !e.loaded {
		t, err := s.Trace(ctx, id)
		if err != nil && !errors.Is(err, ErrNotFound) {
			return nil, false, err
		}
		e.trace, e.loaded = t, true
		*scanned++
		if t != nil && by == ByStart {
			e.at = millis(t.docStart)
		}
	}
	return e.trace, e.trace != nil && ms == e.at, nil
}
