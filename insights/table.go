package insights

import (
	"cmp"
	"math"
	"slices"
	"strconv"
	"strings"
)

// table applies a segment's table command (accum, addtotals, ...) to the
// rows its barrier kept, in order.
func (e *Evaluator) table(seg *segment, rows []*row) []*row {
	if seg.bar.kind != barTable {
		return rows
	}
	cmd := seg.bar.table
	p := e.p
	slot := func(name string) int { return p.slots[name] }
	nslots := len(p.slotInfo)
	switch cmd.kind {
	case cAccum:
		in, out := slot(cmd.src.name), slot(cmd.out)
		sum := 0.0
		for _, r := range rows {
			if x, ok := r.get(in).number(); ok && r.get(in).kind != kTime {
				sum += x
			}
			r.set(out, numVal(sum))
		}
	case cAutoregress:
		in := slot(cmd.src.name)
		for i, r := range rows {
			for lag := cmd.n; lag <= cmd.m; lag++ {
				out := slot(cmd.out + "_p" + strconv.Itoa(lag))
				if i-lag >= 0 {
					r.set(out, rows[i-lag].get(in))
				}
			}
		}
	case cFilldown:
		cols := e.matchColumns(cmd.names, cmd.wild)
		last := make([]value, len(cols))
		for _, r := range rows {
			for j, s := range cols {
				if v := r.get(s); v.kind != kNull && !(v.kind == kString && v.str == "") {
					last[j] = v
				} else if last[j].kind != kNull {
					r.set(s, last[j])
				}
			}
		}
	case cAddtotals:
		rows = e.addtotals(cmd, rows, nslots)
	case cFillmissing:
		rows = e.fillmissing(cmd, rows, nslots)
	case cSessionize:
		e.sessionize(cmd, rows)
	case cOutlier:
		rows = e.outlier(cmd, rows)
	case cAppendcols:
		rows = e.appendcols(cmd, rows, nslots)
	}
	return rows
}

// matchColumns returns the slots of the output columns matching names
// (a name with wild set matches every column it starts), or of all output
// columns when names is empty.
func (e *Evaluator) matchColumns(names []string, wild []bool) []int {
	var out []int
	for i, col := range e.p.columns {
		ok := len(names) == 0
		for j, n := range names {
			if n == col || wild[j] && strings.HasPrefix(col, n) {
				ok = true
			}
		}
		if ok {
			out = append(out, e.p.outSlots[i])
		}
	}
	return out
}

// numericOf returns a value as a number for totals: numbers and numeric
// text, not timestamps.
func numericOf(v value) (float64, bool) {
	if v.kind == kTime {
		return 0, false
	}
	return v.number()
}

func (e *Evaluator) addtotals(cmd *command, rows []*row, nslots int) []*row {
	p := e.p
	out := p.slots[cmd.out]
	var cols []int
	if len(cmd.names) > 0 {
		for _, n := range cmd.names {
			cols = append(cols, p.slots[n])
		}
	} else {
		for _, s := range p.outSlots {
			if s != out && s != p.tsSlot {
				cols = append(cols, s)
			}
		}
	}
	colSums := make([]float64, len(cols))
	colSeen := make([]bool, len(cols))
	for _, r := range rows {
		total, any := 0.0, false
		for j, s := range cols {
			if x, ok := numericOf(r.get(s)); ok {
				total += x
				any = true
				colSums[j] += x
				colSeen[j] = true
			}
		}
		if cmd.row && any {
			r.set(out, numVal(total))
		}
	}
	if cmd.col {
		sum := newRow(nslots, &e.x)
		grand, any := 0.0, false
		for j, s := range cols {
			if colSeen[j] {
				sum.set(s, numVal(colSums[j]))
				grand += colSums[j]
				any = true
			}
		}
		if cmd.row && any {
			sum.set(out, numVal(grand))
		}
		rows = append(rows, sum)
	}
	return rows
}

// fillmissing inserts rows for the empty time bins between the first and
// the last bin of the stats before it, for each combination of its other
// groups, filled with the given constants.
func (e *Evaluator) fillmissing(cmd *command, rows []*row, nslots int) []*row {
	sp := cmd.fillStats
	if sp == nil || sp.binSlot < 0 {
		return rows
	}
	step := sp.binPeriod
	lo, hi := int64(math.MaxInt64), int64(math.MinInt64)
	type groupKey = string
	seen := map[groupKey]map[int64]bool{}
	proto := map[groupKey]*row{}
	var order []groupKey
	for _, r := range rows {
		ms, ok := millis(r.get(sp.binSlot))
		if !ok {
			continue
		}
		lo, hi = min(lo, ms), max(hi, ms)
		var kb []byte
		for _, s := range sp.bySlots {
			if s != sp.binSlot {
				kb = appendKey(kb, r.get(s))
			}
		}
		k := string(kb)
		if seen[k] == nil {
			seen[k] = map[int64]bool{}
			proto[k] = r
			order = append(order, k)
		}
		seen[k][ms] = true
	}
	if lo > hi {
		return rows
	}
	for _, k := range order {
		for t := lo; t <= hi && len(rows) < MaxLimit; t = step.next(t) {
			if seen[k][t] {
				continue
			}
			nr := newRow(nslots, &e.x)
			for _, s := range sp.bySlots {
				if s != sp.binSlot {
					if v := proto[k].get(s); v.kind != kNull {
						nr.set(s, v)
					}
				}
			}
			nr.set(sp.binSlot, timeVal(t))
			for _, f := range cmd.fills {
				nr.set(e.p.slots[f.field], f.val)
			}
			rows = append(rows, nr)
		}
	}
	slices.SortStableFunc(rows, func(a, b *row) int {
		for _, s := range sp.bySlots {
			if c := compareNullsLast(a.get(s), b.get(s), false); c != 0 {
				return c
			}
		}
		return 0
	})
	return rows
}

// sessionize numbers the sessions of each identity: a new session starts
// when more than the inactivity gap passed since the identity's previous
// event. Sessions are numbered from 1 in order of their start.
func (e *Evaluator) sessionize(cmd *command, rows []*row) {
	p := e.p
	ts := p.tsSlot
	out := p.slots[cmd.out]
	idx := make([]int, len(rows))
	for i := range idx {
		idx[i] = i
	}
	key := func(r *row) string {
		var b []byte
		for _, n := range cmd.names {
			b = appendKey(b, r.get(p.slots[n]))
		}
		return string(b)
	}
	at := func(r *row) int64 {
		ms, _ := millis(r.get(ts))
		return ms
	}
	slices.SortStableFunc(idx, func(a, b int) int { return cmp.Compare(at(rows[a]), at(rows[b])) })
	type state struct {
		last    int64
		session int
	}
	states := map[string]*state{}
	next := 0
	for _, i := range idx {
		r := rows[i]
		k := key(r)
		st := states[k]
		t := at(r)
		if st == nil || t-st.last > cmd.span {
			next++
			st = &state{session: next}
			states[k] = st
		}
		st.last = t
		r.set(out, numVal(float64(st.session)))
	}
}

// outlier finds values beyond the interquartile fences (Q3 + param*IQR,
// and Q1 - param*IQR with uselower) and removes their rows or clamps them.
func (e *Evaluator) outlier(cmd *command, rows []*row) []*row {
	p := e.p
	type fence struct {
		slot   int
		lo, hi float64
	}
	var fences []fence
	for _, n := range cmd.names {
		s := p.slots[n]
		var xs []float64
		for _, r := range rows {
			if x, ok := numericOf(r.get(s)); ok {
				xs = append(xs, x)
			}
		}
		if len(xs) == 0 {
			continue
		}
		slices.Sort(xs)
		q := func(f float64) float64 {
			i := int(math.Ceil(f*float64(len(xs)))) - 1
			return xs[min(max(i, 0), len(xs)-1)]
		}
		q1, q3 := q(0.25), q(0.75)
		iqr := q3 - q1
		f := fence{slot: s, lo: math.Inf(-1), hi: q3 + cmd.param*iqr}
		if cmd.lower {
			f.lo = q1 - cmd.param*iqr
		}
		fences = append(fences, f)
	}
	mark := -1
	if cmd.mark {
		mark = p.slots["_outlier"]
	}
	out := rows[:0]
	for _, r := range rows {
		is := false
		for _, f := range fences {
			x, ok := numericOf(r.get(f.slot))
			if !ok || x >= f.lo && x <= f.hi {
				continue
			}
			is = true
			if !cmd.remove {
				r.set(f.slot, numVal(math.Min(math.Max(x, f.lo), f.hi)))
			}
		}
		if is && cmd.remove {
			continue
		}
		if mark >= 0 {
			r.set(mark, boolVal(is))
		}
		out = append(out, r)
	}
	return out
}

// appendcols adds the columns of the subquery's rows to the rows by
// position; extra subquery rows become rows of their own.
func (e *Evaluator) appendcols(cmd *command, rows []*row, nslots int) []*row {
	sr := &e.x.subs[cmd.subIndex]
	for i, fs := range sr.tab {
		if i >= cmd.max {
			break
		}
		var r *row
		if i < len(rows) {
			r = rows[i]
		} else {
			r = newRow(nslots, &e.x)
			rows = append(rows, r)
		}
		for _, f := range fs {
			s, ok := e.p.slots[f.Name]
			if !ok || f.Name == "@ptr" {
				continue
			}
			if !cmd.override && r.get(s).kind != kNull {
				continue
			}
			r.set(s, strVal(f.Value))
		}
	}
	return rows
}
