package tracestore

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"unicode/utf8"
)

// MaxDocumentSize is the largest segment document accepted, 64 KiB: the
// daemon's datagram size, and X-Ray's limit on a segment document.
const MaxDocumentSize = 64 << 10

// maxTime bounds start_time and end_time: the year 9999.
const maxTime = 253402300799

// Document is one segment document, validated, with the fields the store
// keys and indexes it by.
type Document struct {
	Trace TraceID
	ID    SegmentID
	// Parent is the parent_id; HasParent says whether there is one.
	Parent    SegmentID
	HasParent bool
	// Subsegment is true for a subsegment sent on its own
	// ("type": "subsegment").
	Subsegment bool
	// InProgress is true for a document without end_time
	// ("in_progress": true); a complete document replaces it.
	InProgress bool
	// Start and End are start_time and end_time in epoch seconds; End is 0
	// while in progress.
	Start, End float64
	// Raw is the document as received. ParseDocument does not copy it.
	Raw []byte
}

// DocumentError is why ParseDocument rejected a document: Code is the
// ErrorCode PutTraceSegments reports in UnprocessedTraceSegments.
type DocumentError struct {
	// ID is the document's id, when it has a readable one.
	ID      string
	Code    string
	Message string
}

func (e *DocumentError) Error() string { return e.Code + ": " + e.Message }

// The codes of DocumentErrors.
const (
	CodeJSONFormat   = "JSONFormatError"
	CodeMissingParam = "MissingParam"
	CodeInvalidParam = "InvalidParam"
	CodeTooLarge     = "DocumentTooLarge"
)

// ParseDocument validates a segment or subsegment document as X-Ray does
// and returns it with its key fields. The rules: a JSON object of at most
// MaxDocumentSize bytes; id, 16 hex digits; trace_id, 1-<8 hex>-<24 hex>;
// name, 1 to 200 characters (250 for a subsegment); start_time, a number
// of epoch seconds; end_time, a number, unless in_progress is true; a
// parent_id, when present, 16 hex digits, and required when type is
// "subsegment".
func ParseDocument(raw []byte) (Document, error) {
	d := Document{Raw: raw}
	if len(raw) > MaxDocumentSize {
		return d, &DocumentError{Code: CodeTooLarge, Message: fmt.Sprintf("segment document of %d bytes exceeds the limit of %d bytes", len(raw), MaxDocumentSize)}
	}
	if !validJSON(raw) {
		return d, &DocumentError{Code: CodeJSONFormat, Message: "segment document is not valid JSON"}
	}
	var f struct {
		id, traceID, parentID, typ, name []byte
		start, end                       []byte
		inProgress                       bool
	}
	ok := scanObject(raw, func(key, val []byte) {
		switch string(key) {
		case "id":
			f.id = val
		case "trace_id":
			f.traceID = val
		case "parent_id":
			f.parentID = val
		case "type":
			f.typ = val
		case "name":
			f.name = val
		case "start_time":
			f.start = val
		case "end_time":
			f.end = val
		case "in_progress":
			f.inProgress = string(val) == "true"
		}
	})
	if !ok {
		return d, &DocumentError{Code: CodeJSONFormat, Message: "segment document is not a JSON object"}
	}
	id, ok := jsonString(f.id)
	if !ok {
		return d, missingOrInvalid(f.id, "", "id")
	}
	if d.ID, ok = ParseSegmentID(id); !ok {
		return d, &DocumentError{Code: CodeInvalidParam, Message: fmt.Sprintf("id %q is not 16 hexadecimal digits", clip(id))}
	}
	fail := func(code, msg string) (Document, error) {
		return d, &DocumentError{ID: id, Code: code, Message: msg}
	}
	tid, ok := jsonString(f.traceID)
	if !ok {
		return d, missingOrInvalid(f.traceID, id, "trace_id")
	}
	if d.Trace, ok = ParseTraceID(tid); !ok {
		return fail(CodeInvalidParam, fmt.Sprintf("trace_id %q is not of the form 1-<8 hexadecimal digits>-<24 hexadecimal digits>", clip(tid)))
	}
	if f.typ != nil {
		typ, _ := jsonString(f.typ)
		switch typ {
		case "subsegment":
			d.Subsegment = true
		case "segment":
		default:
			return fail(CodeInvalidParam, fmt.Sprintf("type %q: want \"subsegment\" (or no type, for a segment)", clip(string(f.typ))))
		}
	}
	if f.parentID != nil {
		p, ok := jsonString(f.parentID)
		if !ok {
			return fail(CodeInvalidParam, "parent_id is not a string")
		}
		if d.Parent, ok = ParseSegmentID(p); !ok {
			return fail(CodeInvalidParam, fmt.Sprintf("parent_id %q is not 16 hexadecimal digits", clip(p)))
		}
		d.HasParent = true
	} else if d.Subsegment {
		return fail(CodeMissingParam, "a subsegment sent on its own needs a parent_id")
	}
	name, ok := jsonString(f.name)
	if !ok {
		return d, missingOrInvalid(f.name, id, "name")
	}
	limit := 200
	if d.Subsegment {
		limit = 250
	}
	if n := utf8.RuneCountInString(name); n == 0 || n > limit {
		return fail(CodeInvalidParam, fmt.Sprintf("name must be 1 to %d characters, not %d", limit, n))
	}
	if d.Start, ok = jsonTime(f.start); !ok {
		return d, missingOrInvalid(f.start, id, "start_time")
	}
	switch {
	case f.end != nil:
		if d.End, ok = jsonTime(f.end); !ok {
			return fail(CodeInvalidParam, "end_time is not a number of epoch seconds")
		}
	case f.inProgress:
		d.InProgress = true
	default:
		return fail(CodeMissingParam, "a document needs an end_time, or in_progress set to true")
	}
	return d, nil
}

func missingOrInvalid(val []byte, id, field string) error {
	if val == nil {
		return &DocumentError{ID: id, Code: CodeMissingParam, Message: "missing required field " + field}
	}
	return &DocumentError{ID: id, Code: CodeInvalidParam, Message: field + " has the wrong type"}
}

// clip shortens a value quoted in a message.
func clip(s string) string {
	if len(s) > 64 {
		return s[:64] + "..."
	}
	return s
}

// jsonString decodes a JSON string value; ok is false for any other value.
func jsonString(val []byte) (string, bool) {
	if len(val) < 2 || val[0] != '"' {
		return "", false
	}
	inner := val[1 : len(val)-1]
	if bytes.IndexByte(inner, '\\') < 0 {
		return string(inner), true
	}
	var s string
	return s, json.Unmarshal(val, &s) == nil
}

// jsonTime decodes a number of epoch seconds between 0 and the year 9999.
func jsonTime(val []byte) (float64, bool) {
	if len(val) == 0 || !(val[0] == '-' || '0' <= val[0] && val[0] <= '9') {
		return 0, false
	}
	f, err := strconv.ParseFloat(string(val), 64)
	if err != nil || math.IsNaN(f) || f < 0 || f > maxTime {
		return 0, false
	}
	return f, true
}

// scanObject calls fn with each member of the JSON object raw, which must
// be valid JSON: the key's bytes between the quotes (escapes not decoded)
// and the value's bytes. It reports false when raw is not an object.
func scanObject(raw []byte, fn func(key, val []byte)) bool {
	i := skipSpace(raw, 0)
	if i >= len(raw) || raw[i] != '{' {
		return false
	}
	i++
	for {
		i = skipSpace(raw, i)
		if i >= len(raw) || raw[i] == '}' {
			return true
		}
		if raw[i] == ',' {
			i = skipSpace(raw, i+1)
		}
		kEnd := skipValue(raw, i)
		key := raw[i+1 : kEnd-1]
		i = skipSpace(raw, kEnd)
		i = skipSpace(raw, i+1) // the ':'
		vEnd := skipValue(raw, i)
		fn(key, raw[i:vEnd])
		i = vEnd
	}
}

func skipSpace(b []byte, i int) int {
	for i < len(b) && (b[i] == ' ' || b[i] == '\t' || b[i] == '\n' || b[i] == '\r') {
		i++
	}
	return i
}

// skipValue returns the end of the valid JSON value starting at b[i].
func skipValue(b []byte, i int) int {
	switch b[i] {
	case '"':
		return skipString(b, i)
	case '{', '[':
		depth := 0
		for i < len(b) {
			switch b[i] {
			case '"':
				i = skipString(b, i)
				continue
			case '{', '[':
				depth++
			case '}', ']':
				depth--
				if depth == 0 {
					return i + 1
				}
			}
			i++
		}
		return i
	default:
		for i < len(b) {
			switch b[i] {
			case ',', '}', ']', ' ', '\t', '\n', '\r':
				return i
			}
			i++
		}
		return i
	}
}

// skipString returns the end of the string starting at b[i] (its quote).
func skipString(b []byte, i int) int {
	for i++; i < len(b); i++ {
		switch b[i] {
		case '\\':
			i++
		case '"':
			return i + 1
		}
	}
	return i
}
