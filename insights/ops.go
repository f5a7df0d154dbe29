package insights

import (
	"bytes"
	"net/netip"
	"regexp"
	"strconv"
	"strings"
)

// parsePlan is a compiled parse command.
type parsePlan struct {
	src   evalFn
	glob  []string // the literal parts around the *s
	re    *regexp.Regexp
	slots []int // glob: one per *; regex: one per subexpression (-1 for unnamed)
	// need, when set, is a text that an event's raw message holds whenever
	// the pattern can match the source (see compiler.parseNeeds): an event
	// without it is left as the pattern leaves a row it does not match,
	// without reading the source. exact: the source is the message itself;
	// otherwise a field read from it, whose text a JSON escape could spell
	// differently.
	need  needle
	exact bool
	// srcField is the slot of the source when it is a field, or -1.
	srcField int
}

func (c *compiler) parsePlan(cmd *command) *parsePlan {
	pp := &parsePlan{src: c.expr(cmd.src), glob: cmd.glob, re: cmd.re, srcField: -1}
	if n := cmd.src; n.kind == nField && !c.isAccess(n.segs) && c.resolve(n.segs) == n.name {
		pp.srcField = c.p.slots[n.name]
	}
	if cmd.re != nil {
		for _, n := range cmd.re.SubexpNames() {
			if n == "" {
				pp.slots = append(pp.slots, -1)
				continue
			}
			pp.slots = append(pp.slots, c.define(n, false))
		}
		return pp
	}
	for _, n := range cmd.names {
		pp.slots = append(pp.slots, c.define(n, false))
	}
	return pp
}

// mayMatch reports whether the pattern may match the source of the event
// whose raw message is msg, as far as its need tells.
func (pp *parsePlan) mayMatch(msg []byte) bool {
	switch {
	case pp.need.Text() == nil:
		return true
	case pp.exact:
		return pp.need.In(msg)
	}
	return mayHold(msg, pp.need)
}

// mayHold reports whether a field read from the JSON message msg may hold
// the text need: whether msg holds it, or a backslash that could start an
// escape spelling it.
func mayHold(msg []byte, need needle) bool {
	return need.In(msg) || bytes.IndexByte(msg, '\\') >= 0
}

// apply sets the fields a parse extracts from the row; when the pattern
// does not match, the fields keep the values they had (absent, usually).
func (pp *parsePlan) apply(r *row) {
	s, ok := pp.src(r).text()
	if !ok {
		return
	}
	if pp.re != nil {
		m := pp.re.FindStringSubmatchIndex(s)
		if m == nil {
			return
		}
		for k, slot := range pp.slots {
			if slot >= 0 && m[2*k] >= 0 {
				r.set(slot, strVal(s[m[2*k]:m[2*k+1]]))
			}
		}
		return
	}
	var caps [16]string
	out := caps[:0]
	if len(pp.slots) > len(caps) {
		out = make([]string, 0, len(pp.slots))
	}
	out, ok = matchGlob(pp.glob, s, out)
	if !ok {
		return
	}
	for k, slot := range pp.slots {
		r.set(slot, strVal(out[k]))
	}
}

// matchGlob matches a glob pattern, given as the literal parts around its
// *s, anywhere in s: each * captures the shortest text up to the next
// literal part, and a trailing * the rest of s.
func matchGlob(parts []string, s string, out []string) ([]string, bool) {
	pos := 0
	if parts[0] != "" {
		i := strings.Index(s, parts[0])
		if i < 0 {
			return out, false
		}
		pos = i + len(parts[0])
	}
	m := len(parts) - 1
	for j := range m {
		lit := parts[j+1]
		switch {
		case j == m-1 && lit == "":
			out = append(out, s[pos:])
			pos = len(s)
		case lit == "":
			out = append(out, "")
		default:
			i := strings.Index(s[pos:], lit)
			if i < 0 {
				return out, false
			}
			out = append(out, s[pos:pos+i])
			pos += i + len(lit)
		}
	}
	return out, true
}

// unnestPlan is a compiled unnest or expand command.
type unnestPlan struct {
	src  evalFn
	slot int
}

// items returns what a row is unnested into: the elements of a list (a
// JSON array in text is parsed), or the value itself as the only one.
func (u *unnestPlan) items(r *row) []value {
	v := u.src(r)
	if v.kind == kString && strings.HasPrefix(strings.TrimSpace(v.str), "[") {
		if d, ok := decodeJSON(v.str); ok {
			v = d
		}
	}
	if v.kind == kList {
		return v.st.items
	}
	return []value{v}
}

// expandSource compiles the input of expand: the field, or when the event
// only has it as flattened JSON leaves, the array in the event's JSON.
func (c *compiler) expandSource(n *node) evalFn {
	f := c.expr(n)
	if !c.seg0 {
		return f
	}
	msg := c.use("@message", n.start, n.end)
	segs := n.segs
	return func(r *row) value {
		v := f(r)
		if v.kind != kNull || r.ev == nil {
			return v
		}
		m := r.get(msg)
		start := jsonStart(m.str, r.ev.LogGroup)
		if start < 0 {
			return v
		}
		doc, ok := decodeJSON(m.str[start:])
		if !ok {
			return v
		}
		for _, s := range segs {
			doc = doc.get(s)
		}
		return doc
	}
}

// lookupPlan is a compiled lookup or cidrlookup command.
type lookupPlan struct {
	spec     *lookupSpec
	keySlots []int
	outSlots []int
}

func (c *compiler) lookupPlan(l *lookupSpec) *lookupPlan {
	lp := &lookupPlan{spec: l}
	for _, k := range l.keys {
		lp.keySlots = append(lp.keySlots, c.use(k.field, 0, 0))
	}
	for _, o := range l.outputs {
		s := c.define(o.alias, false)
		lp.outSlots = append(lp.outSlots, s)
		if l.outNew {
			c.reads[s] = true
		}
	}
	if !containsString(c.p.tables, l.table) {
		c.p.tables = append(c.p.tables, l.table)
	}
	c.p.lookups = append(c.p.lookups, l)
	return lp
}

func containsString(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// lookupIndex is a lookup table prepared for one lookup command.
type lookupIndex struct {
	cols   map[string]int
	exact  map[string]int // joined key columns -> row (the first row wins)
	ranges []cidrRow      // cidrlookup
	rows   [][]string
}

type cidrRow struct {
	p   netip.Prefix
	row int
}

// apply enriches a row from the lookup table; rows without a match are
// left as they are.
func (lp *lookupPlan) apply(r *row) {
	idx := r.x.tabs[lp.spec.table]
	if idx == nil {
		return
	}
	row := -1
	if lp.spec.cidr {
		a, ok := ipOf(r.get(lp.keySlots[0]))
		if !ok {
			return
		}
		best := -1
		for _, cr := range idx.ranges {
			if cr.p.Contains(a) && cr.p.Bits() > best {
				best, row = cr.p.Bits(), cr.row
			}
		}
	} else {
		var b strings.Builder
		for i, s := range lp.keySlots {
			t, ok := r.get(s).text()
			if !ok {
				return
			}
			if i > 0 {
				b.WriteByte(0)
			}
			b.WriteString(t)
		}
		i, ok := idx.exact[b.String()]
		if !ok {
			return
		}
		row = i
	}
	if row < 0 {
		return
	}
	for i, o := range lp.spec.outputs {
		col, ok := idx.cols[o.name]
		if !ok || col >= len(idx.rows[row]) {
			continue
		}
		if lp.spec.outNew {
			if t, ok := r.get(lp.outSlots[i]).text(); ok && t != "" {
				continue
			}
		}
		r.set(lp.outSlots[i], strVal(idx.rows[row][col]))
	}
}

// indexTable prepares a lookup table for a lookup command.
func indexTable(spec *lookupSpec, t *LookupTable) (*lookupIndex, string) {
	idx := &lookupIndex{cols: map[string]int{}, exact: map[string]int{}, rows: t.Rows}
	for i, c := range t.Columns {
		idx.cols[c] = i
	}
	var keyCols []int
	for _, k := range spec.keys {
		i, ok := idx.cols[k.column]
		if k.column == "" && len(t.Columns) > 0 {
			i, ok = 0, true
		}
		if !ok {
			return nil, "lookup table " + spec.table + " has no column " + k.column
		}
		keyCols = append(keyCols, i)
	}
	for _, o := range spec.outputs {
		if _, ok := idx.cols[o.name]; !ok {
			return nil, "lookup table " + spec.table + " has no column " + o.name
		}
	}
	for ri, row := range t.Rows {
		if spec.cidr {
			if keyCols[0] < len(row) {
				if p, err := netip.ParsePrefix(row[keyCols[0]]); err == nil {
					idx.ranges = append(idx.ranges, cidrRow{p.Masked(), ri})
				}
			}
			continue
		}
		var b strings.Builder
		ok := true
		for i, c := range keyCols {
			if c >= len(row) {
				ok = false
				break
			}
			if i > 0 {
				b.WriteByte(0)
			}
			b.WriteString(row[c])
		}
		if _, dup := idx.exact[b.String()]; ok && !dup {
			idx.exact[b.String()] = ri
		}
	}
	return idx, ""
}

// joinPlan is a compiled join command.
type joinPlan struct {
	spec     *joinSpec
	leftSlot int
	sub      int      // index of the right side in the subqueries
	fields   []string // right-side fields the query reads
	slots    []int    // their slots (named alias.field)
	keyCol   string
}

// subresult is a subquery's result prepared for the query that needs it.
type subresult struct {
	set  map[string]struct{}  // filter ... in (subquery): the values
	rows map[string][][]value // join: the right rows by key, values per joinPlan.fields
	cols []string             // appendcols
	tab  [][]Field            // appendcols
}

// apply calls next for each joined row: one per matching right row, or
// for a left join the row alone when nothing matches.
func (jp *joinPlan) apply(r *row, next func()) {
	rows := r.x.subs[jp.sub].rows
	key, ok := r.get(jp.leftSlot).text()
	var matches [][]value
	if ok {
		matches = rows[key]
	}
	if len(matches) == 0 {
		if jp.spec.left {
			for _, s := range jp.slots {
				r.set(s, null)
			}
			next()
		}
		return
	}
	for _, m := range matches {
		for i, s := range jp.slots {
			r.set(s, m[i])
		}
		next()
	}
}

// joinPlan compiles a join: the right side becomes a subquery selecting
// the join key and the right-side fields the rest of the query reads.
func (c *compiler) joinPlan(cmd *command) *joinPlan {
	j := cmd.join
	jp := &joinPlan{spec: j, keyCol: j.rightField}
	jp.leftSlot = c.use(j.leftField, cmd.start, cmd.end)
	fields := []string{j.rightField}
	after := false
	for _, other := range c.q.cmds {
		if other == cmd {
			after = true
			continue
		}
		if after {
			walkCommand(other, func(n *node) {
				if n.kind == nField && len(n.segs) > 1 && n.segs[0] == j.rightAlias {
					if f := strings.Join(n.segs[1:], "."); !containsString(fields, f) {
						fields = append(fields, f)
					}
				}
			})
		}
	}
	jp.fields = fields
	var q strings.Builder
	q.WriteString("SOURCE")
	for _, g := range j.rightGroups {
		q.WriteString(" " + strconv.Quote(g))
	}
	q.WriteString(" | fields ")
	for i, f := range fields {
		if i > 0 {
			q.WriteString(", ")
		}
		q.WriteString("`" + f + "`")
	}
	q.WriteString(" | limit " + strconv.Itoa(MaxLimit))
	sub, err := Parse(q.String())
	if err != nil {
		c.failAt(cmd.start, cmd.end, "the right side of the join cannot be queried: %v", err)
	}
	c.q.subs = append(c.q.subs, sub)
	jp.sub = len(c.q.subs) - 1
	c.p.subUse = append(c.p.subUse, subUse{kind: subJoin, join: jp})
	for _, f := range fields {
		jp.slots = append(jp.slots, c.define(j.rightAlias+"."+f, false))
	}
	c.joinL, c.joinR = j.leftAlias, j.rightAlias
	return jp
}

// walkCommand calls fn for every expression node of a command.
func walkCommand(cmd *command, fn func(*node)) {
	var walk func(n *node)
	walk = func(n *node) {
		if n == nil {
			return
		}
		fn(n)
		for _, a := range n.args {
			walk(a)
		}
	}
	for _, it := range cmd.items {
		walk(it.expr)
	}
	for _, it := range cmd.by {
		walk(it.expr)
	}
	for _, k := range cmd.keys {
		walk(k.expr)
	}
	walk(cmd.cond)
	walk(cmd.src)
	for _, n := range cmd.names {
		fn(&node{kind: nField, name: n, segs: strings.Split(n, ".")})
	}
}
