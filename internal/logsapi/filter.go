package logsapi

import (
	"bytes"
	"strings"

	"github.com/lambdalog/lambdalog/internal/store"
)

// matcher reports whether a raw event message matches a filter pattern;
// nil matches everything. It is called from several goroutines at once
// (one per stream scanned) and must not retain msg.
type matcher func(msg []byte) bool

// compilePattern compiles a FilterLogEvents filterPattern. It supports
// plain terms and "quoted phrases", all of which must occur (AWS's AND of
// terms, case-sensitive). This is the single place to plug in the full
// pattern language (package filterpattern).
func compilePattern(pattern string) (matcher, error) {
	var terms [][]byte
	p := strings.TrimSpace(pattern)
	for p != "" {
		var term string
		if p[0] == '"' {
			end := strings.IndexByte(p[1:], '"')
			if end < 0 {
				return nil, invalidParameter("Invalid filter pattern: unterminated quoted phrase")
			}
			term, p = p[1:end+1], p[end+2:]
		} else {
			end := strings.IndexAny(p, " \t")
			if end < 0 {
				end = len(p)
			}
			term, p = p[:end], p[end:]
			if strings.ContainsAny(term[:1], "{[?%-") {
				return nil, invalidParameter("Invalid filter pattern: only plain terms and quoted phrases are supported, got %q", term)
			}
		}
		if term != "" {
			terms = append(terms, []byte(term))
		}
		p = strings.TrimSpace(p)
	}
	switch len(terms) {
	case 0:
		return nil, nil
	case 1:
		t := terms[0]
		return func(msg []byte) bool { return bytes.Contains(msg, t) }, nil
	}
	return func(msg []byte) bool {
		for _, t := range terms {
			if !bytes.Contains(msg, t) {
				return false
			}
		}
		return true
	}, nil
}

func (h *Handler) filterLogEvents(c *call) error {
	var in struct {
		LogGroupName, LogGroupIdentifier, LogStreamNamePrefix, FilterPattern, NextToken *string
		LogStreamNames                                                                  []string
		StartTime, EndTime, Limit                                                       *int64
		Interleaved, Unmask                                                             bool
	}
	if err := decode(c.body, &in); err != nil {
		return err
	}
	var v validationErrors
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
	if err := v.err(); err != nil {
		return err
	}
	if in.LogStreamNames != nil && in.LogStreamNamePrefix != nil {
		return invalidParameter("You cannot specify both LogStreamNames and LogStreamNamePrefix")
	}
	group, err := h.resolveGroup(c.region, in.LogGroupName, in.LogGroupIdentifier)
	if err != nil {
		return err
	}
	var match matcher
	if in.FilterPattern != nil {
		if match, err = compilePattern(*in.FilterPattern); err != nil {
			return err
		}
	}
	r := timeRange(in.StartTime, in.EndTime, true)
	if r.After, err = parseFilterToken(in.NextToken); err != nil {
		return err
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
		return storeError(err)
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
		return err
	}
	out = append(out, `],"searchedLogStreams":[]`...)
	if more {
		out = append(out, `,"nextToken":"`...)
		out = append(out, filterToken(last)...)
		out = append(out, '"')
	}
	c.out = append(out, '}')
	return nil
}
