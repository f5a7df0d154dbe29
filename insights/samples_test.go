package insights

import (
	"encoding/json"
	"errors"
	"os"
	"strings"
	"testing"
)

// sampleQuery is one query of testdata/insights-sample-queries.json, the
// queries of the AWS documentation.
type sampleQuery struct {
	ID    string `json:"id"`
	Query string `json:"query"`
	Tier  string `json:"tier"`
	Note  string `json:"note"`
}

// brokenSamples are documentation queries that are not valid as written,
// with the text the error message must contain.
var brokenSamples = map[string]string{
	"apache-02":            "unexpected", // unquoted URL literal: referrer= http://...
	"hist-07":              "unexpected", // the same
	"cmd-now-01":           "unexpected", // literal \n sequences copied from the docs
	"cmd-source-05":        "')'",        // missing )
	"cmd-stats-11-invalid": "Unknown symbols found in or after stats: @message",
	"cmd-stats-13-invalid": "Unknown symbols found in or after stats: @timestamp",
	// logcompare compares log patterns of two time windows, which needs
	// AWS's pattern models.
	"cmd-logcompare-01": "logcompare is not supported locally",
}

// sampleQueries reads testdata/insights-sample-queries.json.
func sampleQueries(tb testing.TB) []sampleQuery {
	data, err := os.ReadFile("testdata/insights-sample-queries.json")
	if err != nil {
		tb.Fatal(err)
	}
	var qs []sampleQuery
	if err := json.Unmarshal(data, &qs); err != nil {
		tb.Fatal(err)
	}
	return qs
}

func TestSampleQueries(t *testing.T) {
	for _, sq := range sampleQueries(t) {
		t.Run(sq.ID, func(t *testing.T) {
			q, err := Parse(sq.Query)
			var ie *Error
			if err != nil && !errors.As(err, &ie) {
				t.Fatalf("Parse returned %T, want *Error", err)
			}
			if want, ok := brokenSamples[sq.ID]; ok {
				if err == nil || !strings.Contains(err.Error(), want) {
					t.Fatalf("Parse(%q) = %v, want an error containing %q", sq.Query, err, want)
				}
				return
			}
			switch sq.Tier {
			case "core", "newer":
				if err != nil {
					t.Fatalf("Parse(%q): %v", sq.Query, err)
				}
				if _, err := q.NewEvaluator(Options{Subresults: make([]*Result, len(q.Subqueries())), LookupTables: tablesFor(q)}); err != nil && !strings.Contains(err.Error(), "no result for subquery") {
					t.Fatalf("NewEvaluator: %v", err)
				}
			case "ml":
				if err == nil || !strings.Contains(err.Error(), "not supported locally") {
					t.Fatalf("Parse(%q) = %v, want a not-supported error", sq.Query, err)
				}
			default: // ppl, sql, negative
				if err == nil {
					t.Fatalf("Parse(%q) succeeded; want an error for a %s query", sq.Query, sq.Tier)
				}
			}
		})
	}
}

// tablesFor returns empty lookup tables with the columns a query's lookups
// name.
func tablesFor(q *Query) map[string]*LookupTable {
	m := map[string]*LookupTable{}
	for _, l := range q.plan.lookups {
		t := m[l.table]
		if t == nil {
			t = &LookupTable{}
			m[l.table] = t
		}
		for _, k := range l.keys {
			if k.column != "" {
				t.Columns = append(t.Columns, k.column)
			}
		}
		for _, o := range l.outputs {
			t.Columns = append(t.Columns, o.name)
		}
	}
	return m
}
