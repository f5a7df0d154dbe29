package insights

import (
	"cmp"
	"encoding/json"
	"errors"
	"reflect"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"
)

// seedQueries returns the documentation's queries and the corpus's.
func seedQueries(f *testing.F) []string {
	var out []string
	for _, q := range sampleQueries(f) {
		out = append(out, q.Query)
	}
	return append(out,
		`filter level = "ERROR" and latency_ms > 500 | stats count(*)`,
		`stats count(*), avg(latency_ms), pct(latency_ms, 95) by bin(5m)`,
		`parse @message "method=* " as m | stats count(*) by m`,
		`parse level "ERR* " as m | stats count(*) by m`,
		`sort latency_ms desc | limit 20`,
		"fields jsonParse(@message) as j | unnest j.a into x | display x.b",
		"fields a | sort a asc | accum a | autoregress a p=1-3 | addtotals col=true",
		`filter @message like /(?i)err/ or @message =~ "x+" | dedup @logStream | limit 3`,
		"fields @timestamp, @message | sort @timestamp desc | limit 4",
		"fields @message, level | limit 2 | stats count(*) by level",
	)
}

// FuzzParse parses arbitrary queries: nothing may panic, and every error
// is an *Error whose location lies within the query.
func FuzzParse(f *testing.F) {
	for _, q := range seedQueries(f) {
		f.Add(q)
	}
	f.Fuzz(func(t *testing.T, query string) {
		q, err := Parse(query)
		if err != nil {
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("Parse(%q) returned %T, want *Error", query, err)
			}
			n := utf8.RuneCountInString(query)
			if e.Start < 0 || e.End < e.Start || e.End > n || e.Line < 1 || e.Column < 1 || e.Message == "" {
				t.Fatalf("Parse(%q): bad error location %+v (query has %d characters)", query, e, n)
			}
			return
		}
		_ = q.Columns()
		_ = q.PreFilter()
	})
}

// fuzzEvents splits data into events: each line is a message, every third
// a JSON object built from it, nested or (every other time) flat, with the
// line as a key too, and every third a REPORT line.
func fuzzEvents(data string) []*Event {
	var evs []*Event
	for i, line := range strings.Split(data, "\n") {
		msg := line
		switch i % 3 {
		case 1:
			b, _ := json.Marshal(map[string]any{"level": line, "n": len(line), "a": map[string]any{"b": line, "c": []any{i, line, nil, true}}})
			if i%2 == 0 {
				b, _ = json.Marshal(map[string]any{"level": line, "n": len(line), line: i, "ok": i%4 == 0, "nil": nil})
			}
			msg = string(b)
		case 2:
			msg = "REPORT RequestId: " + line + "\tDuration: 1.5 ms\tBilled Duration: 2 ms\tMemory Size: 128 MB\tMax Memory Used: 64 MB\t"
		}
		evs = append(evs, &Event{Timestamp: base + int64(i%7)*60_000, IngestionTime: base, LogGroup: "/aws/lambda/g", LogStream: "s", Account: "1", Message: []byte(msg), ID: uint64(i)})
	}
	return evs
}

// FuzzEvaluate runs arbitrary queries over arbitrary events: nothing may
// panic, Results is repeatable, evaluating the events in two halves and
// merging gives as many rows as evaluating them in one, and parse commands
// that skip the events whose raw message lacks a text their pattern needs
// give what they give reading every source.
func FuzzEvaluate(f *testing.F) {
	for i, q := range seedQueries(f) {
		f.Add(q, []string{`{"x":1}`, "ERROR a=1", "user=bob, method:GET, latency := 3"}[i%3]+"\nplain\n"+`{"latency_ms": 600, "level": "ERROR"}`)
	}
	f.Fuzz(func(t *testing.T, query, data string) {
		q, err := Parse(query)
		if err != nil {
			return
		}
		opts := Options{Subresults: make([]*Result, len(q.Subqueries())), LookupTables: tablesFor(q), Pointer: func(r EventRef) string { return "p" }}
		for i := range opts.Subresults {
			opts.Subresults[i] = &Result{Columns: []string{"x"}, Rows: [][]Field{{{"x", "1"}}}}
		}
		one, err := q.NewEvaluator(opts)
		if err != nil {
			t.Fatalf("NewEvaluator(%q): %v", query, err)
		}
		a, _ := q.NewEvaluator(opts)
		b, _ := q.NewEvaluator(opts)
		evs := fuzzEvents(data)
		pre := q.PreFilter()
		for i, e := range evs {
			one.Feed(e)
			if pre != nil && !pre(e.Message) {
				a.AddScanned(1, int64(len(e.Message)))
				continue
			}
			if i%2 == 0 {
				a.Feed(e)
			} else {
				b.Feed(e)
			}
		}
		r1 := one.Results()
		if r2 := one.Results(); !reflect.DeepEqual(r1, r2) {
			t.Fatalf("%q: Results is not repeatable", query)
		}
		if err := a.Merge(b); err != nil {
			t.Fatal(err)
		}
		if one.Statistics() != a.Statistics() {
			t.Fatalf("%q: statistics %+v, merged %+v", query, one.Statistics(), a.Statistics())
		}
		if rm := a.Results(); len(rm.Rows) != len(r1.Rows) {
			t.Fatalf("%q over %q: %d rows, %d merged", query, data, len(r1.Rows), len(rm.Rows))
		}
		if q.KeepsNewest() {
			checkHorizon(t, q, opts, evs, r1, one.Statistics())
		}
		// Events marked Flat where FlatJSON says so, as the server's store
		// marks them, give the same rows.
		marked, _ := q.NewEvaluator(opts)
		for _, e := range evs {
			m := *e
			m.Flat = FlatJSON(m.Message)
			marked.Feed(&m)
		}
		if rm := marked.Results(); !reflect.DeepEqual(rm, r1) || marked.Statistics() != one.Statistics() {
			t.Fatalf("%q over %q: %v, marked Flat %v", query, data, r1.Rows, rm.Rows)
		}
		// Parse commands that read every source, and fields looked for in
		// every event, give the same rows.
		slow, _ := Parse(query)
		withoutNeeds(slow)
		se, _ := slow.NewEvaluator(opts)
		for _, e := range evs {
			se.Feed(e)
		}
		if rs := se.Results(); !reflect.DeepEqual(rs, r1) || se.Statistics() != one.Statistics() {
			t.Fatalf("%q over %q: %v, parsing every source %v", query, data, r1.Rows, rs.Rows)
		}
	})
}

// checkHorizon evaluates a query that KeepsNewest as a server that reads
// newest first and stops at the horizon does, and compares the rows and
// statistics with those of evaluating every event.
func checkHorizon(t *testing.T, q *Query, opts Options, evs []*Event, want *Result, stats Statistics) {
	t.Helper()
	opts.Horizon = NewHorizon()
	e, _ := q.NewEvaluator(opts)
	evs = slices.Clone(evs)
	slices.SortStableFunc(evs, func(a, b *Event) int { return cmp.Compare(b.Timestamp, a.Timestamp) })
	for i, ev := range evs {
		if ev.Timestamp < opts.Horizon.Cutoff() {
			for _, rest := range evs[i:] {
				e.AddUnread(1, int64(len(rest.Message)))
			}
			break
		}
		e.Feed(ev)
	}
	if got := e.Results(); !reflect.DeepEqual(got.Rows, want.Rows) {
		t.Fatalf("%q: read up to the horizon %v, everything %v", q, got.Rows, want.Rows)
	}
	if got := e.Statistics(); got != stats {
		t.Fatalf("%q: statistics up to the horizon %+v, everything %+v", q, got, stats)
	}
}
