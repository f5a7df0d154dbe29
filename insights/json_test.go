package insights

import (
	"maps"
	"strings"
	"testing"

	"github.com/lambdalog/lambdalog/internal/jsonscan"
)

// referenceJSONFields returns the discovered fields named in names that an
// event with message msg in log group group has, by their names, as the
// package documentation defines them, read the slow way: every leaf of the
// JSON value (for Lambda log groups, of the first JSON fragment) flattened
// with jsonscan's Flatten, the first MaxJSONFields leaves kept, the first of
// duplicate paths winning, null and empty objects and arrays absent, and
// none at all when the value is not well-formed.
func referenceJSONFields(msg, group string, names []string) map[string]string {
	out := map[string]string{}
	start := jsonStart(msg, group)
	if start < 0 {
		return out
	}
	first := map[string]jsonscan.Leaf{}
	leaves := 0
	s := jsonscan.New(msg[start:])
	s.SetMaxDepth(maxJSONDepth)
	var f jsonscan.Flattener
	err := s.Flatten(&f, func(l jsonscan.Leaf) bool {
		if leaves++; leaves > MaxJSONFields {
			return false
		}
		if _, dup := first[string(l.Path)]; !dup {
			l.Path, l.Value = []byte(string(l.Path)), []byte(string(l.Value))
			first[string(l.Path)] = l
		}
		return true
	})
	if err != nil {
		return out
	}
	for _, name := range names {
		l, ok := first[name]
		if !ok {
			continue
		}
		switch l.Kind {
		case jsonscan.String, jsonscan.Number:
			out[name] = string(l.Value)
		case jsonscan.True:
			out[name] = "1"
		case jsonscan.False:
			out[name] = "0"
		}
	}
	return out
}

// checkJSONFields runs `fields` with names over one event and compares its
// row with referenceJSONFields.
func checkJSONFields(t *testing.T, msg, group string, names []string) {
	t.Helper()
	var quoted []string
	for _, n := range names {
		quoted = append(quoted, "`"+n+"`")
	}
	query := "fields " + strings.Join(quoted, ", ")
	q, err := Parse(query)
	if err != nil {
		t.Fatalf("Parse(%q): %v", query, err)
	}
	e, err := q.NewEvaluator(Options{})
	if err != nil {
		t.Fatal(err)
	}
	e.Feed(&Event{Timestamp: base, LogGroup: group, LogStream: "s", Message: []byte(msg)})
	rows := e.Results().Rows
	if len(rows) != 1 {
		t.Fatalf("%s over %q: %d rows", query, msg, len(rows))
	}
	got := map[string]string{}
	for _, f := range rows[0] {
		got[f.Name] = f.Value
	}
	if want := referenceJSONFields(msg, group, names); !maps.Equal(got, want) {
		t.Errorf("%s over %q in %s: %v, want %v", query, msg, group, got, want)
	}
}

// jsonFieldDocs are documents whose fields TestJSONFields and FuzzJSONFields
// read: the common flat object, and every way the fast reading of an
// object's members could go wrong (escapes in keys and values, keys that
// share a first byte, dotted keys, nesting before and after the fields,
// whitespace, malformed JSON before and after them, the field cap).
var jsonFieldDocs = []string{
	`{"level":"INFO","location":"update_cart:31","message":"cart updated with 5 items","timestamp":"2026-11-23T10:00:00.021Z","service":"orders","cold_start":true,"function_name":"orders-api","latency_ms":107}`,
	`{"level":"ERROR","msg":"payment failed: \"card declined\"\n","latency_ms":-1.5e3,"ok":false,"none":null}`,
	`{"\u006cevel":"escaped key","level":"plain","l\u0061tency_ms":5,"latency_ms":6}`,
	`{"lev":1,"level.x":2,"level":{"x":3,"y":[4,{"z":5}]},"l":6,"latency_ms":7}`,
	`{"a.b":1,"a":{"b":2,"c":"\u00e9\ud83d\ude00"},"items":[{"sku":"x"},{"sku":"y"}],"latency_ms":8}`,
	` { "level" : "spaced" , "latency_ms" : 9 , "message" : "m" } `,
	`{"level":"x","latency_ms":10,"tail":[1,2,}`,
	`{"level":"x","bad":"a` + "\x01" + `b","latency_ms":11}`,
	`{"level":"x","bad":"a\qb","latency_ms":12}`,
	`{"level":"x","latency_ms":13,"bad":01}`,
	`{"level":"x","latency_ms":14} trailing text`,
	"{\"level\":\"caf\xc3\xa9\",\"inv\xffalid\":1,\"message\":\"\xff\",\"latency_ms\":15}",
	`{"":1,"level":"","e":{},"f":[],"latency_ms":16}`,
	`{"level":"x","latency_ms":17,"level":"dup","latency_ms":18}`,
	`START RequestId: 1 {"level":"embedded","latency_ms":19}`,
	`plain text, not JSON`,
	`[{"level":"array"}]`,
	`{}`,
	manyFields(250),
	`{"nested":` + manyFields(199) + `,"level":"after 200 leaves","latency_ms":20}`,
}

// TestJSONFields checks that the fields a query reads from JSON messages are
// the ones the slow reading finds, for every document of jsonFieldDocs, in
// a Lambda log group and another, whatever fields the query reads.
func TestJSONFields(t *testing.T) {
	nameSets := [][]string{
		{"latency_ms"}, {"level"}, {"level", "latency_ms"}, {"message", "level", "latency_ms"},
		{"a.b", "a.c", "items.1.sku", "items.0"}, {"level.x", "level.y.1.z", "l", "lev"},
		{"f0", "f199", "f200", "f249"}, {"nested.f0", "nested.f198"}, {"ok", "none", "msg"},
		{"inv\xffalid", "inv\ufffdalid", "message"}, {"e", "f"}, {"\\u006cevel", "l\u0061tency_ms"},
	}
	for _, doc := range jsonFieldDocs {
		for _, group := range []string{"/aws/lambda/fn", "/app/web"} {
			for _, names := range nameSets {
				checkJSONFields(t, doc, group, names)
			}
		}
	}
}

// FuzzJSONFields reads random documents as TestJSONFields does, looking for
// the first of their own fields and for those the tests name.
func FuzzJSONFields(f *testing.F) {
	for _, doc := range jsonFieldDocs {
		f.Add(doc, "latency_ms,level")
	}
	f.Fuzz(func(t *testing.T, doc, names string) {
		ns := strings.Split(names, ",")
		for _, n := range ns {
			if n == "" || strings.ContainsAny(n, "`@") {
				return
			}
		}
		// And a field the document has, when it has one.
		s := jsonscan.New(doc)
		var fl jsonscan.Flattener
		s.Flatten(&fl, func(l jsonscan.Leaf) bool {
			if p := string(l.Path); p != "" && !strings.ContainsAny(p, "`@") {
				ns = append(ns, p)
			}
			return false
		})
		checkJSONFields(t, doc, "/aws/lambda/fn", ns)
	})
}
