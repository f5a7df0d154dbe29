package jsonscan

import "strconv"

// A Leaf is one value of a document that Flatten reports: a string, a number, true, false,
// null, or an empty object or array. Its slices are valid only until the visit function that
// receives it returns; copy what is kept.
type Leaf struct {
	// Path names the leaf from the value Flatten started at: the keys and array indexes that
	// lead to it, joined by '.', as Logs Insights names the fields of a JSON log event:
	// {"a":{"b":1},"items":[{"sku":"x"}]} has the leaves a.b and items.0.sku. Keys are
	// decoded and taken as they are (a key that holds a '.' or is empty is not escaped). The
	// path of a Flatten that starts at a scalar is empty.
	Path []byte
	// Kind is the leaf's kind: String, Number, True, False or Null; Object or Array for an
	// empty object or array.
	Kind Kind
	// Value is the leaf's text: a string's decoded value; a number's token as written; true,
	// false or null; {} or [] for an empty object or array. In a []byte document the value of
	// a plain string (see Str), a number or a literal is a slice of the document; other values
	// are held in the Flattener, which reuses the space for the next leaf.
	Value []byte
}

// A Flattener holds the buffers that Flatten reuses from one call to the next, so that once
// they have grown to the size of the documents read, flattening allocates nothing. The zero
// value is ready to use. A Flattener is not safe for concurrent use.
type Flattener struct {
	path, text []byte
	stopped    bool
}

// Flatten reads the next value and calls visit for each of its leaves, in document order.
// When visit returns false no more leaves are reported, but the rest of the value is still
// read and checked: Flatten returns nil only if the whole value is well-formed JSON, so a
// caller that must not take fields from a malformed document drops what it was given when
// Flatten returns an error. Flatten does not look past the value: End checks that the
// document ends there. It recurses once per level of nesting, as deep as the scanner's limit
// (see SetMaxDepth) allows.
func (s *Scanner[T]) Flatten(f *Flattener, visit func(Leaf) bool) error {
	f.path, f.stopped = f.path[:0], false
	return s.flatten(f, visit, false)
}

// flatten reads the value whose path f.path holds; inner is false at the top, where the
// members' paths have no leading '.'.
func (s *Scanner[T]) flatten(f *Flattener, visit func(Leaf) bool, inner bool) error {
	if f.stopped {
		return s.Skip()
	}
	var value []byte
	kind := s.Peek()
	switch kind {
	case Object, Array:
		return s.flattenContainer(f, visit, inner, kind)
	case String:
		x, err := s.Str()
		if err != nil {
			return err
		}
		if x.Plain {
			value, f.text = view(f.text, x.Raw)
		} else {
			f.text = AppendUnescaped(f.text[:0], x.Raw)
			value = f.text
		}
	case Number:
		raw, err := s.Number()
		if err != nil {
			return err
		}
		value, f.text = view(f.text, raw)
	case True, False, Null:
		start := s.pos
		if s.pos = literalEnd(s.data, start); s.pos < 0 {
			s.pos = start
			return errLiteral
		}
		value, f.text = view(f.text, s.data[start:s.pos])
	default:
		return errValue
	}
	f.stopped = !visit(Leaf{Path: f.path, Kind: kind, Value: value})
	return nil
}

// flattenContainer reads the object or array at s.
func (s *Scanner[T]) flattenContainer(f *Flattener, visit func(Leaf) bool, inner bool, kind Kind) error {
	var err error
	if kind == Object {
		err = s.Object()
	} else {
		err = s.Array()
	}
	if err != nil {
		return err
	}
	n := len(f.path)
	i := 0
	for ; ; i++ {
		var key Str[T]
		ok := false
		if kind == Object {
			key, ok, err = s.Member()
		} else {
			ok, err = s.Element()
		}
		if err != nil {
			return err
		}
		if !ok {
			break
		}
		f.path = f.path[:n]
		if inner {
			f.path = append(f.path, '.')
		}
		switch {
		case kind == Array:
			f.path = strconv.AppendInt(f.path, int64(i), 10)
		case key.Plain:
			f.path = append(f.path, key.Raw...)
		default:
			f.path = AppendUnescaped(f.path, key.Raw)
		}
		if err := s.flatten(f, visit, true); err != nil {
			return err
		}
	}
	f.path = f.path[:n]
	if i == 0 && !f.stopped {
		f.text = append(f.text[:0], "{}"...)
		if kind == Array {
			f.text = append(f.text[:0], "[]"...)
		}
		f.stopped = !visit(Leaf{Path: f.path, Kind: kind, Value: f.text})
	}
	return nil
}

// view returns raw as a []byte: raw itself for a []byte, otherwise a copy in buf, which it
// returns grown.
func view[T string | []byte](buf []byte, raw T) (value, grown []byte) {
	if b, ok := any(raw).([]byte); ok {
		return b, buf
	}
	buf = append(buf[:0], raw...)
	return buf, buf
}
