package filterpattern

import "strconv"

// delimited is a compiled space-delimited pattern.
type delimited struct {
	slots    []slot
	ellipsis int // index of the ... slot, or -1
}

// slot is one comma-separated field of a space-delimited pattern.
type slot struct {
	name     string // "" for an unnamed field
	cond     *expr  // nil when the field has no condition
	ellipsis bool
}

// parseDelimited parses a space-delimited pattern; p.src is the whole
// pattern, trimmed, and starts with '['.
func parseDelimited(p *parser) (*delimited, error) {
	if p.src[len(p.src)-1] != ']' {
		return nil, errorf(len(p.src)-1, "a space-delimited pattern that starts with '[' must end with ']'")
	}
	body := &parser{src: p.src[:len(p.src)-1], pos: 1}
	body.skipSpace()
	if body.pos == len(body.src) {
		return nil, errorf(body.pos, "empty space-delimited pattern: name the fields, as in [ip, user, ..., status, bytes]")
	}
	d := &delimited{ellipsis: -1}
	names := map[string]bool{}
	for {
		body.skipSpace()
		start := body.pos
		var s slot
		switch {
		case body.pos == len(body.src) || body.peek() == ',':
			// an unnamed field without a condition
		case len(body.src)-body.pos >= 3 && body.src[body.pos:body.pos+3] == "...":
			body.pos += 3
			if d.ellipsis >= 0 {
				return nil, errorf(start, "a space-delimited pattern may contain only one ...")
			}
			d.ellipsis = len(d.slots)
			s.ellipsis = true
		default:
			e, err := body.parseOr(body.parseFieldCond)
			if err != nil {
				return nil, err
			}
			if s, err = newSlot(e, start); err != nil {
				return nil, err
			}
			if names[s.name] {
				return nil, errorf(start, "field name %q is used twice", s.name)
			}
			names[s.name] = true
		}
		d.slots = append(d.slots, s)
		body.skipSpace()
		if body.pos == len(body.src) {
			p.regexes = body.regexes
			return d, nil
		}
		if body.peek() != ',' {
			return nil, errorf(body.pos, "expected ',' between fields, found %s", body.what())
		}
		body.pos++
	}
}

// newSlot checks that every condition of a field tests that field and
// returns the field.
func newSlot(e *expr, off int) (slot, error) {
	if e.leaf != nil && e.leaf.test == testPresent {
		return slot{name: e.leaf.name}, nil
	}
	var err error
	name := ""
	e.leaves(func(c *cond) {
		switch {
		case err != nil:
		case c.test == testPresent:
			err = errorf(c.off, "field %q has no condition; inside && and || every part must compare the field, as in %s = 200", c.name, c.name)
		case name == "":
			name = c.name
		case c.name != name:
			err = errorf(c.off, "the conditions of field %q cannot test field %q; give each field its own comma-separated condition", name, c.name)
		}
	})
	return slot{name: name, cond: e}, err
}

// parseFieldCond parses "name" or "name op value".
func (p *parser) parseFieldCond() (*cond, error) {
	p.skipSpace()
	c := &cond{off: p.pos}
	start := p.pos
	for p.pos < len(p.src) && (isWordByte(p.src[p.pos]) || p.src[p.pos] == '-') {
		p.pos++
	}
	if p.pos == start {
		return nil, errorf(p.pos, "expected a field name, found %s", p.what()).
			withAWS("Invalid character(s) in term '" + p.src[p.pos:min(p.pos+1, len(p.src))] + "'")
	}
	c.name = p.src[start:p.pos]
	if _, err := strconv.Atoi(c.name); err == nil {
		return nil, errorf(start, "field name %q is a number; it would be confused with the positional names $1, $2, ...", c.name)
	}
	p.skipSpace()
	op, ok := p.parseOp()
	if !ok {
		c.test = testPresent
		return c, nil
	}
	lit, err := p.parseValue(op, ",&|()")
	if err != nil {
		return nil, err
	}
	c.op, c.lit = op, lit
	return c, nil
}

// evalField evaluates the conditions of one field against its text f.
func (e *expr) evalField(f string) bool {
	switch e.op {
	case '&':
		return e.l.evalField(f) && e.r.evalField(f)
	case '|':
		return e.l.evalField(f) || e.r.evalField(f)
	}
	c := e.leaf
	if c.test == testPresent {
		return true
	}
	var num float64
	var isNum bool
	if c.lit.kind == litNumber {
		num, isNum = parseNumber(f)
	}
	return compare(c.op, &c.lit, f, num, isNum)
}

func (s *slot) accepts(f string) bool { return s.cond == nil || s.cond.evalField(f) }

// nextField returns the field of the event s that starts at or after i and
// the index after it. Fields are separated by spaces and tabs; a field that
// starts with [ runs to the next ], one that starts with " to the next ",
// and the brackets or quotes are not part of its text.
func nextField(s string, i int) (field string, next int, ok bool) {
	for i < len(s) && isSpace(s[i]) {
		i++
	}
	if i >= len(s) {
		return "", i, false
	}
	if c := s[i]; c == '[' || c == '"' {
		closer := byte(']')
		if c == '"' {
			closer = '"'
		}
		for j := i + 1; j < len(s); j++ {
			if s[j] == closer {
				return s[i+1 : j], j + 1, true
			}
		}
	}
	j := i
	for j < len(s) && !isSpace(s[j]) {
		j++
	}
	return s[i:j], j, true
}

// ringSize is how many trailing fields match keeps without allocating.
const ringSize = 32

// match reports whether the event s has the pattern's fields and satisfies
// their conditions.
func (d *delimited) match(s string) bool {
	k := len(d.slots)
	if d.ellipsis < 0 {
		n := 0
		for i := 0; ; n++ {
			f, next, ok := nextField(s, i)
			if !ok {
				return n == k
			}
			if n >= k || !d.slots[n].accepts(f) {
				return false
			}
			i = next
		}
	}
	before, after := d.ellipsis, k-d.ellipsis-1
	var buf [ringSize]string
	ring := buf[:]
	if after > ringSize {
		ring = make([]string, after)
	}
	n := 0
	for i := 0; ; n++ {
		f, next, ok := nextField(s, i)
		if !ok {
			break
		}
		if n < before && !d.slots[n].accepts(f) {
			return false
		}
		if after > 0 {
			ring[n%after] = f
		}
		i = next
	}
	if n < before+after {
		return false
	}
	for j := 0; j < after; j++ {
		if !d.slots[before+1+j].accepts(ring[(n-after+j)%after]) {
			return false
		}
	}
	return true
}

// extract returns the fields of a matching event keyed as TestMetricFilter
// reports them: $name for a named field, $N (N counting fields from 1) for
// the others, including those covered by ...
func (d *delimited) extract(s string) map[string]string {
	var fields []string
	for i := 0; ; {
		f, next, ok := nextField(s, i)
		if !ok {
			break
		}
		fields = append(fields, f)
		i = next
	}
	k, n := len(d.slots), len(fields)
	out := make(map[string]string, n)
	for j, f := range fields {
		var sl *slot
		switch {
		case d.ellipsis < 0 || j < d.ellipsis:
			sl = &d.slots[j]
		case j >= n-(k-d.ellipsis-1):
			sl = &d.slots[k-(n-j)]
		default:
			sl = &d.slots[d.ellipsis]
		}
		key := "$" + sl.name
		if sl.name == "" {
			key = "$" + strconv.Itoa(j+1)
		}
		out[key] = f
	}
	return out
}
