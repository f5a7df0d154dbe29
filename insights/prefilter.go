package insights

import (
	"regexp"
	"regexp/syntax"
	"strings"
	"unicode/utf8"
)

// preFilter is a test on an event's raw message that every event that can
// produce a row passes: a conjunction of clauses, each satisfied when the
// message contains one of its strings. It is derived from the filters of
// the first segment that compare fields read from the message with
// constants.
type preFilter struct {
	clauses [][]needle
}

func (pf *preFilter) match(msg []byte) bool {
	for _, alts := range pf.clauses {
		ok := false
		for _, a := range alts {
			if a.In(msg) {
				ok = true
				break
			}
		}
		if !ok {
			return false
		}
	}
	return true
}

// PreFilter returns a test on an event's raw message that is false only
// for events that cannot produce a row, or nil when the query has none.
// A caller that reads events in bulk (such as a store scan) can run it on
// the raw bytes first and feed only the events it accepts, counting the
// others with AddScanned; Feed also applies it. It is safe for concurrent
// use.
//
// For example, filter @message like "ERROR" needs the text ERROR;
// filter level = "ERROR" needs ERROR or a backslash (a JSON escape could
// spell it); @type = "REPORT" needs REPORT or platform.report.
func (q *Query) PreFilter() func(message []byte) bool {
	if q.plan.pre == nil {
		return nil
	}
	return q.plan.pre.match
}

// prefilter derives the pre-filter from the first segment's filters, and
// drops the filters it implements exactly.
func (c *compiler) prefilter() *preFilter {
	p := c.p
	seg := p.segs[0]
	written := map[int]bool{}
	pf := &preFilter{}
	kept := seg.stages[:0]
	for _, st := range seg.stages {
		if st.kind == stFilter && st.node != nil {
			clauses, exact := c.requirements(st.node, written)
			pf.clauses = append(pf.clauses, clauses...)
			if exact {
				continue
			}
		}
		for _, s := range st.writes() {
			written[s] = true
		}
		kept = append(kept, st)
	}
	seg.stages = kept
	if len(pf.clauses) == 0 {
		return nil
	}
	return pf
}

// parseNeeds sets the need of each parse of the first segment whose source
// is a field read from the message (@message, or a field discovered in it,
// that no stage before sets): a text every match of the pattern holds, so
// that the source's text holds it whenever the pattern matches (the
// longest literal part of a glob, a text every match of a regex holds). The
// text of @message is the raw message; that of a discovered field is a
// piece of it (a number as written, a string's contents) unless an escape
// spells it, or invalid UTF-8 is replaced by U+FFFD (which a need free of
// U+FFFD cannot span), or it is a boolean, whose text is 1 or 0. It also
// sets the need of the JSON fields that stages of the first segment set.
func (c *compiler) parseNeeds() {
	written := map[int]bool{}
	for _, st := range c.p.segs[0].stages {
		if pp := st.parse; st.kind == stParse && pp.srcField >= 0 && !written[pp.srcField] {
			need := ""
			if pp.re != nil {
				need = requiredLiteral(pp.re)
			}
			for _, part := range pp.glob {
				if len(part) > len(need) {
					need = part
				}
			}
			switch src := c.p.slotInfo[pp.srcField].src; {
			case !needable(need):
			case src == srcMessage:
				pp.need, pp.exact = newNeedle(need), true
			case src == srcDiscovered && need != "0" && need != "1":
				pp.need = newNeedle(need)
			}
		}
		for _, s := range st.writes() {
			written[s] = true
			// Such a field is looked for in the event only where the stage
			// does not set it (where a parse's pattern does not match): an
			// event whose raw message lacks its first key has none.
			if s < 0 { // an unnamed subexpression of a regex
				continue
			}
			if info := &c.p.slotInfo[s]; info.src == srcDiscovered && info.sub < 0 {
				if key, _, _ := strings.Cut(info.path, "."); needable(key) {
					info.need = newNeedle(key)
				}
			}
		}
	}
}

// needable reports whether a text read from a JSON message can be looked
// for in its raw bytes: the text a JSON string holds is in the raw message
// unless an escape spells it (the caller checks for backslashes) or it
// spans a U+FFFD that replaced invalid UTF-8.
func needable(s string) bool {
	return s != "" && utf8.ValidString(s) && !strings.ContainsRune(s, utf8.RuneError)
}

// writes returns the slots a stage sets.
func (st *stage) writes() []int {
	var ws []int
	switch st.kind {
	case stAssign:
		for _, a := range st.assigns {
			ws = append(ws, a.slot)
		}
	case stParse:
		ws = append(ws, st.parse.slots...)
	case stUnnest:
		ws = append(ws, st.unnest.slot)
	case stLookup:
		ws = append(ws, st.lookup.outSlots...)
	case stJoin:
		ws = append(ws, st.join.slots...)
	}
	return ws
}

// requirements returns the clauses a condition implies about the raw
// message, and whether they are equivalent to it.
func (c *compiler) requirements(n *node, written map[int]bool) ([][]needle, bool) {
	switch n.kind {
	case nAnd:
		a, ea := c.requirements(n.args[0], written)
		b, eb := c.requirements(n.args[1], written)
		return append(a, b...), ea && eb
	case nOr:
		a, _ := c.requirements(n.args[0], written)
		b, _ := c.requirements(n.args[1], written)
		if len(a) == 0 || len(b) == 0 {
			return nil, false
		}
		// Either side's first clause holds.
		return [][]needle{append(append([]needle{}, a[0]...), b[0]...)}, false
	case nCompare:
		if n.op != "=" {
			return nil, false
		}
		f, lit := n.args[0], n.args[1]
		if f.kind != nField {
			f, lit = lit, f
		}
		if s, ok := textLiteral(lit); ok {
			return c.fieldContains(f, written, s)
		}
	case nIn:
		if n.not || n.sub != nil {
			return nil, false
		}
		var alts []needle
		for _, a := range n.args[1:] {
			s, ok := textLiteral(a)
			if !ok {
				return nil, false
			}
			cl, _ := c.fieldContains(n.args[0], written, s)
			if cl == nil {
				return nil, false
			}
			alts = append(alts, cl[0]...)
		}
		if alts == nil {
			return nil, false
		}
		return [][]needle{alts}, false
	case nLike:
		if n.not {
			return nil, false
		}
		s := ""
		if n.re != nil {
			s = requiredLiteral(n.re)
		} else if t, ok := constString(n.args[1]); ok {
			s = t
		}
		if s == "" {
			return nil, false
		}
		cl, exact := c.fieldContains(n.args[0], written, s)
		return cl, exact && n.re == nil
	}
	return nil, false
}

// textLiteral returns a string constant that is not empty and not a
// number (a number compares numerically, so its text need not appear).
func textLiteral(n *node) (string, bool) {
	s, ok := constString(n)
	if !ok || s == "" {
		return "", false
	}
	if _, num := parseNumber(s); num {
		return "", false
	}
	return s, true
}

// fieldContains returns the clause "the message holds s" for a field read
// from the message whose value holds s, and whether the clause is
// equivalent (the field is @message itself).
func (c *compiler) fieldContains(f *node, written map[int]bool, s string) ([][]needle, bool) {
	if f.kind != nField {
		return nil, false
	}
	slot, ok := c.p.slots[f.name]
	if !ok || written[slot] {
		return nil, false
	}
	switch info := c.p.slotInfo[slot]; info.src {
	case srcMessage:
		return [][]needle{{newNeedle(s)}}, true
	case srcDiscovered:
		// A JSON string may spell s with escapes.
		return [][]needle{{newNeedle(s), backslash}}, false
	case srcLambda:
		switch info.sub {
		case lfType:
			switch s {
			case "REPORT":
				return [][]needle{{newNeedle("REPORT"), newNeedle("platform.report")}}, false
			case "START":
				return [][]needle{{newNeedle("START"), newNeedle("platform.start")}}, false
			case "END":
				return [][]needle{{newNeedle("END")}}, false
			}
		case lfRequestID, lfXrayTraceID, lfXraySegmentID:
			return [][]needle{{newNeedle(s), backslash}}, false
		}
	}
	return nil, false
}

// requiredLiteral returns a text every match of re contains, or "".
func requiredLiteral(re *regexp.Regexp) string {
	r, err := syntax.Parse(re.String(), syntax.Perl)
	if err != nil {
		return ""
	}
	return longestRequired(r.Simplify())
}

func longestRequired(r *syntax.Regexp) string {
	switch r.Op {
	case syntax.OpLiteral:
		if r.Flags&syntax.FoldCase != 0 {
			return ""
		}
		return string(r.Rune)
	case syntax.OpCapture, syntax.OpPlus:
		return longestRequired(r.Sub[0])
	case syntax.OpRepeat:
		if r.Min >= 1 {
			return longestRequired(r.Sub[0])
		}
	case syntax.OpConcat:
		best := ""
		for _, s := range r.Sub {
			if l := longestRequired(s); len(l) > len(best) {
				best = l
			}
		}
		return best
	}
	return ""
}
