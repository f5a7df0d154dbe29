package insights

import (
	"bytes"
	"testing"
)

// FuzzNeedle checks that a needle is found exactly where bytes.Contains
// finds its text; go test runs the seeds: texts at the start and the end,
// longer than the message, overlapping, with their rarest byte repeated.
func FuzzNeedle(f *testing.F) {
	for _, c := range [][2]string{
		{"ERROR", `{"level":"ERROR"}`}, {" placed by ", "order 1 placed by x"}, {" placed by ", "placed by"},
		{"Zz", "ZZzZz"}, {"aXa", "aXaXa"}, {"x", ""}, {"abc", "ab"}, {"yy", "xyyy"}, {`\`, `a\b`},
		{"customer", "cache hit for customer-7"}, {"customer", "customers"}, {"qq", "q"},
	} {
		f.Add(c[0], c[1])
	}
	f.Fuzz(func(t *testing.T, text, msg string) {
		if text == "" {
			return
		}
		if got, want := newNeedle(text).in([]byte(msg)), bytes.Contains([]byte(msg), []byte(text)); got != want {
			t.Fatalf("needle %q in %q: %v, bytes.Contains %v", text, msg, got, want)
		}
	})
}
