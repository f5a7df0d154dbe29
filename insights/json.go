package insights

import (
	"encoding/json"
	"io"
	"strconv"
	"strings"
)

// TODO(jsonscan): replace encoding/json with internal/jsonscan once it has landed.

// flattenJSON reads the JSON value at the start of doc (after white space;
// what follows it is ignored) and calls leaf for each of its leaves in
// document order, with its dotted path (a.b, items.0.sku) and its value:
// strings, numbers (which render as written), and true and false (as
// booleans). null leaves are reported as absent values. leaf returns false
// to stop. flattenJSON reports false if doc does not start with a
// well-formed JSON object or array.
func flattenJSON(doc string, leaf func(path string, v value) bool) bool {
	dec := json.NewDecoder(strings.NewReader(doc))
	dec.UseNumber()
	t, err := dec.Token()
	if err != nil {
		return false
	}
	d, ok := t.(json.Delim)
	if !ok || d == '}' || d == ']' {
		return false
	}
	var path []string
	var idx []int // per level: the next array index, or -1 in an object
	if d == '[' {
		idx = append(idx, 0)
	} else {
		idx = append(idx, -1)
	}
	path = append(path, "")
	stopped := false
	for len(idx) > 0 {
		t, err := dec.Token()
		if err != nil {
			return false
		}
		lvl := len(idx) - 1
		if d, ok := t.(json.Delim); ok && (d == '}' || d == ']') {
			idx = idx[:lvl]
			path = path[:lvl]
			continue
		}
		if idx[lvl] < 0 {
			key, _ := t.(string)
			path[lvl] = key
			if t, err = dec.Token(); err != nil {
				return false
			}
		} else {
			path[lvl] = strconv.Itoa(idx[lvl])
			idx[lvl]++
		}
		if d, ok := t.(json.Delim); ok {
			path = append(path, "")
			if d == '[' {
				idx = append(idx, 0)
			} else {
				idx = append(idx, -1)
			}
			continue
		}
		if stopped {
			continue
		}
		var v value
		switch x := t.(type) {
		case string:
			v = strVal(x)
		case json.Number:
			f, _ := strconv.ParseFloat(string(x), 64)
			v = numText(f, string(x))
		case bool:
			v = boolVal(x)
		}
		if !leaf(strings.Join(path, "."), v) {
			stopped = true
			return true
		}
	}
	return true
}

// decodeJSON parses a whole JSON document into a value: objects become
// maps (keys in document order), arrays lists. It reports false for
// malformed JSON.
func decodeJSON(doc string) (value, bool) {
	dec := json.NewDecoder(strings.NewReader(doc))
	dec.UseNumber()
	v, ok := decodeValue(dec, 0)
	if !ok {
		return null, false
	}
	if _, err := dec.Token(); err != io.EOF {
		return null, false
	}
	return v, true
}

func decodeValue(dec *json.Decoder, depth int) (value, bool) {
	t, err := dec.Token()
	if err != nil || depth > 1000 {
		return null, false
	}
	switch x := t.(type) {
	case string:
		return strVal(x), true
	case json.Number:
		f, _ := strconv.ParseFloat(string(x), 64)
		return numText(f, string(x)), true
	case bool:
		return boolVal(x), true
	case nil:
		return null, true
	case json.Delim:
		st := &structure{}
		if x == '{' {
			st.keys = []string{}
		}
		for dec.More() {
			if x == '{' {
				k, err := dec.Token()
				if err != nil {
					return null, false
				}
				key, _ := k.(string)
				st.keys = append(st.keys, key)
			}
			v, ok := decodeValue(dec, depth+1)
			if !ok {
				return null, false
			}
			st.items = append(st.items, v)
		}
		if _, err := dec.Token(); err != nil {
			return null, false
		}
		if x == '{' {
			return value{kind: kMap, st: st}, true
		}
		return value{kind: kList, st: st}, true
	}
	return null, false
}
