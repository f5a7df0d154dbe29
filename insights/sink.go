package insights

import (
	"cmp"
	"slices"
	"strings"
)

// stored is a row kept by a barrier: the values of its live slots (their
// strings in buf, so the row outlives the event), its sort keys and its
// identity.
type stored struct {
	vals []value // in the order of the barrier's live slots
	keys []value
	ts   int64
	seq  int64
	ref  *rowRef
	buf  []byte
}

// order is the order of a barrier's rows: by the sort keys in effect, then
// (for events) newest first (oldest first after an ascending sort), then by
// arrival.
type order struct {
	desc   []bool
	sorted bool
	events bool // rows are events of the first segment
}

// cmp compares two rows: negative when a comes first.
func (o *order) cmp(a, b *stored) int {
	if o.sorted {
		for i, d := range o.desc {
			var av, bv value
			if i < len(a.keys) {
				av = a.keys[i]
			}
			if i < len(b.keys) {
				bv = b.keys[i]
			}
			if c := compareKeys(av, bv, d); c != 0 {
				return c
			}
		}
	}
	if o.events {
		// Ties follow the direction of the first sort key: newest first by
		// default, oldest first (in the order events were written) after an
		// ascending sort.
		newer, older := b, a
		if o.sorted && len(o.desc) > 0 && !o.desc[0] {
			newer, older = a, b
		}
		if a.ts != b.ts {
			return cmp.Compare(newer.ts, older.ts)
		}
		if a.ref != nil && b.ref != nil {
			if c := strings.Compare(a.ref.LogGroup, b.ref.LogGroup); c != 0 {
				return c
			}
			if c := strings.Compare(a.ref.LogStream, b.ref.LogStream); c != 0 {
				return c
			}
			if a.ref.ID != b.ref.ID {
				return cmp.Compare(int64(newer.ref.ID), int64(older.ref.ID))
			}
		}
	}
	return cmp.Compare(a.seq, b.seq)
}

// compareKeys is compareNullsLast with a shortcut for the most common sort
// keys, numbers and timestamps of different values.
func compareKeys(a, b value, desc bool) int {
	if a.kind-kNumber <= kTime-kNumber && b.kind-kNumber <= kTime-kNumber {
		c := 0
		switch {
		case a.num < b.num:
			c = -1
		case a.num > b.num:
			c = 1
		default: // equal, or NaN: the text decides
			return compareNullsLast(a, b, desc)
		}
		if desc {
			return -c
		}
		return c
	}
	return compareNullsLast(a, b, desc)
}

// sink is a barrier's state: it takes a segment's rows and gives them, or
// what they aggregate to, to the next segment.
type sink interface {
	add(r *row)
	// merge folds another sink of the same barrier into this one; the
	// other must not be used afterwards.
	merge(o sink)
	// rows returns the rows past the barrier, in order, without changing
	// the sink.
	rows(nslots int, x *ectx) []*row
}

// keeper materialises rows into stored rows.
type keeper struct {
	live  []int
	probe stored
	pref  rowRef
}

// probeOf describes the current row for comparison, without copying it.
func (k *keeper) probeOf(r *row) *stored {
	p := &k.probe
	p.keys, p.ts, p.seq = r.keys, r.ts, r.seq
	p.ref = r.ref
	if r.ev != nil {
		k.pref.EventRef = EventRef{Account: r.ev.Account, Region: r.ev.Region, LogGroup: r.ev.LogGroup, LogStream: r.ev.LogStream, Timestamp: r.ev.Timestamp, ID: r.ev.ID}
		p.ref = &k.pref
	}
	return p
}

// fill copies the current row into dst, reusing dst's memory.
func (k *keeper) fill(dst *stored, r *row) {
	dst.buf = dst.buf[:0]
	dst.vals = dst.vals[:0]
	for _, s := range k.live {
		dst.vals = append(dst.vals, r.get(s).ownInto(&dst.buf))
	}
	dst.keys = dst.keys[:0]
	for _, v := range r.keys {
		dst.keys = append(dst.keys, v.ownInto(&dst.buf))
	}
	dst.ts, dst.seq = r.ts, r.seq
	switch {
	case r.ev != nil:
		if dst.ref == nil || dst.ref == r.ref {
			dst.ref = &rowRef{}
		}
		dst.ref.EventRef = EventRef{Account: r.ev.Account, Region: r.ev.Region, LogGroup: r.ev.LogGroup, LogStream: r.ev.LogStream, Timestamp: r.ev.Timestamp, ID: r.ev.ID}
		dst.ref.ptr = ""
	default:
		dst.ref = r.ref
	}
}

// toRows turns stored rows into table rows.
func (k *keeper) toRows(ss []*stored, nslots int, x *ectx) []*row {
	out := newRows(len(ss), nslots, x)
	for i, s := range ss {
		r := out[i]
		for j, slot := range k.live {
			if s.vals[j].kind != kNull {
				r.set(slot, s.vals[j])
			}
		}
		r.ts, r.ref, r.seq = s.ts, s.ref, int64(i)
		out[i] = r
	}
	return out
}

// topN keeps the first n rows by rank, in a heap whose top is the last of
// them. Ranked by the order, it keeps the first n rows (limit, and the end
// of a query); ranked by the reverse order, the last n (tail).
type topN struct {
	keeper
	n   int
	o   *order
	rev bool // rank by the reverse order
	h   []*stored
}

func newTopN(n int, o *order, live []int) *topN {
	return &topN{keeper: keeper{live: live}, n: n, o: o}
}

func newTailN(n int, o *order, live []int) *topN {
	return &topN{keeper: keeper{live: live}, n: n, o: o, rev: true}
}

// rank compares two rows by the heap's ranking.
func (t *topN) rank(a, b *stored) int {
	if t.rev {
		return t.o.cmp(b, a)
	}
	return t.o.cmp(a, b)
}

// after reports whether heap element i should be above j: it ranks later.
func (t *topN) after(i, j int) bool { return t.rank(t.h[i], t.h[j]) > 0 }

func (t *topN) up(i int) {
	for i > 0 {
		p := (i - 1) / 2
		if !t.after(i, p) {
			return
		}
		t.h[i], t.h[p] = t.h[p], t.h[i]
		i = p
	}
}

func (t *topN) down(i int) {
	for {
		l := 2*i + 1
		if l >= len(t.h) {
			return
		}
		c := l
		if r := l + 1; r < len(t.h) && t.after(r, l) {
			c = r
		}
		if !t.after(c, i) {
			return
		}
		t.h[i], t.h[c] = t.h[c], t.h[i]
		i = c
	}
}

// admits reports whether a row described by p would be kept.
func (t *topN) admits(p *stored) bool {
	return len(t.h) < t.n || t.n > 0 && t.rank(p, t.h[0]) < 0
}

func (t *topN) add(r *row) {
	p := t.probeOf(r)
	if !t.admits(p) {
		return
	}
	if len(t.h) < t.n {
		s := &stored{}
		t.fill(s, r)
		t.h = append(t.h, s)
		t.up(len(t.h) - 1)
		return
	}
	t.fill(t.h[0], r)
	t.down(0)
}

func (t *topN) push(s *stored) {
	if len(t.h) < t.n {
		t.h = append(t.h, s)
		t.up(len(t.h) - 1)
	} else if t.admits(s) {
		t.h[0] = s
		t.down(0)
	}
}

func (t *topN) merge(o sink) {
	ot := o.(*topN)
	if len(t.h) == 0 && len(ot.h) <= t.n {
		t.h, ot.h = ot.h, nil // a heap of the same order already
		return
	}
	for _, s := range ot.h {
		t.push(s)
	}
}

// sorted returns the kept rows in order.
func (t *topN) sorted() []*stored {
	ss := slices.Clone(t.h)
	slices.SortFunc(ss, t.o.cmp)
	return ss
}

func (t *topN) rows(nslots int, x *ectx) []*row { return t.toRows(t.sorted(), nslots, x) }

// dedupSink keeps, for each combination of the dedup fields' values, the
// row that comes first in order; rows with an absent dedup field are all
// kept (up to the limit).
type dedupSink struct {
	keeper
	o      *order
	fields []int
	best   map[string]*stored
	nulls  *topN
	keyBuf []byte
}

func newDedupSink(fields []int, limit int, o *order, live []int) *dedupSink {
	return &dedupSink{keeper: keeper{live: live}, o: o, fields: fields, best: map[string]*stored{}, nulls: newTopN(limit, o, live)}
}

func (d *dedupSink) add(r *row) {
	b := d.keyBuf[:0]
	for _, f := range d.fields {
		v := r.get(f)
		if v.kind == kNull {
			d.nulls.add(r)
			return
		}
		b = appendKey(b, v)
	}
	d.keyBuf = b
	s := d.best[string(b)]
	if s == nil {
		s = &stored{}
		d.fill(s, r)
		d.best[string(b)] = s
		return
	}
	if d.o.cmp(d.probeOf(r), s) < 0 {
		d.fill(s, r)
	}
}

func (d *dedupSink) merge(o sink) {
	od := o.(*dedupSink)
	for k, s := range od.best {
		cur := d.best[k]
		if cur == nil || d.o.cmp(s, cur) < 0 {
			d.best[k] = s
		}
	}
	d.nulls.merge(od.nulls)
}

func (d *dedupSink) rows(nslots int, x *ectx) []*row {
	ss := d.nulls.sorted()
	for _, s := range d.best {
		ss = append(ss, s)
	}
	slices.SortFunc(ss, d.o.cmp)
	if len(ss) > d.nulls.n {
		ss = ss[:d.nulls.n]
	}
	return d.toRows(ss, nslots, x)
}

func (s *statsSink) merge(o sink) { s.mergeStats(o.(*statsSink)) }
