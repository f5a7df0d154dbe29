package filterpattern

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"unicode/utf8"
)

// FuzzParseMatch parses arbitrary patterns and matches them against
// arbitrary events: nothing may panic, every error must be a *SyntaxError
// that points inside the pattern, and Match, MatchBytes and Extract must
// agree.
func FuzzParseMatch(f *testing.F) {
	for _, c := range matchCases {
		f.Add(c.pattern, c.event)
	}
	for _, c := range errorCases {
		f.Add(c.pattern, "x")
	}
	f.Fuzz(func(t *testing.T, pattern, event string) {
		p, err := Parse(pattern)
		if err != nil {
			var se *SyntaxError
			if !errors.As(err, &se) {
				t.Fatalf("Parse(%q) returned %T, want *SyntaxError", pattern, err)
			}
			if se.Offset < 0 || se.Offset > len(pattern) {
				t.Fatalf("Parse(%q) error offset %d outside the pattern", pattern, se.Offset)
			}
			return
		}
		if p.RegexCount() > MaxRegexes {
			t.Fatalf("Parse(%q) accepted %d regexes", pattern, p.RegexCount())
		}
		m := p.Match(event)
		if p.MatchBytes([]byte(event)) != m {
			t.Fatalf("%q on %q: Match and MatchBytes disagree", pattern, event)
		}
		vals, ok := p.Extract(event)
		if ok != m {
			t.Fatalf("%q on %q: Match and Extract disagree", pattern, event)
		}
		if ok && p.Kind() == SpaceDelimited {
			n := 0
			for i, more := 0, true; ; n++ {
				if _, i, more = nextField(event, i); !more {
					break
				}
			}
			if len(vals) != n {
				t.Fatalf("%q on %q: extracted %d values from %d fields", pattern, event, len(vals), n)
			}
		}
	})
}

// FuzzJSONLookup runs the JSON scanner over arbitrary documents and, for
// well-formed documents without duplicate keys, checks what it finds against
// encoding/json.
func FuzzJSONLookup(f *testing.F) {
	f.Add(docTrail, "objectList", 1, "id")
	f.Add(docUsers, "coordinates", 2, "x")
	f.Add(`{"a":"\u00e9\"","b":[1,{"c":null}]}`, "b", 1, "c")
	f.Add(`{"k\u0041":[{"x":"\\\\"},"s"]}`, "kA", 0, "x")
	f.Fuzz(func(t *testing.T, doc, key string, idx int, key2 string) {
		idx = int(uint(idx) % 4)
		path := []step{{key: key}, {index: idx, isIdx: true}, {key: key2}}
		var root any
		d := json.NewDecoder(strings.NewReader(doc))
		d.UseNumber()
		checkable := utf8.ValidString(doc) && d.Decode(&root) == nil && !d.More() && json.Valid([]byte(doc)) && !hasDuplicateKeys(doc)
		for n := 1; n <= len(path); n++ {
			k, raw := jsonLookup(doc, path[:n])
			if k == jString {
				raw = string(appendUnescaped(nil, raw))
			}
			if !checkable {
				continue
			}
			wantK, wantRaw := walk(root, path[:n])
			if k != wantK || (k == jString || k == jNumber) && raw != wantRaw {
				t.Fatalf("%q at %v: got %v %q, want %v %q", doc, path[:n], k, raw, wantK, wantRaw)
			}
		}
	})
}

// jsonLookup finds the value at path in doc with a walker.
func jsonLookup(doc string, path []step) (jkind, string) {
	root, n := &selNode{sel: -1}, 0
	root.add(path, &n)
	w := walker{doc: doc, left: 1}
	if _, ok := w.walk(skipWS(doc, 0), root); !ok {
		return jInvalid, ""
	}
	return w.vals[0].kind, w.vals[0].raw
}

// walk follows path through a document decoded by encoding/json.
func walk(v any, path []step) (jkind, string) {
	for _, st := range path {
		switch c := v.(type) {
		case map[string]any:
			if st.isIdx {
				return jMissing, ""
			}
			var ok bool
			if v, ok = c[st.key]; !ok {
				return jMissing, ""
			}
		case []any:
			if !st.isIdx || st.index >= len(c) {
				return jMissing, ""
			}
			v = c[st.index]
		default:
			return jMissing, ""
		}
	}
	switch c := v.(type) {
	case string:
		return jString, c
	case json.Number:
		return jNumber, string(c)
	case bool:
		if c {
			return jTrue, ""
		}
		return jFalse, ""
	case nil:
		return jNull, ""
	case []any:
		return jArray, ""
	}
	return jObject, ""
}

// hasDuplicateKeys reports whether an object in the well-formed document doc
// has a key twice (encoding/json keeps the last, the scanner the first).
func hasDuplicateKeys(doc string) bool {
	d := json.NewDecoder(strings.NewReader(doc))
	type frame struct {
		keys  map[string]bool
		isObj bool
		inKey bool
	}
	var stack []frame
	for {
		tok, err := d.Token()
		if err != nil {
			return false
		}
		top := len(stack) - 1
		if k, isKey := tok.(string); isKey && top >= 0 && stack[top].isObj && stack[top].inKey {
			if stack[top].keys[k] {
				return true
			}
			stack[top].keys[k] = true
			stack[top].inKey = false
			continue
		}
		switch tok {
		case json.Delim('{'):
			stack = append(stack, frame{keys: map[string]bool{}, isObj: true, inKey: true})
			continue
		case json.Delim('['):
			stack = append(stack, frame{})
			continue
		case json.Delim('}'), json.Delim(']'):
			stack = stack[:top]
		}
		if top := len(stack) - 1; top >= 0 && stack[top].isObj {
			stack[top].inKey = true
		}
	}
}
