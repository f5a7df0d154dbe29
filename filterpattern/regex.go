package filterpattern

import (
	"regexp"
	"strings"
)

// MaxRegexes is the number of regular expressions (%...%) one filter pattern
// may contain, in every context (metric and subscription filters,
// FilterLogEvents, Live Tail). Parse rejects patterns with more.
const MaxRegexes = 2

// MaxPatternLength is the longest filter pattern, in bytes, the CloudWatch
// Logs API accepts (its request validation rejects longer ones with a
// ValidationException before the pattern is parsed). Parse does not check it.
const MaxPatternLength = 1024

// maxRepeat bounds the counts of {m,n}; Go's RE2 engine rejects larger ones.
const maxRepeat = 1000

// regexSymbols are the non-alphanumeric characters AWS allows in a regular
// expression as literals, and regexOperators the operators it supports.
const (
	regexSymbols   = "_#=@/;,-:"
	regexOperators = "^$?[]{}|\\*+."
)

// compileRegex checks that body, the text between the two % of a regular
// expression starting at byte offset off+1 of the pattern, uses only what
// AWS's restricted dialect allows, and compiles it to a linear-time RE2
// program. Matching is a search: the expression may match anywhere in the
// text it is applied to unless anchored with ^ or $.
func compileRegex(body string, off int) (*regexp.Regexp, error) {
	if body == "" {
		return nil, errorf(off, "empty regular expression %%%%")
	}
	inClass := false
	for i := 0; i < len(body); i++ {
		c := body[i]
		pos := off + 1 + i
		switch {
		case c >= 0x80:
			return nil, errorf(pos, "multi-byte characters are not supported in a regular expression")
		case isAlnum(c) || strings.IndexByte(regexSymbols, c) >= 0:
		case c == '(' || c == ')':
			return nil, errorf(pos, "parentheses are not supported in a regular expression; match a literal ( or ) with \\x28 or \\x29")
		case c == '\\':
			n, err := checkEscape(body, i, pos)
			if err != nil {
				return nil, err
			}
			i += n
		case c == '[':
			if inClass {
				return nil, errorf(pos, "'[' inside a character class; escape it as \\[")
			}
			inClass = true
			if i+1 < len(body) && body[i+1] == '^' {
				i++
			}
			if i+1 < len(body) && body[i+1] == ']' {
				return nil, errorf(pos, "empty character class []")
			}
		case c == ']':
			if !inClass {
				return nil, errorf(pos, "']' without a matching '['; escape it as \\]")
			}
			inClass = false
		case c == '{' && !inClass:
			n, err := checkRepeat(body, i, pos)
			if err != nil {
				return nil, err
			}
			i += n
		case c == '}' && !inClass:
			return nil, errorf(pos, "'}' without a matching '{'; escape it as \\}")
		case strings.IndexByte(regexOperators, c) >= 0:
		default:
			return nil, errorf(pos, "character %q is not supported in a regular expression (allowed: letters, digits, %s and the operators %s)", c, regexSymbols, regexOperators)
		}
	}
	if inClass {
		return nil, errorf(off+1+len(body), "character class '[' is not closed with ']'")
	}
	re, err := regexp.Compile("(?s)" + body)
	if err != nil {
		msg := err.Error()
		if i := strings.Index(msg, ": "); i >= 0 {
			msg = msg[i+2:]
		}
		return nil, errorf(off+1, "invalid regular expression: %s", msg)
	}
	return re, nil
}

// checkEscape checks the escape sequence at body[i] (a backslash) and returns
// how many bytes after the backslash it uses.
func checkEscape(body string, i, pos int) (int, error) {
	if i+1 >= len(body) {
		return 0, errorf(pos, "regular expression ends with a lone backslash")
	}
	c := body[i+1]
	switch {
	case strings.IndexByte("dDsSwW", c) >= 0,
		strings.IndexByte(regexOperators, c) >= 0,
		strings.IndexByte(regexSymbols, c) >= 0:
		return 1, nil
	case c == 'x':
		if i+3 < len(body) && isHex(body[i+2]) && isHex(body[i+3]) {
			return 3, nil
		}
		return 0, errorf(pos, "\\x must be followed by two hexadecimal digits, as in \\x28")
	}
	return 0, errorf(pos, "escape \\%c is not supported in a regular expression (supported: \\d \\D \\s \\S \\w \\W \\xhh and escaped operators)", c)
}

// checkRepeat checks the {m}, {m,} or {m,n} repetition at body[i] and returns
// how many bytes after the '{' it uses.
func checkRepeat(body string, i, pos int) (int, error) {
	end := strings.IndexByte(body[i:], '}')
	if end < 0 {
		return 0, errorf(pos, "'{' starts a repetition {m,n} that is not closed; escape a literal { as \\{")
	}
	spec := body[i+1 : i+end]
	lo, hi, hasComma := spec, "", false
	if k := strings.IndexByte(spec, ','); k >= 0 {
		lo, hi, hasComma = spec[:k], spec[k+1:], true
	}
	m, okLo := smallInt(lo)
	n, okHi := smallInt(hi)
	if !okLo || (hasComma && hi != "" && !okHi) || (!hasComma && hi != "") {
		return 0, errorf(pos, "invalid repetition {%s}: write {m}, {m,} or {m,n} with m and n numbers", spec)
	}
	if m > maxRepeat || n > maxRepeat {
		return 0, errorf(pos, "repetition count in {%s} is larger than %d", spec, maxRepeat)
	}
	if hasComma && hi != "" && n < m {
		return 0, errorf(pos, "invalid repetition {%s}: the maximum is smaller than the minimum", spec)
	}
	if i == 0 {
		return 0, errorf(pos, "repetition {%s} has nothing to repeat", spec)
	}
	return end, nil
}

// smallInt parses a non-empty run of at most 4 digits.
func smallInt(s string) (int, bool) {
	if s == "" || len(s) > 4 {
		return 0, false
	}
	n := 0
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return 0, false
		}
		n = n*10 + int(s[i]-'0')
	}
	return n, true
}

func isHex(c byte) bool {
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F')
}

func isAlnum(c byte) bool {
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')
}

// isWordByte reports whether c may appear in an unquoted term or name.
func isWordByte(c byte) bool { return isAlnum(c) || c == '_' }
