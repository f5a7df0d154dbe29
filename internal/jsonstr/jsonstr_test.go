package jsonstr

import (
	"encoding/json"
	"strings"
	"testing"
	"unicode/utf8"
)

// decoded reports what a JSON decoder reads back from Append's output.
func decoded(t *testing.T, s string) string {
	t.Helper()
	out := Append(nil, s)
	if !json.Valid(out) {
		t.Fatalf("Append(%q) = %s: not valid JSON", s, out)
	}
	var back string
	if err := json.Unmarshal(out, &back); err != nil {
		t.Fatal(err)
	}
	if b := Append(nil, []byte(s)); string(b) != string(out) {
		t.Fatalf("string and []byte disagree on %q: %s vs %s", s, out, b)
	}
	return back
}

func TestAppend(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"", `""`},
		{"plain ascii text, long enough for the 8-byte scan", `"plain ascii text, long enough for the 8-byte scan"`},
		{`say "hi" \ bye`, `"say \"hi\" \\ bye"`},
		{"tab\tnl\ncr\r", `"tab\tnl\ncr\r"`},
		{"\x00\x1f\x7f", `"\u0000\u001f` + "\x7f" + `"`},
		{"<a&b>", `"<a&b>"`},
		{"é ünïcödé 日本", `"é ünïcödé 日本"`},
		{"bad \xff byte", `"bad \ufffd byte"`},
		{"line\u2028sep\u2029", `"line\u2028sep\u2029"`},
	} {
		if got := string(Append(nil, tc.in)); got != tc.want {
			t.Errorf("Append(%q) = %s, want %s", tc.in, got, tc.want)
		}
	}
}

func TestAppendRoundTripsValidUTF8(t *testing.T) {
	for _, s := range []string{"abc", "a\"b\\c\x01", strings.Repeat("xyz\n", 100), "🙂 emoji", "\u2028"} {
		if got := decoded(t, s); got != s {
			t.Errorf("round trip of %q gave %q", s, got)
		}
	}
}

func FuzzAppend(f *testing.F) {
	for _, s := range []string{"", "hello", "\"\\\n", "\xff\xfe", "\u2028", "日本語"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got := decoded(t, s)
		if utf8.ValidString(s) && got != s {
			t.Fatalf("round trip of %q gave %q", s, got)
		}
		if !utf8.ValidString(got) {
			t.Fatalf("decoded %q is not valid UTF-8", got)
		}
	})
}

func BenchmarkAppend(b *testing.B) {
	s := `{"level":"INFO","message":"a typical log line with \"quotes\" and some text"}`
	buf := make([]byte, 0, 256)
	b.SetBytes(int64(len(s)))
	b.ReportAllocs()
	for b.Loop() {
		buf = Append(buf[:0], s)
	}
}

// FuzzAppendMatchesEncodingJSON checks that a JSON decoder reads back from Append what it reads
// back from encoding/json's encoding of the same string, invalid UTF-8 included.
func FuzzAppendMatchesEncodingJSON(f *testing.F) {
	f.Add([]byte("hello \"world\"\n\xff"))
	f.Add([]byte("0123456789abcdef\x01 long enough for several words \u2028 é"))
	f.Fuzz(func(t *testing.T, s []byte) {
		var back, wantBack string
		if err := json.Unmarshal(Append(nil, s), &back); err != nil {
			t.Fatalf("invalid JSON for %q: %v", s, err)
		}
		want, _ := json.Marshal(string(s))
		_ = json.Unmarshal(want, &wantBack)
		if back != wantBack {
			t.Fatalf("%q round-trips to %q, encoding/json to %q", s, back, wantBack)
		}
	})
}

// TestHasSpecial checks the eight-bytes-at-once test against a byte-by-byte one, for every byte
// value in every position of a word.
func TestHasSpecial(t *testing.T) {
	special := func(c byte) bool { return c < 0x20 || c == '"' || c == '\\' || c >= 0x80 }
	for pos := range 8 {
		for c := range 256 {
			w := []byte("abcdefgh")
			w[pos] = byte(c)
			if got := HasSpecial(load64(w, 0)); got != special(byte(c)) {
				t.Fatalf("byte %#x at %d: HasSpecial %v", c, pos, got)
			}
		}
	}
}
