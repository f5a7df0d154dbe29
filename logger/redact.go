package logger

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// DefaultRedactKeys returns the keys whose values are redacted unless WithRedactKeys says
// otherwise. The caller may modify the returned slice.
func DefaultRedactKeys() []string {
	return []string{
		"Authorization", "Cookie", "Set-Cookie", "X-Api-Key",
		"password", "secret", "token",
		"AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN",
	}
}

// redacted is what a sensitive value is replaced with.
const redacted = `"***"`

// redactor matches sensitive keys case-insensitively. filter is a 64-bit Bloom-like set of
// (length, first byte, last byte) signatures so that most keys are rejected with one test.
type redactor struct {
	keys   []string
	filter uint64
}

func newRedactor(keys []string) redactor {
	r := redactor{}
	for _, k := range keys {
		if k == "" {
			continue
		}
		r.keys = append(r.keys, k)
		r.filter |= keySignature(k)
	}
	return r
}

// keySignature hashes a non-empty key's length and ASCII-lowercased first and last bytes to
// one bit.
func keySignature(k string) uint64 {
	h := uint(len(k))*31 + uint(k[0]|0x20)*7 + uint(k[len(k)-1]|0x20)
	return 1 << (h & 63)
}

// sensitive reports whether values under key must be redacted.
func (r *redactor) sensitive(key string) bool {
	if key == "" || r.filter&keySignature(key) == 0 {
		return false
	}
	for _, k := range r.keys {
		if len(k) == len(key) && strings.EqualFold(k, key) {
			return true
		}
	}
	return false
}

// appendStringValue appends s as a JSON string, redacting environment-style "KEY=value"
// strings whose KEY is sensitive (as in a logged os.Environ()).
func (r *redactor) appendStringValue(buf []byte, s string) []byte {
	if i := strings.IndexByte(s, '='); i > 0 && r.sensitive(s[:i]) {
		buf = append(buf, '"')
		buf = appendEscaped(buf, s[:i+1])
		return append(buf, `***"`...)
	}
	return appendString(buf, s)
}

// appendAny appends an arbitrary Go value: it is marshaled with encoding/json (so json tags,
// MarshalJSON and TextMarshaler apply), then re-encoded token by token with sensitive keys
// redacted. A value that cannot be marshaled, or whose MarshalJSON fails or panics, is written
// as a string starting with "!ERROR:" so the record stays valid JSON.
func (r *redactor) appendAny(buf []byte, v any) []byte {
	data, err := safeMarshal(v)
	if err != nil {
		return appendString(buf, "!ERROR: "+err.Error())
	}
	out, err := r.appendRedactedJSON(buf, data)
	if err != nil {
		return appendString(buf, "!ERROR: "+err.Error())
	}
	return out
}

// safeMarshal is json.Marshal that turns a panic in a MarshalJSON method into an error.
func safeMarshal(v any) (data []byte, err error) {
	defer func() {
		if p := recover(); p != nil {
			data, err = nil, fmt.Errorf("marshaling %T panicked: %v", v, p)
		}
	}()
	return json.Marshal(v)
}

// appendRedactedJSON re-encodes the JSON document data, keeping key order and replacing the
// values of sensitive keys by "***".
func (r *redactor) appendRedactedJSON(buf []byte, data []byte) ([]byte, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	// One entry per open container: whether it is an object and, if so, whether a key is next.
	type frame struct{ object, expectKey bool }
	var stack []frame
	start := len(buf)
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			return buf, nil
		}
		if err != nil {
			return buf[:start], err
		}
		top := len(stack) - 1
		if d, ok := tok.(json.Delim); ok && (d == '}' || d == ']') {
			buf = append(buf, byte(d))
			stack = stack[:top]
			if top > 0 && stack[top-1].object {
				stack[top-1].expectKey = true
			}
			continue
		}
		if top >= 0 {
			if last := buf[len(buf)-1]; last != '{' && last != '[' && last != ':' {
				buf = append(buf, ',')
			}
		}
		if top >= 0 && stack[top].expectKey {
			key := tok.(string)
			buf = appendString(buf, key)
			buf = append(buf, ':')
			stack[top].expectKey = false
			if r.sensitive(key) {
				buf = append(buf, redacted...)
				if err := skipValue(dec); err != nil {
					return buf[:start], err
				}
				stack[top].expectKey = true
			}
			continue
		}
		switch t := tok.(type) {
		case json.Delim:
			buf = append(buf, byte(t))
			stack = append(stack, frame{object: t == '{', expectKey: t == '{'})
			continue
		case string:
			buf = r.appendStringValue(buf, t)
		case json.Number:
			buf = append(buf, t...)
		case bool:
			buf = strconv.AppendBool(buf, t)
		case nil:
			buf = append(buf, "null"...)
		}
		if top >= 0 && stack[top].object {
			stack[top].expectKey = true
		}
	}
}

// skipValue consumes one complete JSON value from dec.
func skipValue(dec *json.Decoder) error {
	depth := 0
	for {
		tok, err := dec.Token()
		if err != nil {
			return err
		}
		if d, ok := tok.(json.Delim); ok {
			if d == '{' || d == '[' {
				depth++
			} else {
				depth--
			}
		}
		if depth == 0 {
			return nil
		}
	}
}
