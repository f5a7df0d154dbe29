package console

import (
	"cmp"
	"container/heap"
	"errors"
	"math"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/lambdalog/lambdalog/cmd/lambdalog/internal/store"
	"github.com/lambdalog/lambdalog/filterpattern"
)

// Bounds of one events answer.
const (
	defaultEventsPage = 100
	maxEventsPage     = 1000
	maxPageBytes      = 1 << 20
	// budgetEvery is how many events are examined between clock readings.
	budgetEvery = 256
)

// scanBudget bounds the time one answer spends examining events, so that a
// rare pattern over a big group answers in pages rather than in one long
// wait; the answer says where to go on from. Tests shorten it.
var scanBudget = 300 * time.Millisecond

// eventsPage shows the events of a group or of some of its streams: paged
// backward from the newest, narrowed by a filter pattern, and followed
// live (the page polls forward from the newest event it has).
func (c *Console) eventsPage() Page {
	return Page{Name: "events", Under: "logs", Routes: map[string]Endpoint{
		"GET events": c.events,
	}}
}

// eventOut is one event.
type eventOut struct {
	Stream        string `json:"stream"`
	Timestamp     int64  `json:"timestamp"`
	IngestionTime int64  `json:"ingestionTime"`
	// ID is the event's cursor.
	ID      string `json:"id"`
	Message string `json:"message"`
}

// eventsOut is a page of events.
type eventsOut struct {
	// Events are newest first on a backward read, oldest first on a
	// forward read (after=).
	Events []eventOut `json:"events"`
	// Older is the cursor (before=) to read on backward from; absent once
	// the oldest event has been examined.
	Older string `json:"older,omitempty"`
	// Newer is the cursor (after=) from which a forward read returns what
	// is newer than the events this read examined. A backward read sets it
	// on its first page only (no before=).
	Newer string `json:"newer,omitempty"`
	// Examined counts the events read, matching the pattern or not.
	Examined int `json:"examined"`
	// Partial reports that the read stopped on its time budget rather
	// than on a full page: more events may match beyond the cursor.
	Partial bool `json:"partial,omitempty"`
}

// events answers a page of events of a log group. Parameters: group; stream
// (repeatable; default every stream); pattern, a CloudWatch Logs filter
// pattern; start and end, epoch milliseconds (end excluded); before or
// after, a cursor; limit (default 100, at most 1000). Without after, the
// page reads backward from end or before; with after, forward from it.
func (c *Console) events(r *Request) (any, error) {
	group, err := r.need("group")
	if err != nil {
		return nil, err
	}
	match, err := compilePattern(r.Query.Get("pattern"))
	if err != nil {
		return nil, err
	}
	var rng store.Range
	if rng.Start, err = r.int("start", 0); err != nil {
		return nil, err
	}
	if rng.End, err = r.int("end", 0); err != nil {
		return nil, err
	}
	limit, err := r.int("limit", defaultEventsPage)
	if err != nil {
		return nil, err
	}
	rd := eventReader{match: match, limit: int(min(max(limit, 1), maxEventsPage)), deadline: time.Now().Add(scanBudget),
		out: eventsOut{Events: []eventOut{}}}
	sts, err := c.selectStreams(r, group, r.Query["stream"])
	if err != nil {
		return nil, err
	}
	if a := r.Query.Get("after"); a != "" {
		after, err := parseCursor(a)
		if err != nil {
			return nil, err
		}
		rng.After = &after
		err = c.readForward(r, group, sts, rng, &rd)
		return rd.out, err
	}
	if b := r.Query.Get("before"); b != "" {
		before, err := parseCursor(b)
		if err != nil {
			return nil, err
		}
		rng.Before = &before
	}
	err = c.readBackward(r, group, sts, rng, &rd)
	if err == nil && rng.Before == nil && rd.out.Newer == "" {
		// Nothing to read yet: follow from the very beginning.
		rd.out.Newer = formatCursor(store.Position{Timestamp: math.MinInt64})
	}
	return rd.out, err
}

// compilePattern compiles a filter pattern; white space alone gives a nil
// matcher, which matches everything. A syntax error says where it is, as an
// offset into the pattern in UTF-16 code units (JavaScript's string index).
func compilePattern(pattern string) (func([]byte) bool, error) {
	if strings.TrimSpace(pattern) == "" {
		return nil, nil
	}
	p, err := filterpattern.Parse(pattern)
	if se, ok := errors.AsType[*filterpattern.SyntaxError](err); ok {
		return nil, &Error{Status: http.StatusBadRequest, Message: se.AWSMessage(),
			Detail: map[string]any{"offset": utf16Offset(pattern, se.Offset), "reason": se.Msg}}
	}
	if err != nil {
		return nil, badRequest("%s: %v", filterpattern.InvalidPatternMessage, err)
	}
	return p.MatchBytes, nil
}

// selectStreams returns the named streams of a group, or all of them when
// names is empty, leaving out those without events.
func (c *Console) selectStreams(r *Request, group string, names []string) ([]store.Stream, error) {
	var sts []store.Stream
	if len(names) == 0 {
		err := c.opts.Logs.ListStreams(r.Context(), r.Region, group, "", func(st store.Stream) bool {
			if st.HasEvents {
				sts = append(sts, st)
			}
			return true
		})
		return sts, err
	}
	for _, n := range names {
		st, err := c.opts.Logs.Stream(r.Context(), r.Region, group, n)
		if err != nil {
			return nil, err
		}
		if st.HasEvents {
			sts = append(sts, st)
		}
	}
	return sts, nil
}

// eventReader fills one page of events.
type eventReader struct {
	match    func([]byte) bool
	limit    int
	size     int
	deadline time.Time
	out      eventsOut
}

// take examines an event and reports whether the page has room for more;
// when it has not, the event was not taken and the caller stops.
func (rd *eventReader) take(v *store.EventView) bool {
	if rd.match == nil || rd.match(v.Message) {
		if len(rd.out.Events) == rd.limit || len(rd.out.Events) > 0 && rd.size+len(v.Message) > maxPageBytes {
			return false
		}
		rd.size += len(v.Message)
		rd.out.Events = append(rd.out.Events, eventOut{Stream: v.Stream, Timestamp: v.Timestamp, IngestionTime: v.IngestionTime,
			ID: formatCursor(v.Position()), Message: string(v.Message)})
	}
	rd.out.Examined++
	return true
}

// timeUp reports, every budgetEvery events, whether the scan budget is spent.
func (rd *eventReader) timeUp() bool {
	return rd.out.Examined%budgetEvery == 0 && time.Now().After(rd.deadline)
}

// readBackward reads newest first. It merges one reverse iterator per
// stream by position, opening a stream's iterator only once the merge
// reaches the stream's last event time: the first page of a group costs
// the streams that hold its events, not all of them.
func (c *Console) readBackward(r *Request, group string, sts []store.Stream, rng store.Range, rd *eventReader) error {
	rng.Reverse = true
	slices.SortFunc(sts, func(a, b store.Stream) int { return cmp.Compare(b.LastEventTimestamp, a.LastEventTimestamp) })
	var h newestFirst
	defer func() {
		for _, it := range h {
			it.Close()
		}
	}()
	next := 0
	for {
		for next < len(sts) && (len(h) == 0 || sts[next].LastEventTimestamp >= h[0].Event().Timestamp) {
			it, err := c.opts.Logs.Events(r.Context(), r.Region, group, sts[next].Name, rng)
			next++
			if errors.Is(err, store.ErrStreamNotFound) {
				continue // deleted meanwhile
			}
			if err != nil {
				return err
			}
			if it.Next() {
				heap.Push(&h, it)
			} else if err := it.Close(); err != nil {
				return err
			}
		}
		if len(h) == 0 {
			return nil
		}
		it := h[0]
		v := it.Event()
		if rd.out.Examined == 0 && rng.Before == nil {
			rd.out.Newer = formatCursor(v.Position())
		}
		if !rd.take(v) {
			rd.out.Older = formatCursor(v.Position().Next()) // v is read again
			return nil
		}
		pos := v.Position()
		if it.Next() {
			heap.Fix(&h, 0)
		} else {
			heap.Pop(&h)
			if err := it.Close(); err != nil {
				return err
			}
		}
		if rd.timeUp() && (len(h) > 0 || next < len(sts)) {
			rd.out.Older, rd.out.Partial = formatCursor(pos), true
			return nil
		}
	}
}

// newestFirst is a heap of stream iterators by their current event,
// newest first.
type newestFirst []*store.EventIter

func (h newestFirst) Len() int { return len(h) }
func (h newestFirst) Less(i, j int) bool {
	a, b := h[i].Event(), h[j].Event()
	if a.Timestamp != b.Timestamp {
		return a.Timestamp > b.Timestamp
	}
	return a.Seq > b.Seq
}
func (h newestFirst) Swap(i, j int) { h[i], h[j] = h[j], h[i] }
func (h *newestFirst) Push(x any)   { *h = append(*h, x.(*store.EventIter)) }
func (h *newestFirst) Pop() any {
	old := *h
	it := old[len(old)-1]
	*h = old[:len(old)-1]
	return it
}

// readForward reads oldest first from rng.After: what live tail polls.
// Only the streams whose last event is not older than the cursor are read.
func (c *Console) readForward(r *Request, group string, sts []store.Stream, rng store.Range, rd *eventReader) error {
	last := *rng.After
	defer func() { rd.out.Newer = formatCursor(last) }()
	var names []string
	for _, st := range sts {
		if st.LastEventTimestamp >= rng.After.Timestamp {
			names = append(names, st.Name)
		}
	}
	if len(names) == 0 {
		return nil
	}
	it, err := c.opts.Logs.MergedEvents(r.Context(), r.Region, group, store.StreamSelector{Names: names}, rng, nil)
	if err != nil {
		return err
	}
	defer it.Close()
	for it.Next() {
		v := it.Event()
		if !rd.take(v) {
			break
		}
		last = v.Position()
		if rd.timeUp() {
			rd.out.Partial = true
			break
		}
	}
	return it.Close()
}
