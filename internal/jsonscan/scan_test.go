package jsonscan

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"reflect"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/lambdalog/lambdalog/internal/jsonstr"
)

// documents are valid and invalid JSON texts; the tests check every one against encoding/json.
var documents = []string{
	`{}`, `[]`, `""`, `0`, `-0`, `1.5e-3`, `-12.25E+10`, `true`, `false`, `null`, ` {"a" : [ 1 , 2 ] } `,
	`{"a":{"b":[1,{"c":null}],"d":"e"},"f":[[],{}],"g":true}`,
	`"a\u00e9\n\"\\\/\b\f\r\t"`, `"\ud83d\ude00"`, `"\ud800"`, `"\udc00\ud800"`, `"\ud800\u0041"`, `"\uD834\uDD1E"`,
	"\"\xff\xfe\"", "\"\xed\xa0\x80\"", "\"caf\xc3\xa9\"", "\"\xc3\"", `"\u0000"`,
	`{"a":1,"a":2}`, `{"a":"x","b":-1.5e3,"c":true,"d":false,"e":null,"f":{"g":1},"h":"i"}`, `{ "a" : "b" , "c" : 2 }`,
	`{"a\u0062":"\"q\"","\u0061":1,"é":2,"":3,"x":"caf\u00e9\n"}`, "{\"a\":\"\xff\",\"b\":1}", `[1,[2,[3,[4]]]]`, "\t\r\n[ \t\r\n1 \t\r\n] \t\r\n",
	// Invalid.
	``, ` `, `{`, `}`, `[`, `]`, `[1,]`, `[,1]`, `[1 2]`, `{"a":1,}`, `{,"a":1}`, `{"a" 1}`, `{"a":}`, `{a:1}`,
	`{'a':1}`, `{"a":1 "b":2}`, `{"a":1]`, `[1}`, `01`, `1.`, `.5`, `+1`, `1e`, `1e+`, `-`, `--1`, `0x1`,
	`NaN`, `tru`, `nul`, `falsey`, `True`, `"abc`, `"a\x"`, `"\u12"`, `"\u12g4"`, "\"a\x01b\"", "\"\\", `"\`,
	`1 2`, `{} {}`, `[1] x`, `/* c */ 1`, "\v1", "\f1", "\u00a01", `"a"b`, `[true false]`, `{"a":[}`,
	`{"a":1,"b":2,}`, `{"a":"b" "c":1}`, `{"a":tru}`, `{"a":01}`, "{\"a\":\"x\x01\"}", `{"a":"x\q"}`, `{"a":"x`, `{"a"`, `{"a":`,
}

// readAll reads the value at s with the structured reads, as encoding/json decodes into an any
// with UseNumber, checking at every value that Skip ends where the structured read does.
func readAll[T string | []byte](t *testing.T, s *Scanner[T]) (any, error) {
	t.Helper()
	skipped := *s
	skipErr := skipped.Skip()
	v, err := readValue(t, s)
	if (err == nil) != (skipErr == nil) || err == nil && s.Pos() != skipped.Pos() {
		t.Fatalf("%q: read ends at %d (%v), Skip at %d (%v)", s.data, s.Pos(), err, skipped.Pos(), skipErr)
	}
	return v, err
}

func readValue[T string | []byte](t *testing.T, s *Scanner[T]) (any, error) {
	switch s.Peek() {
	case Object:
		if err := s.Object(); err != nil {
			return nil, err
		}
		m := map[string]any{}
		var rests []Scanner[T] // saved before each member, to check SkipMembers from there
		var members []member   // the members read, to check SkipScalarMembers
		err := func() error {
			for {
				rests = append(rests, *s)
				key, ok, err := s.Member()
				if err != nil || !ok {
					return err
				}
				members = append(members, member{raw: string(key.Raw), kind: s.Peek()})
				if m[string(key.Value())], err = readAll(t, s); err != nil {
					return err
				}
			}
		}()
		checkSkipScalarMembers(t, s, rests, members, err)
		checkRests(t, s, rests, err, (*Scanner[T]).SkipMembers)
		return m, err
	case Array:
		if err := s.Array(); err != nil {
			return nil, err
		}
		a := []any{}
		var rests []Scanner[T] // saved before each element, to check SkipElements from there
		err := func() error {
			for {
				rests = append(rests, *s)
				ok, err := s.Element()
				if err != nil || !ok {
					return err
				}
				v, err := readAll(t, s)
				if err != nil {
					return err
				}
				a = append(a, v)
			}
		}()
		checkRests(t, s, rests, err, (*Scanner[T]).SkipElements)
		return a, err
	case String:
		x, err := s.Str()
		if err == nil && x.Plain != (utf8.Valid([]byte(x.Raw)) && !bytes.ContainsRune([]byte(x.Raw), '\\')) {
			t.Fatalf("%q: Plain %v", x.Raw, x.Plain)
		}
		return string(x.Value()), err
	case Number:
		n, err := s.Number()
		return json.Number(n), err
	case True, False:
		return s.Bool()
	case Null:
		if !s.Null() {
			return nil, errLiteral
		}
		return nil, nil
	}
	return nil, errValue
}

// checkRests checks that skipping the rest of an object or array with skip, from each of the
// scanners saved in rests (before each member or element), agrees with the structured read
// of the container, which ended at s with err: it ends at the same place on success, and fails
// too on failure.
func checkRests[T string | []byte](t *testing.T, s *Scanner[T], rests []Scanner[T], err error, skip func(*Scanner[T]) error) {
	t.Helper()
	if len(rests) > 4 { // the start, the middle and the end are enough
		rests = append(rests[:2], rests[len(rests)-2:]...)
	}
	for _, r := range rests {
		skipErr := skip(&r)
		if (skipErr == nil) != (err == nil) || err == nil && (r.Pos() != s.Pos() || r.depth != s.depth || r.first) {
			t.Fatalf("%q: skipping the rest from %d ends at %d depth %d (%v), the structured read at %d depth %d (%v)",
				s.data, rests[0].Pos(), r.Pos(), r.depth, skipErr, s.Pos(), s.depth, err)
		}
	}
}

// member is a member of an object as the structured reads found it: its raw key and the kind
// of its value.
type member struct {
	raw  string
	kind Kind
}

// checkSkipScalarMembers checks SkipScalarMembers from each of the scanners saved in rests
// (before each member of an object whose members the structured read found, and which ended
// at s with err), with no byte in its set, the first byte of the next key and every byte,
// with no pass and one that passes the keys of even length, and with limits of 1 and more
// than the members: it passes over only members it may, all of those when the object is
// well-formed, and the reads that follow it (Member and Skip) end where the structured read
// ended, or fail if it failed.
func checkSkipScalarMembers[T string | []byte](t *testing.T, s *Scanner[T], rests []Scanner[T], members []member, err error) {
	t.Helper()
	// pass passes over the keys of even length.
	pass := func(key []byte) bool { return len(key)%2 == 0 }
	passes := func(m member, starts *ByteSet, pass func([]byte) bool) bool {
		if m.kind < String || m.raw == "" || m.raw[0] >= utf8.RuneSelf || m.raw[0] == '\\' {
			return false
		}
		if !starts.Has(m.raw[0]) {
			return true
		}
		for _, c := range []byte(m.raw) {
			if c >= utf8.RuneSelf || c == '\\' || c < ' ' {
				return false
			}
		}
		return pass != nil && pass([]byte(m.raw))
	}
	for k, r := range rests {
		var sets []ByteSet
		sets = append(sets, ByteSet{})
		if k < len(members) && members[k].raw != "" {
			var b ByteSet
			b.Add(members[k].raw[0])
			sets = append(sets, b)
		}
		var all ByteSet
		for c := range 256 {
			all.Add(byte(c))
		}
		sets = append(sets, all)
		for _, starts := range sets {
			for _, limit := range []int{1, len(members) + 1} {
				for _, pass := range []func([]byte) bool{nil, pass} {
					c := r
					n := c.SkipScalarMembers(&starts, pass, limit)
					if n > limit || k+n > len(members) {
						t.Fatalf("%q: SkipScalarMembers from member %d passed over %d members (limit %d) of %d", s.data, k, n, limit, len(members))
					}
					for _, m := range members[k : k+n] {
						if !passes(m, &starts, pass) {
							t.Fatalf("%q: SkipScalarMembers from member %d passed over %+v", s.data, k, m)
						}
					}
					if err == nil && n < limit && k+n < len(members) && passes(members[k+n], &starts, pass) {
						t.Fatalf("%q: SkipScalarMembers from member %d stopped before %+v", s.data, k, members[k+n])
					}
					rerr := func() error {
						for {
							_, ok, err := c.Member()
							if err != nil || !ok {
								return err
							}
							if err := c.Skip(); err != nil {
								return err
							}
						}
					}()
					if (rerr == nil) != (err == nil) || err == nil && (c.Pos() != s.Pos() || c.depth != s.depth) {
						t.Fatalf("%q: reading on after SkipScalarMembers from member %d ends at %d (%v), the structured read at %d (%v)",
							s.data, k, c.Pos(), rerr, s.Pos(), err)
					}
				}
			}
		}
	}
}

// checkDocument reads doc with both kinds of Scanner and compares the outcome with
// encoding/json's.
func checkDocument(t *testing.T, doc []byte) {
	var want any
	d := json.NewDecoder(bytes.NewReader(doc))
	d.UseNumber()
	wantErr := d.Decode(&want)
	valid := json.Valid(doc)
	check := func(name string, got any, err error) {
		t.Helper()
		if (err == nil) != valid {
			t.Fatalf("%s %q: error %v, json.Valid %v", name, doc, err, valid)
		}
		if valid && (wantErr != nil || !reflect.DeepEqual(got, want)) {
			t.Fatalf("%s %q: read %#v, encoding/json %#v (%v)", name, doc, got, want, wantErr)
		}
	}
	s := New(doc)
	got, err := readAll(t, &s)
	if err == nil {
		err = s.End()
	}
	check("[]byte", got, err)
	ss := New(string(doc))
	got, err = readAll(t, &ss)
	if err == nil {
		err = ss.End()
	}
	check("string", got, err)
	if err != nil {
		var se *SyntaxError
		if !errors.As(err, &se) {
			t.Fatalf("%q: error %T, want *SyntaxError", doc, err)
		}
		if ss.Pos() < 0 || ss.Pos() > len(doc) {
			t.Fatalf("%q: error at %d, outside the document", doc, ss.Pos())
		}
	}
}

// FuzzScanner checks that the scanner accepts what encoding/json accepts, reads the same values
// and that Skip ends where the structured reads end; its seeds, run by go test, are the
// documents above.
func FuzzScanner(f *testing.F) {
	for _, doc := range documents {
		f.Add([]byte(doc))
	}
	f.Fuzz(checkDocument)
}

func TestDepth(t *testing.T) {
	for _, n := range []int{MaxDepth - 1, MaxDepth, MaxDepth + 1} {
		for _, doc := range []string{
			strings.Repeat("[", n) + strings.Repeat("]", n),
			strings.Repeat(`{"a":`, n) + "1" + strings.Repeat("}", n),
			strings.Repeat("[ ", n) + "{}" + strings.Repeat("] ", n),
		} {
			s := New(doc)
			err := s.Skip()
			if valid := json.Valid([]byte(doc)); (err == nil) != valid || !valid && err != ErrTooDeep {
				t.Fatalf("%.10q... depth %d: Skip error %v, json.Valid %v", doc, n, err, valid)
			}
		}
		// Levels entered with Array count towards the limit of what Skip reads inside them.
		doc := strings.Repeat("[", n) + strings.Repeat("]", n)
		s := New(doc)
		err := s.Array()
		if err == nil {
			_, err = s.Element()
		}
		if err == nil {
			err = s.Skip()
		}
		if (err == nil) != (n <= MaxDepth) {
			t.Fatalf("depth %d, one level entered: error %v", n, err)
		}
	}
	// Without a limit, Skip reads any nesting.
	deep := strings.Repeat(`[{"a":`, 50_000) + "1" + strings.Repeat("}]", 50_000)
	s := New(deep)
	s.SetMaxDepth(0)
	if err := s.Skip(); err != nil || s.Pos() != len(deep) {
		t.Fatalf("no limit: Skip error %v at %d", err, s.Pos())
	}
	s = New(deep[:len(deep)-1])
	s.SetMaxDepth(0)
	if err := s.Skip(); err == nil {
		t.Fatal("no limit: Skip accepted an unclosed array")
	}
	s = New(deep)
	s.SetMaxDepth(3)
	if err := s.Skip(); err != ErrTooDeep || s.Pos() != 7 { // the fourth level
		t.Fatalf("limit 3: Skip error %v at %d", err, s.Pos())
	}
	s = New(strings.Repeat("[", MaxDepth+1))
	for range MaxDepth {
		if err := s.Array(); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.Array(); err != ErrTooDeep {
		t.Fatalf("Array beyond MaxDepth: %v", err)
	}
}

// TestSkipDeep checks Skip against encoding/json on documents nested around and beyond the
// levels where it switches to a recursive call (every 64), well-formed and with one byte
// changed.
func TestSkipDeep(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	valid := 0
	for range 2000 {
		depth := 1 + rng.IntN(300)
		var open strings.Builder
		var closers []string
		for range depth {
			switch rng.IntN(3) {
			case 0:
				open.WriteString("[")
				closers = append(closers, "]")
			case 1:
				open.WriteString(`[1, `)
				closers = append(closers, ` ,2]`)
			default:
				open.WriteString(`{"k": `)
				closers = append(closers, "}")
			}
		}
		slices.Reverse(closers)
		doc := []byte(open.String() + "0" + strings.Join(closers, ""))
		if rng.IntN(2) == 0 {
			doc[rng.IntN(len(doc))] = "[]{},: 0\"x"[rng.IntN(10)]
		}
		s := New(doc)
		err := s.Skip()
		if err == nil {
			err = s.End()
		}
		ok := json.Valid(doc)
		if (err == nil) != ok {
			t.Fatalf("%s: Skip error %v, json.Valid %v", doc, err, ok)
		}
		if ok {
			valid++
		}
	}
	if valid < 1000 || valid == 2000 {
		t.Fatalf("%d of 2000 documents well-formed, want about half", valid)
	}
}

func TestErrorPositions(t *testing.T) {
	for _, c := range []struct {
		doc  string
		pos  int
		want string
	}{
		{`{"a":1 "b":2}`, 7, "expected ',' or '}' in an object"},
		{`[1,2 3]`, 5, "expected ',' or ']' in an array"},
		{`{"a" 1}`, 5, "expected ':' after an object key"},
		{`{1:2}`, 1, "expected an object key"},
		{`"ab\qc"`, 3, "invalid escape in a string"},
		{"\"ab\ncd\"", 3, "control character in a string"},
		{`"abc`, 4, "unterminated string"},
		{`[1.]`, 1, "invalid number"},
		{`[tru]`, 1, "invalid literal"},
		{`[1] 2`, 4, "unexpected data after the top-level value"},
	} {
		s := New(c.doc)
		err := s.Skip()
		if err == nil {
			err = s.End()
		}
		if err == nil || err.Error() != c.want || s.Pos() != c.pos {
			t.Errorf("%q: error %v at %d, want %q at %d", c.doc, err, s.Pos(), c.want, c.pos)
		}
	}
}

// TestMisuse checks the errors for reading a value of another kind than the one that comes.
func TestMisuse(t *testing.T) {
	for _, c := range []struct {
		doc  string
		read func(*Scanner[string]) error
		want string
	}{
		{`[]`, (*Scanner[string]).Object, "expected an object"},
		{`{}`, (*Scanner[string]).Array, "expected an array"},
		{`1`, func(s *Scanner[string]) error { _, err := s.Str(); return err }, "expected a string"},
		{`"1"`, func(s *Scanner[string]) error { _, err := s.Number(); return err }, "invalid number"},
		{`null`, func(s *Scanner[string]) error { _, err := s.Bool(); return err }, "expected a boolean"},
		{`nul`, func(s *Scanner[string]) error {
			if s.Null() {
				return nil
			}
			return errors.New("no null")
		}, "no null"},
	} {
		s := New(c.doc)
		if err := c.read(&s); err == nil || err.Error() != c.want || s.Pos() != 0 {
			t.Errorf("%q: error %v at %d, want %q at 0", c.doc, err, s.Pos(), c.want)
		}
	}
}

func TestStr(t *testing.T) {
	for _, c := range []struct {
		doc, raw, value string
		plain           bool
	}{
		{`"plain text, long enough for words"`, "plain text, long enough for words", "plain text, long enough for words", true},
		{`"café"`, "café", "café", true},
		{`"a\"b"`, `a\"b`, `a"b`, false},
		{`"\u00e9\ud83d\ude00"`, `\u00e9\ud83d\ude00`, "é😀", false},
		{`"\ud800x"`, `\ud800x`, "\ufffdx", false},
		{`"\udc00\ud800"`, `\udc00\ud800`, "\ufffd\ufffd", false},
		{"\"a\xffb\"", "a\xffb", "a\ufffdb", false},
		{"\"\xed\xa0\x80\"", "\xed\xa0\x80", "\ufffd\ufffd\ufffd", false},
	} {
		s := New(c.doc)
		x, err := s.Str()
		if err != nil || x.Raw != c.raw || x.Plain != c.plain || x.Value() != c.value || s.Pos() != len(c.doc) {
			t.Errorf("%q: Str %+v %v, Value %q, at %d; want raw %q plain %v value %q", c.doc, x, err, x.Value(), s.Pos(), c.raw, c.plain, c.value)
		}
		b := New([]byte(c.doc))
		xb, err := b.Str()
		if err != nil || string(xb.Value()) != c.value || xb.Plain != c.plain {
			t.Errorf("%q as []byte: %+v %v", c.doc, xb, err)
		}
	}
}

// TestAccept checks a fast path over an expected form and the fallback from a saved copy.
func TestAccept(t *testing.T) {
	for doc, want := range map[string]string{
		` {"id": 7}`: "fast 7", `{ "id":7}`: "slow 7", `{"id":"x"}`: "slow x", `{"id":7,"a":1}`: "slow 7",
	} {
		s := New(doc)
		saved := s
		var got string
		if s.Accept(`{"id":`) {
			if n, err := s.Number(); err == nil && s.Accept("}") {
				got = "fast " + n
			}
		}
		if got == "" {
			s = saved
			if err := s.Object(); err != nil {
				t.Fatal(err)
			}
			for {
				key, more, err := s.Member()
				if err != nil || !more {
					break
				}
				if key.Raw != "id" {
					s.Skip()
					continue
				}
				if s.Peek() == String {
					x, _ := s.Str()
					got = "slow " + x.Raw
				} else {
					n, _ := s.Number()
					got = "slow " + n
				}
			}
		}
		if got != want || s.End() != nil {
			t.Errorf("%s: %q, End %v; want %q", doc, got, s.End(), want)
		}
	}
}

// TestAppendUnescapedMalformed checks that contents no Scanner accepts decode without panicking:
// a backslash that starts no valid escape is kept.
func TestAppendUnescapedMalformed(t *testing.T) {
	for raw, want := range map[string]string{
		"a\"b\x01c": "a\"b\x01c", "0123456789abcdef\\n\xc3\xa9\xff": "0123456789abcdef\n\u00e9\ufffd",
		`a\`: `a\`, `\x`: `\x`, `\u12`: `\u12`, `\u12g4`: `\u12g4`, `\ud800\u12`: "\ufffd\\u12", `\ud800\`: "\ufffd\\",
	} {
		if got := string(AppendUnescaped([]byte(">"), raw)); got != ">"+want {
			t.Errorf("AppendUnescaped(%q) = %q, want %q", raw, got, ">"+want)
		}
	}
}

func FuzzAppendUnescaped(f *testing.F) {
	f.Add(`a\u00e9\ud83d\ude00\ud800\"\\\/\b\f\n\r\t`)
	f.Add("\xff\\u12")
	f.Fuzz(func(t *testing.T, raw string) {
		got := AppendUnescaped(nil, raw)
		if !utf8.Valid(got) {
			t.Fatalf("AppendUnescaped(%q) = %q: invalid UTF-8", raw, got)
		}
		var want string
		if err := json.Unmarshal([]byte(`"`+raw+`"`), &want); err == nil && string(got) != want {
			t.Fatalf("AppendUnescaped(%q) = %q, encoding/json %q", raw, got, want)
		}
	})
}

// TestIndexStop checks the eight-bytes-at-once search against a byte-by-byte one, for every
// byte value at every position of a word, and on random mixes of the bytes around the
// thresholds, where borrows between bytes could hide a byte or invent one. It checks
// jsonstr.HasSpecial, the writer's word test, which must agree with it.
func TestIndexStop(t *testing.T) {
	stops := func(c byte, high uint64) bool {
		return c == '"' || c == '\\' || c < ' ' || c >= utf8.RuneSelf && high != 0
	}
	naive := func(s []byte, high uint64) int {
		for i, c := range s {
			if stops(c, high) {
				return i
			}
		}
		return len(s)
	}
	check := func(s []byte) {
		for _, high := range []uint64{0, highs} {
			if got, want := indexStop(s, 0, high), naive(s, high); got != want {
				t.Fatalf("indexStop(% x, high %#x) = %d, want %d", s, high, got, want)
			}
		}
		if len(s) == 8 {
			if got, want := jsonstr.HasSpecial(binary.LittleEndian.Uint64(s)), naive(s, highs) < 8; got != want {
				t.Fatalf("jsonstr.HasSpecial(% x) = %v, want %v", s, got, want)
			}
		}
	}
	for pos := range 8 {
		for c := range 256 {
			w := []byte("abcdefghij")
			w[pos] = byte(c)
			check(w[:8])
			check(w)
		}
	}
	alphabet := []byte{0, 0x01, 0x1f, 0x20, 0x21, '"', 0x23, '\\', 0x5b, 0x5d, 0x7f, 0x80, 0xa2, 0xdc, 0xff, 'a'}
	rng := rand.New(rand.NewPCG(3, 4))
	for range 300_000 {
		s := make([]byte, 1+rng.IntN(20))
		for i := range s {
			s[i] = alphabet[rng.IntN(len(alphabet))]
		}
		check(s)
	}
}

func TestKindString(t *testing.T) {
	var names []string
	for k := Invalid; k <= Null+1; k++ {
		names = append(names, k.String())
	}
	if got := fmt.Sprint(names); got != "[invalid object array string number true false null invalid]" {
		t.Fatal(got)
	}
}
