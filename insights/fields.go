package insights

import (
	"strconv"
	"strings"
	"unsafe"
)

// EventFields returns every field a query could read of ev, as
// GetLogRecord and GetLogGroupFields show them: the system fields
// (@timestamp and @ingestionTime as epoch milliseconds, @message, @logStream,
// @log), the fields of a Lambda platform line, and the fields discovered in
// the message's JSON (at most MaxJSONFields) or VPC flow log record. Values
// are rendered as query results render them, except the times.
func EventFields(ev *Event) []Field {
	msg := unsafe.String(unsafe.SliceData(ev.Message), len(ev.Message))
	log := ev.LogGroup
	if ev.Account != "" {
		log = ev.Account + ":" + ev.LogGroup
	}
	fields := []Field{
		{"@timestamp", strconv.FormatInt(ev.Timestamp, 10)},
		{"@ingestionTime", strconv.FormatInt(ev.IngestionTime, 10)},
		{"@message", strings.Clone(msg)},
		{"@logStream", ev.LogStream},
		{"@log", log},
	}
	for i, v := range lambdaValues(msg) {
		if v.kind != null.kind {
			fields = append(fields, Field{lambdaFields[i], strings.Clone(v.render())})
		}
	}
	if start := jsonStart(msg, ev.LogGroup); start >= 0 {
		leaves := 0
		flattenJSON(msg[start:], func(path string, v value) bool {
			if leaves++; leaves > MaxJSONFields {
				return false
			}
			fields = append(fields, Field{strings.Clone(path), strings.Clone(v.render())})
			return true
		})
	} else {
		l := loader{msg: msg}
		if l.splitVPC() {
			for i, name := range vpcFields {
				if l.parts[i] != "-" {
					fields = append(fields, Field{name, strings.Clone(l.parts[i])})
				}
			}
		}
	}
	return fields
}
