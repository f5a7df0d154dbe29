package logsapi

import (
	"errors"
	"strings"
	"sync/atomic"
	"time"

	"github.com/lambdalog/lambdalog/cmd/lambdalog/internal/store"
	"github.com/lambdalog/lambdalog/filterpattern"
)

// The bound of one FilterLogEvents call that has a filter pattern (see the
// package documentation): it scans for filterScanTime, then examines at
// most filterScanTail more events, in order, itself. They are variables so
// that tests can make calls stop early.
var (
	filterScanTime = time.Second
	filterScanTail = 10_000
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
	var pattern matcher
	if in.FilterPattern != nil {
		if pattern, err = compilePattern(*in.FilterPattern); err != nil {
			return nil, err
		}
	}
	r := timeRange(in.StartTime, in.EndTime, true)
	if r.After, err = parseFilterToken(in.NextToken); err != nil {
		return nil, err
	}
	limit := maxPageEvents
	if in.Limit != nil {
		limit = int(*in.Limit)
	}
	sel := store.StreamSelector{Names: in.LogStreamNames}
	if in.LogStreamNamePrefix != nil {
		sel.Prefix = *in.LogStreamNamePrefix
	}
	var bound *scanBound
	match := pattern
	if pattern != nil {
		bound = newScanBound(pattern, filterScanTime)
		defer bound.release()
		match = bound.match
	}
	examined, tail := 0, max(filterScanTail, 1) // events examined once the time is up
	it, err := h.store.MergedEvents(c.ctx, c.region, group, sel, r, match)
	if err != nil {
		return nil, err
	}
	defer it.Close()
	if bound != nil {
		bound.started()
	}

	out := append(c.out, `{"events":[`...)
	names := map[string][]byte{} // stream name -> its encoded JSON string
	n, size, more := 0, 0, false
	var last store.Position
	for it.Next() {
		e := it.Event()
		if bound != nil {
			if bound.timeUp() {
				if examined == tail {
					more = true
					break
				}
				examined++
			}
			if !pattern(e.Message) {
				last = e.Position()
				continue
			}
		}
		size += len(e.Message) + eventOverhead
		if n == limit || size > maxPageBytes {
			more = true
			break
		}
		if n > 0 {
			out = append(out, ',')
		}
		name, ok := names[e.Stream]
		if !ok {
			name = appendString(nil, e.Stream)
			names[e.Stream] = name
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
		out = append(out, `"}`...)
		last = e.Position()
		n++
	}
	if err := it.Close(); err != nil {
		return nil, err
	}
	out = append(out, `],"searchedLogStreams":[]`...)
	if more {
		out = append(out, `,"nextToken":"`...)
		out = append(out, filterToken(last)...)
		out = append(out, '"')
	}
	c.out = append(out, '}')
	return nil, nil
}

// scanBound ends a filtered scan once its time is up, at a position from
// which the next call resumes without skipping or repeating an event.
//
// The streams' scans (several run in parallel) pass on the events their
// match accepts, and the caller checks every event it receives with the
// pattern itself. So an event a scan does not pass on does not match, and
// as the merge yields events in (timestamp, seq) order while holding the
// next event of every stream, the caller may stop before any merged event
// E: every earlier event of every stream has then been either rejected by
// a scan or received and checked by the caller, and resuming after the
// last event the caller checked continues exactly at E.
//
// match accepts every event while the scans start, so that the merge,
// which waits for each stream's first events in turn, starts them all at
// once; then it is the pattern until the time is up, and from then on it
// accepts every event again, so that every stream keeps yielding and the
// caller can stop after checking at most filterScanTail more events. That
// bounds the call's time and guarantees progress even when one stream's
// scan has lagged behind the others.
type scanBound struct {
	pattern matcher
	state   atomic.Int32 // starting, filtering or up
	timer   *time.Timer
}

// The states of a scanBound.
const (
	starting int32 = iota
	filtering
	up
)

// newScanBound returns a bound of d on a scan for pattern; d <= 0 means
// the time is up at once.
func newScanBound(pattern matcher, d time.Duration) *scanBound {
	b := &scanBound{pattern: pattern}
	if d <= 0 {
		b.state.Store(up)
	} else {
		b.timer = time.AfterFunc(d, func() { b.state.Store(up) })
	}
	return b
}

// match is the matcher the store scans with.
func (b *scanBound) match(msg []byte) bool { return b.state.Load() != filtering || b.pattern(msg) }

// started makes the scans filter with the pattern, unless the time is up.
func (b *scanBound) started() { b.state.CompareAndSwap(starting, filtering) }

// timeUp reports whether the scan's time is up.
func (b *scanBound) timeUp() bool { return b.state.Load() == up }

// release stops the timer.
func (b *scanBound) release() {
	if b.timer != nil {
		b.timer.Stop()
	}
}
