package xrayfilter

import (
	"strconv"
	"strings"

	"github.com/lambdalog/lambdalog/cmd/lambdalog/internal/tracestore"
)

// Match reports whether a trace passes the filter.
func (f *Filter) Match(t *tracestore.Trace) bool {
	if f.root == nil {
		return true
	}
	return f.root.eval(&env{t: t})
}

// env is what a node is evaluated against: a trace, and inside service()
// or edge() braces one of its segments.
type env struct {
	t   *tracestore.Trace
	sum *tracestore.Summary
	seg *tracestore.Segment
}

func (e *env) summary() *tracestore.Summary {
	if e.sum == nil {
		s := e.t.Summary()
		e.sum = &s
	}
	return e.sum
}

type node interface {
	eval(*env) bool
	write(*strings.Builder)
}

type binary struct {
	op   string // AND or OR
	l, r node
}

func (n *binary) eval(e *env) bool {
	if n.op == "AND" {
		return n.l.eval(e) && n.r.eval(e)
	}
	return n.l.eval(e) || n.r.eval(e)
}

func (n *binary) write(b *strings.Builder) {
	b.WriteByte('(')
	n.l.write(b)
	b.WriteString(" " + n.op + " ")
	n.r.write(b)
	b.WriteByte(')')
}

type not struct{ x node }

func (n *not) eval(e *env) bool { return !n.x.eval(e) }
func (n *not) write(b *strings.Builder) {
	b.WriteByte('!')
	n.x.write(b)
}

type value struct {
	kind valueKind
	s    string
	n    float64
	b    bool
}

func (v value) write(b *strings.Builder) {
	switch v.kind {
	case kindBool:
		b.WriteString(strconv.FormatBool(v.b))
	case kindNumber:
		b.WriteString(strconv.FormatFloat(v.n, 'g', -1, 64))
	default:
		b.WriteByte('"')
		for i := 0; i < len(v.s); i++ {
			if v.s[i] == '"' || v.s[i] == '\\' {
				b.WriteByte('\\')
			}
			b.WriteByte(v.s[i])
		}
		b.WriteByte('"')
	}
}

// keyword is a keyword, alone (op "") or compared with a value.
type keyword struct {
	name string
	key  string // of annotation.KEY
	kind valueKind
	op   string
	val  value
}

func (k *keyword) write(b *strings.Builder) {
	b.WriteString(k.name)
	if k.name == "annotation" {
		b.WriteString("." + k.key)
	}
	if k.op != "" {
		b.WriteString(" " + k.op + " ")
		k.val.write(b)
	}
}

func (k *keyword) eval(e *env) bool {
	if k.name == "annotation" {
		return anyValue(annotations(e, k.key), func(v any) bool {
			if k.op == "" {
				return v != false // set, and true if boolean
			}
			return compare(v, k.op, k.val)
		})
	}
	var v any
	switch k.name {
	case "ok", "error", "fault", "throttle", "partial":
		v = e.flag(k.name)
		if k.op == "" {
			return v.(bool)
		}
	case "responsetime", "duration":
		v = e.seconds(k.name)
	case "http.status":
		st := e.http().Status
		if st == 0 {
			return false
		}
		v = float64(st)
	case "user":
		return anyValue(e.users(), func(u any) bool { return compare(u, k.op, k.val) })
	default: // http strings
		h := e.http()
		s := map[string]string{"http.url": h.URL, "http.method": h.Method, "http.useragent": h.UserAgent, "http.clientip": h.ClientIP}[k.name]
		if s == "" {
			return false
		}
		v = s
	}
	return compare(v, k.op, k.val)
}

// flag is a boolean keyword's value for the trace or the segment in scope.
func (e *env) flag(name string) bool {
	if s := e.seg; s != nil {
		switch name {
		case "ok":
			return !s.Error && !s.Fault && !s.Throttle
		case "error":
			return s.Error
		case "fault":
			return s.Fault
		case "throttle":
			return s.Throttle
		}
		return !s.Walk(func(x *tracestore.Segment) bool { return !x.InProgress })
	}
	sum := e.summary()
	switch name {
	case "ok":
		return !sum.HasError && !sum.HasFault && !sum.HasThrottle
	case "error":
		return sum.HasError
	case "fault":
		return sum.HasFault
	case "throttle":
		return sum.HasThrottle
	}
	return sum.IsPartial
}

func (e *env) seconds(name string) float64 {
	if e.seg != nil {
		return e.seg.Duration()
	}
	if name == "duration" {
		return e.summary().Duration
	}
	return e.summary().ResponseTime
}

func (e *env) http() tracestore.HTTP {
	if e.seg != nil {
		return e.seg.HTTP
	}
	return e.summary().HTTP
}

func (e *env) users() []any {
	var us []any
	if e.seg != nil {
		if e.seg.User != "" {
			us = append(us, e.seg.User)
		}
		return us
	}
	for _, u := range e.summary().Users {
		us = append(us, u.Name)
	}
	return us
}

// annotations are the values of an annotation in the trace, or in the
// segment in scope and its subsegments.
func annotations(e *env, key string) []any {
	var vs []any
	collect := func(x *tracestore.Segment) bool {
		if v, ok := x.Annotations[key]; ok {
			vs = append(vs, v)
		}
		return true
	}
	if e.seg != nil {
		e.seg.Walk(collect)
		return vs
	}
	for _, s := range e.t.Segments {
		if !s.Inferred {
			s.Walk(collect)
		}
	}
	return vs
}

func anyValue(vs []any, fn func(any) bool) bool {
	for _, v := range vs {
		if fn(v) {
			return true
		}
	}
	return false
}

// compare compares a value of the trace with the filter's; values of
// different types never compare true.
func compare(v any, op string, want value) bool {
	switch x := v.(type) {
	case bool:
		if want.kind != kindBool {
			return false
		}
		return (x == want.b) == (op == "=")
	case float64:
		if want.kind != kindNumber {
			return false
		}
		switch op {
		case "=":
			return x == want.n
		case "!=":
			return x != want.n
		case "<":
			return x < want.n
		case "<=":
			return x <= want.n
		case ">":
			return x > want.n
		case ">=":
			return x >= want.n
		}
	case string:
		if want.kind != kindString {
			return false
		}
		switch op {
		case "=":
			return x == want.s
		case "!=":
			return x != want.s
		case "CONTAINS":
			return strings.Contains(x, want.s)
		case "BEGINSWITH":
			return strings.HasPrefix(x, want.s)
		case "ENDSWITH":
			return strings.HasSuffix(x, want.s)
		}
	}
	return false
}

// serviceRef names services: by name, or by id(name, type, account.id);
// a nil field matches any.
type serviceRef struct {
	name, typ, account *string
}

func (r *serviceRef) matches(id tracestore.ServiceID) bool {
	return (r.name == nil || *r.name == id.Name) && (r.typ == nil || *r.typ == id.Type) && (r.account == nil || *r.account == id.AccountID)
}

func (r *serviceRef) write(b *strings.Builder) {
	if r.typ == nil && r.account == nil && r.name != nil {
		value{kind: kindString, s: *r.name}.write(b)
		return
	}
	b.WriteString("id(")
	sep := ""
	for _, f := range []struct {
		k string
		v *string
	}{{"name", r.name}, {"type", r.typ}, {"account.id", r.account}} {
		if f.v != nil {
			b.WriteString(sep + f.k + ": ")
			value{kind: kindString, s: *f.v}.write(b)
			sep = ", "
		}
	}
	b.WriteByte(')')
}

// complexNode is service(to) {body} or edge(from, to) {body}.
type complexNode struct {
	edge     bool
	from, to *serviceRef // to is nil for service() (any service)
	body     node        // nil without braces
}

func (n *complexNode) write(b *strings.Builder) {
	if n.edge {
		b.WriteString("edge(")
		n.from.write(b)
		b.WriteString(", ")
		n.to.write(b)
	} else {
		b.WriteString("service(")
		if n.to != nil {
			n.to.write(b)
		}
	}
	b.WriteByte(')')
	if n.body != nil {
		b.WriteString(" { ")
		n.body.write(b)
		b.WriteString(" }")
	}
}

func (n *complexNode) eval(e *env) bool {
	inScope := func(s *tracestore.Segment) bool {
		return n.body == nil || n.body.eval(&env{t: e.t, seg: s})
	}
	if n.edge {
		for _, c := range e.t.Calls() {
			if c.From != nil && n.from.matches(c.From.Service()) && n.to.matches(c.To.Service()) && inScope(c.To) {
				return true
			}
		}
		return false
	}
	for _, s := range e.t.Segments {
		if !s.Orphan && (n.to == nil || n.to.matches(s.Service())) && inScope(s) {
			return true
		}
	}
	return false
}
