package logsapi

import (
	"errors"
	"strings"

	"github.com/lambdalog/lambdalog/cmd/lambdalog/internal/store"
	"github.com/lambdalog/lambdalog/filterpattern"
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
	limit := maxPageEvents
	if in.Limit != nil {
		limit = int(*in.Limit)
	}
	sel := store.StreamSelector{Names: in.LogStreamNames}
	if in.LogStreamNamePrefix != nil {
		sel.Prefix = *in.LogStreamNamePrefix
	}
	it, err := h.store.MergedEvents(c.ctx, c.region, group, sel, r, match)
	if err != nil {
		return nil, err
	}
	defer it.Close()

	out := append(c.out, `{"events":[`...)
	names := map[string][]byte{} // stream name -> its encoded JSON string
	n, size, more := 0, 0, false
	var last store.Position
	for it.Next() {
		e := it.Event()
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
