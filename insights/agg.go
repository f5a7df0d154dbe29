package insights

import (
	"cmp"
	"hash/maphash"
	"math"
	"slices"
)

// Limits of aggregate state: above them a group's state switches to a
// bounded approximation (see the package documentation).
const (
	exactPctMax      = 10_000 // values kept exactly by pct and histogram per group
	exactDistinctMax = 4_096  // distinct values counted exactly by count_distinct per group
	maxValues        = 1_000  // distinct values kept by values() per group
)

// hashSeed hashes count_distinct values; it is fixed for the process, so
// the states of parallel evaluators can be merged.
var hashSeed = maphash.MakeSeed()

// aggSpec is one aggregation of a stats command.
type aggSpec struct {
	kind   aggKind
	arg    evalFn // nil for count(*)
	param  float64
	period int64
	slot   int // the hidden slot that holds the result for the items
}

// aggState is the running state of one aggregation for one group. It is
// small, as a query may have many groups; what only some aggregations
// need is in ext.
type aggState struct {
	n   int64
	x   float64 // avg, sum: the sum; stddev, variance: the running mean; rate: the last value
	y   float64 // stddev, variance: the sum of squared deviations (Welford); rate: the last value's timestamp
	v   value   // min, max, earliest, latest, sortsFirst, sortsLast; rate: the first value
	ts  int64   // the timestamp of v
	ext *aggExt
}

// aggExt holds the larger states: sets, samples and sketches.
type aggExt struct {
	hashes map[uint64]struct{} // count_distinct, exact
	hll    *hyperLogLog        // count_distinct, beyond exactDistinctMax
	nums   []float64           // pct, histogram: exact values
	sketch *ddSketch           // pct beyond exactPctMax
	vals   []value             // values(), in first-seen order
	seen   map[string]struct{}
	counts map[string]int64 // topk
}

func (s *aggState) extra() *aggExt {
	if s.ext == nil {
		s.ext = &aggExt{}
	}
	return s.ext
}

// update adds one row's value to the state.
func (a *aggSpec) update(s *aggState, r *row) {
	if a.kind == aggCount && a.arg == nil {
		s.n++
		return
	}
	v := a.arg(r)
	if v.kind == kNull {
		return
	}
	switch a.kind {
	case aggCount:
		s.n++
	case aggAvg, aggSum:
		x, ok := v.number()
		if !ok {
			return
		}
		s.n++
		s.x += x
	case aggStddev, aggVariance:
		x, ok := v.number()
		if !ok {
			return
		}
		s.n++
		d := x - s.x
		s.x += d / float64(s.n)
		s.y += d * (x - s.x)
	case aggMin, aggMax:
		if v.kind >= kList {
			return
		}
		if s.n == 0 || minMaxBetter(a.kind == aggMin, v, s.v) {
			s.v = v.own()
		}
		s.n++
	case aggSortsFirst, aggSortsLast:
		if v.kind >= kList {
			return
		}
		if s.n == 0 || (naturalCompare(v, s.v) < 0) == (a.kind == aggSortsFirst) && naturalCompare(v, s.v) != 0 {
			s.v = v.own()
		}
		s.n++
	case aggEarliest, aggLatest:
		if s.n == 0 || (a.kind == aggEarliest && r.ts < s.ts) || (a.kind == aggLatest && r.ts > s.ts) {
			s.v, s.ts = v.own(), r.ts
		}
		s.n++
	case aggCountDistinct:
		t, ok := v.text()
		if !ok {
			return
		}
		s.addHash(maphash.String(hashSeed, t))
	case aggPct, aggHistogram:
		x, ok := v.number()
		if !ok {
			return
		}
		s.addNum(x)
	case aggValues:
		t, ok := v.text()
		if !ok {
			return
		}
		if _, dup := s.extra().seen[t]; !dup {
			s.addValue(v.own())
		}
	case aggTopk:
		t, ok := v.text()
		if !ok {
			return
		}
		e := s.extra()
		if e.counts == nil {
			e.counts = map[string]int64{}
		}
		if _, ok := e.counts[t]; ok {
			e.counts[t]++
		} else {
			e.counts[string([]byte(t))] = 1
		}
	case aggRate:
		x, ok := v.number()
		if !ok {
			return
		}
		if s.n == 0 || r.ts < s.ts {
			s.v, s.ts = numVal(x), r.ts
		}
		if s.n == 0 || float64(r.ts) >= s.y {
			s.x, s.y = x, float64(r.ts)
		}
		s.n++
	}
}

// minMaxBetter reports whether v should replace cur as the minimum (or
// maximum): numbers compare as numbers and win over text, which compares
// as text.
func minMaxBetter(isMin bool, v, cur value) bool {
	vn, cn := v.isNumeric(), cur.isNumeric()
	if vn != cn {
		return vn
	}
	c, ok := compareValues(v, cur)
	if !ok {
		return false
	}
	if isMin {
		return c < 0
	}
	return c > 0
}

// addValue adds a new distinct value to values(): it keeps the first
// maxValues values in sort order, whatever the order they come in, so that
// merged states agree.
func (s *aggState) addValue(v value) {
	e := s.extra()
	if e.seen == nil {
		e.seen = map[string]struct{}{}
	}
	if len(e.vals) < maxValues {
		e.seen[v.render()] = struct{}{}
		e.vals = append(e.vals, v)
		return
	}
	last := 0
	for i := range e.vals {
		if naturalCompare(e.vals[i], e.vals[last]) > 0 {
			last = i
		}
	}
	if naturalCompare(v, e.vals[last]) < 0 {
		delete(e.seen, e.vals[last].render())
		e.seen[v.render()] = struct{}{}
		e.vals[last] = v
	}
}

func (s *aggState) addHash(h uint64) {
	e := s.extra()
	if e.hll != nil {
		e.hll.add(h)
		return
	}
	if e.hashes == nil {
		e.hashes = map[uint64]struct{}{}
	}
	e.hashes[h] = struct{}{}
	if len(e.hashes) > exactDistinctMax {
		e.hll = newHyperLogLog()
		for h := range e.hashes {
			e.hll.add(h)
		}
		e.hashes = nil
	}
}

func (s *aggState) addNum(x float64) {
	e := s.extra()
	s.n++
	if e.sketch != nil {
		e.sketch.add(x, 1)
		return
	}
	e.nums = append(e.nums, x)
	if len(e.nums) > exactPctMax {
		e.sketch = newDDSketch()
		for _, y := range e.nums {
			e.sketch.add(y, 1)
		}
		e.nums = nil
	}
}

// merge folds o (a state of the same aggregation over other rows) into s.
func (a *aggSpec) merge(s, o *aggState) {
	if o.n == 0 && o.ext == nil {
		return
	}
	switch a.kind {
	case aggCount:
		s.n += o.n
	case aggAvg, aggSum:
		s.n += o.n
		s.x += o.x
	case aggStddev, aggVariance:
		if s.n == 0 {
			*s = *o
			return
		}
		n := s.n + o.n
		d := o.x - s.x
		s.y += o.y + d*d*float64(s.n)*float64(o.n)/float64(n)
		s.x += d * float64(o.n) / float64(n)
		s.n = n
	case aggMin, aggMax:
		if s.n == 0 || minMaxBetter(a.kind == aggMin, o.v, s.v) {
			s.v = o.v
		}
		s.n += o.n
	case aggSortsFirst, aggSortsLast:
		if s.n == 0 || (naturalCompare(o.v, s.v) < 0) == (a.kind == aggSortsFirst) && naturalCompare(o.v, s.v) != 0 {
			s.v = o.v
		}
		s.n += o.n
	case aggEarliest, aggLatest:
		if s.n == 0 || (a.kind == aggEarliest && o.ts < s.ts) || (a.kind == aggLatest && o.ts > s.ts) {
			s.v, s.ts = o.v, o.ts
		}
		s.n += o.n
	case aggRate:
		if s.n == 0 || o.ts < s.ts {
			s.v, s.ts = o.v, o.ts
		}
		if s.n == 0 || o.y >= s.y {
			s.x, s.y = o.x, o.y
		}
		s.n += o.n
	case aggCountDistinct:
		oe := o.ext
		if oe.hll != nil {
			e := s.extra()
			if e.hll == nil {
				e.hll = newHyperLogLog()
				for h := range e.hashes {
					e.hll.add(h)
				}
				e.hashes = nil
			}
			e.hll.merge(oe.hll)
			return
		}
		for h := range oe.hashes {
			s.addHash(h)
		}
	case aggPct, aggHistogram:
		oe := o.ext
		if oe.sketch != nil {
			e := s.extra()
			if e.sketch == nil {
				e.sketch = newDDSketch()
				for _, y := range e.nums {
					e.sketch.add(y, 1)
				}
				e.nums = nil
			}
			e.sketch.merge(oe.sketch)
			s.n += o.n
			return
		}
		for _, x := range oe.nums {
			s.addNum(x)
		}
	case aggValues:
		for _, v := range o.ext.vals {
			if _, dup := s.extra().seen[v.render()]; !dup {
				s.addValue(v)
			}
		}
	case aggTopk:
		e := s.extra()
		if e.counts == nil {
			e.counts = map[string]int64{}
		}
		for k, n := range o.ext.counts {
			e.counts[k] += n
		}
	}
}

// result returns the aggregation's value for a group.
func (a *aggSpec) result(s *aggState) value {
	switch a.kind {
	case aggCount:
		return numVal(float64(s.n))
	case aggCountDistinct:
		if s.ext == nil {
			return numVal(0)
		}
		if s.ext.hll != nil {
			return numVal(float64(s.ext.hll.estimate()))
		}
		return numVal(float64(len(s.ext.hashes)))
	}
	if s.n == 0 && s.ext == nil {
		return null
	}
	switch a.kind {
	case aggAvg:
		return numVal(s.x / float64(s.n))
	case aggSum:
		return numVal(s.x)
	case aggStddev:
		return numVal(math.Sqrt(s.y / float64(s.n)))
	case aggVariance:
		return numVal(s.y / float64(s.n))
	case aggMin, aggMax, aggSortsFirst, aggSortsLast, aggEarliest, aggLatest:
		return s.v
	case aggPct:
		return s.percentile(a.param)
	case aggHistogram:
		return s.histogram(int(a.param))
	case aggValues:
		vals := slices.Clone(s.ext.vals)
		slices.SortFunc(vals, naturalCompare)
		return listVal(vals)
	case aggTopk:
		return topk(s.ext.counts, int(a.param))
	case aggRate:
		if s.y == float64(s.ts) {
			return null
		}
		return numVal((s.x - s.v.num) / (s.y - float64(s.ts)) * float64(a.period))
	}
	return null
}

// percentile returns the nearest-rank percentile p (0 to 100): the
// smallest value such that at least p percent of the values are less than
// or equal to it.
func (s *aggState) percentile(p float64) value {
	e := s.ext
	if e.sketch != nil {
		return numVal(e.sketch.quantile(p / 100))
	}
	if len(e.nums) == 0 {
		return null
	}
	slices.Sort(e.nums)
	rank := int(math.Ceil(p / 100 * float64(len(e.nums))))
	rank = min(max(rank, 1), len(e.nums))
	return numVal(e.nums[rank-1])
}

// histogram returns n equal-width buckets between the smallest and the
// largest value, as a map from "low-high" to the count of values in it.
func (s *aggState) histogram(n int) value {
	e := s.ext
	var vals []float64
	if e.sketch != nil {
		vals = e.sketch.samples()
	} else {
		vals = e.nums
	}
	if len(vals) == 0 || n < 1 {
		return null
	}
	lo, hi := slices.Min(vals), slices.Max(vals)
	width := (hi - lo) / float64(n)
	counts := make([]int64, n)
	for _, x := range vals {
		i := n - 1
		if width > 0 {
			i = min(int((x-lo)/width), n-1)
		}
		counts[i]++
	}
	st := &structure{}
	for i, c := range counts {
		from, to := lo+float64(i)*width, lo+float64(i+1)*width
		st.keys = append(st.keys, formatNumber(from)+"-"+formatNumber(to))
		st.items = append(st.items, numVal(float64(c)))
	}
	return value{kind: kMap, st: st}
}

// topk returns the k most frequent values, most frequent first (ties in
// ascending order of the value).
func topk(counts map[string]int64, k int) value {
	type kv struct {
		v string
		n int64
	}
	all := make([]kv, 0, len(counts))
	for v, n := range counts {
		all = append(all, kv{v, n})
	}
	slices.SortFunc(all, func(a, b kv) int {
		if a.n != b.n {
			return cmp.Compare(b.n, a.n)
		}
		return naturalCompareText(a.v, b.v)
	})
	if len(all) > k {
		all = all[:k]
	}
	items := make([]value, len(all))
	for i, e := range all {
		items[i] = strVal(e.v)
	}
	return listVal(items)
}

// ddSketch is a quantile sketch with relative accuracy ddAlpha (Masson,
// Rim and Lee, "DDSketch", VLDB 2019): values fall in logarithmic buckets,
// so a quantile is within ddAlpha of the true value. Sketches merge by
// adding bucket counts.
type ddSketch struct {
	pos, neg map[int32]uint64
	zero     uint64
	count    uint64
}

const ddAlpha = 0.005

var ddGamma = (1 + ddAlpha) / (1 - ddAlpha)
var ddLogGamma = math.Log(ddGamma)

func newDDSketch() *ddSketch {
	return &ddSketch{pos: map[int32]uint64{}, neg: map[int32]uint64{}}
}

func ddIndex(x float64) int32 { return int32(math.Ceil(math.Log(x) / ddLogGamma)) }

func ddValue(i int32) float64 { return 2 * math.Pow(ddGamma, float64(i)) / (ddGamma + 1) }

func (d *ddSketch) add(x float64, n uint64) {
	d.count += n
	switch {
	case x > 1e-300:
		d.pos[ddIndex(x)] += n
	case x < -1e-300:
		d.neg[ddIndex(-x)] += n
	default:
		d.zero += n
	}
}

func (d *ddSketch) merge(o *ddSketch) {
	for i, n := range o.pos {
		d.pos[i] += n
	}
	for i, n := range o.neg {
		d.neg[i] += n
	}
	d.zero += o.zero
	d.count += o.count
}

// quantile returns the nearest-rank quantile q (0 to 1).
func (d *ddSketch) quantile(q float64) float64 {
	rank := uint64(math.Ceil(q * float64(d.count)))
	rank = min(max(rank, 1), d.count)
	var seen uint64
	negs := slices.Sorted(mapKeys(d.neg))
	for i := len(negs) - 1; i >= 0; i-- {
		if seen += d.neg[negs[i]]; seen >= rank {
			return -ddValue(negs[i])
		}
	}
	if seen += d.zero; seen >= rank {
		return 0
	}
	for _, i := range slices.Sorted(mapKeys(d.pos)) {
		if seen += d.pos[i]; seen >= rank {
			return ddValue(i)
		}
	}
	return 0
}

// samples returns one representative value per counted value (for
// histogram over a sketch).
func (d *ddSketch) samples() []float64 {
	var out []float64
	for i, n := range d.neg {
		for range n {
			out = append(out, -ddValue(i))
		}
	}
	for range d.zero {
		out = append(out, 0)
	}
	for i, n := range d.pos {
		for range n {
			out = append(out, ddValue(i))
		}
	}
	return out
}

func mapKeys[K comparable, V any](m map[K]V) func(func(K) bool) {
	return func(yield func(K) bool) {
		for k := range m {
			if !yield(k) {
				return
			}
		}
	}
}

// hyperLogLog estimates the number of distinct hashes (Flajolet et al.,
// with the small-range correction), with a standard error of about 1.6%
// at precision 12.
type hyperLogLog struct{ reg [1 << hllP]uint8 }

const hllP = 12

func newHyperLogLog() *hyperLogLog { return &hyperLogLog{} }

func (h *hyperLogLog) add(x uint64) {
	i := x >> (64 - hllP)
	w := x<<hllP | 1<<(hllP-1)
	rho := uint8(1)
	for w&(1<<63) == 0 {
		rho++
		w <<= 1
	}
	if rho > h.reg[i] {
		h.reg[i] = rho
	}
}

func (h *hyperLogLog) merge(o *hyperLogLog) {
	for i, r := range o.reg {
		if r > h.reg[i] {
			h.reg[i] = r
		}
	}
}

func (h *hyperLogLog) estimate() int64 {
	m := float64(len(h.reg))
	sum, zeros := 0.0, 0
	for _, r := range h.reg {
		sum += math.Ldexp(1, -int(r))
		if r == 0 {
			zeros++
		}
	}
	e := 0.7213 / (1 + 1.079/m) * m * m / sum
	if e <= 2.5*m && zeros > 0 {
		e = m * math.Log(m/float64(zeros))
	}
	return int64(e + 0.5)
}
