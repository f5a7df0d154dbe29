package logger

import (
	"sync/atomic"
	"time"

	"github.com/lambdalog/lambdalog/internal/jsonstr"
)

// appendString appends s as a quoted JSON string; see package jsonstr for the escaping rules.
func appendString(buf []byte, s string) []byte { return jsonstr.Append(buf, s) }

// appendEscaped appends the escaped contents of a JSON string without the quotes.
func appendEscaped(buf []byte, s string) []byte { return jsonstr.AppendEscaped(buf, s) }

// secondStamp is "2006-01-02T15:04:05" for one second, cached by recordTimestamp.
type secondStamp struct {
	unix int64
	text [19]byte
}

// timestampCache formats record timestamps, reusing the formatted second.
type timestampCache struct {
	last atomic.Pointer[secondStamp]
}

// append appends t in UTC as RFC 3339 with milliseconds, e.g. 2024-05-01T12:00:00.123Z.
func (c *timestampCache) append(buf []byte, t time.Time) []byte {
	unix := t.Unix()
	st := c.last.Load()
	if st == nil || st.unix != unix {
		year := t.UTC().Year()
		if year < 0 || year > 9999 {
			return appendTimestamp(buf, t)
		}
		st = &secondStamp{unix: unix}
		var full [24]byte
		copy(st.text[:], appendTimestamp(full[:0], t))
		c.last.Store(st)
	}
	ms := t.Nanosecond() / int(time.Millisecond)
	buf = append(buf, st.text[:]...)
	return append(buf, '.', byte('0'+ms/100), byte('0'+ms/10%10), byte('0'+ms%10), 'Z')
}

// appendTimestamp appends t in UTC as RFC 3339 with milliseconds, e.g. 2024-05-01T12:00:00.123Z.
func appendTimestamp(buf []byte, t time.Time) []byte {
	t = t.UTC()
	out, ok := appendSeconds(buf, t)
	if !ok {
		return t.AppendFormat(buf, "2006-01-02T15:04:05.000Z07:00")
	}
	ms := t.Nanosecond() / int(time.Millisecond)
	return append(out, '.', byte('0'+ms/100), byte('0'+ms/10%10), byte('0'+ms%10), 'Z')
}

// appendSeconds appends t, in UTC, as 2006-01-02T15:04:05; it reports false, appending nothing,
// for a year outside 0..9999.
func appendSeconds(buf []byte, t time.Time) ([]byte, bool) {
	year, month, day := t.Date()
	if year < 0 || year > 9999 {
		return buf, false
	}
	hour, minute, sec := t.Clock()
	return append(buf,
		byte('0'+year/1000), byte('0'+year/100%10), byte('0'+year/10%10), byte('0'+year%10), '-',
		byte('0'+int(month)/10), byte('0'+int(month)%10), '-',
		byte('0'+day/10), byte('0'+day%10), 'T',
		byte('0'+hour/10), byte('0'+hour%10), ':',
		byte('0'+minute/10), byte('0'+minute%10), ':',
		byte('0'+sec/10), byte('0'+sec%10)), true
}

// appendTime appends t as RFC 3339 with nanoseconds (trailing zeros trimmed), like
// time.RFC3339Nano, with a fast path for UTC.
func appendTime(buf []byte, t time.Time) []byte {
	if t.Location() != time.UTC {
		return t.AppendFormat(buf, time.RFC3339Nano)
	}
	buf, ok := appendSeconds(buf, t)
	if !ok {
		return t.AppendFormat(buf, time.RFC3339Nano)
	}
	if ns := t.Nanosecond(); ns != 0 {
		var frac [10]byte
		frac[0] = '.'
		for i := 9; i >= 1; i-- {
			frac[i] = byte('0' + ns%10)
			ns /= 10
		}
		n := 10
		for frac[n-1] == '0' {
			n--
		}
		buf = append(buf, frac[:n]...)
	}
	return append(buf, 'Z')
}
