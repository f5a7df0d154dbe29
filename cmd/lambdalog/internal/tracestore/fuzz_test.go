package tracestore

import (
	"encoding/json"
	"testing"
)

// FuzzAssemble assembles a trace from two documents that ParseDocument
// accepts: nothing panics, and every segment's Document is valid JSON that
// ParseDocument-level readers can read back.
func FuzzAssemble(f *testing.F) {
	docs := lambdaTrace(tid, 1000)
	for i := 0; i+1 < len(docs); i++ {
		f.Add([]byte(docs[i]), []byte(docs[i+1]))
	}
	f.Add([]byte(`{"type":"subsegment","id":"000000000000000a","parent_id":"000000000000000a","name":"self","trace_id":"`+tid+`","start_time":1,"end_time":2}`),
		[]byte(`{"id":"000000000000000b","name":"s","trace_id":"`+tid+`","start_time":1,"in_progress":true,"subsegments":[{"id":"000000000000000b","namespace":"aws","name":"x","subsegments":"bad"}],"http":{"response":{"status":"x"}},"annotations":{"k":[1]}}`))
	f.Add([]byte(`{"id":"000000000000000c","name":"s","trace_id":"`+tid+`","start_time":1,"end_time":2,"subsegments":[{"id":"000000000000000d","namespace":"remote","name":"a\u0001\"b","start_time":1,"end_time":2}]}`), []byte(`{}`))
	f.Fuzz(func(t *testing.T, a, b []byte) {
		var stored []storedDoc
		for _, raw := range [][]byte{a, b} {
			if _, err := ParseDocument(raw); err == nil {
				stored = append(stored, storedDoc{raw: raw})
			}
		}
		if len(stored) == 0 {
			return
		}
		tr := assemble(mustTraceID(tid), stored)
		sum := tr.Summary()
		if sum.ID != tid || sum.Duration < 0 {
			t.Fatalf("summary %+v", sum)
		}
		gb := NewGraphBuilder()
		gb.Add(tr)
		gb.Graph()
		for _, s := range tr.Segments {
			if d := s.Document(); !json.Valid(d) {
				t.Fatalf("segment document %q is not JSON", d)
			}
		}
	})
}
