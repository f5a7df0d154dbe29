package jsonscan

import (
	"strings"
	"testing"
)

// flatReference is FlatObject written with the Scanner: what the definition says, read the
// slow way.
func flatReference(d []byte, max int) bool {
	s := New(d)
	if s.Peek() != Object || s.Object() != nil {
		return false
	}
	for n := 0; ; n++ {
		k, ok, err := s.Member()
		if err != nil {
			return false
		}
		if !ok {
			return s.End() == nil
		}
		if n == max || !k.Plain {
			return false
		}
		switch s.Peek() {
		case String:
			if x, err := s.Str(); err != nil || !x.Plain {
				return false
			}
		case Number, True, False, Null:
			if s.Skip() != nil {
				return false
			}
		default:
			return false
		}
	}
}

// findReference returns the first member of d with the key, read with the Scanner.
func findReference(d []byte, key string) (raw []byte, kind Kind, ok bool) {
	s := New(d)
	if s.Object() != nil {
		return nil, Invalid, false
	}
	for {
		k, ok, err := s.Member()
		if err != nil || !ok {
			return nil, Invalid, false
		}
		kind := s.Peek()
		if string(k.Value()) == key {
			switch kind {
			case String:
				x, err := s.Str()
				return x.Value(), String, err == nil
			case Number:
				n, err := s.Number()
				return n, Number, err == nil
			case True, False, Null:
				start := s.Pos()
				err := s.Skip()
				return d[start:s.Pos()], kind, err == nil
			}
			return nil, Invalid, false
		}
		if s.Skip() != nil {
			return nil, Invalid, false
		}
	}
}

var flatCases = []struct {
	doc  string
	flat bool
}{
	{`{}`, true},
	{"  {\t}\n", true},
	{`{"level":"INFO","latency_ms":12,"ok":true,"no":false,"x":null,"f":-1.5e3}`, true},
	{` { "a" : "b" , "c" : 1 } `, true},
	{`{"a":"é"}`, true},
	{`{"a":{"b":1}}`, false},     // nested object
	{`{"a":[1]}`, false},         // array
	{`{"a":"x\ny"}`, false},      // an escape
	{`{"a\"":1}`, false},         // an escape in a key
	{"{\"a\":\"\xff\"}", false},  // invalid UTF-8
	{`{"a":1}x`, false},          // text after
	{`x{"a":1}`, false},          // text before
	{`{"a":1,}`, false},          // trailing comma
	{`{"a":01}`, false},          // a malformed number
	{`{"a":tru}`, false},         // a malformed literal
	{`{"a" 1}`, false},           // no colon
	{`{"a":1`, false},            // unterminated
	{`{"a":"b`, false},           // unterminated string
	{`[1,2]`, false},             // not an object
	{`"a"`, false},               // not an object
	{``, false},                  //
	{`{"a":1 "b":2}`, false},     // no comma
	{"{\"a\":\"\x01\"}", false},  // a control character
	{`{"a":1,"a":2}`, true},      // duplicate keys: allowed, the first is found
	{`{"a":"b","b":"a"}`, true},  //
	{`{"a":"a","x":"a:"}`, true}, //
	{`{"a":1,"b":"c"} ` + "\n", true},
}

func TestFlatObject(t *testing.T) {
	for _, c := range flatCases {
		if got := FlatObject([]byte(c.doc), 200); got != c.flat {
			t.Errorf("FlatObject(%q) = %v, want %v", c.doc, got, c.flat)
		}
		if got := flatReference([]byte(c.doc), 200); got != c.flat {
			t.Errorf("flatReference(%q) = %v, want %v (the test's reference is wrong)", c.doc, got, c.flat)
		}
	}
	// The member limit.
	var b strings.Builder
	b.WriteString("{")
	for i := range 200 {
		if i > 0 {
			b.WriteString(",")
		}
		b.WriteString(`"k":1`)
	}
	doc := b.String() + "}"
	if !FlatObject([]byte(doc), 200) || FlatObject([]byte(doc), 199) {
		t.Errorf("a flat object of 200 members: FlatObject(200) must be true, FlatObject(199) false")
	}
}

func TestFlatKey(t *testing.T) {
	docs := []string{
		`{"level":"INFO","latency_ms":12,"ok":true,"no":false,"x":null,"f":-1.5e3}`,
		` { "a" : "b" , "c" : 1 } `,
		`{"a":1,"a":2}`,
		`{"a":"b","b":"a"}`,
		`{"x":"a","a":"x"}`,
		`{"m":"a:","a":7}`,
		`{"v":",","x":1,",":2}`,
		`{"v":"a",":x":1}`,
		`{"":"empty","e":""}`,
		`{}`,
	}
	keys := []string{"level", "latency_ms", "ok", "no", "x", "f", "a", "b", "c", "m", "v", ",", ":x", "", "e", "missing", `"`, "lev"}
	for _, doc := range docs {
		if !FlatObject([]byte(doc), 200) {
			t.Fatalf("%q is not flat", doc)
		}
		for _, key := range keys {
			checkFind(t, []byte(doc), key)
		}
	}
	raw, kind, ok := NewFlatKey("latency_ms").Find([]byte(docs[0]))
	if string(raw) != "12" || kind != Number || !ok {
		t.Errorf("latency_ms: %q %v %v, want 12 number true", raw, kind, ok)
	}
}

func checkFind(t *testing.T, doc []byte, key string) {
	t.Helper()
	raw, kind, ok := NewFlatKey(key).Find(doc)
	wraw, wkind, wok := findReference(doc, key)
	if ok != wok || kind != wkind || string(raw) != string(wraw) {
		t.Errorf("Find(%q) in %q = %q %v %v, want %q %v %v", key, doc, raw, kind, ok, wraw, wkind, wok)
	}
}

// FuzzFlat checks FlatObject against its definition (written with the Scanner) and, for a
// flat document, FlatKey.Find against reading the members, for the document's keys and
// another. Neither may panic on anything.
func FuzzFlat(f *testing.F) {
	for _, c := range flatCases {
		f.Add([]byte(c.doc), "a")
	}
	f.Fuzz(func(t *testing.T, doc []byte, key string) {
		flat := FlatObject(doc, 8)
		if want := flatReference(doc, 8); flat != want {
			t.Fatalf("FlatObject(%q) = %v, the definition says %v", doc, flat, want)
		}
		NewFlatKey(key).Find(doc) // any document: no panic
		if !flat {
			return
		}
		checkFind(t, doc, key)
		s := New(doc)
		s.Object()
		for {
			k, ok, err := s.Member()
			if err != nil || !ok {
				break
			}
			checkFind(t, doc, string(k.Raw))
			s.Skip()
		}
	})
}
