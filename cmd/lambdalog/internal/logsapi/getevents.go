package logsapi

import (
	"slices"

	"github.com/lambdalog/lambdalog/cmd/lambdalog/internal/store"
)

// Event page limits shared by GetLogEvents and FilterLogEvents.
const (
	maxPageEvents = 10_000
	maxPageBytes  = 1_048_576
)

type getLogEventsInput struct {
	LogGroupName, LogGroupIdentifier, LogStreamName, NextToken *string
	StartTime, EndTime, Limit                                  *int64
	StartFromHead, Unmask                                      bool
}

func (in *getLogEventsInput) validate(v *validationErrors) {
	v.str("logGroupName", in.LogGroupName, false, ruleGroupName)
	v.str("logGroupIdentifier", in.LogGroupIdentifier, false, ruleGroupIdentifier)
	v.str("logStreamName", in.LogStreamName, true, ruleStreamName)
	v.str("nextToken", in.NextToken, false, ruleNextToken)
	v.intRange("startTime", in.StartTime, 0, 1<<62)
	v.intRange("endTime", in.EndTime, 0, 1<<62)
	v.intRange("limit", in.Limit, 1, maxPageEvents)
}

// getLogEvents encodes its response into c.out itself.
func (h *Handler) getLogEvents(c *call, in *getLogEventsInput) (any, error) {
	group, err := h.resolveGroup(c.region, in.LogGroupName, in.LogGroupIdentifier)
	if err != nil {
		return nil, err
	}
	r := timeRange(in.StartTime, in.EndTime, false)
	limit := maxPageEvents
	if in.Limit != nil {
		limit = int(*in.Limit)
	}
	dir := byte('b')
	if in.StartFromHead {
		dir = 'f'
	}
	var pivot store.Position
	if in.NextToken != nil {
		if dir, pivot, err = parseEventToken(*in.NextToken); err != nil {
			return nil, err
		}
		if dir == 'f' {
			r.After = &pivot
		} else {
			r.Before = &pivot
		}
	}
	r.Reverse = dir == 'b'
	it, err := h.store.Events(c.ctx, c.region, group, *in.LogStreamName, r)
	if err != nil {
		return nil, err
	}
	defer it.Close()

	out := append(c.out, `{"events":[`...)
	var first, last store.Position
	n, size := 0, 0
	var ends []int // end offsets of encoded events, for reversing a backward page
	start := len(out)
	for n < limit && it.Next() {
		e := it.Event()
		if size += len(e.Message) + eventOverhead; size > maxPageBytes {
			break
		}
		if n == 0 {
			first = e.Position()
		}
		last = e.Position()
		if n > 0 && !r.Reverse {
			out = append(out, ',')
		}
		out = appendOutputEvent(out, e)
		if r.Reverse {
			ends = append(ends, len(out))
		}
		n++
	}
	if err := it.Close(); err != nil {
		return nil, err
	}
	if r.Reverse {
		out = reverseSegments(out, start, ends)
		first, last = last, first
	}
	out = append(out, `],"nextForwardToken":"`...)
	var fwd, back string
	switch {
	case n > 0:
		fwd, back = eventToken('f', last), eventToken('b', first)
	case in.NextToken != nil && dir == 'f':
		fwd, back = *in.NextToken, eventToken('b', pivot.Next())
	case in.NextToken != nil:
		fwd, back = eventToken('f', pivot.Prev()), *in.NextToken
	default:
		fwd, back = eventToken('f', origin), eventToken('b', origin)
	}
	out = append(out, fwd...)
	out = append(out, `","nextBackwardToken":"`...)
	out = append(out, back...)
	c.out = append(out, `"}`...)
	return nil, nil
}

// timeRange converts API startTime/endTime to a store range; FilterLogEvents'
// endTime is inclusive, GetLogEvents' exclusive.
func timeRange(start, end *int64, endInclusive bool) store.Range {
	var r store.Range
	if start != nil {
		r.Start = *start
	}
	if end != nil {
		r.End = *end
		if endInclusive {
			r.End++
		}
		if r.End == 0 { // store.Range reads End 0 as unbounded; select nothing
			r.Start, r.End = 1, 1
		}
	}
	return r
}

func appendOutputEvent(out []byte, e *store.EventView) []byte {
	out = append(out, `{"timestamp":`...)
	out = appendInt(out, e.Timestamp)
	out = append(out, `,"message":`...)
	out = appendBytes(out, e.Message)
	out = append(out, `,"ingestionTime":`...)
	out = appendInt(out, e.IngestionTime)
	return append(out, '}')
}

// reverseSegments reorders the comma-less segments out[start:ends[0]],
// out[ends[0]:ends[1]], ... into reverse order, comma separated.
func reverseSegments(out []byte, start int, ends []int) []byte {
	if len(ends) == 0 {
		return out
	}
	seg := slices.Clone(out[start:])
	out = out[:start]
	for i := len(ends) - 1; i >= 0; i-- {
		lo := 0
		if i > 0 {
			lo = ends[i-1] - start
		}
		if i != len(ends)-1 {
			out = append(out, ',')
		}
		out = append(out, seg[lo:ends[i]-start]...)
	}
	return out
}
