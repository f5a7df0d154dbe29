package logsapi

import (
	"strconv"

	"github.com/lambdalog/lambdalog/cmd/lambdalog/internal/store"
)

// PutLogEvents limits (AWS CloudWatch Logs quotas).
const (
	maxBatchBytes    = 1_048_576
	eventOverhead    = 26
	maxBatchEvents   = 10_000
	maxBatchSpan     = 24 * 3600 * 1000
	maxFutureMillis  = 2 * 3600 * 1000
	maxPastMillis    = 14 * 24 * 3600 * 1000
	millisPerDay     = 24 * 3600 * 1000
	sequenceTokenLen = 56
)

func (h *Handler) putLogEvents(c *call) error {
	var in putLogEventsInput
	if err := decodePutLogEvents(c.body, &in); err != nil {
		return serializationError("Cannot decode PutLogEvents request: %v", err)
	}
	if err := validatePutLogEvents(&in); err != nil {
		return err
	}
	evs := in.LogEvents
	size := 0
	for i := range evs {
		n := len(evs[i].Message) + eventOverhead
		if n > maxBatchBytes {
			return invalidParameter("Log event too large: %d bytes exceeds limit of %d", n, maxBatchBytes)
		}
		size += n
		if i > 0 && evs[i].Timestamp < evs[i-1].Timestamp {
			return invalidParameter("Log events in a single PutLogEvents request must be in chronological order.")
		}
	}
	if size > maxBatchBytes {
		return invalidParameter("Upload too large: %d bytes exceeds limit of %d", size, maxBatchBytes)
	}
	group, err := h.store.Group(c.ctx, c.region, in.LogGroupName.Value)
	if err != nil {
		return storeError(err)
	}

	// Events are sorted, so the rejected ones are a prefix (too old or
	// expired) and a suffix (too new).
	now := h.now().UnixMilli()
	tooOldEnd, expiredEnd, tooNewStart := 0, 0, len(evs)
	for tooOldEnd < len(evs) && evs[tooOldEnd].Timestamp < now-maxPastMillis {
		tooOldEnd++
	}
	if group.RetentionDays > 0 {
		cutoff := now - int64(group.RetentionDays)*millisPerDay
		for expiredEnd < len(evs) && evs[expiredEnd].Timestamp < cutoff {
			expiredEnd++
		}
	}
	for tooNewStart > 0 && evs[tooNewStart-1].Timestamp > now+maxFutureMillis {
		tooNewStart--
	}
	first := max(tooOldEnd, expiredEnd)
	valid := evs[first:max(first, tooNewStart)]
	if len(valid) > 0 && valid[len(valid)-1].Timestamp-valid[0].Timestamp > maxBatchSpan {
		return invalidParameter("The batch of log events in a single PutLogEvents request cannot span more than 24 hours.")
	}
	batch := make([]store.Event, len(valid))
	for i := range valid {
		batch[i] = store.Event{Timestamp: valid[i].Timestamp, Message: valid[i].Message}
	}
	ingest, err := h.store.PutEvents(c.ctx, c.region, in.LogGroupName.Value, in.LogStreamName.Value, batch)
	if err != nil {
		return storeError(err)
	}

	out := append(c.out, `{"nextSequenceToken":"`...)
	tok := strconv.AppendInt(nil, ingest, 10)
	for range sequenceTokenLen - len(tok) {
		out = append(out, '0')
	}
	out = append(out, tok...)
	out = append(out, '"')
	if tooOldEnd > 0 || expiredEnd > 0 || tooNewStart < len(evs) {
		out = append(out, `,"rejectedLogEventsInfo":{`...)
		firstField := true
		for _, f := range []struct {
			name string
			v    int
			set  bool
		}{
			{"tooNewLogEventStartIndex", tooNewStart, tooNewStart < len(evs)},
			{"tooOldLogEventEndIndex", tooOldEnd, tooOldEnd > 0},
			{"expiredLogEventEndIndex", expiredEnd, expiredEnd > 0},
		} {
			if f.set {
				out = appendField(out, firstField, f.name)
				out = strconv.AppendInt(out, int64(f.v), 10)
				firstField = false
			}
		}
		out = append(out, '}')
	}
	c.out = append(out, '}')
	return nil
}

func validatePutLogEvents(in *putLogEventsInput) error {
	var v validationErrors
	str := func(s optString) *string {
		if !s.Set {
			return nil
		}
		return &s.Value
	}
	v.str("logGroupName", str(in.LogGroupName), true, ruleGroupName)
	v.str("logStreamName", str(in.LogStreamName), true, ruleStreamName)
	v.str("sequenceToken", str(in.SequenceToken), false, ruleNextToken)
	switch n := len(in.LogEvents); {
	case in.LogEvents == nil:
		v.add("null", "logEvents", "not be null")
	case n < 1:
		v.add("'[]'", "logEvents", "have length greater than or equal to 1")
	case n > maxBatchEvents:
		v.add("'["+strconv.Itoa(n)+" events]'", "logEvents", "have length less than or equal to 10000")
	}
	if len(v) > 0 {
		return v.err()
	}
	for i := range in.LogEvents {
		e := &in.LogEvents[i]
		if e.HasTimestamp && e.Timestamp >= 0 && e.HasMessage && len(e.Message) >= ruleEventMessage.min {
			continue
		}
		param := "logEvents." + strconv.Itoa(i+1) + ".member."
		if !e.HasTimestamp {
			v.add("null", param+"timestamp", "not be null")
		} else if e.Timestamp < 0 {
			v.add(quote(strconv.FormatInt(e.Timestamp, 10)), param+"timestamp", "have value greater than or equal to 0")
		}
		if !e.HasMessage {
			v.add("null", param+"message", "not be null")
		} else if len(e.Message) < ruleEventMessage.min {
			v.add("''", param+"message", "have length greater than or equal to 1")
		}
	}
	return v.err()
}
