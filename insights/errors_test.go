package insights

import (
	"errors"
	"strings"
	"testing"
)

func TestErrors(t *testing.T) {
	for _, c := range []struct {
		query      string
		start, end int    // character offsets, end inclusive
		text       string // the message contains it
	}{
		{"fields a |", 10, 10, "expected a command (fields, filter, stats, sort, limit, parse, display, dedup, ...) but found the end of the query"},
		{"filter x == 1", 9, 10, "== is not an operator: use = to compare"},
		{"fields a\n| frobnicate x", 11, 20, `unknown command "frobnicate"`},
		{"pattern @message", 0, 6, "pattern is not supported locally"},
		{"filter @message like /ERROR/ | anomaly", 31, 37, "anomaly is not supported locally"},
		{"fields a | DIFF previousDay", 11, 14, "DIFF is not supported locally"},
		{"stats foo(x)", 6, 8, "unknown function foo"},
		{"limit 200000", 6, 11, "the limit must be at most 100000"},
		{"limit 0", 6, 6, "the limit must be a whole number from 1 to 100000"},
		{"stats count(*) by a | sort a | stats count(*)", 22, 27, "sort must come after the last stats command"},
		{"dedup a | fields b", 10, 17, "only limit can follow dedup, not fields"},
		{"filter a like /(?<=x)y/", 14, 22, "lookaround and backreferences are not supported"},
		{`parse @message "a=* b=*" as x`, 28, 28, "the parse pattern has 2 * but 1 field names follow as"},
		{`parse @message "abc" as x`, 15, 19, "has no * to capture a field"},
		{`parse @message /abc/`, 15, 19, "has no named group"},
		{"fields count(*)", 7, 14, "count is an aggregation: it can only be used in stats"},
		{"stats x", 6, 6, "x is not an aggregation"},
		{"stats count(*) by svc | fields @message", 31, 38, "Unknown symbols found in or after stats: @message"},
		{"stats count(*) as n by bin(5x)", 27, 28, "5x is not a time period"},
		{"fields substr(a)", 7, 15, "substr takes 2 to 3 arguments, not 1"},
		{"fields bin(a)", 11, 11, "argument 1 of bin must be a time period such as 5m"},
		{"fields 5m", 7, 8, "a time period"},
		{"stats pct(x, 101)", 13, 15, "the percentile must be a number from 0 to 100"},
		{`filter a = "unterminated`, 11, 23, "unterminated string"},
		{"filter a like /abc", 14, 17, "unterminated regular expression"},
		{"fields `abc", 7, 10, "unterminated backtick name"},
		{"filter é = 'x' and ~", 19, 19, "unexpected character '~'"},
		{"fields a | SOURCE logGroups()", 11, 16, "SOURCE must be the first command"},
		{"SOURCE logGroups(namePrefix: ['a','b','c','d','e','f'])", 17, 53, "at most 5 name prefixes"},
		{"SOURCE logGroups(class: ['COLD'])", 17, 31, "STANDARD or INFREQUENT_ACCESS"},
		{"stats topk(3, a), count(*)", 0, 25, "topk cannot be combined"},
		{"filter a in (fields b)", 13, 18, "a subquery must start with SOURCE"},
		{"filter a in (SOURCE 'x' | filter b in (SOURCE 'y'))", 38, 38, "subqueries cannot be nested"},
		{"fields formatDate(@timestamp, '%Y', 'Mars/Olympus')", 36, 49, `unknown time zone "Mars/Olympus"`},
		{"fields isIpv4InSubnet(a, '2001:db8::/32')", 25, 39, "is not a CIDR block of the right address family"},
		{"fields and", 7, 9, "and is a keyword"},
	} {
		_, err := Parse(c.query)
		var e *Error
		if !errors.As(err, &e) {
			t.Errorf("Parse(%q) = %v, want an *Error", c.query, err)
			continue
		}
		if !strings.Contains(e.Message, c.text) || e.Start != c.start || e.End != c.end {
			t.Errorf("Parse(%q):\n got  [%d,%d] %q\n want [%d,%d] containing %q", c.query, e.Start, e.End, e.Message, c.start, c.end, c.text)
		}
	}
}

func TestErrorPosition(t *testing.T) {
	_, err := Parse("fields a\n| filter b = \n")
	var e *Error
	if !errors.As(err, &e) {
		t.Fatal(err)
	}
	if e.Line != 3 || e.Column != 1 || e.Start != 23 {
		t.Errorf("error at line %d column %d offset %d, want line 3 column 1 offset 23", e.Line, e.Column, e.Start)
	}
	if got := e.Error(); got != "insights: line 3, column 1: expected a value, a field or a function but found the end of the query" {
		t.Errorf("Error() = %q", got)
	}
}
