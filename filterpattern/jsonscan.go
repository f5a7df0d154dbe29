package filterpattern

import (
	"strings"
	"unicode/utf16"
	"unicode/utf8"
)

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
	if i >= len(w.doc) {
		return i, false
	}
	if n.sel >= 0 {
		k, raw := scalarAt(w.doc, i)
		if k == jInvalid {
			return i, false
		}
		*w.val(n.sel) = jval{k, raw}
		if w.left--; w.left == 0 {
			return i, true
		}
	}
	if len(n.kids) > 0 {
		switch w.doc[i] {
		case '{':
			return w.object(i, n)
		case '[':
			return w.array(i, n)
		}
	}
	return skipValue(w.doc, i)
}

// object reads the object at doc[i], walking the members n's children name.
func (w *walker) object(i int, n *selNode) (int, bool) {
	doc := w.doc
	i = skipWS(doc, i+1)
	if i < len(doc) && doc[i] == '}' {
		return i + 1, true
	}
	var seen uint64 // children already walked, for the first of duplicate keys
	for {
		if i >= len(doc) || doc[i] != '"' {
			return i, false
		}
		end, ok := scanString(doc, i)
		if !ok {
			return i, false
		}
		name := doc[i+1 : end]
		i = skipWS(doc, end+1)
		if i >= len(doc) || doc[i] != ':' {
			return i, false
		}
		i = skipWS(doc, i+1)
		kid := -1
		for k, c := range n.kids {
			if !c.step.isIdx && (k >= 64 || seen&(1<<k) == 0) && keyEqual(name, c.step.key) {
				kid = k
				break
			}
		}
		if kid >= 0 {
			if kid < 64 {
				seen |= 1 << kid
			}
			if i, ok = w.walk(i, n.kids[kid]); !ok || w.left == 0 {
				return i, ok
			}
		} else if i, ok = skipValue(doc, i); !ok {
			return i, false
		}
		i = skipWS(doc, i)
		if i >= len(doc) {
			return i, false
		}
		switch doc[i] {
		case ',':
			i = skipWS(doc, i+1)
		case '}':
			return i + 1, true
		default:
			return i, false
		}
	}
}

// array reads the array at doc[i], walking the elements n's children index.
func (w *walker) array(i int, n *selNode) (int, bool) {
	doc := w.doc
	i = skipWS(doc, i+1)
	if i < len(doc) && doc[i] == ']' {
		return i + 1, true
	}
	for idx := 0; ; idx++ {
		var kid *selNode
		for _, c := range n.kids {
			if c.step.isIdx && c.step.index == idx {
				kid = c
				break
			}
		}
		var ok bool
		if kid != nil {
			if i, ok = w.walk(i, kid); !ok || w.left == 0 {
				return i, ok
			}
		} else if i, ok = skipValue(doc, i); !ok {
			return i, false
		}
		i = skipWS(doc, i)
		if i >= len(doc) {
			return i, false
		}
		switch doc[i] {
		case ',':
			i = skipWS(doc, i+1)
		case ']':
			return i + 1, true
		default:
			return i, false
		}
	}
}

// scalarAt classifies the value at doc[i].
func scalarAt(doc string, i int) (jkind, string) {
	if i >= len(doc) {
		return jInvalid, ""
	}
	switch c := doc[i]; {
	case c == '"':
		end, ok := scanString(doc, i)
		if !ok {
			return jInvalid, ""
		}
		return jString, doc[i+1 : end]
	case c == '{':
		return jObject, ""
	case c == '[':
		return jArray, ""
	case c == 't' && strings.HasPrefix(doc[i:], "true"):
		return jTrue, "true"
	case c == 'f' && strings.HasPrefix(doc[i:], "false"):
		return jFalse, "false"
	case c == 'n' && strings.HasPrefix(doc[i:], "null"):
		return jNull, "null"
	case c == '-' || (c >= '0' && c <= '9'):
		end := i + 1
		for end < len(doc) && isNumberByte(doc[end]) {
			end++
		}
		return jNumber, doc[i:end]
	}
	return jInvalid, ""
}

func isNumberByte(c byte) bool {
	return (c >= '0' && c <= '9') || c == '.' || c == 'e' || c == 'E' || c == '+' || c == '-'
}

// scanString returns the index of the quote that closes the string starting
// at doc[i]. It looks at eight bytes at a time for a quote or a backslash.
func scanString(doc string, i int) (int, bool) {
	j := i + 1
	for {
		for j+8 <= len(doc) && !hasQuoteOrBackslash(load64(doc, j)) {
			j += 8
		}
		if j >= len(doc) {
			return 0, false
		}
		switch doc[j] {
		case '"':
			return j, true
		case '\\':
			j += 2
		default:
			j++
		}
	}
}

// load64 returns the eight bytes of s at i as a little-endian number (the
// compiler turns this into one load).
func load64(s string, i int) uint64 {
	s = s[i : i+8]
	return uint64(s[0]) | uint64(s[1])<<8 | uint64(s[2])<<16 | uint64(s[3])<<24 |
		uint64(s[4])<<32 | uint64(s[5])<<40 | uint64(s[6])<<48 | uint64(s[7])<<56
}

// hasQuoteOrBackslash reports whether one of the eight bytes in x is '"' or
// '\\' (the classic "has zero byte" test on x xor each byte repeated).
func hasQuoteOrBackslash(x uint64) bool {
	const ones, highs = 0x0101010101010101, 0x8080808080808080
	q := x ^ (ones * '"')
	b := x ^ (ones * '\\')
	return ((q-ones)&^q|(b-ones)&^b)&highs != 0
}

// skipValue returns the index just after the value starting at doc[i].
// Literals are not checked beyond their characters.
// Containers are skipped by counting brackets outside strings.
func skipValue(doc string, i int) (int, bool) {
	if i >= len(doc) {
		return i, false
	}
	switch doc[i] {
	case '"':
		end, ok := scanString(doc, i)
		return end + 1, ok
	case '{', '[':
		depth := 0
		for j := i; j < len(doc); j++ {
			switch doc[j] {
			case '"':
				end, ok := scanString(doc, j)
				if !ok {
					return j, false
				}
				j = end
			case '{', '[':
				depth++
			case '}', ']':
				depth--
				if depth == 0 {
					return j + 1, true
				}
			}
		}
		return len(doc), false
	}
	j := i
	for j < len(doc) && (isNumberByte(doc[j]) || (doc[j] >= 'a' && doc[j] <= 'z')) {
		j++
	}
	return j, j > i
}

func skipWS(doc string, i int) int {
	for i < len(doc) && isSpace(doc[i]) {
		i++
	}
	return i
}

// keyEqual reports whether the raw (still escaped) JSON member name raw
// equals key.
func keyEqual(raw, key string) bool {
	if raw == key {
		return true
	}
	// An escaped name is longer than the name it decodes to.
	if len(raw) <= len(key) || strings.IndexByte(raw, '\\') < 0 {
		return false
	}
	var buf [64]byte
	return string(appendUnescaped(buf[:0], raw)) == key
}

// appendUnescaped appends the decoded contents of a JSON string to b.
// Invalid escapes are kept as they are.
func appendUnescaped(b []byte, raw string) []byte {
	for i := 0; i < len(raw); i++ {
		c := raw[i]
		if c != '\\' || i+1 >= len(raw) {
			b = append(b, c)
			continue
		}
		i++
		switch raw[i] {
		case '"', '\\', '/':
			b = append(b, raw[i])
		case 'b':
			b = append(b, '\b')
		case 'f':
			b = append(b, '\f')
		case 'n':
			b = append(b, '\n')
		case 'r':
			b = append(b, '\r')
		case 't':
			b = append(b, '\t')
		case 'u':
			r, n := decodeU(raw[i+1:])
			if n == 0 {
				b = append(b, '\\', 'u')
				continue
			}
			i += n
			b = utf8.AppendRune(b, r)
		default:
			b = append(b, '\\', raw[i])
		}
	}
	return b
}

// decodeU decodes the hex digits after \u (and a following low surrogate
// \uXXXX when the first is a high surrogate). It returns the rune and the
// number of bytes used, 0 when the digits are invalid.
func decodeU(s string) (rune, int) {
	r, ok := hex4(s)
	if !ok {
		return 0, 0
	}
	if utf16.IsSurrogate(r) {
		if len(s) >= 10 && s[4] == '\\' && s[5] == 'u' {
			if r2, ok := hex4(s[6:]); ok {
				if d := utf16.DecodeRune(r, r2); d != utf8.RuneError {
					return d, 10
				}
			}
		}
		return utf8.RuneError, 4
	}
	return r, 4
}

func hex4(s string) (rune, bool) {
	if len(s) < 4 {
		return 0, false
	}
	var r rune
	for i := 0; i < 4; i++ {
		c := s[i]
		var v byte
		switch {
		case c >= '0' && c <= '9':
			v = c - '0'
		case c >= 'a' && c <= 'f':
			v = c - 'a' + 10
		case c >= 'A' && c <= 'F':
			v = c - 'A' + 10
		default:
			return 0, false
		}
		r = r<<4 | rune(v)
	}
	return r, true
}
