package insights

import (
	"encoding/binary"
	"math"
	"slices"
)

// statsPlan is a compiled stats command.
type statsPlan struct {
	by        []evalFn
	bySlots   []int
	aggs      []aggSpec
	items     []assign // computed from the aggregations' results, in order
	names     []string // the output columns: groups, then items
	outSlots  []int
	binSlot   int    // the group that is a bin(), or -1
	binPeriod period // its period
}

// statsPlan compiles a stats command. Aggregations inside its items are
// computed per group; the items are then expressions over those results,
// the group values and the items before them.
func (c *compiler) statsPlan(cmd *command) *statsPlan {
	sp := &statsPlan{binSlot: -1}
	topkSeen := false
	for _, it := range cmd.by {
		if hasAgg(it.expr) {
			c.failAt(it.expr.start, it.expr.end, "an aggregation cannot be a stats group")
		}
		fn := c.expr(it.expr)
		if cmd.offset != 0 && it.expr.kind == nCall && it.expr.fn.name == "bin" {
			inner, off := fn, cmd.offset
			fn = func(r *row) value {
				v := inner(r)
				if v.kind == kTime {
					v.num += float64(off)
				}
				return v
			}
		}
		sp.by = append(sp.by, fn)
	}
	// Compile the aggregations' arguments (which read the input rows) and
	// replace each aggregation with a hidden field holding its result.
	var finals []*node
	for _, it := range cmd.items {
		e := c.extractAggs(it.expr, sp, &topkSeen)
		finals = append(finals, e)
	}
	if topkSeen && (len(sp.aggs) > 1 || len(cmd.by) > 0) {
		c.failAt(cmd.start, cmd.end, "topk cannot be combined with by or with other aggregations")
	}
	// The items are computed in the scope of the output row.
	saveScope, saveDerived, saveReads := c.scope, c.derived, c.reads
	c.scope, c.derived, c.reads = map[string]bool{}, map[string]bool{}, map[int]bool{}
	for _, a := range sp.aggs {
		c.scope[c.p.slotInfo[a.slot].name] = true
	}
	for _, it := range cmd.by {
		s := c.define(it.name, false)
		sp.bySlots = append(sp.bySlots, s)
		sp.names = append(sp.names, it.name)
		if it.expr.kind == nCall && it.expr.fn.name == "bin" {
			sp.binSlot, sp.binPeriod = s, it.expr.args[0].period
		}
	}
	for i, it := range cmd.items {
		if !hasAgg(it.expr) && !refersTo(it.expr, c.scope) {
			c.failAt(it.expr.start, it.expr.end, "%s is not an aggregation: stats computes aggregations such as count(*), avg(f) or pct(f, 95)", it.expr.text(c.src))
		}
		fn := c.expr(finals[i])
		sp.items = append(sp.items, assign{slot: c.define(it.name, false), fn: fn})
		if !slices.Contains(sp.names, it.name) {
			sp.names = append(sp.names, it.name)
		}
	}
	for _, n := range sp.names {
		sp.outSlots = append(sp.outSlots, c.slot(n))
	}
	c.scope, c.derived, c.reads = saveScope, saveDerived, saveReads
	return sp
}

// hasAgg reports whether an expression contains an aggregation.
func hasAgg(n *node) bool {
	if n.kind == nCall && n.fn.agg != aggNone {
		return true
	}
	for _, a := range n.args {
		if a != nil && hasAgg(a) {
			return true
		}
	}
	return false
}

// refersTo reports whether an expression reads a field named in names.
func refersTo(n *node, names map[string]bool) bool {
	if n.kind == nField && names[n.name] {
		return true
	}
	for _, a := range n.args {
		if a != nil && refersTo(a, names) {
			return true
		}
	}
	return false
}

// extractAggs compiles the aggregations in n and returns n with each
// replaced by a field reading its hidden result slot.
func (c *compiler) extractAggs(n *node, sp *statsPlan, topkSeen *bool) *node {
	if n.kind == nCall && n.fn.agg != aggNone {
		for _, a := range n.args {
			if hasAgg(a) {
				c.failAt(a.start, a.end, "aggregations cannot be nested")
			}
		}
		a := aggSpec{kind: n.fn.agg}
		args := n.args
		switch a.kind {
		case aggCount:
			if len(args) == 1 && args[0].kind != nStar {
				a.arg = c.expr(args[0])
			}
		case aggPct:
			a.param = c.constArg(args[1], 0, 100, false, "the percentile must be a number from 0 to 100")
			a.arg = c.expr(args[0])
		case aggTopk:
			a.param = c.constArg(args[0], 1, 10_000, true, "k must be a whole number from 1 to 10000")
			a.arg = c.expr(args[1])
			*topkSeen = true
		case aggHistogram:
			a.param = c.constArg(args[1], 1, 1000, true, "the number of buckets must be a whole number from 1 to 1000")
			a.arg = c.expr(args[0])
		case aggRate:
			a.period = args[1].period.approxMillis()
			a.arg = c.expr(args[0])
		default:
			a.arg = c.expr(args[0])
		}
		if a.kind == aggEarliest || a.kind == aggLatest || a.kind == aggRate {
			c.reads[c.p.tsSlot] = true
		}
		a.slot = c.hiddenSlot()
		sp.aggs = append(sp.aggs, a)
		name := c.p.slotInfo[a.slot].name
		return &node{kind: nField, start: n.start, end: n.end, name: name, segs: []string{name}}
	}
	cp := *n
	cp.args = make([]*node, len(n.args))
	for i, a := range n.args {
		if a != nil {
			cp.args[i] = c.extractAggs(a, sp, topkSeen)
		}
	}
	return &cp
}

// constArg returns the value of an argument that must be a number literal
// from lo to hi (whole when whole is set), failing with msg otherwise.
func (c *compiler) constArg(n *node, lo, hi float64, whole bool, msg string) float64 {
	if n.kind != nLiteral || n.val.kind != kNumber || n.val.num < lo || n.val.num > hi || whole && n.val.num != math.Trunc(n.val.num) {
		c.failAt(n.start, n.end, "%s", msg)
	}
	return n.val.num
}

// countFrequentPlan compiles countFrequent a, b: stats count(*) as
// _approxcount by a, b (the counts are exact here).
func (c *compiler) countFrequentPlan(cmd *command) *statsPlan {
	sp := &statsPlan{binSlot: -1}
	for _, n := range cmd.names {
		sp.by = append(sp.by, c.expr(&node{kind: nField, start: cmd.start, end: cmd.end, name: n, segs: []string{n}}))
	}
	saveScope := c.scope
	c.scope = nil
	for _, n := range cmd.names {
		sp.bySlots = append(sp.bySlots, c.define(n, false))
		sp.names = append(sp.names, n)
	}
	slot := c.hiddenSlot()
	sp.aggs = []aggSpec{{kind: aggCount, slot: slot}}
	sp.items = []assign{{slot: c.define("_approxcount", false), fn: func(r *row) value { return r.get(slot) }}}
	sp.names = append(sp.names, "_approxcount")
	for _, n := range sp.names {
		sp.outSlots = append(sp.outSlots, c.slot(n))
	}
	c.scope = saveScope
	return sp
}

// group is the state of one group of a stats command.
type group struct {
	key  []value // the group values, owned
	aggs []aggState
}

// statsSink aggregates rows into groups.
type statsSink struct {
	sp     *statsPlan
	groups map[string]*group
	keyBuf []byte
	vals   []value
	// The group of the last row and its key: rows come in runs of one
	// group (a time bin, for one), which need no map lookup.
	last    *group
	lastKey []byte
}

func newStatsSink(sp *statsPlan) *statsSink {
	return &statsSink{sp: sp, groups: map[string]*group{}, vals: make([]value, len(sp.by))}
}

// appendKey encodes a group value into a map key: absent values, text (and
// numbers read from text, as written), computed numbers, booleans and
// timestamps are each distinct.
func appendKey(b []byte, v value) []byte {
	switch v.kind {
	case kString:
		b = append(b, 's')
		b = binary.AppendUvarint(b, uint64(len(v.str)))
		return append(b, v.str...)
	case kNumber:
		if v.str != "" {
			b = append(b, 's')
			b = binary.AppendUvarint(b, uint64(len(v.str)))
			return append(b, v.str...)
		}
		return binary.LittleEndian.AppendUint64(append(b, 'n'), math.Float64bits(v.num))
	case kBool:
		return binary.LittleEndian.AppendUint64(append(b, 'n'), math.Float64bits(v.num))
	case kTime:
		return binary.LittleEndian.AppendUint64(append(b, 't'), math.Float64bits(v.num))
	}
	return append(b, 0)
}

// add adds a row to its group.
func (s *statsSink) add(r *row) {
	b := s.keyBuf[:0]
	for i, f := range s.sp.by {
		v := f(r)
		if v.kind >= kList {
			v = null
		}
		s.vals[i] = v
		b = appendKey(b, v)
	}
	s.keyBuf = b
	g := s.last
	if g == nil || string(b) != string(s.lastKey) {
		g = s.groups[string(b)]
		if g == nil {
			g = &group{key: make([]value, len(s.vals)), aggs: make([]aggState, len(s.sp.aggs))}
			for i, v := range s.vals {
				g.key[i] = v.own()
			}
			s.groups[string(b)] = g
		}
		s.last, s.lastKey = g, append(s.lastKey[:0], b...)
	}
	for i := range s.sp.aggs {
		s.sp.aggs[i].update(&g.aggs[i], r)
	}
}

// mergeStats folds o's groups into s; o must not be used afterwards.
func (s *statsSink) mergeStats(o *statsSink) {
	for k, og := range o.groups {
		g := s.groups[k]
		if g == nil {
			s.groups[k] = og
			continue
		}
		for i := range s.sp.aggs {
			s.sp.aggs[i].merge(&g.aggs[i], &og.aggs[i])
		}
	}
}

// rows returns one row per group, ordered by the group values ascending
// (AWS leaves the order unspecified), with the group values and the items.
func (s *statsSink) rows(nslots int, x *ectx) []*row {
	gs := make([]*group, 0, len(s.groups))
	for _, g := range s.groups {
		gs = append(gs, g)
	}
	slices.SortFunc(gs, func(a, b *group) int {
		for i := range a.key {
			if c := compareNullsLast(a.key[i], b.key[i], false); c != 0 {
				return c
			}
		}
		return 0
	})
	out := make([]*row, 0, len(gs))
	for i, g := range gs {
		r := newRow(nslots, x)
		for j, slot := range s.sp.bySlots {
			if g.key[j].kind != kNull {
				r.set(slot, g.key[j])
			}
		}
		for j := range s.sp.aggs {
			a := &s.sp.aggs[j]
			r.set(a.slot, a.result(&g.aggs[j]))
		}
		for _, it := range s.sp.items {
			if v := it.fn(r); v.kind != kNull {
				r.set(it.slot, v)
			}
		}
		// Only the output columns survive the stats.
		for j := range r.gen {
			if r.gen[j] == r.cur && !slices.Contains(s.sp.outSlots, j) {
				r.gen[j] = 0
			}
		}
		r.seq = int64(i)
		out = append(out, r)
	}
	return out
}

// compareNullsLast compares two values in sort order (descending when
// desc), with absent values last either way.
func compareNullsLast(a, b value, desc bool) int {
	an, bn := a.kind == kNull, b.kind == kNull
	if an || bn {
		return cmpBool(an, bn)
	}
	c := naturalCompare(a, b)
	if desc {
		return -c
	}
	return c
}
