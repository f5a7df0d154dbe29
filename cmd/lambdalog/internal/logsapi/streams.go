package logsapi

import (
	"fmt"
	"slices"
	"strings"

	"github.com/lambdalog/lambdalog/cmd/lambdalog/internal/store"
)

// streamInput is the input of the operations that name one log stream.
type streamInput struct{ LogGroupName, LogStreamName *string }

func (in *streamInput) validate(v *validationErrors) {
	v.str("logGroupName", in.LogGroupName, true, ruleGroupName)
	v.str("logStreamName", in.LogStreamName, true, ruleStreamName)
}

func (h *Handler) createLogStream(c *call, in *streamInput) (any, error) {
	return nil, h.store.CreateStream(c.ctx, c.region, *in.LogGroupName, *in.LogStreamName)
}

func (h *Handler) deleteLogStream(c *call, in *streamInput) (any, error) {
	return nil, h.store.DeleteStream(c.ctx, c.region, *in.LogGroupName, *in.LogStreamName)
}

type logStreamOut struct {
	LogStreamName       string `json:"logStreamName"`
	CreationTime        int64  `json:"creationTime"`
	FirstEventTimestamp *int64 `json:"firstEventTimestamp,omitempty"`
	LastEventTimestamp  *int64 `json:"lastEventTimestamp,omitempty"`
	LastIngestionTime   *int64 `json:"lastIngestionTime,omitempty"`
	Arn                 string `json:"arn"`
	StoredBytes         int64  `json:"storedBytes"`
}

type describeLogStreamsInput struct {
	LogGroupName, LogGroupIdentifier, LogStreamNamePrefix, OrderBy, NextToken *string
	Descending                                                                bool
	Limit                                                                     *int64
}

func (in *describeLogStreamsInput) validate(v *validationErrors) {
	v.str("logGroupName", in.LogGroupName, false, ruleGroupName)
	v.str("logGroupIdentifier", in.LogGroupIdentifier, false, ruleGroupIdentifier)
	v.str("logStreamNamePrefix", in.LogStreamNamePrefix, false, ruleStreamName)
	v.enum("orderBy", in.OrderBy, []string{"LogStreamName", "LastEventTime"})
	v.str("nextToken", in.NextToken, false, ruleNextToken)
	v.intRange("limit", in.Limit, 1, 50)
}

func (h *Handler) describeLogStreams(c *call, in *describeLogStreamsInput) (any, error) {
	group, err := h.resolveGroup(c.region, in.LogGroupName, in.LogGroupIdentifier)
	if err != nil {
		return nil, err
	}
	byTime := in.OrderBy != nil && *in.OrderBy == "LastEventTime"
	if byTime && in.LogStreamNamePrefix != nil {
		return nil, invalidParameter("Cannot order by LastEventTime with a logStreamNamePrefix.")
	}
	after, err := decodeToken(in.NextToken)
	if err != nil {
		return nil, err
	}
	limit := 50
	if in.Limit != nil {
		limit = int(*in.Limit)
	}
	prefix := ""
	if in.LogStreamNamePrefix != nil {
		prefix = *in.LogStreamNamePrefix
	}
	// Every stream's sort key orders the listing and is the page token.
	sortKey := func(st *store.Stream) string {
		if !byTime {
			return st.Name
		}
		var last int64
		if st.HasEvents {
			last = st.LastEventTimestamp
		}
		return fmt.Sprintf("%020d/%s", uint64(last)^(1<<63), st.Name)
	}
	type keyed struct {
		key string
		st  store.Stream
	}
	var streams []keyed
	err = h.store.ListStreams(c.ctx, c.region, group, prefix, func(st store.Stream) bool {
		k := sortKey(&st)
		if after == "" || (!in.Descending && k > after) || (in.Descending && k < after) {
			streams = append(streams, keyed{k, st})
		}
		return true
	})
	if err != nil {
		return nil, err
	}
	slices.SortFunc(streams, func(a, b keyed) int {
		if in.Descending {
			return strings.Compare(b.key, a.key)
		}
		return strings.Compare(a.key, b.key)
	})
	out := struct {
		LogStreams []logStreamOut `json:"logStreams"`
		NextToken  string         `json:"nextToken,omitempty"`
	}{LogStreams: []logStreamOut{}}
	if len(streams) > limit {
		streams = streams[:limit]
		out.NextToken = encodeToken(streams[limit-1].key)
	}
	for _, k := range streams {
		st := k.st
		o := logStreamOut{LogStreamName: st.Name, CreationTime: st.CreationTime, Arn: h.streamARN(c.region, group, st.Name), StoredBytes: st.StoredBytes}
		if st.HasEvents {
			o.FirstEventTimestamp, o.LastEventTimestamp, o.LastIngestionTime = &st.FirstEventTimestamp, &st.LastEventTimestamp, &st.LastIngestionTime
		}
		out.LogStreams = append(out.LogStreams, o)
	}
	return out, nil
}
