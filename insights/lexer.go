package insights

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// tokKind is the kind of a token.
type tokKind uint8

const (
	tEOF    tokKind = iota
	tIdent          // a field name or keyword: letters, digits, _ . @ and `quoted` parts
	tNumber         // 12, 1.5, 2e3
	tPeriod         // a number directly followed by a unit: 5m, 1h, 100ms
	tString         // 'text' or "text"
	tRegex          // /text/
	tPunct          // an operator or punctuation: | , ( ) [ ] + - * / % ^ = != < > <= >= =~ ! : .
)

// token is one lexical element of a query. start and end are byte offsets
// into the query (end exclusive).
type token struct {
	kind       tokKind
	start, end int
	text       string   // the source text, except for strings and regexes: their contents
	segs       []string // tIdent: the dot-separated parts of the name, unquoted
	quoted     bool     // tIdent: some part was written in backticks
	unit       string   // tPeriod: the unit
	num        float64  // tNumber, tPeriod: the value
}

// lexer splits a query into tokens. Regular expressions are recognised only
// where the parser expects one (after like, =~ and in parse), since / is
// also the division operator.
type lexer struct {
	src  string
	pos  int
	tok  token // the current token
	err  *Error
	prev int // end of the previous token
}

func newLexer(src string) *lexer {
	lx := &lexer{src: src}
	lx.next()
	return lx
}

// fail records the first error.
func (lx *lexer) fail(start, end int, format string, args ...any) {
	if lx.err == nil {
		lx.err = errAt(lx.src, start, end, format, args...)
	}
}

// skipSpace skips white space and # comments.
func (lx *lexer) skipSpace() {
	for lx.pos < len(lx.src) {
		c := lx.src[lx.pos]
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v':
			lx.pos++
		case c == '#':
			for lx.pos < len(lx.src) && lx.src[lx.pos] != '\n' {
				lx.pos++
			}
		case c >= utf8.RuneSelf:
			r, n := utf8.DecodeRuneInString(lx.src[lx.pos:])
			if !unicode.IsSpace(r) {
				return
			}
			lx.pos += n
		default:
			return
		}
	}
}

func isLetter(c byte) bool { return c|0x20 >= 'a' && c|0x20 <= 'z' }
func isDigit(c byte) bool  { return c >= '0' && c <= '9' }

// isNameByte reports whether c may continue an unquoted name.
func isNameByte(c byte) bool { return isLetter(c) || isDigit(c) || c == '_' || c == '@' }

// next advances to the next token.
func (lx *lexer) next() {
	lx.prev = lx.tok.end
	lx.skipSpace()
	start := lx.pos
	lx.tok = token{start: start, end: start}
	if lx.pos >= len(lx.src) {
		lx.tok.kind = tEOF
		return
	}
	c := lx.src[lx.pos]
	switch {
	case isLetter(c) || c == '_' || c == '@' || c == '`' || c >= utf8.RuneSelf:
		lx.name()
	case isDigit(c):
		lx.number()
	case c == '"' || c == '\'':
		lx.str(c)
	default:
		lx.punct()
	}
}

// name lexes a field name or keyword: parts of letters, digits, _ and @,
// or `anything but a backtick`, separated by dots.
func (lx *lexer) name() {
	t := &lx.tok
	t.kind = tIdent
	var segs []string
	var cur strings.Builder
	for lx.pos < len(lx.src) {
		c := lx.src[lx.pos]
		switch {
		case c == '`':
			end := strings.IndexByte(lx.src[lx.pos+1:], '`')
			if end < 0 {
				lx.fail(lx.pos, len(lx.src), "unterminated backtick name: a ` has no closing `")
				lx.pos = len(lx.src)
				continue
			}
			cur.WriteString(lx.src[lx.pos+1 : lx.pos+1+end])
			t.quoted = true
			lx.pos += end + 2
		case isNameByte(c):
			cur.WriteByte(c)
			lx.pos++
		case c >= utf8.RuneSelf:
			r, n := utf8.DecodeRuneInString(lx.src[lx.pos:])
			if !unicode.IsLetter(r) && !unicode.IsDigit(r) {
				goto done
			}
			cur.WriteString(lx.src[lx.pos : lx.pos+n])
			lx.pos += n
		case c == '.' && lx.pos+1 < len(lx.src) && (isNameByte(lx.src[lx.pos+1]) || lx.src[lx.pos+1] == '`'):
			segs = append(segs, cur.String())
			cur.Reset()
			lx.pos++
		default:
			goto done
		}
	}
done:
	segs = append(segs, cur.String())
	t.segs = segs
	t.end = lx.pos
	t.text = strings.Join(segs, ".")
	if t.text == "" {
		lx.fail(t.start, t.end, "empty name")
	}
}

// number lexes 12, 1.5, 2e3, and periods such as 5m and 100ms.
func (lx *lexer) number() {
	t := &lx.tok
	t.kind = tNumber
	s := lx.src
	i := lx.pos
	for i < len(s) && isDigit(s[i]) {
		i++
	}
	if i+1 < len(s) && s[i] == '.' && isDigit(s[i+1]) {
		i++
		for i < len(s) && isDigit(s[i]) {
			i++
		}
	}
	if i+1 < len(s) && (s[i] == 'e' || s[i] == 'E') {
		j := i + 1
		if j < len(s) && (s[j] == '+' || s[j] == '-') {
			j++
		}
		if j < len(s) && isDigit(s[j]) {
			for j < len(s) && isDigit(s[j]) {
				j++
			}
			i = j
		}
	}
	numEnd := i
	for i < len(s) && isLetter(s[i]) {
		i++
	}
	t.num = parseFloatLit(s[lx.pos:numEnd])
	if i > numEnd {
		t.kind = tPeriod
		t.unit = s[numEnd:i]
	}
	if i < len(s) && (isDigit(s[i]) || s[i] == '_' || s[i] == '@') {
		for i < len(s) && isNameByte(s[i]) {
			i++
		}
		lx.fail(lx.pos, i, "%q is not a number, a time period or a name (a name cannot start with a digit)", s[lx.pos:i])
	}
	lx.pos = i
	t.end = i
	t.text = s[t.start:i]
}

// str lexes a quoted string. Inside it, a backslash escapes the quote and
// the backslash; \n, \t and \r stand for the control characters; any other
// backslash is kept.
func (lx *lexer) str(q byte) {
	t := &lx.tok
	t.kind = tString
	s := lx.src
	i := lx.pos + 1
	var b strings.Builder
	for {
		if i >= len(s) {
			lx.fail(t.start, len(s), "unterminated string: the %c has no closing %c", q, q)
			break
		}
		c := s[i]
		if c == q {
			i++
			break
		}
		if c == '\\' && i+1 < len(s) {
			switch d := s[i+1]; d {
			case q, '\\':
				b.WriteByte(d)
			case 'n':
				b.WriteByte('\n')
			case 't':
				b.WriteByte('\t')
			case 'r':
				b.WriteByte('\r')
			default:
				b.WriteByte('\\')
				b.WriteByte(d)
			}
			i += 2
			continue
		}
		b.WriteByte(c)
		i++
	}
	lx.pos = i
	t.end = i
	t.text = b.String()
}

// punct lexes an operator or punctuation character.
func (lx *lexer) punct() {
	t := &lx.tok
	t.kind = tPunct
	s := lx.src
	c := s[lx.pos]
	n := 1
	if lx.pos+1 < len(s) {
		d := s[lx.pos+1]
		if (c == '!' || c == '<' || c == '>' || c == '=') && d == '=' || c == '=' && d == '~' || c == '!' && d == '~' {
			n = 2
		}
	}
	switch c {
	case '|', ',', '(', ')', '[', ']', '+', '-', '*', '/', '%', '^', '=', '!', '<', '>', ':', '.', '{', '}':
	default:
		r, size := utf8.DecodeRuneInString(s[lx.pos:])
		lx.fail(lx.pos, lx.pos+size, "unexpected character %q", r)
		n = size
	}
	lx.pos += n
	t.end = lx.pos
	t.text = s[t.start:lx.pos]
}

// regex re-lexes the current token, which must be the punctuation /, as a
// regular expression /.../ and advances past it. A backslash escapes the
// next character (\/ stands for /, and is passed on to the regex engine as
// such); the expression may span lines.
func (lx *lexer) regex() token {
	t := lx.tok
	s := lx.src
	i := t.start + 1
	for i < len(s) && s[i] != '/' {
		if s[i] == '\\' {
			i++
		}
		i++
	}
	if i >= len(s) {
		lx.fail(t.start, len(s), "unterminated regular expression: the / has no closing /")
		t.kind, t.text, t.end = tRegex, s[t.start+1:], len(s)
		lx.pos, lx.tok = len(s), t
		return t
	}
	t.kind = tRegex
	t.text = s[t.start+1 : i]
	t.end = i + 1
	lx.pos = t.end
	lx.tok = t
	lx.next()
	return t
}

// is reports whether the current token is the punctuation p.
func (lx *lexer) is(p string) bool { return lx.tok.kind == tPunct && lx.tok.text == p }

// isWord reports whether the current token is the unquoted keyword w (any
// case).
func (lx *lexer) isWord(w string) bool {
	return lx.tok.kind == tIdent && !lx.tok.quoted && len(lx.tok.segs) == 1 && strings.EqualFold(lx.tok.text, w)
}
