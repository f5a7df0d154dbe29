package filterpattern

import (
	"regexp"
	"strconv"
	"strings"
)

// cmpOp is a comparison operator of a JSON or space-delimited condition.
type cmpOp uint8

const (
	opEq cmpOp = iota // =
	opNe              // !=
	opLt              // <
	opLe              // <=
	opGt              // >
	opGe              // >=
)

var opNames = [...]string{opEq: "=", opNe: "!=", opLt: "<", opLe: "<=", opGt: ">", opGe: ">="}

// litKind says how the right-hand side of a comparison was written.
type litKind uint8

const (
	litString litKind = iota // a word or "quoted string", maybe with leading/trailing * wildcards
	litNumber                // an unquoted number such as 400, -1.5 or 10e-3
	litRegex                 // %regex%
	litAny                   // a lone *
)

// literal is the right-hand side of a comparison.
type literal struct {
	kind litKind
	// text is the string to compare for litString (wildcards removed) and
	// the number as written for litNumber.
	text string
	// leadStar and trailStar record a * wildcard at the start or end of a
	// litString. A * anywhere else is an ordinary character.
	leadStar, trailStar bool
	num                 float64
	re                  *regexp.Regexp
}

// newWordLiteral classifies an unquoted value.
func newWordLiteral(s string) literal {
	if f, ok := parseNumber(s); ok {
		return literal{kind: litNumber, text: s, num: f}
	}
	return newStringLiteral(s)
}

// newStringLiteral makes a litString from s, taking a leading and a trailing
// * as wildcards, or a litAny if s is only *.
func newStringLiteral(s string) literal {
	if strings.Trim(s, "*") == "" {
		return literal{kind: litAny}
	}
	l := literal{kind: litString}
	if strings.HasPrefix(s, "*") {
		l.leadStar = true
		s = s[1:]
	}
	if strings.HasSuffix(s, "*") {
		l.trailStar = true
		s = s[:len(s)-1]
	}
	l.text = s
	return l
}

// matchString reports whether s equals the literal, honouring wildcards.
func (l *literal) matchString(s string) bool {
	switch {
	case l.leadStar && l.trailStar:
		return strings.Contains(s, l.text)
	case l.leadStar:
		return strings.HasSuffix(s, l.text)
	case l.trailStar:
		return strings.HasPrefix(s, l.text)
	}
	return s == l.text
}

// compare reports whether a scalar value satisfies "value op l". s is the
// value's text; isNum and num give its numeric value when it has one.
func compare(op cmpOp, l *literal, s string, num float64, isNum bool) bool {
	if op >= opLt {
		if !isNum {
			return false
		}
		switch op {
		case opLt:
			return num < l.num
		case opLe:
			return num <= l.num
		case opGt:
			return num > l.num
		}
		return num >= l.num
	}
	var eq bool
	switch l.kind {
	case litAny:
		eq = true
	case litNumber:
		if isNum {
			eq = num == l.num
		} else {
			eq = s == l.text
		}
	case litRegex:
		eq = l.re.MatchString(s)
	default:
		eq = l.matchString(s)
	}
	return eq == (op == opEq)
}

// isNumber reports whether s is a number as filter patterns write them: an
// optional sign, digits with an optional fraction (or a fraction alone), and
// an optional exponent.
func isNumber(s string) bool {
	i := 0
	if i < len(s) && (s[i] == '+' || s[i] == '-') {
		i++
	}
	digits := 0
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		i++
		digits++
	}
	if i < len(s) && s[i] == '.' {
		i++
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i++
			digits++
		}
	}
	if digits == 0 {
		return false
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		i++
		if i < len(s) && (s[i] == '+' || s[i] == '-') {
			i++
		}
		exp := 0
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i++
			exp++
		}
		if exp == 0 {
			return false
		}
	}
	return i == len(s)
}

// parseNumber returns the numeric value of s if s is a number.
func parseNumber(s string) (float64, bool) {
	if !isNumber(s) {
		return 0, false
	}
	// The grammar above is a subset of ParseFloat's, so the only possible
	// error is a range error, for which ParseFloat returns ±Inf or 0.
	f, _ := strconv.ParseFloat(s, 64)
	return f, true
}
