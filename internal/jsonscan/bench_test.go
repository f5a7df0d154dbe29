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

// BenchmarkSkipScalarMembers reads a Powertools-style log line as a Logs Insights query
// looking for its last field does: the members whose keys are not the field are passed over
// (most by their first byte), the field read with Member, and the object checked to its end.
func BenchmarkSkipScalarMembers(b *testing.B) {
	doc := []byte(`{"level":"INFO","location":"update_cart:31","message":"cart updated with 5 items",` +
		`"timestamp":"2026-11-23T10:00:00.021Z","service":"orders","cold_start":true,"function_name":"orders-api",` +
		`"function_request_id":"9341b310-d35f-4725-88b1-dc9a71f44906","correlation_id":"4a1d35a3-5579-4b55-a5f5-46d2ab07e9d2",` +
		`"xray_trace_id":"1-56512cb0-11e43c38eee0cb958ea4a020","latency_ms":107}`)
	var starts ByteSet
	starts.Add('l')
	pass := func(key []byte) bool { return string(key) != "latency_ms" }
	b.SetBytes(int64(len(doc)))
	b.ReportAllocs()
	for b.Loop() {
		s := New(doc)
		if err := s.Object(); err != nil {
			b.Fatal(err)
		}
		found := false
		for !found {
			s.SkipScalarMembers(&starts, pass, 200)
			key, ok, err := s.Member()
			if err != nil || !ok {
				b.Fatal("latency_ms not found", err)
			}
			found = string(key.Raw) == "latency_ms"
			if err := s.Skip(); err != nil {
				b.Fatal(err)
			}
		}
		if err := s.SkipMembers(); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkFlat measures what a store pays to mark a Powertools log line
// flat when it writes it (FlatObject), and what a query then pays to find a
// member of it (FlatKey.Find) instead of reading the line.
func BenchmarkFlat(b *testing.B) {
	doc := []byte(`{"level":"INFO","location":"capture_payment:88","message":"payment captured for order 100000","timestamp":"2026-11-23T10:00:00.014Z","service":"orders","cold_start":true,"function_name":"orders-api","function_request_id":"9341b310-d35f-4725-88b1-dc9a71f44906","correlation_id":"4a1d35a3-5579-4b55-a5f5-46d2ab07e9d2","xray_trace_id":"1-56512cb0-11e43c38eee0cb958ea4a020","latency_ms":93}`)
	b.Run("FlatObject", func(b *testing.B) {
		b.SetBytes(int64(len(doc)))
		for b.Loop() {
			if !FlatObject(doc, 200) {
				b.Fatal("not flat")
			}
		}
	})
	k := NewFlatKey("latency_ms")
	b.Run("Find", func(b *testing.B) {
		b.SetBytes(int64(len(doc)))
		for b.Loop() {
			if _, _, ok := k.Find(doc); !ok {
				b.Fatal("not found")
			}
		}
	})
}
