package insights

import "regexp"

// nodeKind is the kind of an expression node.
type nodeKind uint8

const (
	nLiteral nodeKind = iota // val
	nField                   // name, segs
	nAccess                  // args[0].key (key != "") or args[0][args[1]]
	nList                    // [args...]
	nCall                    // fn(args...)
	nStar                    // the * of count(*)
	nNeg                     // -args[0]
	nNot                     // not args[0]
	nAnd                     // args[0] and args[1]
	nOr                      // args[0] or args[1]
	nArith                   // args[0] op args[1], op one of + - * / % ^
	nCompare                 // args[0] op args[1], op one of = != < > <= >=
	nLike                    // args[0] like args[1] (string or regex); negated by not
	nIn                      // args[0] in args[1:] (a list) or in a subquery; negated by not
	nPeriod                  // a time period, as an argument of bin, datefloor, ...
	nRegex                   // a regular expression literal
)

// node is an expression.
type node struct {
	kind       nodeKind
	start, end int // byte span in the query
	op         string
	not        bool // nLike, nIn: negated
	args       []*node
	val        value          // nLiteral
	name       string         // nField: the name, parts joined by dots; nCall: the function name as written
	segs       []string       // nField: the parts of the name
	key        string         // nAccess: the map key
	fn         *funcDef       // nCall
	re         *regexp.Regexp // nRegex, and nLike with a regex
	period     period         // nPeriod
	sub        *Query         // nIn with a subquery
	subIndex   int            // nIn: index of sub in Query.Subqueries
}

// text returns the source text of n, which names unaliased columns.
func (n *node) text(src string) string { return src[n.start:n.end] }

// item is an expression with an optional alias, as in fields, display and
// stats.
type item struct {
	expr  *node
	alias string
	name  string // the column name: the alias or the expression's text
}

// cmdKind is the kind of a command.
type cmdKind uint8

const (
	cFields cmdKind = iota
	cDisplay
	cFilter
	cStats
	cSort
	cLimit
	cParse
	cDedup
	cUnnest
	cUnmask
	cLookup
	cJoin
	cAppendcols
	cAddtotals
	cAutoregress
	cAccum
	cFilldown
	cFillmissing
	cSessionize
	cOutlier
	cCountFrequent
	cTail
)

// sortKey is one key of a sort command.
type sortKey struct {
	expr *node
	desc bool
}

// command is one command of the pipeline.
type command struct {
	kind       cmdKind
	name       string // as written
	start, end int
	items      []item    // fields, display, stats aggregates
	by         []item    // stats groups
	offset     int64     // stats: the offset of bins, ms
	cond       *node     // filter
	keys       []sortKey // sort
	n          int       // limit, tail, autoregress p start
	m          int       // autoregress p end
	src        *node     // parse, unnest, accum, autoregress: the input
	glob       []string  // parse: the literal parts around the *s
	re         *regexp.Regexp
	names      []string // parse, dedup, unnest (into), addtotals, filldown, countFrequent, sessionize, outlier fields
	wild       []bool   // filldown: names[i] ends with *
	out        string   // accum, autoregress, sessionize, addtotals fieldname: the output field
	row, col   bool     // addtotals
	span       int64    // sessionize: the inactivity gap, ms
	param      float64  // outlier
	remove     bool     // outlier action=remove
	lower      bool     // outlier uselower
	mark       bool     // outlier mark
	fills      []fill   // fillmissing
	lookup     *lookupSpec
	join       *joinSpec
	sub        *Query // appendcols, join: the subquery
	subIndex   int
	override   bool       // appendcols
	max        int        // appendcols
	expandName bool       // unnest written as expand: the field keeps its name
	fillStats  *statsPlan // fillmissing: the stats before it
}

// fill is one "with value for field" of fillmissing.
type fill struct {
	val   value
	field string
}

// lookupSpec is a lookup or cidrlookup command.
type lookupSpec struct {
	cidr    bool
	table   string
	keys    []lookupKey // table column, event field
	outputs []item      // column -> field (alias)
	outNew  bool        // OUTPUTNEW: fill only empty fields
}

// lookupKey pairs a lookup table column with the event field matched
// against it.
type lookupKey struct{ column, field string }

// joinSpec is a join command.
type joinSpec struct {
	left        bool // type=left
	leftAlias   string
	rightAlias  string
	leftField   string
	rightField  string
	rightGroups []string
}
