package logger

import (
	"math"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/lambdalog/lambdalog/internal/jsonstr"
)

// appendString appends s as a quoted JSON string; see package jsonstr for the escaping rules.
func appendString(buf []byte, s string) []byte { return jsonstr.Append(buf, s) }

// appendEscaped appends the escaped contents of a JSON string without the quotes.
func appendEscaped(buf []byte, s string) []byte { return jsonstr.AppendEscaped(buf, s) }

// appendFloat appends f as a JSON number; NaN and infinities, which JSON cannot represent,
// are written as the strings "NaN", "+Inf" and "-Inf".
func appendFloat(buf []byte, f float64) []byte {
	switch {
	case math.IsNaN(f):
		return append(buf, `"NaN"`...)
	case math.IsInf(f, 1):
		return append(buf, `"+Inf"`...)
	case math.IsInf(f, -1):
		return append(buf, `"-Inf"`...)
	}
	if out, ok := appendShortDecimal(buf, f); ok {
		return out
	}
	// Same formatting as encoding/json: %g-like with exponent only for very small/large values.
	abs := math.Abs(f)
	format := byte('f')
	if abs != 0 && (abs < 1e-6 || abs >= 1e21) {
		format = 'e'
	}
	buf = strconv.AppendFloat(buf, f, format, -1, 64)
	if format == 'e' {
		// Clean up e-09 to e-9 like encoding/json.
		n := len(buf)
		if n >= 4 && buf[n-4] == 'e' && buf[n-3] == '-' && buf[n-2] == '0' {
			buf[n-2] = buf[n-1]
			buf = buf[:n-1]
		}
	}
	return buf
}

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

var pow10 = [...]float64{1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6}

// appendShortDecimal is a fast path of appendFloat for values with at most six decimals
// (12.5, 0.25, 42): if n/10^k, with n an integer of at most 15 digits, reads back as f, it
// is the only decimal of at most 15 significant digits that does (DBL_DIG is 15), hence,
// without trailing zeros, the shortest one: what strconv would write.
func appendShortDecimal(buf []byte, f float64) ([]byte, bool) {
	a := math.Abs(f)
	if !(a >= 1e-6 && a < 1e15) {
		return buf, false
	}
	for k, p := range pow10 {
		v := f * p
		n := math.Round(v)
		if n != v || n/p != f || math.Abs(n) >= 1e15 {
			continue
		}
		var digits [24]byte
		d := strconv.AppendInt(digits[:0], int64(math.Abs(n)), 10)
		for k > 0 && d[len(d)-1] == '0' { // 9319.05*100 is not an integer, *1000 is
			d = d[:len(d)-1]
			k--
		}
		if f < 0 {
			buf = append(buf, '-')
		}
		if k == 0 {
			return append(buf, d...), true
		}
		if len(d) <= k {
			buf = append(buf, '0', '.')
			for range k - len(d) {
				buf = append(buf, '0')
			}
			return append(buf, d...), true
		}
		buf = append(buf, d[:len(d)-k]...)
		buf = append(buf, '.')
		return append(buf, d[len(d)-k:]...), true
	}
	return buf, false
}

// appendTimestamp appends t in UTC as RFC 3339 with milliseconds, e.g. 2024-05-01T12:00:00.123Z.
func appendTimestamp(buf []byte, t time.Time) []byte {
	t = t.UTC()
	year, month, day := t.Date()
	hour, minute, sec := t.Clock()
	ms := t.Nanosecond() / int(time.Millisecond)
	if year < 0 || year > 9999 {
		return t.AppendFormat(buf, "2006-01-02T15:04:05.000Z07:00")
	}
	buf = append(buf,
		byte('0'+year/1000), byte('0'+year/100%10), byte('0'+year/10%10), byte('0'+year%10), '-',
		byte('0'+int(month)/10), byte('0'+int(month)%10), '-',
		byte('0'+day/10), byte('0'+day%10), 'T',
		byte('0'+hour/10), byte('0'+hour%10), ':',
		byte('0'+minute/10), byte('0'+minute%10), ':',
		byte('0'+sec/10), byte('0'+sec%10), '.',
		byte('0'+ms/100), byte('0'+ms/10%10), byte('0'+ms%10), 'Z')
	return buf
}

// appendTime appends t as RFC 3339 with nanoseconds (trailing zeros trimmed), like
// time.RFC3339Nano, with a fast path for UTC.
func appendTime(buf []byte, t time.Time) []byte {
	if t.Location() != time.UTC {
		return t.AppendFormat(buf, time.RFC3339Nano)
	}
	year, month, day := t.Date()
	hour, minute, sec := t.Clock()
	if year < 0 || year > 9999 {
		return t.AppendFormat(buf, time.RFC3339Nano)
	}
	buf = append(buf,
		byte('0'+year/1000), byte('0'+year/100%10), byte('0'+year/10%10), byte('0'+year%10), '-',
		byte('0'+int(month)/10), byte('0'+int(month)%10), '-',
		byte('0'+day/10), byte('0'+day%10), 'T',
		byte('0'+hour/10), byte('0'+hour%10), ':',
		byte('0'+minute/10), byte('0'+minute%10), ':',
		byte('0'+sec/10), byte('0'+sec%10))
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
