package logsapi

import (
	"errors"
	"math"
	"strings"
	"time"

	"github.com/lambdalog/lambdalog/cmd/lambdalog/internal/store"
	"github.com/lambdalog/lambdalog/filterpattern"
)

// The bound of one FilterLogEvents call that has a filter pattern (see the
// package documentation): the call scans time windows for filterScanTime,
// the first sized to hold filterWindowBytes of messages. They are variables
// so that tests can make calls stop early.
var (
	filterScanTime          = time.Second
	filterWindowBytes int64 = 32 << 20
)

// matcher reports whether a raw event message matches a filter pattern;
// nil matches everything. It is called from several goroutines at once
// (one per stream scanned) and must not retain msg.
type matcher func(msg []byte) bool

// compilePattern compiles a filter pattern with package filterpattern. A
// pattern that cannot be parsed is an InvalidParameterException carrying
// AWS's message; the empty pattern (or white space) gives a nil matcher.
// The model's length limit (1024) is checked by the caller's validation.
func compilePattern(pattern string) (matcher, error) {
	p, err := parsePattern(pattern)
	if err != nil || strings.Trim(pattern, " \t\n\r") == "" {
		return nil, err
	}
	return p.MatchBytes, nil
}

// parsePattern parses a filter pattern, turning a syntax error into the
// InvalidParameterException CloudWatch Logs returns for it.
func parsePattern(pattern string) (*filterpattern.Pattern, error) {
	p, err := filterpattern.Parse(pattern)
	if se, ok := errors.AsType[*filterpattern.SyntaxError](err); ok {
		return nil, invalidParameter("%s", se.AWSMessage())
	}
	if err != nil {
		return nil, invalidParameter("%s: %v", filterpattern.InvalidPatternMessage, err)
	}
	return p, nil
}

type filterLogEventsInput struct {
	LogGroupName, LogGroupIdentifier, LogStreamNamePrefix, FilterPattern, NextToken *string
	LogStreamNames                                                                  []string
	StartTime, EndTime, Limit                                                       *int64
	Interleaved, Unmask                                                             bool
}

func (in *filterLogEventsInput) validate(v *validationErrors) {
	v.str("logGroupName", in.LogGroupName, false, ruleGroupName)
	v.str("logGroupIdentifier", in.LogGroupIdentifier, false, ruleGroupIdentifier)
	v.str("logStreamNamePrefix", in.LogStreamNamePrefix, false, ruleStreamName)
	v.str("filterPattern", in.FilterPattern, false, ruleFilterPattern)
	v.str("nextToken", in.NextToken, false, ruleNextToken)
	v.intRange("startTime", in.StartTime, 0, 1<<62)
	v.intRange("endTime", in.EndTime, 0, 1<<62)
	v.intRange("limit", in.Limit, 1, maxPageEvents)
	if in.LogStreamNames != nil && (len(in.LogStreamNames) < 1 || len(in.LogStreamNames) > 100) {
		v.add("'"+strings.Join(in.LogStreamNames, ",")+"'", "logStreamNames", "have length between 1 and 100")
	}
	for i, s := range in.LogStreamNames {
		v.str("logStreamNames."+itoa(i+1)+".member", &s, true, ruleStreamName)
	}
}

// filterLogEvents encodes its response into c.out itself.
func (h *Handler) filterLogEvents(c *call, in *filterLogEventsInput) (any, error) {
	if in.LogStreamNames != nil && in.LogStreamNamePrefix != nil {
		return nil, invalidParameter("You cannot specify both LogStreamNames and LogStreamNamePrefix")
	}
	group, err := h.resolveGroup(c.region, in.LogGroupName, in.LogGroupIdentifier)
	if err != nil {
		return nil, err
	}
	var match matcher
	if in.FilterPattern != nil {
		if match, err = compilePattern(*in.FilterPattern); err != nil {
			return nil, err
		}
	}
	r := timeRange(in.StartTime, in.EndTime, true)
	if r.After, err = parseFilterToken(in.NextToken); err != nil {
		return nil, err
	}
	sel := store.StreamSelector{Names: in.LogStreamNames}
	if in.LogStreamNamePrefix != nil {
		sel.Prefix = *in.LogStreamNamePrefix
	}
	pg := filterPage{out: append(c.out, `{"events":[`...), limit: maxPageEvents, names: map[string][]byte{}}
	if in.Limit != nil {
		pg.limit = int(*in.Limit)
	}
	var more bool
	if match == nil {
		// Every event read is returned: the page limits bound the call.
		more, err = h.filterWindow(c, group, sel, r, nil, &pg)
	} else {
		more, err = h.filterWindows(c, group, sel, r, match, &pg)
	}
	if err != nil {
		return nil, err
	}
	out := append(pg.out, `],"searchedLogStreams":[]`...)
	if more {
		out = append(out, `,"nextToken":"`...)
		out = append(out, filterToken(pg.last)...)
		out = append(out, '"')
	}
	c.out = append(out, '}')
	return nil, nil
}

// filterWindows fills pg with the events of r that match, scanning r in
// time windows, and reports whether more may remain. Each window is one
// merged read of every selected stream, so once a window is done, every
// event before its end has been examined: when the call's time
// (filterScanTime) would run out during the next window, the call stops
// and its token resumes at the next window's start. The first window is
// sized, from the streams' statistics, to hold filterWindowBytes of
// messages; each next one to take a quarter of the call's time at the rate
// of the one before, but at most eight times and at least half as wide. A
// call always scans at least one window, so paging always progresses.
func (h *Handler) filterWindows(c *call, group string, sel store.StreamSelector, r store.Range, match matcher, pg *filterPage) (more bool, err error) {
	began := time.Now()
	lo, hi, bytes, err := h.extent(c, group, sel)
	if err != nil || bytes == 0 {
		return false, err
	}
	from := max(r.Start, lo)
	if r.After != nil {
		from = max(from, r.After.Next().Timestamp)
	}
	end := hi
	if hi < math.MaxInt64 {
		end = hi + 1
	}
	if r.End > 0 {
		end = min(end, r.End)
	}
	width := max(int64(float64(hi-lo+1)*float64(filterWindowBytes)/float64(bytes)), 1)
	for from < end {
		to := end
		if width < end-from {
			to = from + width
		}
		w := r
		w.Start, w.End = from, to
		start := time.Now()
		if full, err := h.filterWindow(c, group, sel, w, match, pg); full || err != nil {
			return full, err
		}
		took := time.Since(start)
		from = to
		scale := 8.0
		if took > 0 {
			scale = min(max(float64(filterScanTime/4)/float64(took), 0.5), 8)
		}
		next := end - from
		if f := float64(width) * scale; f < float64(next) {
			next = max(int64(f), 1)
		}
		if from < end && time.Since(began)+time.Duration(float64(took)*float64(next)/float64(width)) > filterScanTime {
			pg.last = store.Position{Timestamp: from - 1, Seq: math.MaxUint64} // resume at from
			return true, nil
		}
		width = next
	}
	return false, nil
}

// filterWindow adds the events of the selected streams in r that match to
// pg and reports whether pg filled up.
func (h *Handler) filterWindow(c *call, group string, sel store.StreamSelector, r store.Range, match matcher, pg *filterPage) (full bool, err error) {
	it, err := h.store.MergedEvents(c.ctx, c.region, group, sel, r, match)
	if err != nil {
		return false, err
	}
	defer it.Close()
	for it.Next() {
		if !pg.add(it.Event()) {
			full = true
			break
		}
	}
	return full, it.Close()
}

// extent returns the first and last event timestamps of the selected
// streams and their stored bytes (0 when they have no events).
func (h *Handler) extent(c *call, group string, sel store.StreamSelector) (lo, hi, bytes int64, err error) {
	lo, hi = math.MaxInt64, math.MinInt64
	add := func(st store.Stream) bool {
		if st.HasEvents {
			lo, hi = min(lo, st.FirstEventTimestamp), max(hi, st.LastEventTimestamp)
			bytes += max(st.StoredBytes, 1)
		}
		return true
	}
	if len(sel.Names) == 0 {
		return lo, hi, bytes, h.store.ListStreams(c.ctx, c.region, group, sel.Prefix, add)
	}
	for _, name := range sel.Names {
		st, err := h.store.Stream(c.ctx, c.region, group, name)
		if errors.Is(err, store.ErrStreamNotFound) {
			continue
		}
		if err != nil {
			return 0, 0, 0, err
		}
		add(st)
	}
	return lo, hi, bytes, nil
}

// filterPage is a FilterLogEvents response being encoded.
type filterPage struct {
	out     []byte
	n, size int
	limit   int
	last    store.Position    // where the next page starts after
	names   map[string][]byte // stream name -> its encoded JSON string
}

// add appends e to the page and reports whether it fitted.
func (pg *filterPage) add(e *store.EventView) bool {
	if pg.size += len(e.Message) + eventOverhead; pg.n == pg.limit || pg.size > maxPageBytes {
		return false
	}
	out := pg.out
	if pg.n > 0 {
		out = append(out, ',')
	}
	name, ok := pg.names[e.Stream]
	if !ok {
		name = appendString(nil, e.Stream)
		pg.names[e.Stream] = name
	}
	out = append(out, `{"logStreamName":`...)
	out = append(out, name...)
	out = append(out, `,"timestamp":`...)
	out = appendInt(out, e.Timestamp)
	out = append(out, `,"message":`...)
	out = appendBytes(out, e.Message)
	out = append(out, `,"ingestionTime":`...)
	out = appendInt(out, e.IngestionTime)
	out = append(out, `,"eventId":"`...)
	out = appendPosition(out, e.Position())
	pg.out = append(out, `"}`...)
	pg.last = e.Position()
	pg.n++
	return true
}
