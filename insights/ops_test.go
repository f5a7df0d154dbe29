package insights

import (
	"reflect"
	"testing"
)

// withoutNeeds clears the needs of q's parse commands and fields, so that
// every parse reads its source and every field is looked for in the JSON
// (the slow way).
func withoutNeeds(q *Query) {
	for _, seg := range q.plan.segs {
		for _, st := range seg.stages {
			if st.kind == stParse {
				st.parse.need = needle{}
			}
		}
	}
	for i := range q.plan.slotInfo {
		q.plan.slotInfo[i].need = needle{}
	}
}

// parseNeed returns the need of the first parse command of q.
func parseNeed(q *Query) string {
	for _, st := range q.plan.segs[0].stages {
		if st.kind == stParse {
			return string(st.parse.need.Text())
		}
	}
	return ""
}

// evaluate runs q over msgs (in a Lambda log group) and returns its result
// and statistics.
func evaluate(t *testing.T, q *Query, msgs []string) (*Result, Statistics) {
	t.Helper()
	e, err := q.NewEvaluator(Options{})
	if err != nil {
		t.Fatal(err)
	}
	for i, m := range msgs {
		e.Feed(&Event{Timestamp: base + int64(i)*1000, LogGroup: "/aws/lambda/fn", LogStream: "s", Message: []byte(m), ID: uint64(i)})
	}
	return e.Results(), e.Statistics()
}

// TestParseNeed checks that a parse whose pattern needs a text the raw
// message lacks gives the rows it gives when it reads its source: over
// messages where the text is spelled by JSON escapes, is in another field,
// is absent, where the source is missing, not a string, or not JSON, and
// for sources that may not use the shortcut; and where the event has a
// field of the name the parse sets, which it keeps when the pattern does
// not match.
func TestParseNeed(t *testing.T) {
	msgs := []string{
		`{"level":"INFO","message":"order 1 placed by customer-7","n":12}`,
		`{"level":"INFO","message":"order 2 placed by customer-7"}`,
		`{"level":"INFO","message":"order 3 pl\u0061ced by customer-8"}`,
		`{"level":"INFO","message":"cart updated","note":"order 4 placed by customer-9"}`,
		`{"level":"INFO","message":"order 5 placed by customer-9"`, // malformed
		`{"level":"INFO","msg":"order 6 placed by customer-9"}`,
		`{"level":"ERROR","message":12,"flag":true,"n":"12"}`,
		"{\"level\":\"INFO\",\"message\":\"order \xff placed by \xffcustomer\"}",
		`START RequestId: 1 order 7 placed by customer-1 {"message":"order 8 placed by customer-2"}`,
		`order 9 placed by customer-3`,
		`{"message":"ERR\u004fR: disk full"}`,
		`{"message":"\\ order 10 placed by x"}`,
		`{"flag":true}`,
		`{"message":"cart updated","customer":"from the event"}`,
		`{"message":"cart updated","cust\u006fmer":"escaped key"}`,
		`{"message":"cart updated","customer":{"id":"nested"},"order_id":7}`,
	}
	for _, c := range []struct {
		query, need string
	}{
		{`parse message "order * placed by *" as order_id, customer | stats count(*) by customer`, " placed by "},
		{`parse @message "order * placed by *" as order_id, customer | fields order_id, customer`, " placed by "},
		{`parse message /order (?<o>\d+) placed by (?<c>\S+)/ | stats count(*) by o, c`, " placed by "},
		{`parse message "ERROR: *" as what | display what`, "ERROR: "},
		{`parse n "1*" as rest | display rest`, ""},
		{`parse n "12*" as rest | display rest, n`, "12"},
		{`parse flag "1*" as x | display x`, ""},
		{`parse message /(?i)ORDER (?<o>\d+)/ | display o`, ""},
		{`fields concat(message, "!") as message | parse message "by *!" as who | display who`, ""},
		{`parse message "order * placed by *" as o, c | parse c "customer-*" as id | stats count(*) by id`, " placed by "},
		{`parse message "order * placed by *" as order_id, customer | stats count(*) by customer, order_id`, " placed by "},
		{`filter level = "INFO" | parse message "* placed *" as a, b | sort @timestamp asc | display a, b`, " placed "},
	} {
		q, err := Parse(c.query)
		if err != nil {
			t.Fatalf("Parse(%q): %v", c.query, err)
		}
		if got := parseNeed(q); got != c.need {
			t.Errorf("%s: need %q, want %q", c.query, got, c.need)
		}
		// The parse's fields are looked for in the events it does not
		// match only when their raw message holds their name.
		if i, ok := q.plan.slots["customer"]; ok {
			if need := string(q.plan.slotInfo[i].need.Text()); need != "customer" {
				t.Errorf("%s: need of customer %q", c.query, need)
			}
		}
		slow, _ := Parse(c.query)
		withoutNeeds(slow)
		got, gotStats := evaluate(t, q, msgs)
		want, wantStats := evaluate(t, slow, msgs)
		if !reflect.DeepEqual(got.Rows, want.Rows) || gotStats != wantStats {
			t.Errorf("%s:\n%v %+v\nreading every source:\n%v %+v", c.query, got.Rows, gotStats, want.Rows, wantStats)
		}
	}
}

// TestBinTimestamp checks that bin reads the event's @timestamp, unless a
// command before it redefines @timestamp, and that an event time beyond
// what bin takes (±10¹⁵ ms) makes no bin.
func TestBinTimestamp(t *testing.T) {
	events := []ev{{msg: "a", ts: base}, {msg: "b", ts: base + 3_600_000}, {msg: "c", ts: base + 3_600_001}, {msg: "d", ts: 2e15}}
	runCases(t, []tc{
		{name: "the event's @timestamp",
			query: "stats count(*) by bin(1h)", events: events,
			want: []string{"bin(1h)=2024-01-15 10:00:00.000|count(*)=1", "bin(1h)=2024-01-15 11:00:00.000|count(*)=2", "count(*)=1"}},
		{name: "a redefined @timestamp",
			query: "fields @timestamp + 3600000 as @timestamp | stats count(*) by bin(1h)", events: events,
			want: []string{"bin(1h)=2024-01-15 11:00:00.000|count(*)=1", "bin(1h)=2024-01-15 12:00:00.000|count(*)=2", "count(*)=1"}},
	})
}
