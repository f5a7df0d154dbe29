package insights

import (
	"slices"
	"strconv"
	"strings"
)

// srcKind says where the value of a field comes from when an event is
// read: a system field, a Lambda platform line, or the event's JSON (or VPC
// flow log) fields. Fields defined by the query have srcNone until set.
type srcKind uint8

const (
	srcNone srcKind = iota
	srcMessage
	srcTimestamp
	srcIngestion
	srcLogStream
	srcLog
	srcAccount
	srcRegion
	srcPtr
	srcLambda     // lambdaFields[sub]
	srcDiscovered // JSON path, or VPC flow log field
)

// systemFields maps the system fields to their sources.
var systemFields = map[string]srcKind{
	"@message": srcMessage, "@timestamp": srcTimestamp, "@ingestionTime": srcIngestion,
	"@logStream": srcLogStream, "@log": srcLog, "@ptr": srcPtr,
	"@aws.account": srcAccount, "@aws.region": srcRegion,
}

// slotInfo describes one field slot.
type slotInfo struct {
	name string
	src  srcKind
	sub  int    // srcLambda: the lambda field; srcDiscovered: VPC field index or -1
	path string // srcDiscovered: the JSON path
	// need, for a JSON field that a stage of the first segment may set
	// (such as a parse's), is a text the raw message holds when the event
	// has the field (see compiler.parseNeeds).
	need needle
}

// stageKind is the kind of a per-row stage.
type stageKind uint8

const (
	stFilter stageKind = iota
	stAssign
	stParse
	stSort
	stUnnest
	stLookup
	stJoin
)

// assign sets a slot to an expression's value.
type assign struct {
	slot int
	fn   evalFn
}

// stage is one per-row step of a segment.
type stage struct {
	kind    stageKind
	test    func(r *row) bool // stFilter
	node    *node             // stFilter: the condition, for the pre-filter
	assigns []assign          // stAssign
	parse   *parsePlan
	keys    []evalFn // stSort
	unnest  *unnestPlan
	lookup  *lookupPlan
	join    *joinPlan
}

// barKind is the kind of step that ends a segment.
type barKind uint8

const (
	barEnd   barKind = iota // the end of the query: the first rows in order, up to the limit
	barLimit                // limit n
	barTail                 // tail n: the last n rows in order
	barDedup                // dedup fields
	barStats                // stats
	barTable                // a command over the whole table (accum, addtotals, ...)
)

// barrier is the step that ends a segment: it needs all of the segment's
// rows (or a bounded summary of them) before the next segment can start.
type barrier struct {
	kind  barKind
	n     int
	dedup []int // barDedup: slots
	stats *statsPlan
	table *command
	live  []int  // the slots a row keeps past the barrier
	desc  []bool // the directions of the sort keys in effect; nil: the default order
	sort  bool   // a sort is in effect (desc may be empty only if not)
	// byTime: the first sort key in effect is the event's @timestamp.
	byTime bool
}

// segment is a run of per-row stages and the barrier that ends it. The
// first segment reads events; each later one reads the rows of the
// barrier before it.
type segment struct {
	stages []stage
	bar    barrier
}

// plan is a compiled query.
type plan struct {
	slots       map[string]int
	slotInfo    []slotInfo
	segs        []*segment
	columns     []string
	outSlots    []int
	eventRows   bool
	isStats     bool
	limit       int
	tables      []string
	pre         *preFilter
	jsonPaths   map[string]int // JSON path -> slot
	vpc         bool           // some slot may come from a VPC flow log line
	lambda      bool           // some slot comes from Lambda platform lines
	tsSlot      int            // the slot of @timestamp
	msgSlot     int            // the slot of @message
	discovered  []int          // the slots of discovered fields an event can give
	newestFirst bool           // see Query.NewestFirst
	newest      bool           // see Query.KeepsNewest
	lambdaSlots [nLambda]int   // the slots of the Lambda fields, or -1
	subUse      []subUse       // how each subquery's result is used
	lookups     []*lookupSpec  // the lookup commands
}

// subUseKind says how a query uses a subquery's result.
type subUseKind uint8

const (
	subIn     subUseKind = iota // filter f in (subquery)
	subJoin                     // the right side of join
	subAppend                   // appendcols
)

// subUse says how a query uses a subquery's result.
type subUse struct {
	kind   subUseKind
	column string    // subIn: the column whose values count
	join   *joinPlan // subJoin
}

// compiler holds the state of compiling one query.
type compiler struct {
	q         *Query
	p         *plan
	src       string
	seg0      bool            // compiling the first segment: fields come from events
	scope     map[string]bool // after a stats: the names that may be used
	derived   map[string]bool // names defined by commands so far; true: may hold a map or list
	reads     map[int]bool    // slots read by what is being compiled
	hidden    int
	segReads  [][]int // per segment: the slots its stages and barrier read
	joinL     string  // after a join: the aliases of its sides
	joinR     string
	lastStats *statsPlan
}

// compile turns the parsed commands into a plan.
func (q *Query) compile() (err error) {
	defer func() {
		if r := recover(); r != nil {
			b, ok := r.(bail)
			if !ok {
				panic(r)
			}
			err = b.err
		}
	}()
	c := &compiler{q: q, src: q.src, seg0: true, derived: map[string]bool{}, reads: map[int]bool{}}
	c.p = &plan{slots: map[string]int{}, jsonPaths: map[string]int{}}
	q.plan = c.p
	c.p.tsSlot = c.slot("@timestamp")
	c.p.msgSlot = c.slot("@message")
	for _, sq := range q.subs {
		if err := sq.compile(); err != nil {
			return err
		}
		c.p.subUse = append(c.p.subUse, subUse{kind: subAppend})
	}
	c.validate()
	c.build()
	c.outputs()
	c.liveness()
	c.p.pre = c.prefilter()
	c.parseNeeds()
	c.p.newestFirst = c.newestFirst()
	c.p.newest = c.keepsNewest()
	for i := range c.p.lambdaSlots {
		c.p.lambdaSlots[i] = -1
	}
	// The discovered fields an event can give are those the first segment
	// reads, keeps or dedups by; the other names (those later commands
	// define, such as a stats command's columns) are not looked for in it.
	fromEvent := map[int]bool{}
	for _, s := range slices.Concat(c.segReads[0], c.p.segs[0].bar.live, c.p.segs[0].bar.dedup) {
		fromEvent[s] = true
	}
	for i, info := range c.p.slotInfo {
		switch info.src {
		case srcDiscovered:
			if !fromEvent[i] {
				delete(c.p.jsonPaths, info.path)
				continue
			}
			c.p.discovered = append(c.p.discovered, i)
		case srcLambda:
			c.p.lambdaSlots[info.sub] = i
		}
	}
	return nil
}

func (c *compiler) failAt(start, end int, format string, args ...any) {
	panic(bail{errAt(c.src, start, end, format, args...)})
}

// validate checks the documented rules about the order of commands.
func (c *compiler) validate() {
	lastStats, nStats := -1, 0
	for i, cmd := range c.q.cmds {
		if cmd.kind == cStats {
			lastStats = i
			nStats++
			if nStats > MaxStats {
				c.failAt(cmd.start, cmd.end, "a query can have at most %d stats commands", MaxStats)
			}
		}
	}
	dedupSeen := false
	for i, cmd := range c.q.cmds {
		if nStats > 1 && i < lastStats && (cmd.kind == cSort || cmd.kind == cLimit) {
			c.failAt(cmd.start, cmd.end, "%s must come after the last stats command when a query has several", cmd.name)
		}
		if dedupSeen && cmd.kind != cLimit {
			c.failAt(cmd.start, cmd.end, "only limit can follow dedup, not %s", cmd.name)
		}
		if cmd.kind == cDedup {
			dedupSeen = true
		}
	}
}

// slot returns the slot of a field name, allocating it.
func (c *compiler) slot(name string) int {
	if i, ok := c.p.slots[name]; ok {
		return i
	}
	i := len(c.p.slotInfo)
	c.p.slots[name] = i
	info := slotInfo{name: name, sub: -1}
	if s, ok := systemFields[name]; ok {
		info.src = s
	} else if l := lambdaFieldIndex(name); l >= 0 {
		info.src, info.sub = srcLambda, l
		c.p.lambda = true
	} else if !strings.HasPrefix(name, "@") || strings.HasPrefix(name, "@@") {
		info.src = srcDiscovered
		info.path = name
		if strings.HasPrefix(name, "@@") {
			info.path = name[1:]
		}
		c.p.jsonPaths[info.path] = i
		if v := vpcFieldIndex(name); v >= 0 {
			info.sub = v
			c.p.vpc = true
		}
	}
	c.p.slotInfo = append(c.p.slotInfo, info)
	return i
}

// hiddenSlot allocates a slot no query text can name.
func (c *compiler) hiddenSlot() int {
	c.hidden++
	i := len(c.p.slotInfo)
	name := "\x00" + strconv.Itoa(c.hidden)
	c.p.slots[name] = i
	c.p.slotInfo = append(c.p.slotInfo, slotInfo{name: name, sub: -1})
	return i
}

// define records that a command defines name, and returns its slot.
func (c *compiler) define(name string, structured bool) int {
	c.derived[name] = structured
	if c.scope != nil {
		c.scope[name] = true
	}
	return c.slot(name)
}

// use returns the slot of a field that an expression reads, checking that
// it may be used here.
func (c *compiler) use(name string, start, end int) int {
	if c.scope != nil && !c.scope[name] {
		c.failAt(start, end, "Unknown symbols found in or after stats: %s (after stats, only the fields the last stats produced, or that later commands define, can be used)", name)
	}
	i := c.slot(name)
	c.reads[i] = true
	return i
}

// build compiles the commands into segments.
func (c *compiler) build() {
	p := c.p
	seg := &segment{}
	var desc []bool
	sorted, byTime := false, false
	closeSeg := func(b barrier) {
		b.desc, b.sort, b.byTime = desc, sorted, byTime
		seg.bar = b
		p.segs = append(p.segs, seg)
		c.segReads = append(c.segReads, keys(c.reads))
		c.reads = map[int]bool{}
		seg = &segment{}
		desc, sorted, byTime = nil, false, false
		c.seg0 = false
	}
	for _, cmd := range c.q.cmds {
		switch cmd.kind {
		case cFields, cDisplay:
			var as []assign
			for _, it := range cmd.items {
				if it.expr.kind == nField && it.alias == "" && c.resolve(it.expr.segs) == it.expr.name && !c.isAccess(it.expr.segs) {
					c.use(it.expr.name, it.expr.start, it.expr.end)
					continue
				}
				fn := c.expr(it.expr)
				as = append(as, assign{slot: c.define(it.name, c.producesStructure(it.expr)), fn: fn})
			}
			if len(as) > 0 {
				seg.stages = append(seg.stages, stage{kind: stAssign, assigns: as})
			}
		case cFilter:
			seg.stages = append(seg.stages, stage{kind: stFilter, test: c.condBool(cmd.cond), node: cmd.cond})
		case cSort:
			st := stage{kind: stSort}
			k0 := cmd.keys[0].expr
			_, redefined := c.derived["@timestamp"]
			byTime = c.seg0 && k0.kind == nField && k0.name == "@timestamp" && !redefined
			desc = desc[:0:0]
			for _, k := range cmd.keys {
				st.keys = append(st.keys, c.expr(k.expr))
				desc = append(desc, k.desc)
			}
			sorted = true
			seg.stages = append(seg.stages, st)
		case cParse:
			pp := c.parsePlan(cmd)
			seg.stages = append(seg.stages, stage{kind: stParse, parse: pp})
		case cUnnest:
			up := &unnestPlan{}
			if cmd.expandName {
				up.src = c.expandSource(cmd.src)
			} else {
				up.src = c.expr(cmd.src)
			}
			up.slot = c.define(cmd.names[0], true)
			seg.stages = append(seg.stages, stage{kind: stUnnest, unnest: up})
		case cUnmask:
		case cLookup:
			seg.stages = append(seg.stages, stage{kind: stLookup, lookup: c.lookupPlan(cmd.lookup)})
		case cJoin:
			seg.stages = append(seg.stages, stage{kind: stJoin, join: c.joinPlan(cmd)})
		case cLimit:
			if cmd.n > 0 {
				p.limit = cmd.n
			}
			closeSeg(barrier{kind: barLimit, n: cmd.n})
		case cTail:
			p.limit = cmd.n
			closeSeg(barrier{kind: barTail, n: cmd.n})
		case cDedup:
			var slots []int
			for _, n := range cmd.names {
				slots = append(slots, c.use(n, cmd.start, cmd.end))
			}
			closeSeg(barrier{kind: barDedup, dedup: slots})
		case cStats:
			sp := c.statsPlan(cmd)
			c.lastStats = sp
			p.isStats = true
			closeSeg(barrier{kind: barStats, stats: sp})
			c.scope = map[string]bool{}
			for _, n := range sp.names {
				c.scope[n] = true
			}
			c.derived = map[string]bool{}
			for _, n := range sp.names {
				c.derived[n] = false
			}
		case cCountFrequent:
			sp := c.countFrequentPlan(cmd)
			p.isStats = true
			closeSeg(barrier{kind: barStats, stats: sp})
			c.scope = map[string]bool{}
			for _, n := range sp.names {
				c.scope[n] = true
			}
			seg.stages = append(seg.stages, stage{kind: stSort, keys: []evalFn{c.expr(&node{kind: nField, name: "_approxcount", segs: []string{"_approxcount"}})}})
			desc, sorted = []bool{true}, true
		default: // table commands
			if cmd.kind == cFillmissing {
				cmd.fillStats = c.lastStats
			}
			c.tableCommand(cmd)
			closeSeg(barrier{kind: barTable, table: cmd})
		}
	}
	closeSeg(barrier{kind: barEnd})
}

// keys returns the keys of a set, sorted.
func keys(m map[int]bool) []int {
	ks := make([]int, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	slices.Sort(ks)
	return ks
}

// isAccess reports whether a dotted name reads into a map or list the
// query defined (json_message.status_code after jsonParse).
func (c *compiler) isAccess(segs []string) bool {
	for k := len(segs) - 1; k >= 1; k-- {
		if c.derived[strings.Join(segs[:k], ".")] {
			return true
		}
	}
	return false
}

// resolve returns the field a name refers to: after a join, the left
// side's alias.field is the query's own field.
func (c *compiler) resolve(segs []string) string {
	if c.joinL != "" && len(segs) > 1 && segs[0] == c.joinL {
		segs = segs[1:]
	}
	return strings.Join(segs, ".")
}

// producesStructure reports whether an expression may yield a map or list.
func (c *compiler) producesStructure(n *node) bool {
	switch n.kind {
	case nCall:
		switch n.fn.name {
		case "jsonparse", "split", "values", "topk", "histogram":
			return true
		case "coalesce", "if", "case":
			for _, a := range n.args {
				if c.producesStructure(a) {
					return true
				}
			}
		}
	case nField:
		return c.derived[n.name]
	case nAccess:
		return true
	}
	return false
}

// tableCommand compiles a command that runs over the whole table of rows.
func (c *compiler) tableCommand(cmd *command) {
	switch cmd.kind {
	case cAddtotals:
		for _, n := range cmd.names {
			c.use(n, cmd.start, cmd.end)
		}
		c.define(cmd.out, false)
	case cAccum:
		c.use(cmd.src.name, cmd.src.start, cmd.src.end)
		c.define(cmd.out, false)
	case cAutoregress:
		c.use(cmd.src.name, cmd.src.start, cmd.src.end)
		for i := cmd.n; i <= cmd.m; i++ {
			c.define(cmd.out+"_p"+strconv.Itoa(i), false)
		}
	case cFilldown:
		for i, n := range cmd.names {
			if !cmd.wild[i] {
				c.use(n, cmd.start, cmd.end)
			}
		}
	case cFillmissing:
		for _, f := range cmd.fills {
			c.use(f.field, cmd.start, cmd.end)
		}
	case cSessionize:
		for _, n := range cmd.names {
			c.use(n, cmd.start, cmd.end)
		}
		c.use("@timestamp", cmd.start, cmd.end)
		c.define(cmd.out, false)
	case cOutlier:
		for _, n := range cmd.names {
			c.use(n, cmd.start, cmd.end)
		}
		if cmd.mark {
			c.define("_outlier", false)
		}
	case cAppendcols:
		// The subquery's columns are appended by position.
		for _, col := range cmd.sub.plan.columns {
			c.define(col, false)
		}
	}
}

// outputs decides the result columns.
func (c *compiler) outputs() {
	p := c.p
	var cols []string
	var display []string
	created := []string{}
	hasFields, sawStats := false, false
	add := func(list *[]string, n string) {
		if !slices.Contains(*list, n) {
			*list = append(*list, n)
		}
	}
	for _, cmd := range c.q.cmds {
		switch cmd.kind {
		case cFields:
			if !hasFields && !sawStats {
				cols = nil
			}
			hasFields = true
			for _, it := range cmd.items {
				add(&cols, it.name)
			}
		case cDisplay:
			display = display[:0]
			for _, it := range cmd.items {
				add(&display, it.name)
			}
		case cStats, cCountFrequent:
			sawStats, hasFields = true, false
			cols = cols[:0]
			display = nil
			if cmd.kind == cCountFrequent {
				for _, n := range cmd.names {
					add(&cols, n)
				}
				add(&cols, "_approxcount")
				continue
			}
			for _, it := range cmd.by {
				add(&cols, it.name)
			}
			for _, it := range cmd.items {
				add(&cols, it.name)
			}
		case cParse:
			for _, n := range cmd.names {
				add(&created, n)
			}
		case cUnnest:
			if !cmd.expandName {
				add(&created, cmd.names[0])
			}
		case cAddtotals:
			add(&created, cmd.out)
			addTo(&cols, &display, cmd.out)
		case cAccum:
			addTo(&cols, &display, cmd.out)
		case cAutoregress:
			for i := cmd.n; i <= cmd.m; i++ {
				addTo(&cols, &display, cmd.out+"_p"+strconv.Itoa(i))
			}
		case cSessionize:
			addTo(&cols, &display, cmd.out)
		case cOutlier:
			if cmd.mark {
				addTo(&cols, &display, "_outlier")
			}
		case cLookup:
			for _, o := range cmd.lookup.outputs {
				addTo(&cols, &display, o.alias)
			}
		case cAppendcols:
			for _, col := range cmd.sub.plan.columns {
				addTo(&cols, &display, col)
			}
		}
	}
	switch {
	case display != nil:
		cols = display
	case !hasFields && !sawStats:
		cols = append([]string{"@timestamp", "@message"}, cols...)
		for _, n := range created {
			add(&cols, n)
		}
	}
	p.columns = cols
	p.eventRows = !sawStats
	for _, n := range cols {
		p.outSlots = append(p.outSlots, c.slot(n))
	}
}

// addTo adds a column created by a table command to the column list in
// effect (the display list when there is one).
func addTo(cols, display *[]string, n string) {
	list := cols
	if *display != nil {
		list = display
	}
	if !slices.Contains(*list, n) {
		*list = append(*list, n)
	}
}

// liveness computes, for each barrier, the slots its rows must keep: those
// read after it, and the output columns.
func (c *compiler) liveness() {
	p := c.p
	live := map[int]bool{}
	for _, s := range p.outSlots {
		live[s] = true
	}
	live[p.tsSlot] = true
	for i := len(p.segs) - 1; i >= 0; i-- {
		seg := p.segs[i]
		if seg.bar.kind == barStats {
			// A stats barrier's rows hold exactly what it produces.
			seg.bar.live = nil
		} else {
			seg.bar.live = keys(live)
		}
		if seg.bar.kind == barStats {
			live = map[int]bool{}
		}
		for _, s := range c.segReads[i] {
			live[s] = true
		}
		for _, s := range seg.bar.dedup {
			live[s] = true
		}
	}
}

// newestFirst reports whether the first segment's barrier keeps the newest
// rows: see Query.NewestFirst.
func (c *compiler) newestFirst() bool {
	b := &c.p.segs[0].bar
	switch b.kind {
	case barLimit, barEnd, barTable:
		return !b.sort || b.byTime && b.desc[0]
	}
	return false
}

// keepsNewest reports whether every event makes exactly one row of the first
// segment, whose barrier keeps the newest: see Query.KeepsNewest.
func (c *compiler) keepsNewest() bool {
	p := c.p
	if !p.newestFirst || p.pre != nil {
		return false
	}
	for _, st := range p.segs[0].stages {
		switch st.kind {
		case stFilter, stUnnest, stJoin:
			return false
		}
	}
	return true
}
