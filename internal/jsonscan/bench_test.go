package jsonscan

import (
	"strconv"
	"strings"
	"testing"
)

// benchDocs are the documents measured: a log event as JSON, and a PutLogEvents-style
// message, a JSON log line inside a JSON string, which is escape-dense.
var benchDocs = []struct{ name, doc string }{
	{"event", event},
	{"escaped", strconv.Quote(`{"level":"INFO","msg":"request handled","path":"/api/items/000042","status":200}`)},
	{"plain", `"` + strings.Repeat("START RequestId: 6f7d2b1c Version: $LATEST ", 4) + `"`},
}

func BenchmarkSkip(b *testing.B) {
	for _, d := range benchDocs {
		doc := []byte(d.doc)
		b.Run(d.name, func(b *testing.B) {
			b.SetBytes(int64(len(doc)))
			b.ReportAllocs()
			for b.Loop() {
				s := New(doc)
				if err := s.Skip(); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkRead(b *testing.B) {
	for _, d := range benchDocs {
		doc := []byte(d.doc)
		buf := make([]byte, 0, 1024)
		b.Run(d.name, func(b *testing.B) {
			b.SetBytes(int64(len(doc)))
			b.ReportAllocs()
			for b.Loop() {
				if _, err := readEvent(doc, buf); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkFlatten(b *testing.B) {
	doc := []byte(event)
	var f Flattener
	b.SetBytes(int64(len(doc)))
	b.ReportAllocs()
	n := 0
	for b.Loop() {
		s := New(doc)
		if err := s.Flatten(&f, func(l Leaf) bool { n += len(l.Path) + len(l.Value); return true }); err != nil {
			b.Fatal(err)
		}
	}
}
