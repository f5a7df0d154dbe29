package needle

import (
	"bytes"
	"fmt"
	"testing"
)

// FuzzIndex checks that a needle is found exactly where bytes.Index finds
// its text; go test runs the seeds: texts at the start and the end, longer
// than the message, overlapping, with their rarest byte repeated.
func FuzzIndex(f *testing.F) {
	for _, c := range [][2]string{
		{"ERROR", `{"level":"ERROR"}`}, {" placed by ", "order 1 placed by x"}, {" placed by ", "placed by"},
		{"Zz", "ZZzZz"}, {"aXa", "aXaXa"}, {"x", ""}, {"abc", "ab"}, {"yy", "xyyy"}, {`\`, `a\b`},
		{"customer", "cache hit for customer-7"}, {"customer", "customers"}, {"qq", "q"},
		{`"latency_ms"`, `{"a":"latency_ms","latency_ms":1}`},
	} {
		f.Add(c[0], c[1])
	}
	f.Fuzz(func(t *testing.T, text, msg string) {
		n := New(text)
		want := bytes.Index([]byte(msg), []byte(text))
		if text == "" {
			want = -1
		}
		if got := n.Index([]byte(msg)); got != want {
			t.Fatalf("needle %q in %q: %d, bytes.Index %d", text, msg, got, want)
		}
		if n.In([]byte(msg)) != (want >= 0) {
			t.Fatalf("needle %q in %q: In disagrees with Index", text, msg)
		}
	})
}

func ExampleNeedle() {
	n := New(`"latency_ms"`)
	fmt.Println(n.Index([]byte(`{"level":"INFO","latency_ms":12}`)))
	// Output: 16
}
