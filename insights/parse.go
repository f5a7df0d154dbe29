package insights

import (
	"regexp"
	"regexp/syntax"
	"strconv"
	"strings"
)

// Limits of the language.
const (
	// DefaultLimit is the number of rows a query returns when neither the
	// query nor the caller sets a limit.
	DefaultLimit = 10_000
	// MaxLimit is the largest limit a query may set.
	MaxLimit = 100_000
	// MaxStats is the most stats commands a query may have (Standard log
	// class).
	MaxStats = 10
	// MaxJSONFields is the most fields extracted from one JSON event.
	MaxJSONFields = 200
	// maxDepth bounds the nesting of expressions and subqueries.
	maxDepth = 100
)

// mlCommands are the commands that need AWS's machine-learning models.
var mlCommands = map[string]bool{"pattern": true, "anomaly": true, "diff": true, "relevantfields": true, "logcompare": true}

// reserved words cannot be field names unless written in backticks.
var reserved = map[string]bool{"and": true, "or": true, "not": true, "in": true, "like": true, "as": true, "by": true}

// bail is panicked with by the parser to abandon a query; Parse recovers it.
type bail struct{ err *Error }

type parser struct {
	lx    *lexer
	src   string
	depth int
	subs  int    // subqueries being parsed
	root  *Query // the outermost query, which collects subqueries
}

func (p *parser) failAt(start, end int, format string, args ...any) {
	panic(bail{errAt(p.src, start, end, format, args...)})
}

// failTok fails at the current token.
func (p *parser) failTok(format string, args ...any) {
	t := p.lx.tok
	if t.kind == tEOF {
		p.failAt(len(p.src), len(p.src), format, args...)
	}
	p.failAt(t.start, t.end, format, args...)
}

// next advances and fails on a lexical error.
func (p *parser) next() {
	p.lx.next()
	p.check()
}

func (p *parser) check() {
	if p.lx.err != nil {
		panic(bail{p.lx.err})
	}
}

// describe names the current token for error messages.
func (p *parser) describe() string {
	t := p.lx.tok
	switch t.kind {
	case tEOF:
		return "the end of the query"
	case tString:
		return strconv.Quote(t.text)
	}
	return "'" + p.src[t.start:t.end] + "'"
}

func (p *parser) expect(punct, what string) token {
	if !p.lx.is(punct) {
		p.failTok("expected %s but found %s", what, p.describe())
	}
	t := p.lx.tok
	p.next()
	return t
}

func (p *parser) expectWord(w string) {
	if !p.lx.isWord(w) {
		p.failTok("expected %s but found %s", w, p.describe())
	}
	p.next()
}

// Parse compiles a Logs Insights QL query. Errors are *Error values.
func Parse(query string) (*Query, error) {
	q, err := parseQuery(query)
	if err != nil {
		return nil, err
	}
	if err := q.compile(); err != nil {
		return nil, err
	}
	return q, nil
}

func parseQuery(src string) (q *Query, err error) {
	p := &parser{src: src}
	defer func() {
		if r := recover(); r != nil {
			b, ok := r.(bail)
			if !ok {
				panic(r)
			}
			q, err = nil, b.err
		}
	}()
	p.lx = newLexer(src)
	p.check()
	q = p.query(false)
	if p.lx.tok.kind != tEOF {
		p.failTok("unexpected %s", p.describe())
	}
	return q, nil
}

// query parses commands up to the end, or, for a subquery, up to its
// closing parenthesis.
func (p *parser) query(sub bool) *Query {
	q := &Query{src: p.src, start: p.lx.tok.start}
	if p.root == nil {
		p.root = q
	}
	if p.lx.isWord("source") {
		q.source = p.source()
		if p.lx.tok.kind == tEOF || sub && p.lx.is(")") {
			q.end = p.lx.prev
			return q
		}
		p.expect("|", "'|' after SOURCE")
	} else if sub {
		p.failTok("a subquery must start with SOURCE")
	}
	if p.lx.tok.kind == tEOF && !sub {
		q.end = len(p.src)
		return q
	}
	for {
		q.cmds = append(q.cmds, p.command())
		if !p.lx.is("|") {
			break
		}
		p.next()
	}
	q.end = p.lx.prev
	return q
}

// command parses one command.
func (p *parser) command() *command {
	t := p.lx.tok
	if t.kind != tIdent || t.quoted || len(t.segs) != 1 {
		p.failTok("expected a command (fields, filter, stats, sort, limit, parse, display, dedup, ...) but found %s", p.describe())
	}
	name := strings.ToLower(t.text)
	if mlCommands[name] {
		p.failAt(t.start, t.end, "%s is not supported locally: it needs CloudWatch Logs' machine-learning models; run the query against AWS", t.text)
	}
	c := &command{name: t.text, start: t.start}
	p.next()
	switch name {
	case "fields":
		c.kind = cFields
		c.items = p.items(false)
	case "display":
		c.kind = cDisplay
		c.items = p.items(false)
	case "filter", "where", "filterindex":
		c.kind = cFilter
		c.cond = p.expr()
	case "search":
		c.kind = cFilter
		c.cond = p.expr()
		if c.cond.kind == nLiteral && c.cond.val.kind == kString {
			c.cond = &node{kind: nLike, start: c.cond.start, end: c.cond.end,
				args: []*node{{kind: nField, name: "@message", segs: []string{"@message"}}, c.cond}}
		}
	case "stats":
		c.kind = cStats
		p.stats(c)
	case "sort", "order":
		c.kind = cSort
		p.sortKeys(c)
	case "limit", "head":
		c.kind = cLimit
		switch {
		case p.lx.isWord("any"):
			// limit any [n]: without n, the limit in effect.
			p.next()
			if p.lx.tok.kind == tNumber {
				c.n = p.count(false)
			}
		case name == "head":
			c.n = p.count(true)
		default:
			c.n = p.count(false)
		}
	case "tail":
		c.kind = cTail
		c.n = p.count(true)
	case "parse":
		c.kind = cParse
		p.parseCmd(c)
	case "dedup":
		c.kind = cDedup
		c.names = p.names()
	case "unnest":
		c.kind = cUnnest
		c.src = p.expr()
		p.expectWord("into")
		c.names = []string{p.name()}
	case "expand":
		c.kind = cUnnest
		c.expandName = true
		start := p.lx.tok.start
		n := p.name()
		c.src = &node{kind: nField, start: start, end: p.lx.prev, name: n, segs: strings.Split(n, ".")}
		c.names = []string{n}
	case "unmask":
		c.kind = cUnmask
	case "lookup", "cidrlookup":
		c.kind = cLookup
		c.lookup = p.lookup(name == "cidrlookup")
	case "join":
		c.kind = cJoin
		p.joinCmd(c)
	case "appendcols":
		c.kind = cAppendcols
		p.appendcols(c)
	case "addtotals":
		c.kind = cAddtotals
		p.addtotals(c)
	case "autoregress":
		c.kind = cAutoregress
		p.autoregress(c)
	case "accum":
		c.kind = cAccum
		c.src = p.fieldNode()
		c.out = c.src.name
		if p.lx.isWord("as") {
			p.next()
			c.out = p.name()
		}
	case "filldown":
		c.kind = cFilldown
		p.filldown(c)
	case "fillmissing":
		c.kind = cFillmissing
		p.fillmissing(c)
	case "sessionize":
		c.kind = cSessionize
		p.sessionize(c)
	case "outlier":
		c.kind = cOutlier
		p.outlier(c)
	case "countfrequent", "count_frequent":
		c.kind = cCountFrequent
		c.names = p.names()
	case "source":
		p.failAt(t.start, t.end, "SOURCE must be the first command of the query")
	default:
		p.failAt(t.start, t.end, "unknown command %q: expected fields, display, filter, stats, sort, limit, parse, dedup, unnest or another Logs Insights command", t.text)
	}
	c.end = p.lx.prev
	return c
}

// count parses the number of limit, head and tail.
func (p *parser) count(optional bool) int {
	t := p.lx.tok
	if t.kind != tNumber {
		if optional {
			return 10
		}
		p.failTok("expected the number of rows but found %s", p.describe())
	}
	if t.num != float64(int64(t.num)) || t.num < 1 {
		p.failAt(t.start, t.end, "the limit must be a whole number from 1 to %d, not %s", MaxLimit, t.text)
	}
	if t.num > MaxLimit {
		p.failAt(t.start, t.end, "the limit must be at most %d, not %s", MaxLimit, t.text)
	}
	p.next()
	return int(t.num)
}

// name parses a field name (an identifier, possibly with backticks).
func (p *parser) name() string {
	t := p.lx.tok
	if t.kind != tIdent {
		p.failTok("expected a field name but found %s", p.describe())
	}
	if !t.quoted && reserved[strings.ToLower(t.text)] {
		p.failTok("%s is a keyword: write `%s` to use it as a field name", t.text, t.text)
	}
	p.next()
	return t.text
}

// fieldNode parses a field name as an expression.
func (p *parser) fieldNode() *node {
	t := p.lx.tok
	n := p.name()
	return &node{kind: nField, start: t.start, end: t.end, name: n, segs: t.segs}
}

// names parses a comma-separated list of field names.
func (p *parser) names() []string {
	var ns []string
	for {
		ns = append(ns, p.name())
		if !p.lx.is(",") {
			return ns
		}
		p.next()
	}
}

// items parses expr [as alias] (, expr [as alias])*.
func (p *parser) items(stats bool) []item {
	var its []item
	for {
		it := item{expr: p.expr()}
		if p.lx.isWord("as") {
			p.next()
			it.alias = p.name()
			it.name = it.alias
		} else if it.expr.kind == nField {
			it.name = it.expr.name
		} else {
			it.name = it.expr.text(p.src)
		}
		its = append(its, it)
		if !p.lx.is(",") {
			return its
		}
		p.next()
	}
}

func (p *parser) stats(c *command) {
	c.items = p.items(true)
	if p.lx.isWord("by") {
		p.next()
		c.by = p.items(false)
	}
	if p.lx.isWord("offset") {
		p.next()
		t := p.lx.tok
		if t.kind != tPeriod {
			p.failTok("expected a time period such as 1h after offset but found %s", p.describe())
		}
		per, ok := parsePeriod(t.num, t.unit)
		if !ok {
			p.failTok("%s is not a time period: use a count and one of the units ms, s, m, h, d, w, mo, q, y", t.text)
		}
		c.offset = per.approxMillis()
		p.next()
	}
}

func (p *parser) sortKeys(c *command) {
	for {
		k := sortKey{expr: p.expr()}
		switch {
		case p.lx.isWord("desc"):
			k.desc = true
			p.next()
		case p.lx.isWord("asc"):
			p.next()
		}
		c.keys = append(c.keys, k)
		if !p.lx.is(",") {
			return
		}
		p.next()
	}
}

func (p *parser) parseCmd(c *command) {
	c.src = p.postfix()
	t := p.lx.tok
	switch {
	case t.kind == tString:
		p.next()
		c.glob = strings.Split(t.text, "*")
		stars := len(c.glob) - 1
		if stars == 0 {
			p.failAt(t.start, t.end, "the parse pattern %s has no * to capture a field", p.src[t.start:t.end])
		}
		if !p.lx.isWord("as") {
			p.failTok("expected as and %d field names after the parse pattern but found %s", stars, p.describe())
		}
		p.next()
		asStart := p.lx.tok.start
		c.names = p.names()
		if len(c.names) != stars {
			p.failAt(asStart, p.lx.prev, "the parse pattern has %d * but %d field names follow as", stars, len(c.names))
		}
	case p.lx.is("/"):
		rt := p.lx.regex()
		p.check()
		c.re = p.compileRegex(rt)
		for _, n := range c.re.SubexpNames() {
			if n != "" {
				c.names = append(c.names, n)
			}
		}
		if len(c.names) == 0 {
			p.failAt(rt.start, rt.end, "the parse regular expression has no named group (?<name>...) to capture a field")
		}
	default:
		p.failTok("expected a \"glob * pattern\" or a /regular expression/ after parse but found %s", p.describe())
	}
}

// compileRegex compiles a regular expression literal with Go's RE2 engine.
func (p *parser) compileRegex(t token) *regexp.Regexp {
	re, err := regexp.Compile(t.text)
	if err != nil {
		msg := err.Error()
		var se *syntax.Error
		if e, ok := err.(*syntax.Error); ok {
			se = e
			msg = string(se.Code) + ": " + se.Expr
			if se.Code == syntax.ErrInvalidPerlOp || se.Code == syntax.ErrInvalidEscape || se.Code == syntax.ErrInvalidNamedCapture {
				msg += " (lookaround and backreferences are not supported)"
			}
		}
		p.failAt(t.start, t.end, "invalid regular expression /%s/: %s", t.text, msg)
	}
	return re
}

// option parses name=value of commands such as addtotals and outlier and
// returns the value token, or reports false when the current token does not
// start name=.
func (p *parser) option(names ...string) (string, token, bool) {
	t := p.lx.tok
	if t.kind != tIdent || t.quoted || len(t.segs) != 1 {
		return "", t, false
	}
	for _, n := range names {
		if strings.EqualFold(t.text, n) {
			save := *p.lx
			p.next()
			if !p.lx.is("=") {
				*p.lx = save
				return "", t, false
			}
			p.next()
			v := p.lx.tok
			if v.kind == tEOF || v.kind == tPunct && v.text != "-" {
				p.failTok("expected a value after %s= but found %s", t.text, p.describe())
			}
			if v.kind == tPunct { // a negative number
				p.next()
				v2 := p.lx.tok
				if v2.kind != tNumber && v2.kind != tPeriod {
					p.failTok("expected a number after %s=- but found %s", t.text, p.describe())
				}
				v2.start = v.start
				v2.num = -v2.num
				v2.text = p.src[v.start:v2.end]
				v = v2
			}
			p.next()
			return strings.ToLower(n), v, true
		}
	}
	return "", t, false
}

func (p *parser) boolOption(v token) bool {
	switch strings.ToLower(v.text) {
	case "true":
		return true
	case "false":
		return false
	}
	p.failAt(v.start, v.end, "expected true or false but found %s", v.text)
	return false
}

func (p *parser) addtotals(c *command) {
	c.out, c.row = "Total", true
	for {
		opt, v, ok := p.option("fieldname", "row", "col", "labelfield", "label")
		if !ok {
			break
		}
		switch opt {
		case "fieldname":
			c.out = v.text
		case "row":
			c.row = p.boolOption(v)
		case "col":
			c.col = p.boolOption(v)
		}
	}
	if p.lx.tok.kind == tIdent {
		c.names = p.names()
	}
}

func (p *parser) autoregress(c *command) {
	c.src = p.fieldNode()
	c.out = c.src.name
	c.n, c.m = 1, 1
	if p.lx.isWord("as") {
		p.next()
		c.out = p.name()
	}
	if _, v, ok := p.option("p"); ok {
		if v.kind != tNumber || v.num < 1 || v.num != float64(int(v.num)) || v.num > 1000 {
			p.failAt(v.start, v.end, "p must be a lag from 1 to 1000 or a range such as 1-4")
		}
		c.n, c.m = int(v.num), int(v.num)
		if p.lx.is("-") {
			p.next()
			w := p.lx.tok
			if w.kind != tNumber || w.num < v.num || w.num != float64(int(w.num)) || w.num > 1000 {
				p.failTok("expected the end of the lag range (from %d to 1000) but found %s", c.n, p.describe())
			}
			c.m = int(w.num)
			p.next()
		}
	}
}

func (p *parser) filldown(c *command) {
	for p.lx.tok.kind == tIdent {
		t := p.lx.tok
		c.names = append(c.names, p.name())
		wild := p.lx.is("*") && p.lx.tok.start == t.end
		if wild {
			p.next()
		}
		c.wild = append(c.wild, wild)
		if p.lx.is(",") {
			p.next()
		}
	}
}

func (p *parser) fillmissing(c *command) {
	if !p.lx.isWord("with") {
		return
	}
	p.next()
	for {
		v := p.primary()
		if v.kind != nLiteral {
			p.failAt(v.start, v.end, "fillmissing fills with a constant: a number or a string")
		}
		p.expectWord("for")
		c.fills = append(c.fills, fill{val: v.val, field: p.name()})
		if !p.lx.is(",") {
			return
		}
		p.next()
		if p.lx.isWord("with") {
			p.next()
		}
	}
}

func (p *parser) sessionize(c *command) {
	c.names = p.names()
	c.span = 30 * 60_000
	c.out = "session_id"
	if p.lx.isWord("maxspan") {
		p.next()
		t := p.lx.tok
		per, ok := parsePeriod(t.num, t.unit)
		if t.kind != tPeriod || !ok {
			p.failTok("expected a time period such as 30m after maxspan but found %s", p.describe())
		}
		c.span = per.approxMillis()
		p.next()
	}
	if p.lx.isWord("as") {
		p.next()
		c.out = p.name()
	}
}

func (p *parser) outlier(c *command) {
	c.param = 2.5
	for {
		opt, v, ok := p.option("action", "param", "uselower", "mark")
		if !ok {
			break
		}
		switch opt {
		case "action":
			switch strings.ToLower(v.text) {
			case "remove":
				c.remove = true
			case "transform":
			default:
				p.failAt(v.start, v.end, "action must be remove or transform, not %s", v.text)
			}
		case "param":
			if v.kind != tNumber || v.num <= 0 {
				p.failAt(v.start, v.end, "param must be a positive number, not %s", v.text)
			}
			c.param = v.num
		case "uselower":
			c.lower = p.boolOption(v)
		case "mark":
			c.mark = p.boolOption(v)
		}
	}
	for p.lx.tok.kind == tIdent {
		c.names = append(c.names, p.name())
		if p.lx.is(",") {
			p.next()
		}
	}
	if len(c.names) == 0 {
		p.failTok("outlier needs at least one numeric field but found %s", p.describe())
	}
}

func (p *parser) lookup(cidr bool) *lookupSpec {
	l := &lookupSpec{cidr: cidr, table: p.name()}
	for {
		k := lookupKey{column: p.name()}
		k.field = k.column
		if cidr {
			// cidrlookup table ipField [AS cidrColumn]: without AS, the
			// table's first column holds the CIDR blocks.
			k.column = ""
		}
		if p.lx.isWord("as") {
			p.next()
			if cidr {
				k.column = p.name()
			} else {
				k.field = p.name()
			}
		}
		l.keys = append(l.keys, k)
		if cidr || !p.lx.is(",") {
			break
		}
		p.next()
	}
	switch {
	case p.lx.isWord("output"):
	case p.lx.isWord("outputnew"):
		l.outNew = true
	default:
		p.failTok("expected OUTPUT or OUTPUTNEW but found %s", p.describe())
	}
	p.next()
	for {
		it := item{name: p.name()}
		it.alias = it.name
		if p.lx.isWord("as") {
			p.next()
			it.alias = p.name()
		}
		l.outputs = append(l.outputs, it)
		if !p.lx.is(",") {
			return l
		}
		p.next()
	}
}

func (p *parser) joinCmd(c *command) {
	j := &joinSpec{}
	for {
		opt, v, ok := p.option("type", "left", "right")
		if !ok {
			break
		}
		switch opt {
		case "type":
			switch strings.ToLower(v.text) {
			case "inner":
			case "left":
				j.left = true
			default:
				p.failAt(v.start, v.end, "the join type must be inner or left, not %s", v.text)
			}
		case "left":
			j.leftAlias = v.text
		case "right":
			j.rightAlias = v.text
		}
	}
	if j.leftAlias == "" || j.rightAlias == "" {
		p.failTok("join needs left=<alias> and right=<alias> before where")
	}
	p.expectWord("where")
	l := p.fieldNode()
	p.expect("=", "'=' (join supports only equality)")
	r := p.fieldNode()
	if len(l.segs) >= 2 && len(r.segs) >= 2 && l.segs[0] == j.rightAlias && r.segs[0] == j.leftAlias {
		l, r = r, l
	}
	if len(l.segs) < 2 || l.segs[0] != j.leftAlias || len(r.segs) < 2 || r.segs[0] != j.rightAlias {
		p.failAt(l.start, r.end, "the join condition must compare %s.<field> with %s.<field>", j.leftAlias, j.rightAlias)
	}
	j.leftField = strings.Join(l.segs[1:], ".")
	j.rightField = strings.Join(r.segs[1:], ".")
	open := p.expect("(", "'(' and the SOURCE of the right side")
	sub := p.subquery(open)
	if len(sub.cmds) > 0 || sub.source == nil || len(sub.source.LogGroups) == 0 {
		p.failAt(sub.start, sub.end, "the right side of a join must be SOURCE and log group names, without other commands")
	}
	j.rightGroups = sub.source.LogGroups
	c.join = j
}

func (p *parser) appendcols(c *command) {
	c.max = DefaultLimit
	for {
		opt, v, ok := p.option("override", "max")
		if !ok {
			break
		}
		if opt == "override" {
			c.override = p.boolOption(v)
		} else {
			if v.kind != tNumber || v.num < 1 || v.num > MaxLimit || v.num != float64(int(v.num)) {
				p.failAt(v.start, v.end, "max must be a whole number from 1 to %d", MaxLimit)
			}
			c.max = int(v.num)
		}
	}
	open := p.expect("(", "'(' and a subquery")
	c.sub = p.subquery(open)
	c.subIndex = p.addSub(c.sub)
}

// subquery parses a parenthesised query after its opening parenthesis.
func (p *parser) subquery(open token) *Query {
	if p.subs > 0 {
		p.failAt(open.start, open.end, "subqueries cannot be nested")
	}
	p.subs++
	q := p.query(true)
	p.subs--
	p.expect(")", "')' to close the subquery")
	return q
}

func (p *parser) addSub(q *Query) int {
	p.root.subs = append(p.root.subs, q)
	return len(p.root.subs) - 1
}

// source parses SOURCE and its specifications.
func (p *parser) source() *Source {
	p.next()
	s := &Source{}
	any := false
	for {
		t := p.lx.tok
		switch {
		case p.lx.isWord("loggroups") && p.peekParen():
			p.next()
			p.expect("(", "'('")
			for !p.lx.is(")") {
				key := p.lx.tok
				if key.kind != tIdent {
					p.failTok("expected namePrefix, accountIdentifiers or class but found %s", p.describe())
				}
				p.next()
				p.expect(":", "':'")
				vals := p.stringList()
				switch strings.ToLower(key.text) {
				case "nameprefix":
					s.NamePrefixes = append(s.NamePrefixes, vals...)
					if len(s.NamePrefixes) > 5 {
						p.failAt(key.start, p.lx.prev, "SOURCE accepts at most 5 name prefixes")
					}
				case "accountidentifiers", "accountidentifier":
					s.AccountIdentifiers = append(s.AccountIdentifiers, vals...)
					if len(s.AccountIdentifiers) > 20 {
						p.failAt(key.start, p.lx.prev, "SOURCE accepts at most 20 account identifiers")
					}
				case "class", "loggroupclass":
					for _, v := range vals {
						if v != "STANDARD" && v != "INFREQUENT_ACCESS" {
							p.failAt(key.start, p.lx.prev, "the log group class must be STANDARD or INFREQUENT_ACCESS, not %q", v)
						}
					}
					s.Classes = append(s.Classes, vals...)
				default:
					p.failAt(key.start, key.end, "unknown logGroups argument %q: expected namePrefix, accountIdentifiers or class", key.text)
				}
				if !p.lx.is(",") {
					break
				}
				p.next()
			}
			p.expect(")", "')' to close logGroups(")
			s.AllLogGroups = len(s.NamePrefixes) == 0
		case p.lx.isWord("datasource") && p.peekParen():
			p.next()
			p.expect("(", "'('")
			s.DataSources = append(s.DataSources, p.stringList()...)
			if len(s.DataSources) > 10 {
				p.failAt(t.start, p.lx.prev, "SOURCE accepts at most 10 data sources")
			}
			p.expect(")", "')' to close dataSource(")
		case t.kind == tString || t.kind == tIdent && !any && !p.lx.isWord("loggroups") && !p.lx.isWord("datasource"):
			s.LogGroups = append(s.LogGroups, t.text)
			p.next()
			p.timeBounds(s)
		default:
			if !any {
				p.failTok("expected logGroups(...), dataSource([...]) or a log group name after SOURCE but found %s", p.describe())
			}
			return s
		}
		any = true
	}
}

// peekParen reports whether the token after the current one is '('.
func (p *parser) peekParen() bool {
	save := *p.lx
	p.lx.next()
	ok := p.lx.is("(")
	*p.lx = save
	return ok
}

// timeBounds parses START=... END=... after a log group name.
func (p *parser) timeBounds(s *Source) {
	for {
		opt, v, ok := p.option("start", "end")
		if !ok {
			return
		}
		var b TimeBound
		switch {
		case v.kind == tNumber && v.text[0] != '-':
			b = TimeBound{Set: true, Millis: int64(v.num)}
		case v.kind == tPeriod:
			per, ok := parsePeriod(-v.num, v.unit)
			if v.num >= 0 || !ok {
				p.failAt(v.start, v.end, "expected epoch milliseconds, now, or a time before now such as -1d, not %s", v.text)
			}
			b = TimeBound{Set: true, Relative: true, Millis: -per.approxMillis()}
		case v.kind == tIdent && strings.EqualFold(v.text, "now"):
			b = TimeBound{Set: true, Relative: true}
		default:
			p.failAt(v.start, v.end, "expected epoch milliseconds, now, or a time before now such as -1d, not %s", v.text)
		}
		if opt == "start" {
			s.Start = b
		} else {
			s.End = b
		}
	}
}

// stringList parses ['a', 'b'] for SOURCE; an element may be written
// 'key' = 'value', of which the value counts.
func (p *parser) stringList() []string {
	p.expect("[", "'['")
	var vs []string
	for !p.lx.is("]") {
		t := p.lx.tok
		if t.kind != tString {
			p.failTok("expected a quoted string but found %s", p.describe())
		}
		p.next()
		if p.lx.is("=") {
			p.next()
			t = p.lx.tok
			if t.kind != tString {
				p.failTok("expected a quoted string after = but found %s", p.describe())
			}
			p.next()
		}
		vs = append(vs, t.text)
		if !p.lx.is(",") {
			break
		}
		p.next()
	}
	p.expect("]", "']'")
	return vs
}

// enter counts one more level of nesting, failing past maxDepth; the
// caller decrements p.depth when it leaves.
func (p *parser) enter() {
	if p.depth++; p.depth > maxDepth {
		p.failTok("the expression is nested too deeply")
	}
}

// expr parses an expression.
func (p *parser) expr() *node {
	p.enter()
	n := p.or()
	p.depth--
	return n
}

func (p *parser) binary(kind nodeKind, op string, l, r *node) *node {
	return &node{kind: kind, op: op, start: l.start, end: r.end, args: []*node{l, r}}
}

// chain parses operands joined by the keyword word, left to right.
func (p *parser) chain(word string, kind nodeKind, operand func() *node) *node {
	n := operand()
	for p.lx.isWord(word) {
		p.next()
		n = p.binary(kind, word, n, operand())
	}
	return n
}

func (p *parser) or() *node { return p.chain("or", nOr, p.and) }

func (p *parser) and() *node { return p.chain("and", nAnd, p.not) }

func (p *parser) not() *node {
	t := p.lx.tok
	if p.lx.isWord("not") || p.lx.is("!") {
		p.next()
		p.enter()
		a := p.not()
		p.depth--
		return &node{kind: nNot, start: t.start, end: a.end, args: []*node{a}}
	}
	return p.comparison()
}

func (p *parser) comparison() *node {
	l := p.additive()
	t := p.lx.tok
	switch {
	case t.kind == tPunct && (t.text == "=" || t.text == "!=" || t.text == "<" || t.text == ">" || t.text == "<=" || t.text == ">="):
		p.next()
		return p.binary(nCompare, t.text, l, p.additive())
	case t.kind == tPunct && t.text == "==":
		p.failTok("== is not an operator: use = to compare")
	case t.kind == tPunct && (t.text == "=~" || t.text == "!~"):
		p.next()
		n := p.likeRHS(l, true)
		n.not = t.text == "!~"
		return n
	case p.lx.isWord("like"):
		p.next()
		return p.likeRHS(l, false)
	case p.lx.isWord("in"):
		p.next()
		return p.inRHS(l)
	case p.lx.isWord("not"):
		save := *p.lx
		p.next()
		switch {
		case p.lx.isWord("like"):
			p.next()
			n := p.likeRHS(l, false)
			n.not = true
			return n
		case p.lx.isWord("in"):
			p.next()
			n := p.inRHS(l)
			n.not = true
			return n
		}
		*p.lx = save
	}
	return l
}

// likeRHS parses the pattern of like or =~: a "substring" or a /regex/.
// After =~ a string is a regular expression.
func (p *parser) likeRHS(l *node, regexOp bool) *node {
	n := &node{kind: nLike, start: l.start, args: []*node{l, nil}}
	t := p.lx.tok
	switch {
	case p.lx.is("/"):
		rt := p.lx.regex()
		p.check()
		n.re = p.compileRegex(rt)
		n.args[1] = &node{kind: nRegex, start: rt.start, end: rt.end, re: n.re}
	case t.kind == tString && regexOp:
		p.next()
		n.re = p.compileRegex(t)
		n.args[1] = &node{kind: nRegex, start: t.start, end: t.end, re: n.re}
	default:
		n.args[1] = p.additive()
	}
	n.end = n.args[1].end
	return n
}

// inRHS parses the list of in: [a, b, ...] or a subquery in parentheses.
func (p *parser) inRHS(l *node) *node {
	n := &node{kind: nIn, start: l.start, args: []*node{l}}
	if p.lx.is("(") {
		open := p.lx.tok
		p.next()
		n.sub = p.subquery(open)
		n.subIndex = p.addSub(n.sub)
		n.end = p.lx.prev
		return n
	}
	if !p.lx.is("[") {
		p.failTok("expected a list [...] or a subquery (SOURCE ...) after in but found %s", p.describe())
	}
	list := p.primary()
	n.args = append(n.args, list.args...)
	n.end = list.end
	return n
}

func (p *parser) additive() *node {
	n := p.multiplicative()
	for p.lx.is("+") || p.lx.is("-") {
		op := p.lx.tok.text
		p.next()
		n = p.binary(nArith, op, n, p.multiplicative())
	}
	return n
}

func (p *parser) multiplicative() *node {
	n := p.unary()
	for p.lx.is("*") || p.lx.is("/") || p.lx.is("%") {
		op := p.lx.tok.text
		p.next()
		n = p.binary(nArith, op, n, p.unary())
	}
	return n
}

func (p *parser) unary() *node {
	t := p.lx.tok
	if p.lx.is("-") || p.lx.is("+") {
		p.next()
		p.enter()
		a := p.unary()
		p.depth--
		if t.text == "+" {
			return a
		}
		if a.kind == nLiteral && a.val.kind == kNumber {
			a.val.num = -a.val.num
			a.start = t.start
			return a
		}
		return &node{kind: nNeg, start: t.start, end: a.end, args: []*node{a}}
	}
	return p.power()
}

func (p *parser) power() *node {
	n := p.postfix()
	if p.lx.is("^") {
		p.next()
		p.enter()
		r := p.unary()
		p.depth--
		n = p.binary(nArith, "^", n, r)
	}
	return n
}

// postfix parses map and list access after a primary: x.key, x[1].
func (p *parser) postfix() *node {
	n := p.primary()
	for {
		switch {
		case p.lx.is("[") && p.lx.tok.start == n.end:
			p.next()
			idx := p.expr()
			end := p.expect("]", "']'")
			n = &node{kind: nAccess, start: n.start, end: end.end, args: []*node{n, idx}}
		case p.lx.is(".") && p.lx.tok.start == n.end:
			p.next()
			t := p.lx.tok
			if t.kind != tIdent {
				p.failTok("expected a key after '.' but found %s", p.describe())
			}
			p.next()
			for _, seg := range t.segs {
				n = &node{kind: nAccess, start: n.start, end: t.end, args: []*node{n}, key: seg}
			}
		default:
			return n
		}
	}
}

func (p *parser) primary() *node {
	t := p.lx.tok
	switch t.kind {
	case tNumber:
		p.next()
		return &node{kind: nLiteral, start: t.start, end: t.end, val: numVal(t.num)}
	case tPeriod:
		per, ok := parsePeriod(t.num, t.unit)
		if !ok {
			p.failTok("%s is not a time period: use a whole count and one of the units ms, s, m, h, d, w, mo, q, y", t.text)
		}
		p.next()
		return &node{kind: nPeriod, start: t.start, end: t.end, period: per}
	case tString:
		p.next()
		return &node{kind: nLiteral, start: t.start, end: t.end, val: strVal(t.text)}
	case tIdent:
		if !t.quoted && len(t.segs) == 1 {
			if p.peekParen() {
				return p.call()
			}
			if b := strings.ToLower(t.text); b == "true" || b == "false" {
				p.next()
				return &node{kind: nLiteral, start: t.start, end: t.end, val: boolVal(b == "true")}
			}
		}
		return p.fieldNode()
	case tPunct:
		switch t.text {
		case "(":
			p.next()
			n := p.expr()
			end := p.expect(")", "')'")
			n.start, n.end = t.start, end.end
			return n
		case "[":
			p.next()
			n := &node{kind: nList, start: t.start}
			for !p.lx.is("]") {
				n.args = append(n.args, p.expr())
				if !p.lx.is(",") {
					break
				}
				p.next()
			}
			n.end = p.expect("]", "',' or ']'").end
			return n
		case "/":
			p.failTok("a regular expression can only follow like, =~ or parse")
		}
	}
	p.failTok("expected a value, a field or a function but found %s", p.describe())
	return nil
}

// call parses a function call.
func (p *parser) call() *node {
	t := p.lx.tok
	n := &node{kind: nCall, start: t.start, name: t.text}
	n.fn = lookupFunc(t.text)
	if n.fn == nil {
		p.failTok("unknown function %s", t.text)
	}
	p.next()
	p.expect("(", "'('")
	for !p.lx.is(")") {
		if p.lx.is("*") {
			st := p.lx.tok
			p.next()
			n.args = append(n.args, &node{kind: nStar, start: st.start, end: st.end})
		} else {
			n.args = append(n.args, p.expr())
		}
		if !p.lx.is(",") {
			break
		}
		p.next()
	}
	n.end = p.expect(")", "',' or ')'").end
	p.checkArgs(n)
	return n
}

// checkArgs checks the number and the form of a call's arguments.
func (p *parser) checkArgs(n *node) {
	f := n.fn
	if len(n.args) < f.min || f.max >= 0 && len(n.args) > f.max {
		want := strconv.Itoa(f.min)
		switch {
		case f.max < 0:
			want = "at least " + want
		case f.max != f.min:
			want = want + " to " + strconv.Itoa(f.max)
		}
		p.failAt(n.start, n.end, "%s takes %s arguments, not %d", n.name, want, len(n.args))
	}
	for i, a := range n.args {
		wantPeriod := f.periodArg == i+1
		if a.kind == nPeriod && !wantPeriod {
			p.failAt(a.start, a.end, "a time period such as %s can only be an argument of bin, datefloor, dateceil and rate", a.text(p.src))
		}
		if wantPeriod && a.kind != nPeriod {
			p.failAt(a.start, a.end, "argument %d of %s must be a time period such as 5m", i+1, n.name)
		}
		if a.kind == nStar && !(f.star && i == 0) {
			p.failAt(a.start, a.end, "* can only be the argument of count")
		}
	}
}
