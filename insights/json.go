package insights

import (
	"strconv"
	"strings"
	"unsafe"

	"github.com/lambdalog/lambdalog/internal/jsonscan"
)

// maxJSONDepth bounds the nesting of JSON documents read: Flatten and
// decodeJSON recurse as deep as the document.
const maxJSONDepth = 1000

// leafValue returns a JSON leaf as a value. Strings and numbers alias the
// document when they can (plain strings and all numbers of a []byte
// document); decoded strings are copied into *arena. Empty objects and
// arrays, and null, are absent.
func leafValue(leaf jsonscan.Leaf, doc []byte, arena *[]byte) value {
	b := leaf.Value
	switch leaf.Kind {
	case jsonscan.String:
		if len(b) == 0 {
			return strVal("")
		}
		if !within(b, doc) {
			start := len(*arena)
			*arena = append(*arena, b...)
			b = (*arena)[start:]
		}
		return strVal(unsafe.String(&b[0], len(b)))
	case jsonscan.Number:
		if !within(b, doc) {
			start := len(*arena)
			*arena = append(*arena, b...)
			b = (*arena)[start:]
		}
		s := unsafe.String(&b[0], len(b))
		f, _ := parseNumber(s)
		return numText(f, s)
	case jsonscan.True:
		return boolVal(true)
	case jsonscan.False:
		return boolVal(false)
	}
	return null
}

// within reports whether b lies inside doc.
func within(b, doc []byte) bool {
	if len(b) == 0 || len(doc) == 0 {
		return false
	}
	p := uintptr(unsafe.Pointer(&b[0]))
	d := uintptr(unsafe.Pointer(&doc[0]))
	return p >= d && p+uintptr(len(b)) <= d+uintptr(len(doc))
}

// decodeJSON parses a whole JSON document into a value: objects become
// maps (keys in document order, duplicates kept), arrays lists. It
// reports false for malformed JSON. Plain strings alias doc.
func decodeJSON(doc string) (value, bool) {
	s := jsonscan.New(doc)
	s.SetMaxDepth(maxJSONDepth)
	v, err := decodeValue(&s)
	if err != nil || s.End() != nil {
		return null, false
	}
	return v, true
}

func decodeValue(s *jsonscan.Scanner[string]) (value, error) {
	switch s.Peek() {
	case jsonscan.Object:
		if err := s.Object(); err != nil {
			return null, err
		}
		st := &structure{keys: []string{}}
		for {
			k, ok, err := s.Member()
			if err != nil {
				return null, err
			}
			if !ok {
				return value{kind: kMap, st: st}, nil
			}
			v, err := decodeValue(s)
			if err != nil {
				return null, err
			}
			st.keys = append(st.keys, k.Value())
			st.items = append(st.items, v)
		}
	case jsonscan.Array:
		if err := s.Array(); err != nil {
			return null, err
		}
		st := &structure{}
		for {
			ok, err := s.Element()
			if err != nil {
				return null, err
			}
			if !ok {
				return value{kind: kList, st: st}, nil
			}
			v, err := decodeValue(s)
			if err != nil {
				return null, err
			}
			st.items = append(st.items, v)
		}
	case jsonscan.String:
		x, err := s.Str()
		return strVal(x.Value()), err
	case jsonscan.Number:
		raw, err := s.Number()
		f, _ := parseNumber(raw)
		return numText(f, raw), err
	case jsonscan.True, jsonscan.False:
		b, err := s.Bool()
		return boolVal(b), err
	case jsonscan.Null:
		s.Null()
		return null, nil
	}
	return null, s.Skip()
}

// pathNode is a node of the tree of the JSON paths a query reads: the
// paths a.b and a.c share the node for a. Reading an event follows the
// tree, so values no path leads into are skipped without being decoded.
type pathNode struct {
	key    string
	slot   int // the slot of the path that ends here, or -1
	kids   []*pathNode
	starts jsonscan.ByteSet // the bytes a member key leading to a kid starts with
	// misses reports whether a member key leads to no kid.
	misses func(key []byte) bool
}

// noPaths leads to no field.
var noPaths = newPathNode("")

// newPathNode returns a node for the key, with no kids yet.
func newPathNode(key string) *pathNode {
	n := &pathNode{key: key, slot: -1}
	n.misses = func(key []byte) bool { return n.match(unsafe.String(unsafe.SliceData(key), len(key))) == nil }
	return n
}

// buildPaths returns the tree of the paths in m (path -> slot).
func buildPaths(m map[string]int) *pathNode {
	root := newPathNode("")
	for path, slot := range m {
		n := root
		for _, seg := range strings.Split(path, ".") {
			n = n.child(seg, true)
		}
		n.slot = slot
	}
	return root
}

// child returns the child with the key, adding it when add is set.
func (n *pathNode) child(key string, add bool) *pathNode {
	for _, k := range n.kids {
		if k.key == key {
			return k
		}
	}
	if !add {
		return nil
	}
	k := newPathNode(key)
	n.kids = append(n.kids, k)
	c := byte('.') // an empty key is matched by the dot after it
	if key != "" {
		c = key[0]
	}
	n.starts.Add(c)
	return k
}

// match returns the node a member key leads to: a key holding dots
// matches several levels, as the dotted paths of flattened fields do. Most
// keys lead nowhere, which their first byte tells at once.
func (n *pathNode) match(key string) *pathNode {
	for n != nil {
		if key != "" && !n.starts.Has(key[0]) {
			return nil
		}
		// Keys of the tree hold no dot: key is a kid's key, or a kid's key
		// and a dot before the rest of the path.
		var next *pathNode
		for _, k := range n.kids {
			switch {
			case len(k.key) == len(key):
				if k.key == key {
					return k
				}
			case len(k.key) < len(key):
				if key[len(k.key)] == '.' && key[:len(k.key)] == k.key {
					next = k
				}
			}
		}
		if next == nil {
			return nil
		}
		n, key = next, key[len(next.key)+1:]
	}
	return nil
}

// jsonFields reads the discovered fields of an event's JSON for the
// loader, reusing its buffers so that reading an event allocates nothing
// once they have grown. It reads the document once, descending only into
// the objects and arrays that hold a field the query reads, and counts the
// leaves before each field, as only the first MaxJSONFields leaves (in
// document order) are fields.
type jsonFields struct {
	root   *pathNode
	flat   []flatPath // the fields, for readFlat
	arena  []byte     // decoded strings of the current event
	key    []byte     // a decoded member key
	set    []int      // slots set by the current read
	doc    []byte
	r      *row
	want   int
	leaves int
}

func (j *jsonFields) init(p *plan) {
	j.root = buildPaths(p.jsonPaths)
	for path, slot := range p.jsonPaths {
		j.flat = append(j.flat, flatPath{jsonscan.NewFlatKey(path), slot})
	}
}

// read sets the discovered fields of r found in the JSON value at the
// start of doc (what follows the value is ignored); want is how many are
// still unset. If the value is not well-formed JSON, it sets none.
func (j *jsonFields) read(r *row, doc []byte, want int) {
	j.r, j.doc, j.want, j.leaves = r, doc, want, 0
	j.arena, j.set = j.arena[:0], j.set[:0]
	s := jsonscan.New(doc)
	s.SetMaxDepth(maxJSONDepth)
	if err := j.value(&s, j.root); err != nil {
		for _, slot := range j.set {
			r.gen[slot] = 0
		}
	}
	j.r, j.doc = nil, nil
}

// flatPath is a field the query reads, found in a flat event (Event.Flat)
// by searching for its key.
type flatPath struct {
	key  jsonscan.FlatKey
	slot int
}

// readFlat sets the discovered fields of r found in doc, a flat JSON
// object (FlatJSON): in such an object every member is a field, whose
// path is its key, so each field is found by searching for its quoted key.
// It does what read does, without reading the rest of the object.
func (j *jsonFields) readFlat(r *row, doc []byte) {
	for _, f := range j.flat {
		if r.isSet(f.slot) {
			continue
		}
		if raw, kind, ok := f.key.Find(doc); ok {
			// A plain string's raw contents are its value, within doc: never copied.
			r.set(f.slot, leafValue(jsonscan.Leaf{Kind: kind, Value: raw}, doc, &j.arena))
		}
	}
}

// FlatJSON reports whether msg is, apart from white space around it, a
// JSON object of at most MaxJSONFields members whose values are strings,
// numbers, booleans or null, with no escape in any string and only valid
// UTF-8: the shape of most structured log lines. A log store can check
// each event once when it stores it and pass the answer on as Event.Flat,
// which lets queries find the event's fields without reading it whole.
func FlatJSON(msg []byte) bool { return jsonscan.FlatObject(msg, MaxJSONFields) }

// value reads the value at s, which the path to n leads to (n is nil when
// no field lies below).
func (j *jsonFields) value(s *jsonscan.Scanner[[]byte], n *pathNode) error {
	if n == nil || j.want == 0 || j.leaves >= MaxJSONFields {
		return j.skip(s)
	}
	switch s.Peek() {
	case jsonscan.Object:
		if err := s.Object(); err != nil {
			return err
		}
		for empty := true; ; empty = false {
			if j.want == 0 || j.leaves >= MaxJSONFields {
				// Nothing more to read: the rest must only be well-formed.
				return s.SkipMembers()
			}
			// The members whose keys lead to no field, with a scalar
			// value (a leaf each), in one go.
			if skipped := s.SkipScalarMembers(&n.starts, n.misses, MaxJSONFields-j.leaves); skipped > 0 {
				j.leaves += skipped
				continue
			}
			k, ok, err := s.Member()
			if err != nil || !ok {
				if empty && err == nil {
					j.leaves++
				}
				return err
			}
			key := k.Raw
			if !k.Plain {
				j.key = jsonscan.AppendUnescaped(j.key[:0], k.Raw)
				key = j.key
			}
			if kid := n.match(unsafe.String(unsafe.SliceData(key), len(key))); kid != nil {
				err = j.value(s, kid)
			} else {
				err = j.skip(s)
			}
			if err != nil {
				return err
			}
		}
	case jsonscan.Array:
		if err := s.Array(); err != nil {
			return err
		}
		for i := 0; ; i++ {
			if j.want == 0 || j.leaves >= MaxJSONFields {
				return s.SkipElements()
			}
			ok, err := s.Element()
			if err != nil || !ok {
				if i == 0 && err == nil {
					j.leaves++
				}
				return err
			}
			if err := j.value(s, n.child(strconv.Itoa(i), false)); err != nil {
				return err
			}
		}
	}
	j.leaves++
	if n.slot < 0 || j.r.isSet(n.slot) {
		return s.Skip()
	}
	v, err := j.scalar(s)
	if err != nil {
		return err
	}
	j.r.set(n.slot, v)
	j.set = append(j.set, n.slot)
	j.want--
	return nil
}

// skip reads a value no field lies in, counting its leaves while they
// matter.
func (j *jsonFields) skip(s *jsonscan.Scanner[[]byte]) error {
	switch s.Peek() {
	case jsonscan.Object, jsonscan.Array:
		if j.want > 0 && j.leaves < MaxJSONFields {
			return j.value(s, noPaths)
		}
	default:
		j.leaves++
	}
	return s.Skip()
}

// scalar reads a string, number, boolean or null.
func (j *jsonFields) scalar(s *jsonscan.Scanner[[]byte]) (value, error) {
	switch s.Peek() {
	case jsonscan.String:
		x, err := s.Str()
		if err != nil {
			return null, err
		}
		b := x.Raw
		if !x.Plain {
			start := len(j.arena)
			j.arena = jsonscan.AppendUnescaped(j.arena, x.Raw)
			b = j.arena[start:]
		}
		return strVal(unsafe.String(unsafe.SliceData(b), len(b))), nil
	case jsonscan.Number:
		raw, err := s.Number()
		if err != nil {
			return null, err
		}
		t := unsafe.String(unsafe.SliceData(raw), len(raw))
		f, _ := parseNumber(t)
		return numText(f, t), nil
	case jsonscan.True, jsonscan.False:
		b, err := s.Bool()
		return boolVal(b), err
	case jsonscan.Null:
		if !s.Null() {
			return null, s.Skip()
		}
		return null, nil
	}
	return null, s.Skip()
}

// flattenJSON calls leaf for each leaf of the JSON document doc (for
// reading Lambda's JSON platform records); it reports false for malformed
// JSON. Values alias doc or are copied.
func flattenJSON(doc string, leaf func(path string, v value) bool) bool {
	b := unsafe.Slice(unsafe.StringData(doc), len(doc))
	s := jsonscan.New(b)
	s.SetMaxDepth(maxJSONDepth)
	var fl jsonscan.Flattener
	var arena []byte
	err := s.Flatten(&fl, func(l jsonscan.Leaf) bool {
		return leaf(string(l.Path), leafValue(l, b, &arena))
	})
	return err == nil
}
