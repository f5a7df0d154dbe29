package insights

import (
	"math"
	"strconv"
	"strings"
	"time"
	"unsafe"

	"github.com/lambdalog/lambdalog/internal/jsonstr"
)

// kind is the type of a value.
type kind uint8

const (
	kNull   kind = iota // absent
	kString             // str
	kNumber             // num; str holds the text the event wrote it as, or ""
	kBool               // num is 1 or 0
	kTime               // num is epoch milliseconds
	kList               // st.items
	kMap                // st.keys, st.items
)

// value is the value of a field or an expression. Strings may alias the
// event being evaluated; own copies them before a value outlives it.
type value struct {
	kind kind
	num  float64
	str  string
	st   *structure
}

// structure holds a list or a map (from jsonParse or split).
type structure struct {
	keys  []string // map keys, in document order; nil for a list
	items []value
}

var null = value{}

func strVal(s string) value       { return value{kind: kString, str: s} }
func numVal(f float64) value      { return value{kind: kNumber, num: f} }
func timeVal(ms int64) value      { return value{kind: kTime, num: float64(ms)} }
func listVal(items []value) value { return value{kind: kList, st: &structure{items: items}} }

func boolVal(b bool) value {
	if b {
		return value{kind: kBool, num: 1}
	}
	return value{kind: kBool}
}

// numText is a number written in an event as text: it renders as written.
func numText(f float64, text string) value { return value{kind: kNumber, num: f, str: text} }

// own returns v with its strings copied, so that it no longer aliases the
// event it was read from.
func (v value) own() value {
	switch v.kind {
	case kString, kNumber:
		if v.str != "" {
			v.str = strings.Clone(v.str)
		}
	case kList, kMap:
		st := &structure{keys: make([]string, len(v.st.keys)), items: make([]value, len(v.st.items))}
		for i, k := range v.st.keys {
			st.keys[i] = strings.Clone(k)
		}
		for i, it := range v.st.items {
			st.items[i] = it.own()
		}
		v.st = st
	}
	return v
}

// ownInto is own, but copies strings into *buf (growing it) instead of
// allocating each: the returned value aliases *buf.
func (v value) ownInto(buf *[]byte) value {
	if (v.kind == kString || v.kind == kNumber) && v.str != "" {
		start := len(*buf)
		*buf = append(*buf, v.str...)
		v.str = unsafe.String(&(*buf)[start], len(v.str))
		return v
	}
	if v.kind == kList || v.kind == kMap {
		return v.own()
	}
	return v
}

// number returns v as a number: numbers, booleans (1, 0), timestamps (epoch
// ms) and strings that are numbers.
func (v value) number() (float64, bool) {
	switch v.kind {
	case kNumber, kBool, kTime:
		return v.num, true
	case kString:
		return parseNumber(v.str)
	}
	return 0, false
}

// isNumeric reports whether v can be read as a number.
func (v value) isNumeric() bool {
	_, ok := v.number()
	return ok
}

// parseNumber parses a decimal number: an optional sign, digits with an
// optional fraction, and an optional exponent. Other text (including
// "NaN", "Inf", hexadecimal and surrounding space) is not a number.
func parseNumber(s string) (float64, bool) {
	if len(s) == 0 || len(s) > 64 {
		return 0, false
	}
	i := 0
	neg := false
	if s[0] == '-' || s[0] == '+' {
		neg = s[0] == '-'
		i++
	}
	// Fast path: up to 15 digits with no fraction or exponent.
	var n int64
	j := i
	for j < len(s) && isDigit(s[j]) && j-i < 15 {
		n = n*10 + int64(s[j]-'0')
		j++
	}
	if j == len(s) && j > i {
		if neg {
			n = -n
		}
		return float64(n), true
	}
	digits := 0
	for i < len(s) && isDigit(s[i]) {
		i++
		digits++
	}
	if i < len(s) && s[i] == '.' {
		i++
		for i < len(s) && isDigit(s[i]) {
			i++
			digits++
		}
	}
	if digits == 0 {
		return 0, false
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		i++
		if i < len(s) && (s[i] == '+' || s[i] == '-') {
			i++
		}
		e := i
		for i < len(s) && isDigit(s[i]) {
			i++
		}
		if i == e {
			return 0, false
		}
	}
	if i != len(s) {
		return 0, false
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil && !math.IsInf(f, 0) {
		return 0, false
	}
	return f, true
}

// parseFloatLit parses a number literal the lexer has already checked.
func parseFloatLit(s string) float64 {
	f, _ := strconv.ParseFloat(s, 64)
	return f
}

// truthy reports whether v counts as true in a filter: true booleans,
// non-zero numbers, and strings other than "", "0" and "false"; absent
// fields, lists and maps are false.
func (v value) truthy() bool {
	switch v.kind {
	case kBool, kNumber:
		return v.num != 0
	case kTime:
		return true
	case kString:
		if f, ok := parseNumber(v.str); ok {
			return f != 0
		}
		return v.str != "" && !strings.EqualFold(v.str, "false")
	}
	return false
}

// text returns v as a string for string functions: strings as they are,
// numbers, booleans and timestamps rendered; ok is false for absent fields,
// lists and maps, which string functions treat as null.
func (v value) text() (string, bool) {
	switch v.kind {
	case kString:
		return v.str, true
	case kNumber, kBool, kTime:
		return v.render(), true
	}
	return "", false
}

// render returns v as AWS shows it in query results.
func (v value) render() string {
	switch v.kind {
	case kString:
		return v.str
	case kNumber:
		if v.str != "" {
			return v.str
		}
		return formatNumber(v.num)
	case kBool:
		if v.num != 0 {
			return "1"
		}
		return "0"
	case kTime:
		return formatTime(int64(v.num))
	case kList, kMap:
		return string(appendJSON(nil, v))
	}
	return ""
}

// formatNumber renders a number: integers without a fraction, others in
// the shortest decimal form that reads back as the same number.
func formatNumber(f float64) string {
	switch {
	case math.IsNaN(f):
		return "NaN"
	case math.IsInf(f, 1):
		return "Infinity"
	case math.IsInf(f, -1):
		return "-Infinity"
	case f == math.Trunc(f) && math.Abs(f) < 1e18:
		return strconv.FormatInt(int64(f), 10)
	case math.Abs(f) >= 1e21 || math.Abs(f) < 1e-7:
		return strconv.FormatFloat(f, 'E', -1, 64)
	}
	return strconv.FormatFloat(f, 'f', -1, 64)
}

// timeLayout is how AWS renders timestamps in query results.
const timeLayout = "2006-01-02 15:04:05.000"

// formatTime renders epoch milliseconds as 2006-01-02 15:04:05.000 (UTC).
func formatTime(ms int64) string {
	var b [32]byte
	return string(appendTime(b[:0], ms))
}

func appendTime(dst []byte, ms int64) []byte {
	return time.UnixMilli(ms).UTC().AppendFormat(dst, timeLayout)
}

// appendJSON appends v as JSON (for jsonStringify and rendering lists and
// maps).
func appendJSON(dst []byte, v value) []byte {
	switch v.kind {
	case kNull:
		return append(dst, "null"...)
	case kString:
		return jsonstr.Append(dst, v.str)
	case kNumber:
		if v.str != "" {
			return append(dst, v.str...)
		}
		if math.IsNaN(v.num) || math.IsInf(v.num, 0) {
			return append(dst, "null"...)
		}
		return append(dst, formatNumber(v.num)...)
	case kBool:
		if v.num != 0 {
			return append(dst, "true"...)
		}
		return append(dst, "false"...)
	case kTime:
		return jsonstr.Append(dst, formatTime(int64(v.num)))
	case kList:
		dst = append(dst, '[')
		for i, it := range v.st.items {
			if i > 0 {
				dst = append(dst, ',')
			}
			dst = appendJSON(dst, it)
		}
		return append(dst, ']')
	case kMap:
		dst = append(dst, '{')
		for i, k := range v.st.keys {
			if i > 0 {
				dst = append(dst, ',')
			}
			dst = jsonstr.Append(dst, k)
			dst = append(dst, ':')
			dst = appendJSON(dst, v.st.items[i])
		}
		return append(dst, '}')
	}
	return dst
}

// get returns the map entry k of v, or null.
func (v value) get(k string) value {
	if v.kind != kMap {
		return null
	}
	for i, key := range v.st.keys {
		if key == k {
			return v.st.items[i]
		}
	}
	return null
}

// index returns element i of list v, or null.
func (v value) index(i int) value {
	if v.kind != kList || i < 0 || i >= len(v.st.items) {
		return null
	}
	return v.st.items[i]
}

// compareValues compares a and b for the comparison operators: as numbers
// when both are numbers (or numeric strings), otherwise as strings. ok is
// false when they cannot be compared: either is absent, a list or a map,
// or a timestamp is compared with text that is not a number.
func compareValues(a, b value) (int, bool) {
	if a.kind == kNull || b.kind == kNull || a.kind >= kList || b.kind >= kList {
		return 0, false
	}
	x, xok := a.number()
	y, yok := b.number()
	if xok && yok {
		switch {
		case x < y:
			return -1, true
		case x > y:
			return 1, true
		case x == y:
			return 0, true
		}
		return 0, false // NaN
	}
	if a.kind == kTime || b.kind == kTime {
		return 0, false
	}
	as, _ := a.text()
	bs, _ := b.text()
	return strings.Compare(as, bs), true
}
