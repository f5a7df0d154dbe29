package insights

import (
	"fmt"
	"time"
	"unsafe"
)

// Evaluator runs a query over a stream of events: Feed gives it the events
// one at a time, in any order, and Results returns what the query has
// produced so far. Several evaluators of one query can run over disjoint
// parts of the events in parallel and be merged into one with Merge.
//
// An Evaluator is not safe for concurrent use: Feed, Merge, Results and
// Statistics of one Evaluator must not run at the same time.
type Evaluator struct {
	q     *Query
	p     *plan
	opts  Options
	x     ectx
	r     *row
	ld    loader
	first sink // the first segment's barrier
	stats Statistics
	limit int
	seq   int64
	// fed: Feed has been called. The rows an evaluator keeps change in
	// place only as it is fed (a kept row's memory takes a better row's
	// values); merging moves rows in whole.
	fed bool
	// horizon, for a query that KeepsNewest, records the rows kept by the
	// first barrier, which keeps firstLimit.
	horizon    *Horizon
	firstLimit int
}

// NewEvaluator returns an Evaluator for the query. It fails when the
// options lack the subquery results or lookup tables the query needs.
func (q *Query) NewEvaluator(opts Options) (*Evaluator, error) {
	if opts.Now.IsZero() {
		opts.Now = time.Now()
	}
	e := &Evaluator{q: q, p: q.plan, opts: opts}
	e.limit = q.plan.limit
	if e.limit == 0 {
		e.limit = opts.Limit
	}
	if e.limit <= 0 {
		e.limit = DefaultLimit
	}
	e.limit = min(e.limit, MaxLimit)
	e.x = ectx{opts: &e.opts, now: opts.Now.UnixMilli()}
	if err := e.prepareInputs(); err != nil {
		return nil, err
	}
	e.ld = loader{p: e.p, opts: &e.opts}
	e.ld.json.init(e.p)
	e.r = newRow(len(e.p.slotInfo), &e.x)
	e.r.ld = &e.ld
	e.first = e.newSink(0)
	if q.plan.newest && opts.Horizon != nil {
		e.horizon, e.firstLimit = opts.Horizon, e.limit
		if b := &q.plan.segs[0].bar; b.kind == barLimit && b.n > 0 {
			e.firstLimit = b.n
		}
	}
	return e, nil
}

// prepareInputs indexes the subquery results and lookup tables.
func (e *Evaluator) prepareInputs() error {
	q := e.q
	if len(e.opts.Subresults) < len(q.subs) {
		return fmt.Errorf("insights: the query needs the results of %d subqueries, got %d", len(q.subs), len(e.opts.Subresults))
	}
	e.x.subs = make([]subresult, len(q.subs))
	for i, sq := range q.subs {
		res := e.opts.Subresults[i]
		if res == nil {
			return fmt.Errorf("insights: no result for subquery %d (%s)", i, sq)
		}
		sr := &e.x.subs[i]
		switch use := e.p.subUse[i]; use.kind {
		case subIn:
			sr.set = map[string]struct{}{}
			col := use.column
			if !containsString(res.Columns, col) && len(res.Columns) > 0 {
				col = res.Columns[0]
			}
			for _, row := range res.Rows {
				for _, f := range row {
					if f.Name == col {
						sr.set[f.Value] = struct{}{}
					}
				}
			}
		case subJoin:
			jp := use.join
			sr.rows = map[string][][]value{}
			for _, row := range res.Rows {
				vals := make([]value, len(jp.fields))
				key, haveKey := "", false
				for _, f := range row {
					if f.Name == jp.keyCol {
						key, haveKey = f.Value, true
					}
					for j, name := range jp.fields {
						if f.Name == name {
							vals[j] = strVal(f.Value)
						}
					}
				}
				if !haveKey {
					continue
				}
				if _, ok := sr.rows[key]; !ok && len(sr.rows) >= maxJoinKeys {
					return fmt.Errorf("insights: the right side of the join has more than %d distinct keys", maxJoinKeys)
				}
				sr.rows[key] = append(sr.rows[key], vals)
			}
		case subAppend:
			sr.cols, sr.tab = res.Columns, res.Rows
		}
	}
	e.x.tabs = map[string]*lookupIndex{}
	for _, l := range e.p.lookups {
		t := e.opts.LookupTables[l.table]
		if t == nil {
			return fmt.Errorf("insights: lookup table %q does not exist", l.table)
		}
		idx, msg := indexTable(l, t)
		if idx == nil {
			return fmt.Errorf("insights: %s", msg)
		}
		e.x.tabs[l.table] = idx
	}
	return nil
}

// maxJoinKeys is the most distinct keys the right side of a join may have.
const maxJoinKeys = 50_000

// newSink returns the state of segment i's barrier.
func (e *Evaluator) newSink(i int) sink {
	seg := e.p.segs[i]
	b := &seg.bar
	o := &order{desc: b.desc, sorted: b.sort, events: i == 0}
	switch b.kind {
	case barStats:
		return newStatsSink(b.stats)
	case barLimit:
		if b.n == 0 { // limit any
			return newTopN(e.limit, o, b.live)
		}
		return newTopN(b.n, o, b.live)
	case barTail:
		return newTailN(b.n, o, b.live)
	case barDedup:
		return newDedupSink(b.dedup, e.limit, o, b.live)
	}
	return newTopN(e.limit, o, b.live)
}

// Feed evaluates the query over one event. The event's Message is read
// only during the call.
func (e *Evaluator) Feed(ev *Event) {
	e.stats.RecordsScanned++
	e.stats.BytesScanned += int64(len(ev.Message))
	if e.p.pre != nil && !e.p.pre.match(ev.Message) {
		return
	}
	r := e.r
	r.reset()
	r.ev = ev
	r.ts = ev.Timestamp
	r.seq = e.seq
	e.seq++
	e.fed = true
	e.ld.start(ev)
	e.run(e.p.segs[0], r, 0, e.first)
	e.x.stack = e.x.stack[:0]
}

// AddScanned counts events the caller read but did not feed, because the
// query's PreFilter rejected them, in the statistics.
func (e *Evaluator) AddScanned(events, bytes int64) {
	e.stats.RecordsScanned += events
	e.stats.BytesScanned += bytes
}

// AddUnread counts events the caller did not read because they were older
// than the cutoff of the query's Horizon (see Query.KeepsNewest): they count
// as scanned and, as every event of such a query is, matched.
func (e *Evaluator) AddUnread(events, bytes int64) {
	e.stats.RecordsScanned += events
	e.stats.BytesScanned += bytes
	e.stats.RecordsMatched += events
}

// Statistics returns the evaluator's counters.
func (e *Evaluator) Statistics() Statistics { return e.stats }

// Merge folds o, an evaluator of the same query that was fed other events,
// into e. o is left empty, as if new, and can be fed again: a caller that
// runs evaluators in parallel can merge them into one from time to time to
// show partial results, and at the end.
func (e *Evaluator) Merge(o *Evaluator) error {
	if o.q != e.q {
		return fmt.Errorf("insights: cannot merge evaluators of different queries")
	}
	e.first.merge(o.first)
	e.stats.RecordsMatched += o.stats.RecordsMatched
	e.stats.RecordsScanned += o.stats.RecordsScanned
	e.stats.BytesScanned += o.stats.BytesScanned
	o.first = o.newSink(0)
	o.stats = Statistics{}
	return nil
}

// run passes a row through a segment's stages from stage i, then to the
// segment's barrier.
func (e *Evaluator) run(seg *segment, r *row, i int, s sink) {
	for ; i < len(seg.stages); i++ {
		st := &seg.stages[i]
		switch st.kind {
		case stFilter:
			if !st.test(r) {
				return
			}
		case stAssign:
			for _, a := range st.assigns {
				r.set(a.slot, a.fn(r))
			}
		case stParse:
			if r.ev == nil || st.parse.mayMatch(r.ev.Message) {
				st.parse.apply(r)
			}
		case stSort:
			r.keys = r.keys[:0]
			for _, k := range st.keys {
				r.keys = append(r.keys, k(r))
			}
		case stUnnest:
			for _, v := range st.unnest.items(r) {
				r.set(st.unnest.slot, v)
				e.run(seg, r, i+1, s)
			}
			return
		case stLookup:
			st.lookup.apply(r)
		case stJoin:
			next := i + 1
			st.join.apply(r, func() { e.run(seg, r, next, s) })
			return
		}
	}
	if r.ev != nil {
		e.stats.RecordsMatched++
		if e.horizon != nil {
			e.horizon.keep(r.ts, e.firstLimit)
		}
	}
	s.add(r)
}

// Results returns the rows the query has produced from the events fed so
// far: partial results while events are still being fed, final results
// after the last. It can be called any number of times. The result stays
// as it is whatever the evaluator does next; the values of an evaluator
// that is only merged into, never fed, share its memory, which then never
// changes, rather than being copied.
func (e *Evaluator) Results() *Result {
	p := e.p
	rows := e.first.rows(len(p.slotInfo), &e.x)
	rows = e.table(p.segs[0], rows)
	for i := 1; i < len(p.segs); i++ {
		seg := p.segs[i]
		s := e.newSink(i)
		for j, r := range rows {
			r.seq = int64(j)
			r.keys = r.keys[:0]
			e.run(seg, r, 0, s)
		}
		rows = s.rows(len(p.slotInfo), &e.x)
		rows = e.table(seg, rows)
	}
	return e.render(rows)
}

// render builds the result rows: the output columns that have values, as
// strings, and @ptr for rows that are events.
func (e *Evaluator) render(rows []*row) *Result {
	p := e.p
	res := &Result{Columns: append([]string(nil), p.columns...), Rows: make([][]Field, 0, len(rows))}
	hasPtr := containsString(p.columns, "@ptr")
	// The values of an evaluator that is fed are copied, as the rows may
	// alias state that changes with the next events, into a few large
	// buffers rather than one each.
	var arena []byte
	clone := func(v string) string {
		if !e.fed {
			return v
		}
		if len(v) > cap(arena)-len(arena) {
			arena = make([]byte, 0, max(64<<10, len(v)))
		}
		start := len(arena)
		arena = append(arena, v...)
		return unsafe.String(unsafe.SliceData(arena[start:]), len(v))
	}
	fields := make([]Field, 0, len(rows)*(len(p.outSlots)+1))
	for _, r := range rows {
		start := len(fields)
		for i, s := range p.outSlots {
			if !r.isSet(s) {
				continue
			}
			v := r.vals[s]
			if v.kind == kNull {
				continue
			}
			fields = append(fields, Field{Name: p.columns[i], Value: clone(v.render())})
		}
		if p.eventRows && r.ref != nil && e.opts.Pointer != nil && !hasPtr {
			if r.ref.ptr == "" {
				r.ref.ptr = e.opts.Pointer(r.ref.EventRef)
			}
			fields = append(fields, Field{Name: "@ptr", Value: r.ref.ptr})
		}
		res.Rows = append(res.Rows, fields[start:len(fields):len(fields)])
	}
	return res
}
