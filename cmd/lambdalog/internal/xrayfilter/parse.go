package xrayfilter

import (
	"fmt"
	"strings"
)

// Error is a filter expression that cannot be used: a syntax error or a
// keyword lambdalog does not support. Pos is the byte offset it was found at.
type Error struct {
	Pos int
	Msg string
}

func (e *Error) Error() string { return fmt.Sprintf("%s (at character %d)", e.Msg, e.Pos+1) }

// Filter is a parsed filter expression.
type Filter struct {
	root node
}

// maxDepth bounds the nesting of an expression.
const maxDepth = 100

// Parse parses a filter expression. An empty expression matches every trace.
func Parse(expr string) (*Filter, error) {
	toks, err := lex(expr)
	if err != nil {
		return nil, err
	}
	p := &parser{toks: toks}
	if p.peek().kind == tEOF {
		return &Filter{}, nil
	}
	n, err := p.or()
	if err != nil {
		return nil, err
	}
	if t := p.peek(); t.kind != tEOF {
		return nil, p.errorf(t, "unexpected %s", t)
	}
	return &Filter{root: n}, nil
}

// String writes the expression in canonical form: every AND and OR in
// parentheses, strings quoted, keywords lower-case. Parse(f.String())
// gives a filter with the same String.
func (f *Filter) String() string {
	if f.root == nil {
		return ""
	}
	var b strings.Builder
	f.root.write(&b)
	return b.String()
}

type parser struct {
	toks  []token
	i     int
	depth int
	scope string // "service" or "edge" inside their braces
}

func (p *parser) peek() token { return p.toks[p.i] }
func (p *parser) next() token {
	t := p.toks[p.i]
	if t.kind != tEOF {
		p.i++
	}
	return t
}

func (p *parser) errorf(t token, format string, args ...any) error {
	return &Error{Pos: t.pos, Msg: fmt.Sprintf(format, args...)}
}

func (p *parser) expect(k tokenKind, what string) (token, error) {
	t := p.next()
	if t.kind != k {
		return t, p.errorf(t, "expected %s, found %s", what, t)
	}
	return t, nil
}

func isWord(t token, w string) bool { return t.kind == tIdent && strings.EqualFold(t.text, w) }

func (p *parser) or() (node, error) {
	if p.depth++; p.depth > maxDepth {
		return nil, p.errorf(p.peek(), "expression nested more than %d deep", maxDepth)
	}
	defer func() { p.depth-- }()
	l, err := p.and()
	if err != nil {
		return nil, err
	}
	for isWord(p.peek(), "OR") {
		p.next()
		r, err := p.and()
		if err != nil {
			return nil, err
		}
		l = &binary{op: "OR", l: l, r: r}
	}
	return l, nil
}

// and parses terms joined by AND or simply written one after the other.
func (p *parser) and() (node, error) {
	l, err := p.unary()
	if err != nil {
		return nil, err
	}
	for {
		t := p.peek()
		switch {
		case isWord(t, "AND"):
			p.next()
		case t.kind == tIdent && !isWord(t, "OR"), t.kind == tBang, t.kind == tLParen:
		default:
			return l, nil
		}
		r, err := p.unary()
		if err != nil {
			return nil, err
		}
		l = &binary{op: "AND", l: l, r: r}
	}
}

func (p *parser) unary() (node, error) {
	if t := p.peek(); t.kind == tBang || isWord(t, "NOT") {
		p.next()
		if p.depth++; p.depth > maxDepth {
			return nil, p.errorf(t, "expression nested more than %d deep", maxDepth)
		}
		defer func() { p.depth-- }()
		x, err := p.unary()
		if err != nil {
			return nil, err
		}
		return &not{x: x}, nil
	}
	return p.primary()
}

func (p *parser) primary() (node, error) {
	t := p.next()
	switch t.kind {
	case tLParen:
		n, err := p.or()
		if err != nil {
			return nil, err
		}
		if _, err := p.expect(tRParen, "')'"); err != nil {
			return nil, err
		}
		return n, nil
	case tIdent:
	default:
		return nil, p.errorf(t, "expected a keyword, '!' or '(', found %s", t)
	}
	word := t.text
	for p.peek().kind == tDot {
		p.next()
		part, err := p.expect(tIdent, "a name after '.'")
		if err != nil {
			return nil, err
		}
		if word == "annotation" {
			return p.comparison(t, &keyword{name: "annotation", key: part.text})
		}
		word += "." + part.text
	}
	switch word {
	case "service", "edge":
		return p.complex(t, word)
	case "annotation":
		return nil, p.errorf(t, "annotation needs a key: annotation.KEY")
	}
	if k, ok := keywords[word]; ok {
		return p.comparison(t, &keyword{name: word, kind: k})
	}
	if isUnsupported(word) {
		return nil, p.errorf(t, "the filter keyword %q is not supported by lambdalog; supported: ok, error, fault, throttle, partial, responsetime, duration, http.status, http.url, http.method, http.useragent, http.clientip, user, annotation.KEY, service(), edge(), and id() inside service() and edge()", word)
	}
	return nil, p.errorf(t, "unknown filter keyword %q", word)
}

// valueKind is the type of a keyword's values.
type valueKind uint8

const (
	kindAny valueKind = iota // annotations: whatever the value is
	kindBool
	kindNumber
	kindString
)

var keywords = map[string]valueKind{
	"ok": kindBool, "error": kindBool, "fault": kindBool, "throttle": kindBool, "partial": kindBool,
	"responsetime": kindNumber, "duration": kindNumber, "http.status": kindNumber,
	"http.url": kindString, "http.method": kindString, "http.useragent": kindString, "http.clientip": kindString, "user": kindString,
}

// isUnsupported reports keywords of X-Ray's language that lambdalog does
// not evaluate.
func isUnsupported(word string) bool {
	switch word {
	case "inferred", "first", "last", "remote", "root", "index", "coverage", "message", "availabilityzone", "instance.id",
		"resource.arn", "name", "type", "json", "group.name", "group.arn", "id":
		return true
	}
	return strings.HasPrefix(word, "rootcause") || strings.HasPrefix(word, "group.")
}

var operators = map[string]bool{"=": true, "!=": true, "<": true, "<=": true, ">": true, ">=": true}

// comparison parses what follows a keyword: nothing, or an operator and
// a value of the keyword's type.
func (p *parser) comparison(at token, k *keyword) (node, error) {
	op := p.peek()
	switch {
	case op.kind == tOp:
	case op.kind == tIdent && (isWord(op, "CONTAINS") || isWord(op, "BEGINSWITH") || isWord(op, "ENDSWITH")):
	default:
		if k.kind == kindNumber || k.kind == kindString {
			return nil, p.errorf(op, "%s needs an operator and a value, found %s", k.name, op)
		}
		return k, nil // a bare boolean keyword, or annotation.KEY: is set
	}
	p.next()
	k.op = strings.ToUpper(op.text)
	v := p.next()
	switch v.kind {
	case tString:
		k.val = value{kind: kindString, s: v.text}
	case tNumber:
		k.val = value{kind: kindNumber, n: v.num}
	case tIdent:
		if !isWord(v, "true") && !isWord(v, "false") {
			return nil, p.errorf(v, "expected a value after %s, found %s", k.op, v)
		}
		k.val = value{kind: kindBool, b: isWord(v, "true")}
	default:
		return nil, p.errorf(v, "expected a value after %s, found %s", k.op, v)
	}
	want := k.kind
	if want == kindAny {
		want = k.val.kind
	}
	if k.val.kind != want {
		return nil, p.errorf(v, "%s compares with a %s value, not %s", k.name, want, v)
	}
	allowed := false
	switch want {
	case kindBool:
		allowed = k.op == "=" || k.op == "!="
	case kindNumber:
		allowed = operators[k.op]
	case kindString:
		allowed = k.op == "=" || k.op == "!=" || !operators[k.op]
	}
	if !allowed {
		return nil, p.errorf(op, "%s does not apply to the %s value of %s", k.op, want, k.name)
	}
	return k, nil
}

func (v valueKind) String() string {
	switch v {
	case kindBool:
		return "boolean"
	case kindNumber:
		return "number"
	}
	return "string"
}

// complex parses service(...) {...} and edge(..., ...) {...}.
func (p *parser) complex(at token, word string) (node, error) {
	if p.scope != "" {
		return nil, p.errorf(at, "%s() cannot be used inside %s() { }", word, p.scope)
	}
	if _, err := p.expect(tLParen, "'(' after "+word); err != nil {
		return nil, err
	}
	n := &complexNode{edge: word == "edge"}
	switch {
	case n.edge:
		from, err := p.serviceRef()
		if err != nil {
			return nil, err
		}
		if _, err := p.expect(tComma, "',' between the two services of edge()"); err != nil {
			return nil, err
		}
		to, err := p.serviceRef()
		if err != nil {
			return nil, err
		}
		n.from, n.to = from, to
	case p.peek().kind != tRParen:
		to, err := p.serviceRef()
		if err != nil {
			return nil, err
		}
		n.to = to
	}
	if _, err := p.expect(tRParen, "')'"); err != nil {
		return nil, err
	}
	if p.peek().kind == tLBrace {
		p.next()
		p.scope = word
		body, err := p.or()
		p.scope = ""
		if err != nil {
			return nil, err
		}
		if _, err := p.expect(tRBrace, "'}'"); err != nil {
			return nil, err
		}
		n.body = body
	}
	return n, nil
}

// serviceRef parses "name" or id(name: "...", type: "...", account.id: "...").
func (p *parser) serviceRef() (*serviceRef, error) {
	t := p.next()
	if t.kind == tString {
		return &serviceRef{name: &t.text}, nil
	}
	if !isWord(t, "id") {
		return nil, p.errorf(t, "expected a service name in quotes or id(...), found %s", t)
	}
	if _, err := p.expect(tLParen, "'(' after id"); err != nil {
		return nil, err
	}
	ref := &serviceRef{}
	for {
		f, err := p.expect(tIdent, "name, type or account.id")
		if err != nil {
			return nil, err
		}
		field := f.text
		if field == "account" {
			if _, err := p.expect(tDot, "'.' in account.id"); err != nil {
				return nil, err
			}
			if _, err := p.expect(tIdent, "id"); err != nil {
				return nil, err
			}
			field = "account.id"
		}
		if _, err := p.expect(tColon, "':' after "+field); err != nil {
			return nil, err
		}
		v, err := p.expect(tString, "a value in quotes")
		if err != nil {
			return nil, err
		}
		switch field {
		case "name":
			ref.name = &v.text
		case "type":
			ref.typ = &v.text
		case "account.id":
			ref.account = &v.text
		default:
			return nil, p.errorf(f, "id() takes name, type and account.id, not %q", field)
		}
		if p.peek().kind != tComma {
			break
		}
		p.next()
	}
	if _, err := p.expect(tRParen, "')' closing id("); err != nil {
		return nil, err
	}
	return ref, nil
}
