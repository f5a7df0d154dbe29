package insights

import (
	"strings"
	"unsafe"
)

// lambdaFields are the fields CloudWatch Logs discovers in Lambda's
// platform lines, in the order of lambdaFieldIndex.
var lambdaFields = []string{
	"@type", "@requestId", "@duration", "@billedDuration", "@memorySize",
	"@maxMemoryUsed", "@initDuration", "@xrayTraceId", "@xraySegmentId",
}

const (
	lfType = iota
	lfRequestID
	lfDuration
	lfBilledDuration
	lfMemorySize
	lfMaxMemoryUsed
	lfInitDuration
	lfXrayTraceID
	lfXraySegmentID
	nLambda
)

func lambdaFieldIndex(name string) int {
	for i, n := range lambdaFields {
		if n == name {
			return i
		}
	}
	return -1
}

// vpcFields are the fields of a default-format (version 2) VPC flow log
// record, in order, as CloudWatch Logs discovers them.
var vpcFields = []string{
	"version", "accountId", "interfaceId", "srcAddr", "dstAddr", "srcPort", "dstPort",
	"protocol", "packets", "bytes", "startTime", "endTime", "action", "logStatus",
}

func vpcFieldIndex(name string) int {
	for i, n := range vpcFields {
		if n == name {
			return i
		}
	}
	return -1
}

// loader loads the fields of the event being evaluated, each the first
// time it is read: system fields directly, Lambda fields by parsing the
// platform line once, and discovered fields by reading the event's JSON
// once (and only until every field the query reads has been found).
type loader struct {
	p      *plan
	opts   *Options
	msg    string // the message, aliasing the event's bytes
	ev     *Event
	logAcc string // cache of @log for logGrp in logAcc
	logGrp string
	logVal string
	parts  [14]string // VPC fields
	json   jsonFields
}

func (l *loader) start(ev *Event) {
	l.ev = ev
	l.msg = unsafe.String(unsafe.SliceData(ev.Message), len(ev.Message))
}

func (l *loader) load(r *row, i int) value {
	info := &l.p.slotInfo[i]
	ev := l.ev
	var v value
	switch info.src {
	case srcMessage:
		v = strVal(l.msg)
	case srcTimestamp:
		v = timeVal(ev.Timestamp)
	case srcIngestion:
		v = timeVal(ev.IngestionTime)
	case srcLogStream:
		v = strVal(ev.LogStream)
	case srcLog:
		if l.logAcc != ev.Account || l.logGrp != ev.LogGroup || l.logVal == "" {
			l.logAcc, l.logGrp = ev.Account, ev.LogGroup
			l.logVal = ev.LogGroup
			if ev.Account != "" {
				l.logVal = ev.Account + ":" + ev.LogGroup
			}
		}
		v = strVal(l.logVal)
	case srcAccount:
		if ev.Account != "" {
			v = strVal(ev.Account)
		}
	case srcRegion:
		if ev.Region != "" {
			v = strVal(ev.Region)
		}
	case srcPtr:
		if l.opts.Pointer != nil {
			v = strVal(l.opts.Pointer(EventRef{Account: ev.Account, Region: ev.Region, LogGroup: ev.LogGroup, LogStream: ev.LogStream, Timestamp: ev.Timestamp, ID: ev.ID}))
		}
	case srcLambda:
		l.loadLambda(r)
		return r.vals[i]
	case srcDiscovered:
		// A flat event's fields are found by searching for their keys:
		// no need to look for them first.
		if info.need.Text() != nil && !ev.Flat && !mayHold(ev.Message, info.need) {
			break // absent
		}
		l.loadDiscovered(r)
		if !r.isSet(i) { // a name the first segment does not read from events
			r.set(i, null)
		}
		return r.vals[i]
	}
	r.set(i, v)
	return v
}

// jsonStart returns where the JSON object to flatten starts in the
// message: at its start, or for Lambda log groups at the first embedded
// JSON fragment; -1 if there is none.
func jsonStart(msg, group string) int {
	i := 0
	for i < len(msg) && (msg[i] == ' ' || msg[i] == '\t' || msg[i] == '\n' || msg[i] == '\r') {
		i++
	}
	if i < len(msg) && msg[i] == '{' {
		return i
	}
	if strings.HasPrefix(group, "/aws/lambda/") {
		return strings.IndexByte(msg, '{')
	}
	return -1
}

// loadDiscovered sets every discovered field the query reads: from the
// event's JSON, or from a VPC flow log record; absent ones become null.
func (l *loader) loadDiscovered(r *row) {
	p := l.p
	want := 0
	for _, s := range p.discovered {
		if !r.isSet(s) {
			want++
		}
	}
	if want > 0 && l.ev.Flat {
		l.json.readFlat(r, l.ev.Message)
	} else if start := jsonStart(l.msg, l.ev.LogGroup); start >= 0 && want > 0 {
		l.json.read(r, l.ev.Message[start:], want)
	} else if p.vpc && want > 0 && l.splitVPC() {
		for _, s := range p.discovered {
			if sub := p.slotInfo[s].sub; sub >= 0 && !r.isSet(s) && l.parts[sub] != "-" {
				v := strVal(l.parts[sub])
				if f, ok := parseNumber(v.str); ok {
					v = numText(f, v.str)
				}
				r.set(s, v)
			}
		}
	}
	for _, s := range p.discovered {
		if !r.isSet(s) {
			r.set(s, null)
		}
	}
}

// splitVPC splits a default-format VPC flow log record (version 2: 14
// fields separated by spaces, the third an interface id) into l.parts.
func (l *loader) splitVPC() bool {
	msg := l.msg
	if !strings.HasPrefix(msg, "2 ") {
		return false
	}
	n := 0
	for len(msg) > 0 && n < len(l.parts) {
		sp := strings.IndexByte(msg, ' ')
		if sp < 0 {
			l.parts[n] = msg
			msg = ""
		} else {
			l.parts[n] = msg[:sp]
			msg = msg[sp+1:]
		}
		n++
	}
	return n == len(l.parts) && msg == "" && (strings.HasPrefix(l.parts[2], "eni-") || l.parts[2] == "-")
}

// loadLambda sets the Lambda fields the query reads from a platform line:
// START, END and REPORT text lines, or platform.start and platform.report
// JSON records. Other events have none.
func (l *loader) loadLambda(r *row) {
	vals := lambdaValues(l.msg)
	for i, s := range l.p.lambdaSlots {
		if s >= 0 && !r.isSet(s) {
			r.set(s, vals[i])
		}
	}
}

// lambdaValues returns the Lambda fields of a message, indexed like
// lambdaFields; all are absent unless it is a platform line.
func lambdaValues(msg string) (vals [nLambda]value) {
	switch {
	case strings.HasPrefix(msg, "REPORT RequestId: "):
		vals[lfType] = strVal("REPORT")
		parseReport(msg[len("REPORT RequestId: "):], &vals)
	case strings.HasPrefix(msg, "START RequestId: "):
		vals[lfType] = strVal("START")
		id, _, _ := strings.Cut(msg[len("START RequestId: "):], " ")
		vals[lfRequestID] = strVal(strings.TrimSpace(id))
	case strings.HasPrefix(msg, "END RequestId: "):
		vals[lfType] = strVal("END")
		vals[lfRequestID] = strVal(strings.TrimSpace(msg[len("END RequestId: "):]))
	case strings.HasPrefix(msg, "{") && strings.Contains(msg, `"platform.`):
		parsePlatformRecord(msg, &vals)
	}
	return vals
}

// parseReport reads the tab-separated "Key: value" pairs of a REPORT line
// after "REPORT RequestId: ".
func parseReport(s string, vals *[nLambda]value) {
	first := true
	for s != "" {
		var part string
		i := strings.IndexAny(s, "\t\n")
		if i < 0 {
			part, s = s, ""
		} else {
			part, s = s[:i], s[i+1:]
		}
		part = strings.TrimSpace(part)
		if first {
			vals[lfRequestID] = strVal(part)
			first = false
			continue
		}
		key, val, ok := strings.Cut(part, ": ")
		if !ok {
			continue
		}
		switch key {
		case "Duration":
			vals[lfDuration] = msValue(val)
		case "Billed Duration":
			vals[lfBilledDuration] = msValue(val)
		case "Init Duration":
			vals[lfInitDuration] = msValue(val)
		case "Memory Size":
			vals[lfMemorySize] = mbValue(val)
		case "Max Memory Used":
			vals[lfMaxMemoryUsed] = mbValue(val)
		case "XRAY TraceId":
			vals[lfXrayTraceID] = strVal(val)
		case "SegmentId":
			vals[lfXraySegmentID] = strVal(val)
		}
	}
}

// msValue reads "102.25 ms" as the number 102.25.
func msValue(s string) value {
	s = strings.TrimSuffix(s, " ms")
	f, ok := parseNumber(s)
	if !ok {
		return null
	}
	return numText(f, s)
}

// mbValue reads "128 MB" as bytes, counting a megabyte as 1,000,000 bytes
// as CloudWatch Logs does.
func mbValue(s string) value {
	f, ok := parseNumber(strings.TrimSuffix(s, " MB"))
	if !ok {
		return null
	}
	return numVal(f * 1e6)
}

// parsePlatformRecord reads a Lambda JSON-format platform record
// ({"time": ..., "type": "platform.report", "record": {...}}).
func parsePlatformRecord(msg string, vals *[nLambda]value) {
	var typ string
	flattenJSON(msg, func(path string, v value) bool {
		switch path {
		case "type":
			typ = v.str
		case "record.requestId":
			vals[lfRequestID] = v
		case "record.metrics.durationMs":
			vals[lfDuration] = v
		case "record.metrics.billedDurationMs":
			vals[lfBilledDuration] = v
		case "record.metrics.initDurationMs":
			vals[lfInitDuration] = v
		case "record.metrics.memorySizeMB":
			if v.kind == kNumber {
				vals[lfMemorySize] = numVal(v.num * 1e6)
			}
		case "record.metrics.maxMemoryUsedMB":
			if v.kind == kNumber {
				vals[lfMaxMemoryUsed] = numVal(v.num * 1e6)
			}
		case "record.tracing.spanId":
			vals[lfXraySegmentID] = v
		case "record.tracing.value":
			root := v.str
			for part := range strings.SplitSeq(v.str, ";") {
				if id, ok := strings.CutPrefix(part, "Root="); ok {
					root = id
				}
			}
			vals[lfXrayTraceID] = strVal(root)
		}
		return true
	})
	switch typ {
	case "platform.start":
		vals[lfType] = strVal("START")
	case "platform.report":
		vals[lfType] = strVal("REPORT")
	default:
		*vals = [nLambda]value{}
	}
}
