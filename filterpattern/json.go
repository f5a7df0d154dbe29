package filterpattern

import (
	"strings"
	"sync"
	"unsafe"
)

// testKind is what a condition checks.
type testKind uint8

const (
	testCompare   testKind = iota // selector op value
	testIsNull                    // IS NULL
	testIsTrue                    // IS TRUE
	testIsFalse                   // IS FALSE
	testNotExists                 // NOT EXISTS
	testPresent                   // a bare space-delimited field name: always true
)

// cond is one condition of a JSON or space-delimited pattern.
type cond struct {
	test testKind
	op   cmpOp
	lit  literal
	path []step // JSON selector
	sel  int    // JSON: index of the selector in jsonPattern.root
	name string // space-delimited field name
	off  int    // where the condition starts in the pattern
}

// step is one step of a JSON selector: .key or [index].
type step struct {
	key   string
	index int
	isIdx bool
}

// jsonPattern is a compiled JSON pattern.
type jsonPattern struct {
	expr *expr
	root *selNode // the tree of the selectors of expr
	nsel int      // number of distinct selectors
}

// parseJSON parses a JSON pattern; src is the whole pattern, trimmed, and
// starts with '{'.
func parseJSON(p *parser) (*jsonPattern, error) {
	if p.src[len(p.src)-1] != '}' {
		return nil, errorf(len(p.src)-1, "a JSON pattern that starts with '{' must end with '}'").
			withAWS("If a filter pattern starts with '{' it must end with '}'")
	}
	body := &parser{src: p.src[:len(p.src)-1], pos: 1}
	body.skipSpace()
	if body.pos == len(body.src) {
		return nil, errorf(body.pos, "empty JSON pattern: write a condition such as { $.level = \"ERROR\" }")
	}
	e, err := body.parseOr(body.parseJSONCond)
	if err != nil {
		return nil, err
	}
	body.skipSpace()
	if body.pos != len(body.src) {
		return nil, errorf(body.pos, "unexpected %s: conditions are joined with && or ||", body.what())
	}
	p.regexes = body.regexes
	jp := &jsonPattern{expr: e, root: &selNode{sel: -1}}
	e.leaves(func(c *cond) { c.sel = jp.root.add(c.path, &jp.nsel) })
	return jp, nil
}

// parseJSONCond parses "selector op value" or "selector IS NULL|TRUE|FALSE"
// or "selector NOT EXISTS".
func (p *parser) parseJSONCond() (*cond, error) {
	p.skipSpace()
	c := &cond{off: p.pos}
	if p.peek() != '$' {
		return nil, errorf(p.pos, "expected a selector starting with $ (such as $.level), found %s", p.what())
	}
	p.pos++
	for {
		switch p.peek() {
		case '.':
			p.pos++
			start := p.pos
			for p.pos < len(p.src) && (isWordByte(p.src[p.pos]) || p.src[p.pos] == '-') {
				p.pos++
			}
			if p.pos == start {
				return nil, errorf(p.pos, "expected a property name after '.', found %s (names may contain letters, digits, - and _)", p.what())
			}
			c.path = append(c.path, step{key: p.src[start:p.pos]})
			continue
		case '[':
			p.pos++
			start := p.pos
			n := 0
			for p.pos < len(p.src) && p.src[p.pos] >= '0' && p.src[p.pos] <= '9' && p.pos-start < 9 {
				n = n*10 + int(p.src[p.pos]-'0')
				p.pos++
			}
			if p.pos == start || p.peek() != ']' {
				return nil, errorf(start, "expected an array index such as [0], found %s", p.what())
			}
			p.pos++
			c.path = append(c.path, step{index: n, isIdx: true})
			continue
		}
		break
	}
	if len(c.path) == 0 {
		return nil, errorf(c.off, "the selector $ must name a property, as in $.level or $.users[0].id")
	}
	p.skipSpace()
	for _, kw := range [...]struct {
		word string
		test testKind
	}{{"IS NULL", testIsNull}, {"IS TRUE", testIsTrue}, {"IS FALSE", testIsFalse}, {"NOT EXISTS", testNotExists}} {
		if p.hasKeywords(kw.word) {
			c.test = kw.test
			return c, nil
		}
	}
	op, ok := p.parseOp()
	if !ok {
		return nil, errorf(p.pos, "expected an operator (= != < > <= >=) or IS NULL, IS TRUE, IS FALSE, NOT EXISTS after the selector, found %s", p.what())
	}
	lit, err := p.parseValue(op, "&|()")
	if err != nil {
		return nil, err
	}
	c.op, c.lit = op, lit
	return c, nil
}

// hasKeywords consumes words (two upper-case keywords separated by one
// space in the argument, any white space in the pattern) if they are next.
func (p *parser) hasKeywords(words string) bool {
	first, second, _ := strings.Cut(words, " ")
	q := *p
	if !strings.HasPrefix(q.src[q.pos:], first) {
		return false
	}
	q.pos += len(first)
	if q.pos >= len(q.src) || !isSpace(q.src[q.pos]) {
		return false
	}
	q.skipSpace()
	if !strings.HasPrefix(q.src[q.pos:], second) {
		return false
	}
	q.pos += len(second)
	if q.pos < len(q.src) && isWordByte(q.src[q.pos]) {
		return false
	}
	*p = q
	return true
}

// match reports whether the JSON document doc satisfies the pattern. bufs
// holds *[]byte buffers for decoding strings with escapes.
func (jp *jsonPattern) match(doc string, bufs *sync.Pool) bool {
	w := walker{doc: doc, left: jp.nsel}
	if jp.nsel > len(w.vals) {
		w.more = make([]jval, jp.nsel-len(w.vals))
	}
	_, ok := w.walk(skipWS(doc, 0), jp.root)
	return ok && jp.expr.evalJSON(&w, bufs)
}

// evalJSON evaluates e given the values the walker w found.
func (e *expr) evalJSON(w *walker, bufs *sync.Pool) bool {
	switch e.op {
	case '&':
		return e.l.evalJSON(w, bufs) && e.r.evalJSON(w, bufs)
	case '|':
		return e.l.evalJSON(w, bufs) || e.r.evalJSON(w, bufs)
	}
	return e.leaf.evalJSON(w.val(e.leaf.sel), bufs)
}

func (c *cond) evalJSON(v *jval, bufs *sync.Pool) bool {
	k, raw := v.kind, v.raw
	switch c.test {
	case testIsNull:
		return k == jNull
	case testIsTrue:
		return k == jTrue
	case testIsFalse:
		return k == jFalse
	case testNotExists:
		return k == jMissing
	}
	switch k {
	case jString:
		if strings.IndexByte(raw, '\\') < 0 {
			return compare(c.op, &c.lit, raw, 0, false)
		}
		// Decode into a pooled buffer so that matching does not allocate.
		bp, _ := bufs.Get().(*[]byte)
		if bp == nil {
			bp = new([]byte)
		}
		*bp = appendUnescaped((*bp)[:0], raw)
		ok := compare(c.op, &c.lit, unsafe.String(unsafe.SliceData(*bp), len(*bp)), 0, false)
		bufs.Put(bp)
		return ok
	case jNumber:
		f, ok := parseNumber(raw)
		return compare(c.op, &c.lit, raw, f, ok)
	case jTrue, jFalse:
		return compare(c.op, &c.lit, raw, 0, false)
	case jNull:
		// A lone * stands for any value except null (use IS NULL for that).
		if c.lit.kind == litAny {
			return c.op == opNe
		}
		return compare(c.op, &c.lit, raw, 0, false)
	}
	return false // missing, object, array or malformed
}

// looksLikeJSON is the cheap test every JSON pattern applies first: the
// event, without surrounding white space, is enclosed in {} or [].
func looksLikeJSON(s string) bool {
	i, j := 0, len(s)-1
	for i < len(s) && isSpace(s[i]) {
		i++
	}
	for j > i && isSpace(s[j]) {
		j--
	}
	if j <= i {
		return false
	}
	return (s[i] == '{' && s[j] == '}') || (s[i] == '[' && s[j] == ']')
}
