package insights

import (
	"math"
	"regexp"
	"strings"
)

// evalFn evaluates an expression for a row.
type evalFn func(r *row) value

// row is the row being evaluated: an event of the first segment, whose
// fields load lazily, or a row of a later segment's table.
type row struct {
	vals []value
	gen  []uint32 // gen[i] == cur: vals[i] is set for this row
	cur  uint32
	x    *ectx
	ev   *Event  // the event, in the first segment
	ld   *loader // loads the event's fields, in the first segment
	keys []value // sort keys
	ref  *rowRef // the event behind a table row, or nil
	ts   int64   // the event's timestamp, or the row's @timestamp
	seq  int64   // arrival order
}

// rowRef identifies the event behind a row, for @ptr.
type rowRef struct {
	EventRef
	ptr string // cached @ptr
}

// ectx is an evaluator's scratch space for expressions.
type ectx struct {
	stack []value
	opts  *Options
	now   int64 // epoch ms
	subs  []subresult
	tabs  map[string]*lookupIndex
}

func newRow(n int, x *ectx) *row {
	return &row{vals: make([]value, n), gen: make([]uint32, n), cur: 1, x: x}
}

// newRows returns count rows of n slots each, allocated together.
func newRows(count, n int, x *ectx) []*row {
	rows := make([]row, count)
	vals := make([]value, count*n)
	gen := make([]uint32, count*n)
	out := make([]*row, count)
	for i := range rows {
		rows[i] = row{vals: vals[i*n : (i+1)*n : (i+1)*n], gen: gen[i*n : (i+1)*n : (i+1)*n], cur: 1, x: x}
		out[i] = &rows[i]
	}
	return out
}

// reset starts a new row: every slot becomes unset.
func (r *row) reset() {
	r.cur++
	if r.cur == 0 { // wrapped: clear the generations
		clear(r.gen)
		r.cur = 1
	}
	r.keys = r.keys[:0]
}

// get returns a slot's value, loading it from the event when needed.
func (r *row) get(i int) value {
	if r.gen[i] == r.cur {
		return r.vals[i]
	}
	if r.ld == nil {
		return null
	}
	return r.ld.load(r, i)
}

// set sets a slot's value.
func (r *row) set(i int, v value) {
	r.vals[i] = v
	r.gen[i] = r.cur
}

// isSet reports whether a slot has been loaded or set.
func (r *row) isSet(i int) bool { return r.gen[i] == r.cur }

// expr compiles an expression that is not an aggregate.
func (c *compiler) expr(n *node) evalFn {
	switch n.kind {
	case nLiteral:
		v := n.val
		return func(*row) value { return v }
	case nField:
		return c.field(n)
	case nAccess:
		inner := c.expr(n.args[0])
		if n.key != "" || len(n.args) == 1 {
			key := n.key
			return func(r *row) value { return inner(r).get(key) }
		}
		idx := c.expr(n.args[1])
		return func(r *row) value {
			v := inner(r)
			i := idx(r)
			if s, ok := i.text(); ok && v.kind == kMap {
				return v.get(s)
			}
			f, ok := i.number()
			if !ok {
				return null
			}
			return v.index(int(f))
		}
	case nList:
		fns := c.exprs(n.args)
		return func(r *row) value {
			items := make([]value, len(fns))
			for i, f := range fns {
				items[i] = f(r)
			}
			return listVal(items)
		}
	case nNeg:
		a := c.expr(n.args[0])
		return func(r *row) value {
			f, ok := a(r).number()
			if !ok {
				return null
			}
			return numVal(-f)
		}
	case nNot, nAnd, nOr, nLike, nIn:
		cond := c.cond(n)
		return func(r *row) value { return boolVal(cond(r).truthy()) }
	case nCompare:
		cond := c.compare(n)
		return func(r *row) value { return boolVal(cond(r)) }
	case nArith:
		return c.arith(n)
	case nCall:
		if n.fn.agg != aggNone {
			c.failAt(n.start, n.end, "%s is an aggregation: it can only be used in stats", n.name)
		}
		return c.call(n)
	case nStar:
		c.failAt(n.start, n.end, "* can only be the argument of count")
	case nPeriod:
		c.failAt(n.start, n.end, "a time period can only be an argument of bin, datefloor, dateceil and rate")
	case nRegex:
		c.failAt(n.start, n.end, "a regular expression can only follow like, =~ or parse")
	}
	c.failAt(n.start, n.end, "unsupported expression")
	return nil
}

func (c *compiler) exprs(ns []*node) []evalFn {
	fns := make([]evalFn, len(ns))
	for i, n := range ns {
		fns[i] = c.expr(n)
	}
	return fns
}

// field compiles a field reference. A dotted name whose first parts name a
// map or list defined by the query (with jsonParse, split, unnest, ...)
// reads into it; any other name is a field of its own (JSON fields are
// flattened: a.b.0.c).
func (c *compiler) field(n *node) evalFn {
	segs := n.segs
	if c.joinL != "" && len(segs) > 1 && segs[0] == c.joinL {
		segs = segs[1:]
		n = &node{kind: nField, start: n.start, end: n.end, name: strings.Join(segs, "."), segs: segs}
	}
	for k := len(segs) - 1; k >= 1; k-- {
		prefix := strings.Join(segs[:k], ".")
		if structured, ok := c.derived[prefix]; ok && structured {
			fn := c.field(&node{kind: nField, start: n.start, end: n.end, name: prefix, segs: segs[:k]})
			for _, key := range segs[k:] {
				inner, key := fn, key
				fn = func(r *row) value {
					v := inner(r)
					if v.kind == kList {
						if f, ok := parseNumber(key); ok {
							return v.index(int(f))
						}
					}
					return v.get(key)
				}
			}
			return fn
		}
	}
	i := c.use(n.name, n.start, n.end)
	return func(r *row) value { return r.get(i) }
}

// cond compiles a condition, returning a function that reports whether it
// holds.
func (c *compiler) condBool(n *node) func(r *row) bool {
	switch n.kind {
	case nAnd:
		a, b := c.condBool(n.args[0]), c.condBool(n.args[1])
		return func(r *row) bool { return a(r) && b(r) }
	case nOr:
		a, b := c.condBool(n.args[0]), c.condBool(n.args[1])
		return func(r *row) bool { return a(r) || b(r) }
	case nNot:
		a := c.condBool(n.args[0])
		return func(r *row) bool { return !a(r) }
	case nCompare:
		return c.compare(n)
	case nLike:
		return c.like(n)
	case nIn:
		return c.in(n)
	}
	fn := c.expr(n)
	return func(r *row) bool { return fn(r).truthy() }
}

// cond compiles a filter condition into an evalFn yielding a boolean.
func (c *compiler) cond(n *node) evalFn {
	b := c.condBool(n)
	return func(r *row) value { return boolVal(b(r)) }
}

// compare compiles = != < > <= >=.
func (c *compiler) compare(n *node) func(r *row) bool {
	l, r := n.args[0], n.args[1]
	test := compareTest(n.op)
	lf := c.expr(l)
	// Comparison with a constant string that is not a number: a string
	// comparison, without converting the field to a number.
	if r.kind == nLiteral && r.val.kind == kString && !r.val.isNumeric() {
		k := r.val.str
		return func(row *row) bool {
			v := lf(row)
			if v.kind == kString {
				if n.op == "=" {
					return v.str == k
				}
				if n.op == "!=" {
					return v.str != k
				}
				if _, num := parseNumber(v.str); !num {
					return test(strings.Compare(v.str, k))
				}
				return false
			}
			return compareOp(n.op, v, strVal(k))
		}
	}
	if r.kind == nLiteral && r.val.kind == kNumber {
		k := r.val.num
		return func(row *row) bool {
			v := lf(row)
			f, ok := v.number()
			if !ok {
				return v.kind != kNull && v.kind < kList && n.op == "!="
			}
			switch {
			case f < k:
				return test(-1)
			case f > k:
				return test(1)
			case f == k:
				return test(0)
			}
			return n.op == "!=" // NaN
		}
	}
	rf := c.expr(r)
	op := n.op
	return func(row *row) bool { return compareOp(op, lf(row), rf(row)) }
}

// compareTest returns the test of a comparison result for an operator.
func compareTest(op string) func(int) bool {
	switch op {
	case "=":
		return func(c int) bool { return c == 0 }
	case "!=":
		return func(c int) bool { return c != 0 }
	case "<":
		return func(c int) bool { return c < 0 }
	case ">":
		return func(c int) bool { return c > 0 }
	case "<=":
		return func(c int) bool { return c <= 0 }
	}
	return func(c int) bool { return c >= 0 }
}

// compareOp applies a comparison operator: absent values, lists and maps
// make every comparison false; = and != between present values are each
// other's negation; < > <= >= hold only between two numbers or two texts
// that are not numbers.
func compareOp(op string, a, b value) bool {
	if a.kind == kNull || b.kind == kNull || a.kind >= kList || b.kind >= kList {
		return false
	}
	x, xok := a.number()
	y, yok := b.number()
	var cmp int
	switch {
	case xok && yok:
		switch {
		case x < y:
			cmp = -1
		case x > y:
			cmp = 1
		case x == y:
		default:
			return op == "!="
		}
	case xok || yok || a.kind == kTime || b.kind == kTime:
		return op == "!="
	default:
		as, _ := a.text()
		bs, _ := b.text()
		cmp = strings.Compare(as, bs)
	}
	return compareTest(op)(cmp)
}

// like compiles like, not like, =~ and !~.
func (c *compiler) like(n *node) func(r *row) bool {
	lf := c.expr(n.args[0])
	neg := n.not
	if n.re != nil {
		re := n.re
		return func(r *row) bool {
			s, ok := lf(r).text()
			if !ok {
				return false
			}
			return re.MatchString(s) != neg
		}
	}
	pat := n.args[1]
	if pat.kind == nLiteral && pat.val.kind == kString {
		sub := pat.val.str
		return func(r *row) bool {
			s, ok := lf(r).text()
			if !ok {
				return false
			}
			return strings.Contains(s, sub) != neg
		}
	}
	pf := c.expr(pat)
	return func(r *row) bool {
		s, ok := lf(r).text()
		p, pok := pf(r).text()
		if !ok || !pok {
			return false
		}
		return strings.Contains(s, p) != neg
	}
}

// in compiles in and not in, over a list or a subquery's results.
func (c *compiler) in(n *node) func(r *row) bool {
	lf := c.expr(n.args[0])
	neg := n.not
	if n.sub != nil {
		idx := n.subIndex
		col := ""
		if n.args[0].kind == nField {
			col = n.args[0].name
		}
		c.p.subUse[idx] = subUse{kind: subIn, column: col}
		return func(r *row) bool {
			v := lf(r)
			s, ok := v.text()
			if !ok {
				return false
			}
			_, found := r.x.subs[idx].set[s]
			return found != neg
		}
	}
	var strs map[string]bool
	var nums []float64
	var dyn []evalFn
	for _, a := range n.args[1:] {
		if a.kind != nLiteral {
			dyn = append(dyn, c.expr(a))
			continue
		}
		if f, ok := a.val.number(); ok {
			nums = append(nums, f)
		} else if s, ok := a.val.text(); ok {
			if strs == nil {
				strs = map[string]bool{}
			}
			strs[s] = true
		}
	}
	return func(r *row) bool {
		v := lf(r)
		if v.kind == kNull || v.kind >= kList {
			return false
		}
		found := false
		if f, ok := v.number(); ok {
			for _, k := range nums {
				if f == k {
					found = true
					break
				}
			}
		} else if s, ok := v.text(); ok && v.kind != kTime {
			found = strs[s]
		}
		for _, d := range dyn {
			if found {
				break
			}
			found = compareOp("=", v, d(r))
		}
		return found != neg
	}
}

// arith compiles + - * / % ^.
func (c *compiler) arith(n *node) evalFn {
	a, b := c.expr(n.args[0]), c.expr(n.args[1])
	var op func(x, y float64) (float64, bool)
	switch n.op {
	case "+":
		op = func(x, y float64) (float64, bool) { return x + y, true }
	case "-":
		op = func(x, y float64) (float64, bool) { return x - y, true }
	case "*":
		op = func(x, y float64) (float64, bool) { return x * y, true }
	case "/":
		op = func(x, y float64) (float64, bool) { return x / y, y != 0 }
	case "%":
		op = func(x, y float64) (float64, bool) { return math.Mod(x, y), y != 0 }
	default:
		op = func(x, y float64) (float64, bool) { return math.Pow(x, y), true }
	}
	return func(r *row) value {
		x, ok := a(r).number()
		if !ok {
			return null
		}
		y, ok := b(r).number()
		if !ok {
			return null
		}
		z, ok := op(x, y)
		if !ok || math.IsNaN(z) || math.IsInf(z, 0) {
			return null
		}
		return numVal(z)
	}
}

// regexOf returns the compiled regular expression of a constant argument.
func constString(n *node) (string, bool) {
	if n.kind == nLiteral && n.val.kind == kString {
		return n.val.str, true
	}
	return "", false
}

// mustRegex compiles a constant regular expression argument.
func (c *compiler) mustRegex(n *node) *regexp.Regexp {
	s, ok := constString(n)
	if !ok {
		c.failAt(n.start, n.end, "the regular expression must be a quoted string")
	}
	re, err := regexp.Compile(s)
	if err != nil {
		c.failAt(n.start, n.end, "invalid regular expression %q: %v", s, err)
	}
	return re
}
