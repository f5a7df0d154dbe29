package insights

import (
	"fmt"
	"slices"
	"strings"
	"testing"
)

// TestPartialResults checks that Results can be called while events are
// still being fed, and that feeding then goes on as if it had not been.
func TestPartialResults(t *testing.T) {
	for _, query := range []string{
		"stats count(*) as n, pct(n, 50) as p by bin(1m)",
		"fields @message | sort @message desc | limit 3",
		"fields a | dedup a",
		"fields a | sort a asc | accum a as s",
		"fields a | tail 2",
	} {
		q := mustParse(t, query)
		e, _ := q.NewEvaluator(Options{})
		ref, _ := q.NewEvaluator(Options{})
		c := tc{msgs: []string{`{"a":3,"n":1}`, `{"a":1,"n":5}`, `{"a":3,"n":2}`, `{"a":2,"n":9}`, `{"a":5,"n":4}`}}
		for i, ev := range c.feed() {
			e.Feed(ev)
			ref.Feed(ev)
			partial := formatRows(e.Results())
			if again := formatRows(e.Results()); !slices.Equal(partial, again) {
				t.Fatalf("%q: Results changed the state: %v, then %v", query, partial, again)
			}
			if i == 2 && len(partial) == 0 {
				t.Fatalf("%q: no partial rows after 3 events", query)
			}
		}
		if got, want := formatRows(e.Results()), formatRows(ref.Results()); !slices.Equal(got, want) {
			t.Errorf("%q: with partial results %v, without %v", query, got, want)
		}
	}
}

// TestMergeOtherQuery checks that evaluators of different queries do not
// merge.
func TestMergeOtherQuery(t *testing.T) {
	a, _ := mustParse(t, "stats count(*)").NewEvaluator(Options{})
	b, _ := mustParse(t, "stats count(*)").NewEvaluator(Options{})
	if err := a.Merge(b); err == nil || !strings.Contains(err.Error(), "different queries") {
		t.Errorf("Merge of another query's evaluator: %v", err)
	}
}

// TestPointer checks @ptr: computed only for the rows returned, once, and
// absent from aggregated rows.
func TestPointer(t *testing.T) {
	calls := 0
	opts := Options{Pointer: func(r EventRef) string {
		calls++
		return r.LogGroup + ":" + r.LogStream
	}}
	e, _ := mustParse(t, "fields @message | limit 1").NewEvaluator(opts)
	c := tc{msgs: []string{"a", "b", "c"}}
	for _, ev := range c.feed() {
		e.Feed(ev)
	}
	e.Results()
	if got := formatRows(e.Results()); !slices.Equal(got, []string{"@message=c|@ptr=/aws/lambda/fn:s1"}) || calls != 1 {
		t.Errorf("rows %v after %d calls of Pointer, want one row with @ptr after 1 call", got, calls)
	}
	s, _ := mustParse(t, "stats count(*) as n").NewEvaluator(opts)
	for _, ev := range c.feed() {
		s.Feed(ev)
	}
	if got := formatRows(s.Results()); !slices.Equal(got, []string{"n=3"}) {
		t.Errorf("stats rows %v, want no @ptr", got)
	}
}

// TestMessageReuse checks that the evaluator keeps copies of what it
// keeps: the caller reuses the message buffer after Feed.
func TestMessageReuse(t *testing.T) {
	e, _ := mustParse(t, `parse @message "k=*;" as k | fields @message, k, level | sort k asc`).NewEvaluator(Options{})
	s, _ := mustParse(t, `stats count(*) as n, min(level) as lo by level`).NewEvaluator(Options{})
	buf := make([]byte, 0, 64)
	for i, m := range []string{`{"level":"b"} k=1;`, `{"level":"a"} k=2;`, `{"level":"c"} k=3;`} {
		buf = append(buf[:0], m...)
		ev := &Event{Timestamp: base + int64(i), LogGroup: "/aws/lambda/f", Message: buf}
		e.Feed(ev)
		s.Feed(ev)
		for j := range buf {
			buf[j] = 'X'
		}
	}
	want := []string{`@message={"level":"b"} k=1;|k=1|level=b`, `@message={"level":"a"} k=2;|k=2|level=a`, `@message={"level":"c"} k=3;|k=3|level=c`}
	if got := formatRows(e.Results()); !slices.Equal(got, want) {
		t.Errorf("rows %v, want %v", got, want)
	}
	if got := formatRows(s.Results()); !slices.Equal(got, []string{"level=a|n=1|lo=a", "level=b|n=1|lo=b", "level=c|n=1|lo=c"}) {
		t.Errorf("stats rows %v", got)
	}
}

// TestConcurrentEvaluators runs evaluators of one query in parallel
// goroutines (run with -race: a Query is shared, each Evaluator is not).
func TestConcurrentEvaluators(t *testing.T) {
	q := mustParse(t, `filter @type = "REPORT" or level = "ERROR" | parse @message "RequestId: * " as id | stats count(*) as n, pct(@duration, 90) as p90 by bin(1m), id | sort n desc | limit 5`)
	evs := powertoolsEvents(4000)
	one, _ := q.NewEvaluator(Options{})
	for i := range evs {
		one.Feed(&evs[i])
	}
	parts := make([]*Evaluator, 4)
	done := make(chan int)
	for w := range parts {
		parts[w], _ = q.NewEvaluator(Options{})
		go func() {
			for i := w; i < len(evs); i += len(parts) {
				parts[w].Feed(&evs[i])
			}
			done <- w
		}()
	}
	for range parts {
		<-done
	}
	for _, p := range parts[1:] {
		if err := parts[0].Merge(p); err != nil {
			t.Fatal(err)
		}
	}
	if got, want := formatRows(parts[0].Results()), formatRows(one.Results()); !slices.Equal(got, want) || len(want) != 5 {
		t.Errorf("parallel evaluators give %v, one gives %v", got, want)
	}
}

// TestMergedResultsStay checks what a server publishing partial results
// does: workers fed, merged into an evaluator that is never fed, whose
// Results (sharing its memory) must not change as the workers go on and are
// merged again, and end as one evaluator fed everything ends; nor may the
// results of that one evaluator change as it is fed on.
func TestMergedResultsStay(t *testing.T) {
	for _, query := range []string{
		"fields @message",
		"filter @message like /a/ | sort @message desc",
		"fields @message | limit 4",
		"fields @message | sort @message desc | limit 3",
		"fields a, @message | dedup a",
		"stats count(*) as n by a",
		"fields @message | sort @timestamp asc | limit 2 | display @message",
	} {
		q := mustParse(t, query)
		opts := Options{Limit: 5} // fewer rows than events: kept rows are replaced
		master, _ := q.NewEvaluator(opts)
		one, _ := q.NewEvaluator(opts)
		workers := make([]*Evaluator, 2)
		for i := range workers {
			workers[i], _ = q.NewEvaluator(opts)
		}
		var msgs []string
		for i := range 40 {
			msgs = append(msgs, fmt.Sprintf(`{"a":%d,"x":"%s"}`, i%5, strings.Repeat(string(rune('a'+i%26)), 8)))
		}
		var snapshots []*Result
		var formatted [][]string
		buf := make([]byte, 0, 64)
		for i, m := range msgs {
			buf = append(buf[:0], m...)
			ev := &Event{Timestamp: base + int64(i%7)*1000, LogGroup: "/aws/lambda/f", LogStream: "s", Message: buf, ID: uint64(i)}
			one.Feed(ev)
			workers[i%2].Feed(ev)
			if i%10 == 9 {
				for _, w := range workers {
					if err := master.Merge(w); err != nil {
						t.Fatal(err)
					}
				}
				r, r1 := master.Results(), one.Results()
				snapshots, formatted = append(snapshots, r, r1), append(formatted, formatRows(r), formatRows(r1))
			}
		}
		for i, r := range snapshots {
			if got := formatRows(r); !slices.Equal(got, formatted[i]) {
				t.Errorf("%q: partial result %d changed from %v to %v", query, i, formatted[i], got)
			}
		}
		if got, want := formatted[len(formatted)-2], formatRows(one.Results()); !slices.Equal(got, want) {
			t.Errorf("%q: merged %v, one evaluator %v", query, got, want)
		}
	}
}
