package filterpattern

import (
	"regexp"
	"strings"
	"unicode/utf8"
)

// parser is a cursor over the pattern being parsed.
type parser struct {
	src     string
	pos     int
	regexes int // regular expressions seen so far
}

func (p *parser) skipSpace() {
	for p.pos < len(p.src) && isSpace(p.src[p.pos]) {
		p.pos++
	}
}

// peek returns the byte at the cursor, or 0 at the end.
func (p *parser) peek() byte {
	if p.pos < len(p.src) {
		return p.src[p.pos]
	}
	return 0
}

// what describes the text at the cursor for error messages.
func (p *parser) what() string {
	if p.pos >= len(p.src) {
		return "the end of the pattern"
	}
	end := p.pos + 1
	for end < len(p.src) && (end-p.pos < 12 && !isSpace(p.src[end]) || !utf8.RuneStart(p.src[end])) {
		end++
	}
	return "'" + p.src[p.pos:end] + "'"
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

// expr is a boolean combination of conditions: && binds tighter than ||,
// and parentheses group.
type expr struct {
	op   byte // '&' or '|' for inner nodes, 0 for a leaf
	l, r *expr
	leaf *cond
}

// parseOr parses a || b || ..., where the operands are parsed by leaf.
func (p *parser) parseOr(leaf func() (*cond, error)) (*expr, error) {
	l, err := p.parseAnd(leaf)
	if err != nil {
		return nil, err
	}
	for {
		p.skipSpace()
		if !strings.HasPrefix(p.src[p.pos:], "||") {
			return l, nil
		}
		p.pos += 2
		r, err := p.parseAnd(leaf)
		if err != nil {
			return nil, err
		}
		l = &expr{op: '|', l: l, r: r}
	}
}

func (p *parser) parseAnd(leaf func() (*cond, error)) (*expr, error) {
	l, err := p.parsePrimary(leaf)
	if err != nil {
		return nil, err
	}
	for {
		p.skipSpace()
		if !strings.HasPrefix(p.src[p.pos:], "&&") {
			return l, nil
		}
		p.pos += 2
		r, err := p.parsePrimary(leaf)
		if err != nil {
			return nil, err
		}
		l = &expr{op: '&', l: l, r: r}
	}
}

func (p *parser) parsePrimary(leaf func() (*cond, error)) (*expr, error) {
	p.skipSpace()
	if p.peek() != '(' {
		c, err := leaf()
		if err != nil {
			return nil, err
		}
		return &expr{leaf: c}, nil
	}
	open := p.pos
	p.pos++
	e, err := p.parseOr(leaf)
	if err != nil {
		return nil, err
	}
	p.skipSpace()
	if p.peek() != ')' {
		return nil, errorf(p.pos, "expected ')' to close the '(' at column %d, found %s", open+1, p.what())
	}
	p.pos++
	return e, nil
}

// leaves calls f for every condition of e, left to right.
func (e *expr) leaves(f func(*cond)) {
	if e.leaf != nil {
		f(e.leaf)
		return
	}
	e.l.leaves(f)
	e.r.leaves(f)
}

// parseOp parses a comparison operator at the cursor.
func (p *parser) parseOp() (cmpOp, bool) {
	rest := p.src[p.pos:]
	for _, o := range [...]cmpOp{opNe, opLe, opGe, opEq, opLt, opGt} {
		if strings.HasPrefix(rest, opNames[o]) {
			p.pos += len(opNames[o])
			return o, true
		}
	}
	return 0, false
}

// isValueByte reports whether c may appear in an unquoted value. Values
// with any other character must be quoted, as AWS requires.
func isValueByte(c byte) bool {
	return isWordByte(c) || strings.IndexByte("-.*+:/", c) >= 0
}

// parseValue parses the right-hand side of "op value". stop lists the
// characters that end an unquoted value besides white space.
func (p *parser) parseValue(op cmpOp, stop string) (literal, error) {
	p.skipSpace()
	start := p.pos
	var l literal
	switch c := p.peek(); {
	case c == '"':
		s, err := p.parseQuoted()
		if err != nil {
			return l, err
		}
		l = newStringLiteral(s)
	case c == '%':
		re, err := p.parseRegex()
		if err != nil {
			return l, err
		}
		l = literal{kind: litRegex, re: re}
	default:
		for p.pos < len(p.src) && !isSpace(p.src[p.pos]) && strings.IndexByte(stop, p.src[p.pos]) < 0 {
			if !isValueByte(p.src[p.pos]) {
				return l, errorf(p.pos, "character %q is not allowed in an unquoted value; put the value in double quotes", p.src[p.pos]).
					withAWS("Invalid character(s) in term '" + p.src[p.pos:p.pos+1] + "'")
			}
			p.pos++
		}
		if p.pos == start {
			return l, errorf(p.pos, "expected a value after %s, found %s", opNames[op], p.what())
		}
		l = newWordLiteral(p.src[start:p.pos])
	}
	if op >= opLt && l.kind != litNumber {
		return l, errorf(start, "operator %s compares numbers; %q is not a number", opNames[op], p.src[start:p.pos])
	}
	return l, nil
}

// parseQuoted parses a "double-quoted string" at the cursor. Inside it \"
// stands for " and \\ for \; any other backslash is an ordinary character.
func (p *parser) parseQuoted() (string, error) {
	start := p.pos
	p.pos++
	var b strings.Builder
	for p.pos < len(p.src) {
		c := p.src[p.pos]
		switch {
		case c == '"':
			p.pos++
			return b.String(), nil
		case c == '\\' && p.pos+1 < len(p.src) && (p.src[p.pos+1] == '"' || p.src[p.pos+1] == '\\'):
			b.WriteByte(p.src[p.pos+1])
			p.pos += 2
		default:
			b.WriteByte(c)
			p.pos++
		}
	}
	return "", errorf(start, "the double quote that starts here is never closed")
}

// parseRegex parses a %regex% at the cursor, counting it against MaxRegexes.
func (p *parser) parseRegex() (*regexp.Regexp, error) {
	start := p.pos
	end := strings.IndexByte(p.src[start+1:], '%')
	if end < 0 {
		return nil, errorf(start, "the %% that starts a regular expression here is never closed with another %%")
	}
	p.regexes++
	if p.regexes > MaxRegexes {
		return nil, errorf(start, "a filter pattern may contain at most %d regular expressions", MaxRegexes)
	}
	p.pos = start + 1 + end + 1
	return compileRegex(p.src[start+1:start+1+end], start)
}
