package jsonscan

import (
	"strings"
	"testing"
)

// event is a typical structured log line: nested objects and arrays, escapes, numbers.
const event = `{"level":"ERROR","msg":"payment failed: \"card declined\"","service":"payments",` +
	`"request":{"id":"c6af9ac6-7b61-11e6-9a41-93e812345678","path":"/api/v1/pay","ms":12.5,"retry":false},` +
	`"items":[{"sku":"A-1","qty":2},{"sku":"B-7","qty":1}],"user":null,"tags":["prod","eu-west-1"],"city":"K\u00f8benhavn"}`

// readEvent reads every value of doc with the structured reads, decoding the strings into
// buf.
func readEvent[T string | []byte](doc T, buf []byte) ([]byte, error) {
	s := New(doc)
	var walk func() error
	walk = func() error {
		switch s.Peek() {
		case Object:
			if err := s.Object(); err != nil {
				return err
			}
			for {
				key, ok, err := s.Member()
				if err != nil || !ok {
					return err
				}
				buf = AppendUnescaped(buf[:0], key.Raw)
				if err := walk(); err != nil {
					return err
				}
			}
		case Array:
			if err := s.Array(); err != nil {
				return err
			}
			for {
				ok, err := s.Element()
				if err != nil || !ok {
					return err
				}
				if err := walk(); err != nil {
					return err
				}
			}
		case String:
			x, err := s.Str()
			if !x.Plain {
				buf = AppendUnescaped(buf[:0], x.Raw)
			}
			return err
		case Number:
			_, err := s.Number()
			return err
		case True, False:
			_, err := s.Bool()
			return err
		}
		if !s.Null() {
			return errValue
		}
		return nil
	}
	if err := walk(); err != nil {
		return buf, err
	}
	return buf, s.End()
}

// TestNoAllocations proves the hot paths allocation-free: reading, skipping (members
// too), decoding into a buffer that has grown, flattening with a Flattener that has grown,
// and failing.
func TestNoAllocations(t *testing.T) {
	docB := []byte(event)
	deep := strings.Repeat(`[{"a":`, 5000) + "1" + strings.Repeat("}]", 5000)
	malformed := strings.Replace(event, `"qty":1}`, `"qty":1,}`, 1)
	buf := make([]byte, 0, 256)
	var f Flattener
	leaves := 0
	visit := func(Leaf) bool { leaves++; return true }
	for name, fn := range map[string]func(){
		"read string": func() {
			if _, err := readEvent(event, buf); err != nil {
				t.Fatal(err)
			}
		},
		"read []byte": func() {
			if _, err := readEvent(docB, buf); err != nil {
				t.Fatal(err)
			}
		},
		"skip string": func() {
			s := New(event)
			if err := s.Skip(); err != nil {
				t.Fatal(err)
			}
		},
		"skip []byte": func() {
			s := New(docB)
			if err := s.Skip(); err != nil {
				t.Fatal(err)
			}
		},
		"flatten string": func() {
			s := New(event)
			if err := s.Flatten(&f, visit); err != nil {
				t.Fatal(err)
			}
		},
		"flatten []byte": func() {
			s := New(docB)
			if err := s.Flatten(&f, visit); err != nil {
				t.Fatal(err)
			}
		},
		"skip members string": func() { skipMembers(t, event) },
		"skip members []byte": func() { skipMembers(t, docB) },
		"skip deep": func() {
			s := New(deep)
			s.SetMaxDepth(0)
			if err := s.Skip(); err != nil {
				t.Fatal(err)
			}
		},
		"malformed": func() {
			s := New(malformed)
			if s.Skip() == nil {
				t.Fatal("no error")
			}
			s = New(malformed)
			if s.Flatten(&f, visit) == nil {
				t.Fatal("no error")
			}
		},
	} {
		fn() // grow the buffers
		if n := testing.AllocsPerRun(100, fn); n != 0 {
			t.Errorf("%s: %v allocations, want 0", name, n)
		}
	}
	if leaves == 0 {
		t.Fatal("Flatten visited nothing")
	}
}

// skipMembers reads the object doc with SkipScalarMembers, as a caller looking for the keys
// that start with "i" does, and SkipMembers after the first such key.
func skipMembers[T string | []byte](t *testing.T, doc T) {
	var starts ByteSet
	starts.Add('i')
	s := New(doc)
	if err := s.Object(); err != nil {
		t.Fatal(err)
	}
	if n := s.SkipScalarMembers(&starts, nil, 100); n != 3 {
		t.Fatalf("SkipScalarMembers passed over %d members, want 3", n)
	}
	if err := s.SkipMembers(); err != nil {
		t.Fatal(err)
	}
}

// Values stored here escape, as a caller's would.
var (
	sinkString string
	sinkBytes  []byte
)

// TestValueAllocatesOnce checks that Str.Value costs one allocation for a string that needs
// decoding, whatever the kind of document, and none for a plain one.
func TestValueAllocatesOnce(t *testing.T) {
	for doc, want := range map[string]float64{`"plain"`: 0, `"a\nb\"c\""`: 1, `"caf\u00e9 \ud83d\ude00"`: 1} {
		n, nb := valueAllocs(t, doc, &sinkString), valueAllocs(t, []byte(doc), &sinkBytes)
		if n != want || nb != want {
			t.Errorf("%s: Value allocates %v times (string), %v times ([]byte), want %v", doc, n, nb, want)
		}
	}
}

// valueAllocs returns the allocations of reading the string doc and storing its value in
// sink, where it escapes.
func valueAllocs[T string | []byte](t *testing.T, doc T, sink *T) float64 {
	return testing.AllocsPerRun(100, func() {
		s := New(doc)
		x, err := s.Str()
		if err != nil {
			t.Fatal(err)
		}
		*sink = x.Value()
	})
}
