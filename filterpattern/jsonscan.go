package filterpattern

import "github.com/lambdalog/lambdalog/internal/jsonscan"

// jkind is the kind of JSON value a selector found.
type jkind uint8

const (
	jMissing jkind = iota // the selector names nothing in the document
	jInvalid              // the document is not well-formed JSON where it was read
	jString
	jNumber
	jTrue
	jFalse
	jNull
	jObject
	jArray
)

// selNode is a node of the tree of a JSON pattern's selectors: the
// selectors $.a.b and $.a[0] share the node for $.a. Matching walks the
// event once, following the tree, however many conditions the pattern has.
type selNode struct {
	step step
	sel  int // index of the selector that ends at this node, or -1
	kids []*selNode
}

// add adds path below n and returns the index of its selector, allocating
// the next index, *n, for a new selector.
func (n *selNode) add(path []step, next *int) int {
	for _, st := range path {
		var kid *selNode
		for _, k := range n.kids {
			if k.step == st {
				kid = k
				break
			}
		}
		if kid == nil {
			kid = &selNode{step: st, sel: -1}
			n.kids = append(n.kids, kid)
		}
		n = kid
	}
	if n.sel < 0 {
		n.sel = *next
		*next++
	}
	return n.sel
}

// jval is what a selector found: its kind and, for a string, the text
// between the quotes, still escaped; for a number, true, false and null, the
// token.
type jval struct {
	kind jkind
	raw  string
}

// walker reads a JSON document once, recording the values of the selectors
// of a selNode tree without decoding anything else. The document is checked
// only as far as it is read, and reading stops once every selector has been
// found. The first of duplicate keys wins.
type walker struct {
	doc  string
	left int // selectors not found yet
	// vals holds the values by selector index (kind jMissing until found):
	// the first ones in an array, so that a walker on the stack needs no
	// allocation, the others in more.
	vals [8]jval
	more []jval
}

// val returns the value of selector i.
func (w *walker) val(i int) *jval {
	if i < len(w.vals) {
		return &w.vals[i]
	}
	return &w.more[i-len(w.vals)]
}

// walk reads the value at doc[i] for node n and returns the index after it
// (or where it stopped when w.left reaches 0); ok is false on malformed input.
func (w *walker) walk(i int, n *selNode) (int, bool) {
	s := jsonscan.New(w.doc[i:])
	s.SetMaxDepth(0) // any nesting: skipping it needs no recursion
	ok := w.value(&s, n)
	return i + s.Pos(), ok
}

// value reads the value at s for node n and reports whether it is well
// formed (as far as it was read).
func (w *walker) value(s *jsonscan.Scanner[string], n *selNode) bool {
	k := s.Peek()
	if n.sel >= 0 {
		v := jval{kind: kinds[k]}
		var err error
		switch k {
		case jsonscan.String:
			var x jsonscan.Str[string]
			x, err = s.Str()
			v.raw = x.Raw
		case jsonscan.Number:
			v.raw, err = s.Number()
		case jsonscan.True, jsonscan.False:
			_, err = s.Bool()
			v.raw = k.String()
		case jsonscan.Null:
			s.Null()
			v.raw = "null"
		case jsonscan.Invalid:
			return false
		}
		if err != nil {
			return false
		}
		*w.val(n.sel) = v
		if w.left--; w.left == 0 || k != jsonscan.Object && k != jsonscan.Array {
			return true
		}
	}
	switch {
	case len(n.kids) == 0:
	case k == jsonscan.Object:
		return w.object(s, n)
	case k == jsonscan.Array:
		return w.array(s, n)
	}
	return s.Skip() == nil
}

// kinds maps jsonscan's kinds to the walker's.
var kinds = [...]jkind{
	jsonscan.Invalid: jInvalid,
	jsonscan.Object:  jObject,
	jsonscan.Array:   jArray,
	jsonscan.String:  jString,
	jsonscan.Number:  jNumber,
	jsonscan.True:    jTrue,
	jsonscan.False:   jFalse,
	jsonscan.Null:    jNull,
}

// object reads the object at s, walking the members n's children name.
func (w *walker) object(s *jsonscan.Scanner[string], n *selNode) bool {
	if s.Object() != nil {
		return false
	}
	var seen uint64 // children already walked, for the first of duplicate keys
	for {
		key, more, err := s.Member()
		if err != nil || !more {
			return err == nil
		}
		kid := -1
		for k, c := range n.kids {
			if !c.step.isIdx && (k >= 64 || seen&(1<<k) == 0) && keyEqual(key, c.step.key) {
				kid = k
				break
			}
		}
		if kid < 0 {
			if s.Skip() != nil {
				return false
			}
			continue
		}
		if kid < 64 {
			seen |= 1 << kid
		}
		if !w.value(s, n.kids[kid]) || w.left == 0 {
			return w.left == 0
		}
	}
}

// array reads the array at s, walking the elements n's children index.
func (w *walker) array(s *jsonscan.Scanner[string], n *selNode) bool {
	if s.Array() != nil {
		return false
	}
	for idx := 0; ; idx++ {
		more, err := s.Element()
		if err != nil || !more {
			return err == nil
		}
		var kid *selNode
		for _, c := range n.kids {
			if c.step.isIdx && c.step.index == idx {
				kid = c
				break
			}
		}
		if kid == nil {
			if s.Skip() != nil {
				return false
			}
			continue
		}
		if !w.value(s, kid) || w.left == 0 {
			return w.left == 0
		}
	}
}

// skipWS returns the index of the first byte at or after i in doc that is
// not white space.
func skipWS(doc string, i int) int { return jsonscan.SkipSpace(doc, i) }

// keyEqual reports whether a JSON member name equals key.
func keyEqual(name jsonscan.Str[string], key string) bool {
	if name.Plain {
		return name.Raw == key
	}
	// The escapes of a name are longer than what they stand for, and keys
	// are ASCII, so a name whose UTF-8 is invalid matches none.
	if len(name.Raw) <= len(key) {
		return false
	}
	var buf [64]byte
	return string(jsonscan.AppendUnescaped(buf[:0], name.Raw)) == key
}

// appendUnescaped appends the decoded contents of a JSON string to b.
func appendUnescaped(b []byte, raw string) []byte { return jsonscan.AppendUnescaped(b, raw) }
