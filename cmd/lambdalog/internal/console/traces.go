package console

import (
	"bytes"
	"cmp"
	"encoding/json"
	"errors"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/lambdalog/lambdalog/cmd/lambdalog/internal/store"
	"github.com/lambdalog/lambdalog/cmd/lambdalog/internal/tracestore"
	"github.com/lambdalog/lambdalog/cmd/lambdalog/internal/xrayfilter"
)

// Bounds of the traces pages.
const (
	defaultTracesPage = 50
	maxTracesPage     = 500
	tracesBudget      = 500 * time.Millisecond
	// maxTraceLogs is how many log lines a trace's page shows.
	maxTraceLogs = 500
	// traceLogSlack widens a trace's time range when its log lines are
	// searched: a function logs a little before and after its segments.
	traceLogSlack = 2 * time.Second
)

// tracesPages are the X-Ray pages: the traces of a time range, filtered by
// a filter expression, with the service map; and one trace as a waterfall
// with its segments' details and the log lines of its invocations.
func (c *Console) tracesPages() []Page {
	return []Page{
		{Name: "traces", Title: "Traces", Routes: map[string]Endpoint{
			"GET traces":     c.traces,
			"GET servicemap": c.serviceMap,
		}},
		{Name: "trace", Under: "traces", Routes: map[string]Endpoint{
			"GET traces/{id}":      c.trace,
			"GET traces/{id}/logs": c.traceLogs,
		}},
	}
}

// timeRange reads the start and end parameters (epoch ms), by default the
// last 15 minutes.
func (r *Request) timeRange() (time.Time, time.Time, error) {
	now := time.Now().UnixMilli()
	start, err := r.int("start", now-15*60_000)
	if err != nil {
		return time.Time{}, time.Time{}, err
	}
	end, err := r.int("end", now)
	if err != nil {
		return time.Time{}, time.Time{}, err
	}
	if end < start {
		return time.Time{}, time.Time{}, badRequest("The end of the time range is before its start.")
	}
	return time.UnixMilli(start), time.UnixMilli(end), nil
}

type serviceOut struct {
	Name string `json:"name"`
	Type string `json:"type,omitempty"`
}

type traceOut struct {
	ID string `json:"id"`
	// Start is epoch milliseconds; durations are milliseconds.
	Start        float64           `json:"start"`
	Duration     float64           `json:"duration"`
	ResponseTime float64           `json:"responseTime"`
	Error        bool              `json:"error,omitempty"`
	Fault        bool              `json:"fault,omitempty"`
	Throttle     bool              `json:"throttle,omitempty"`
	Partial      bool              `json:"partial,omitempty"`
	Method       string            `json:"method,omitempty"`
	URL          string            `json:"url,omitempty"`
	Status       int               `json:"status,omitempty"`
	EntryPoint   *serviceOut       `json:"entryPoint,omitempty"`
	Annotations  map[string][]any  `json:"annotations,omitempty"`
	Users        []string          `json:"users,omitempty"`
	Services     []serviceOut      `json:"services"`
	Segments     []json.RawMessage `json:"segments,omitempty"`
	Documents    int               `json:"documents,omitempty"`
	Truncated    bool              `json:"truncated,omitempty"`
}

// describeTrace is a trace's summary, as the list shows it.
func describeTrace(t *tracestore.Trace) traceOut {
	s := t.Summary()
	o := traceOut{ID: s.ID, Start: s.Start * 1000, Duration: s.Duration * 1000, ResponseTime: s.ResponseTime * 1000,
		Error: s.HasError, Fault: s.HasFault, Throttle: s.HasThrottle, Partial: s.IsPartial,
		Method: s.HTTP.Method, URL: s.HTTP.URL, Status: s.HTTP.Status, Services: []serviceOut{}}
	if s.EntryPoint != nil {
		o.EntryPoint = &serviceOut{s.EntryPoint.Name, s.EntryPoint.Type}
	}
	for k, vs := range s.Annotations {
		if o.Annotations == nil {
			o.Annotations = map[string][]any{}
		}
		for _, v := range vs {
			o.Annotations[k] = append(o.Annotations[k], v.Value)
		}
	}
	for _, u := range s.Users {
		o.Users = append(o.Users, u.Name)
	}
	for _, svc := range s.Services {
		o.Services = append(o.Services, serviceOut{svc.Name, svc.Type})
	}
	return o
}

// traces answers a page of the traces that started in the time range,
// newest first. Parameters: start, end; filter, an X-Ray filter
// expression; cursor, the next of the page before; limit.
func (c *Console) traces(r *Request) (any, error) {
	start, end, err := r.timeRange()
	if err != nil {
		return nil, err
	}
	expr := r.Query.Get("filter")
	f, err := xrayfilter.Parse(expr)
	if fe, ok := errors.AsType[*xrayfilter.Error](err); ok {
		return nil, &Error{Status: http.StatusBadRequest, Message: fe.Msg, Detail: map[string]any{"offset": utf16Offset(expr, fe.Pos)}}
	} else if err != nil {
		return nil, badRequest("%v", err)
	}
	limit, err := r.int("limit", defaultTracesPage)
	if err != nil {
		return nil, err
	}
	page, err := c.opts.Traces.Query(r.Context(), tracestore.Query{Start: start, End: end, By: tracestore.ByStart, Match: f.Match,
		Limit: int(min(max(limit, 1), maxTracesPage)), Budget: tracesBudget, Cursor: r.Query.Get("cursor")})
	if errors.Is(err, tracestore.ErrBadCursor) {
		return nil, badRequest("not a cursor of this listing")
	}
	if err != nil {
		return nil, err
	}
	out := struct {
		Traces  []traceOut `json:"traces"`
		Next    string     `json:"next,omitempty"`
		Scanned int        `json:"scanned"`
	}{Traces: []traceOut{}, Next: page.Next, Scanned: page.Scanned}
	for _, t := range page.Traces {
		out.Traces = append(out.Traces, describeTrace(t))
	}
	return out, nil
}

// statsOut counts requests by outcome; on an edge, To is the service called.
type statsOut struct {
	OK        int64   `json:"ok"`
	Error     int64   `json:"error"`
	Fault     int64   `json:"fault"`
	Throttle  int64   `json:"throttle"`
	Total     int64   `json:"total"`
	AverageMs float64 `json:"averageMs"`
	To        int     `json:"to,omitempty"`
}

func describeStats(s tracestore.Stats) statsOut {
	o := statsOut{OK: s.OK, Error: s.OtherError, Fault: s.Fault, Throttle: s.Throttle, Total: s.Total}
	if s.Total > 0 {
		o.AverageMs = s.TotalResponseTime * 1000 / float64(s.Total)
	}
	return o
}

// serviceMap answers the service graph of the traces that started in the
// time range.
func (c *Console) serviceMap(r *Request) (any, error) {
	start, end, err := r.timeRange()
	if err != nil {
		return nil, err
	}
	g, err := c.opts.Traces.ServiceGraph(r.Context(), start, end)
	if err != nil {
		return nil, err
	}
	type nodeOut struct {
		ID    int        `json:"id"`
		Name  string     `json:"name"`
		Type  string     `json:"type,omitempty"`
		Root  bool       `json:"root,omitempty"`
		Stats statsOut   `json:"stats"`
		Edges []statsOut `json:"edges"`
	}
	out := []nodeOut{}
	for _, s := range g.Services {
		n := nodeOut{ID: s.ReferenceID, Name: s.Name, Type: s.Type, Root: s.Root, Stats: describeStats(s.Stats), Edges: []statsOut{}}
		for _, e := range s.Edges {
			st := describeStats(e.Stats)
			st.To = e.ReferenceID
			n.Edges = append(n.Edges, st)
		}
		out = append(out, n)
	}
	return out, nil
}

// traceFor reads the trace the id path parameter names.
func (c *Console) traceFor(r *Request) (*tracestore.Trace, error) {
	id, ok := tracestore.ParseTraceID(r.PathValue("id"))
	if !ok {
		return nil, badRequest("not an X-Ray trace id: %q", r.PathValue("id"))
	}
	t, err := c.opts.Traces.Trace(r.Context(), id)
	if errors.Is(err, tracestore.ErrNotFound) {
		return nil, &Error{Status: http.StatusNotFound, Message: "No trace " + r.PathValue("id") + " is stored."}
	}
	return t, err
}

// trace answers a trace's summary and its segment documents, with the
// subsegments sent apart joined to their parents and the inferred
// segments X-Ray adds.
func (c *Console) trace(r *Request) (any, error) {
	t, err := c.traceFor(r)
	if err != nil {
		return nil, err
	}
	o := describeTrace(t)
	o.Documents, o.Truncated = t.Documents, t.LimitExceeded
	for _, s := range t.Segments {
		o.Segments = append(o.Segments, s.Document())
	}
	return o, nil
}

// traceLogs answers the log lines of a trace's invocations: the events, in
// the log groups of its Lambda functions (aws.cloudwatch_logs, else
// /aws/lambda/<name>) and within the trace's time, that hold the trace id
// or the request id of one of its segments.
func (c *Console) traceLogs(r *Request) (any, error) {
	t, err := c.traceFor(r)
	if err != nil {
		return nil, err
	}
	needles := [][]byte{[]byte(t.ID)}
	var groups []string
	for _, s := range t.Segments {
		s.Walk(func(x *tracestore.Segment) bool {
			if x.AWS.RequestID != "" && x.Origin != "" && strings.HasPrefix(x.Origin, "AWS::Lambda") {
				needles = append(needles, []byte(x.AWS.RequestID))
			}
			groups = append(groups, x.AWS.LogGroups...)
			if x.Origin == "AWS::Lambda::Function" || x.Origin == "AWS::Lambda" {
				groups = append(groups, "/aws/lambda/"+x.Name)
			}
			return true
		})
	}
	slices.Sort(groups)
	groups = slices.Compact(groups)
	match := func(msg []byte) bool {
		for _, n := range needles {
			if bytes.Contains(msg, n) {
				return true
			}
		}
		return false
	}
	start := int64(t.Start()*1000) - traceLogSlack.Milliseconds()
	end := int64((t.Start()+t.Duration())*1000) + traceLogSlack.Milliseconds()
	out := struct {
		Groups []string       `json:"groups"`
		Events []groupedEvent `json:"events"`
		More   bool           `json:"more,omitempty"`
	}{Groups: []string{}, Events: []groupedEvent{}}
	for _, g := range groups {
		it, err := c.opts.Logs.MergedEvents(r.Context(), r.Region, g, store.StreamSelector{}, store.Range{Start: start, End: end}, match)
		if errors.Is(err, store.ErrGroupNotFound) {
			continue
		}
		if err != nil {
			return nil, err
		}
		out.Groups = append(out.Groups, g)
		for it.Next() {
			if len(out.Events) == maxTraceLogs {
				out.More = true
				break
			}
			v := it.Event()
			out.Events = append(out.Events, groupedEvent{Group: g, eventOut: eventOut{Stream: v.Stream, Timestamp: v.Timestamp,
				IngestionTime: v.IngestionTime, ID: formatCursor(v.Position()), Message: string(v.Message)}})
		}
		if err := it.Close(); err != nil {
			return nil, err
		}
	}
	slices.SortStableFunc(out.Events, func(a, b groupedEvent) int { return cmp.Compare(a.Timestamp, b.Timestamp) })
	return out, nil
}

// groupedEvent is an event with its log group.
type groupedEvent struct {
	Group string `json:"group"`
	eventOut
}
