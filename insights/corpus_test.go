package insights

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"
)

// base is the timestamp of the first event of a case: 2024-01-15 10:30:00 UTC.
const base = 1705314600000

// ev is an event of a case. Zero fields take defaults: the timestamp is
// base plus one second per event before it, the log group /aws/lambda/fn
// and the stream s1.
type ev struct {
	msg    string
	ts     int64
	group  string
	stream string
}

// tc is a case of the corpus: a query, the events it runs over, and the
// rows it must return, each written as name=value fields separated by |.
type tc struct {
	name   string
	query  string
	events []ev
	msgs   []string // events with default fields
	want   []string
	ptr    bool // set Options.Pointer
	opts   Options
}

func (c *tc) run(t *testing.T) {
	t.Helper()
	q, err := Parse(c.query)
	if err != nil {
		t.Fatalf("Parse(%q): %v", c.query, err)
	}
	opts := c.opts
	opts.Now = time.UnixMilli(base + 3_600_000)
	if c.ptr {
		opts.Pointer = func(r EventRef) string { return fmt.Sprintf("%s/%s/%d", r.LogGroup, r.LogStream, r.ID) }
	}
	e, err := q.NewEvaluator(opts)
	if err != nil {
		t.Fatalf("NewEvaluator: %v", err)
	}
	for _, x := range c.feed() {
		e.Feed(x)
	}
	got := formatRows(e.Results())
	if !slices.Equal(got, c.want) {
		t.Errorf("%s\ngot  %d rows:\n  %s\nwant %d rows:\n  %s", c.query, len(got), strings.Join(got, "\n  "), len(c.want), strings.Join(c.want, "\n  "))
	}
	// Events marked Flat where FlatJSON says so, as the server's store
	// marks them, give the same rows.
	marked, err := q.NewEvaluator(opts)
	if err != nil {
		t.Fatal(err)
	}
	for _, x := range c.feed() {
		x.Flat = FlatJSON(x.Message)
		marked.Feed(x)
	}
	if m := formatRows(marked.Results()); !slices.Equal(m, got) {
		t.Errorf("%s: events marked Flat give\n  %s\nunmarked\n  %s", c.query, strings.Join(m, "\n  "), strings.Join(got, "\n  "))
	}
	// The same events split between three evaluators, merged into the
	// first (twice, as a server publishing partial results would), give
	// the same rows.
	var parts [3]*Evaluator
	for i := range parts {
		if parts[i], err = q.NewEvaluator(opts); err != nil {
			t.Fatal(err)
		}
	}
	for i, x := range c.feed() {
		parts[i%3].Feed(x)
		if i == 1 {
			if err := parts[0].Merge(parts[1]); err != nil {
				t.Fatal(err)
			}
		}
	}
	for _, p := range parts[1:] {
		if err := parts[0].Merge(p); err != nil {
			t.Fatal(err)
		}
	}
	if merged := formatRows(parts[0].Results()); !slices.Equal(merged, got) {
		t.Errorf("%s: merged evaluators give\n  %s\none gives\n  %s", c.query, strings.Join(merged, "\n  "), strings.Join(got, "\n  "))
	}
	if parts[0].Statistics() != e.Statistics() {
		t.Errorf("%s: merged statistics %+v, one has %+v", c.query, parts[0].Statistics(), e.Statistics())
	}
}

// feed returns the case's events.
func (c *tc) feed() []*Event {
	var out []*Event
	all := c.events
	for _, m := range c.msgs {
		all = append(all, ev{msg: m})
	}
	for i, x := range all {
		e := &Event{Timestamp: x.ts, Message: []byte(x.msg), LogGroup: x.group, LogStream: x.stream, Account: "123456789012", ID: uint64(i)}
		if e.Timestamp == 0 {
			e.Timestamp = base + int64(i)*1000
		}
		e.IngestionTime = e.Timestamp + 500
		if e.LogGroup == "" {
			e.LogGroup = "/aws/lambda/fn"
		}
		if e.LogStream == "" {
			e.LogStream = "s1"
		}
		out = append(out, e)
	}
	return out
}

func formatRows(r *Result) []string {
	out := []string{}
	for _, row := range r.Rows {
		var parts []string
		for _, f := range row {
			parts = append(parts, f.Name+"="+f.Value)
		}
		out = append(out, strings.Join(parts, "|"))
	}
	return out
}

func runCases(t *testing.T, cases []tc) {
	for _, c := range cases {
		t.Run(c.name, c.run)
	}
}

// sortDoc is the ascending order of the example on the sort page
// (CWL_QuerySyntax-Sort).
var sortDoc = []string{"!:", "#", "*%04", "0#", "5A", "111A", "2345_", "@", "@_", "A", "A9876fghj", "a12345hfh", "0", "01", "1", "2", "3"}

func sortDocEvents() []string {
	// Fed in a scrambled order.
	var msgs []string
	for _, i := range []int{7, 3, 12, 0, 16, 9, 5, 14, 1, 11, 8, 15, 2, 10, 4, 13, 6} {
		msgs = append(msgs, `{"v": "`+sortDoc[i]+`"}`)
	}
	return msgs
}

func sortDocRows(desc bool) []string {
	var out []string
	for _, v := range sortDoc {
		out = append(out, "v="+v)
	}
	if desc {
		slices.Reverse(out)
	}
	return out
}

var lambdaLines = []string{
	"START RequestId: 8f5b-1 Version: $LATEST\n",
	"2024-01-15T10:30:01.000Z\t8f5b-1\tINFO\t{\"msg\":\"hello\",\"n\":3}\n",
	"END RequestId: 8f5b-1\n",
	"REPORT RequestId: 8f5b-1\tDuration: 102.25 ms\tBilled Duration: 103 ms\tMemory Size: 128 MB\tMax Memory Used: 70 MB\tInit Duration: 150.30 ms\t\nXRAY TraceId: 1-65a5-abc\tSegmentId: 0aa1\tSampled: true\t\n",
	"START RequestId: 8f5b-2 Version: $LATEST\n",
	"END RequestId: 8f5b-2\n",
	"REPORT RequestId: 8f5b-2\tDuration: 2000.50 ms\tBilled Duration: 2001 ms\tMemory Size: 128 MB\tMax Memory Used: 75 MB\t\n",
	`{"time":"2024-01-15T10:30:07.000Z","type":"platform.start","record":{"requestId":"j-3","version":"$LATEST"}}`,
	`{"time":"2024-01-15T10:30:08.000Z","type":"platform.report","record":{"requestId":"j-3","metrics":{"durationMs":12.5,"billedDurationMs":13,"memorySizeMB":256,"maxMemoryUsedMB":90,"initDurationMs":88.1},"tracing":{"spanId":"5e1","type":"X-Amzn-Trace-Id","value":"Root=1-65a5-def;Parent=5e1;Sampled=1"},"status":"success"}}`,
}

func TestCommands(t *testing.T) {
	runCases(t, []tc{
		{name: "no commands: @timestamp and @message, newest first, with @ptr",
			query: "", msgs: []string{"a", "b"}, ptr: true,
			want: []string{
				"@timestamp=2024-01-15 10:30:01.000|@message=b|@ptr=/aws/lambda/fn/s1/1",
				"@timestamp=2024-01-15 10:30:00.000|@message=a|@ptr=/aws/lambda/fn/s1/0",
			}},
		{name: "fields projects in order and leaves out absent fields",
			query: "fields a, @logStream, b", msgs: []string{`{"a":1,"b":"x"}`, `{"b":"y"}`},
			want: []string{"@logStream=s1|b=y", "a=1|@logStream=s1|b=x"}},
		{name: "several fields commands show all their fields",
			query: "fields a | fields b", msgs: []string{`{"a":1,"b":2}`},
			want: []string{"a=1|b=2"}},
		{name: "fields computes with as",
			query: "fields concat(a, '-', b) as ab, a * 2 as a2", msgs: []string{`{"a":1,"b":"x"}`},
			want: []string{"ab=1-x|a2=2"}},
		{name: "unaliased expressions are named by their text",
			query: "fields abs(a - 5), strlen(b)", msgs: []string{`{"a":1,"b":"xyz"}`},
			want: []string{"abs(a - 5)=4|strlen(b)=3"}},
		{name: "display: only the last counts",
			query: "display a | fields a, b | display b", msgs: []string{`{"a":1,"b":2}`},
			want: []string{"b=2"}},
		{name: "display with an expression",
			query: `FIELDS @message | PARSE @message "* [*] *" as loggingTime, loggingType, loggingMessage | FILTER loggingType IN ["ERROR", "INFO"] | DISPLAY loggingMessage, loggingType = "ERROR" as isError`,
			msgs:  []string{"10:00 [ERROR] disk full", "10:01 [INFO] ok", "10:02 [DEBUG] x"},
			want:  []string{"loggingMessage=ok|isError=0", "loggingMessage=disk full|isError=1"}},
		{name: "filter, where and filterIndex",
			query: `filter a > 1 | where b = "x" | filterIndex c in ["k"]`,
			msgs:  []string{`{"a":2,"b":"x","c":"k"}`, `{"a":1,"b":"x","c":"k"}`, `{"a":3,"b":"y","c":"k"}`, `{"a":3,"b":"x","c":"j"}`},
			want:  []string{`@timestamp=2024-01-15 10:30:00.000|@message={"a":2,"b":"x","c":"k"}`}},
		{name: "search with a string searches the message",
			query: `search "boom" | fields @message`, msgs: []string{"a boom", "quiet"},
			want: []string{"@message=a boom"}},
		{name: "sort: the documented natural order, ascending",
			query: "fields v | sort v asc", msgs: sortDocEvents(), want: sortDocRows(false)},
		{name: "sort: descending is the exact reverse",
			query: "fields v | sort v desc", msgs: sortDocEvents(), want: sortDocRows(true)},
		{name: "sort without a direction is ascending",
			query: "fields v | sort v", msgs: []string{`{"v":3}`, `{"v":1}`, `{"v":2}`},
			want: []string{"v=1", "v=2", "v=3"}},
		{name: "sort: numbers by value, several keys, absent values last",
			query: "fields a, b | sort a desc, b asc",
			msgs:  []string{`{"a":10,"b":"y"}`, `{"a":9.5,"b":"z"}`, `{"a":10,"b":"x"}`, `{"b":"w"}`, `{"a":100,"b":"q"}`},
			want:  []string{"a=100|b=q", "a=10|b=x", "a=10|b=y", "a=9.5|b=z", "b=w"}},
		{name: "sort then filter after it",
			query: `fields @timestamp, n | sort n desc | filter n != 2 | limit 2`,
			msgs:  []string{`{"n":1}`, `{"n":3}`, `{"n":2}`, `{"n":4}`},
			want:  []string{"@timestamp=2024-01-15 10:30:03.000|n=4", "@timestamp=2024-01-15 10:30:01.000|n=3"}},
		{name: "order is sort",
			query: "fields v | order v desc", msgs: []string{`{"v":1}`, `{"v":2}`},
			want: []string{"v=2", "v=1"}},
		{name: "limit keeps the newest",
			query: "fields @message | limit 2", msgs: []string{"a", "b", "c"},
			want: []string{"@message=c", "@message=b"}},
		{name: "limit any",
			query: "fields @message | limit any 1", msgs: []string{"a", "b"},
			want: []string{"@message=b"}},
		{name: "limit any without a count",
			query: "fields @message | limit any", msgs: []string{"a", "b"}, opts: Options{Limit: 1},
			want: []string{"@message=b"}},
		{name: "head is limit",
			query: "fields @message | head 1", msgs: []string{"a", "b"},
			want: []string{"@message=b"}},
		{name: "tail keeps the last rows in order",
			query: "fields @message | tail 2", msgs: []string{"a", "b", "c"},
			want: []string{"@message=b", "@message=a"}},
		{name: "the API limit applies without a limit command",
			query: "fields @message", msgs: []string{"a", "b", "c"}, opts: Options{Limit: 1},
			want: []string{"@message=c"}},
		{name: "a limit command overrides the API limit",
			query: "fields @message | limit 2", msgs: []string{"a", "b", "c"}, opts: Options{Limit: 1},
			want: []string{"@message=c", "@message=b"}},
		{name: "limit before stats",
			query: "limit 2 | stats count(*) as n", msgs: []string{"a", "b", "c"},
			want: []string{"n=2"}},
		{name: "parse glob: * is the shortest match, a trailing * takes the rest",
			query: `parse @message "user=*, method:*, latency := *" as @user, @method, @latency | display @user, @method, @latency`,
			msgs:  []string{"x user=bob, method:GET, latency := 12 ms", "no match here"},
			want:  []string{"", "@user=bob|@method=GET|@latency=12 ms"}},
		{name: "parse glob in the middle of the text",
			query: `parse @message "[*]" as lvl | fields lvl`, msgs: []string{"10:00 [WARN] a [b]"},
			want: []string{"lvl=WARN"}},
		{name: "parse regex with named groups",
			query: `parse @message /(?<NetworkInterface>eni-.*?) / | display NetworkInterface`,
			msgs:  []string{"2 123 eni-0abc 10.0.0.1 x", "nothing"},
			want:  []string{"", "NetworkInterface=eni-0abc"}},
		{name: "parse without fields shows the parsed fields after @message",
			query: `parse @message "k=*;" as k`, msgs: []string{"k=v;"},
			want: []string{"@timestamp=2024-01-15 10:30:00.000|@message=k=v;|k=v"}},
		{name: "parse then stats by the parsed field",
			query: `parse @message "method=* " as m | stats count(*) as n by m`,
			msgs:  []string{"method=GET x", "method=POST x", "method=GET y", "other"},
			want:  []string{"m=GET|n=2", "m=POST|n=1", "n=1"}},
		{name: "dedup keeps the first in sort order",
			query: "fields @timestamp, server, severity | sort @timestamp desc | dedup server",
			msgs:  []string{`{"server":"a","severity":"1"}`, `{"server":"b","severity":"2"}`, `{"server":"a","severity":"3"}`},
			want:  []string{"@timestamp=2024-01-15 10:30:02.000|server=a|severity=3", "@timestamp=2024-01-15 10:30:01.000|server=b|severity=2"}},
		{name: "dedup after an ascending sort keeps the oldest",
			query: "fields @timestamp, server | sort @timestamp asc | dedup server",
			msgs:  []string{`{"server":"a"}`, `{"server":"b"}`, `{"server":"a"}`},
			want:  []string{"@timestamp=2024-01-15 10:30:00.000|server=a", "@timestamp=2024-01-15 10:30:01.000|server=b"}},
		{name: "dedup without sort uses newest first; rows with an absent field are all kept",
			query: "fields server, n | dedup server",
			msgs:  []string{`{"server":"a","n":1}`, `{"n":2}`, `{"server":"a","n":3}`, `{"n":4}`},
			want:  []string{"n=4", "server=a|n=3", "n=2"}},
		{name: "dedup on several fields, then limit",
			query: "fields server, severity | sort @timestamp desc | dedup server, severity | limit 2",
			msgs:  []string{`{"server":"a","severity":"x"}`, `{"server":"a","severity":"y"}`, `{"server":"a","severity":"x"}`, `{"server":"b","severity":"x"}`},
			want:  []string{"server=b|severity=x", "server=a|severity=x"}},
		{name: "unmask does nothing locally",
			query: "fields @message | unmask", msgs: []string{"a"},
			want: []string{"@message=a"}},
		{name: "unnest a list from jsonParse",
			query: "fields jsonParse(@message) as json_message | unnest json_message.events into event | display event.name",
			msgs:  []string{`{"events":[{"name":"exception"},{"name":"user action"}]}`},
			want:  []string{"event.name=exception", "event.name=user action"}},
		{name: "unnest then filter and stats",
			query: `fields jsonParse(@message) as js | unnest js.accounts into account | filter account.type = "internal" | stats count(*) as n by account.id`,
			msgs:  []string{`{"accounts":[{"type":"internal","id":"a"},{"type":"external","id":"b"},{"type":"internal","id":"a"}]}`},
			want:  []string{"account.id=a|n=2"}},
		{name: "expand an array field",
			query: "expand items | stats count(*) as n by items, host",
			msgs:  []string{`{"items":["apple","banana","cherry"],"host":"web-01"}`, `{"items":["apple"],"host":"web-02"}`},
			want:  []string{"items=apple|host=web-01|n=1", "items=apple|host=web-02|n=1", "items=banana|host=web-01|n=1", "items=cherry|host=web-01|n=1"}},
		{name: "comments and case-insensitive keywords",
			query: "# leading comment\nFIELDS @message # trailing\n    # | filter @message like /x/\n| LIMIT 1",
			msgs:  []string{"a", "b"},
			want:  []string{"@message=b"}},
		{name: "backtick field names",
			query: "stats count(*) as numberOfEvents by `detail-type` | sort numberOfEvents desc",
			msgs:  []string{`{"detail-type":"A"}`, `{"detail-type":"B"}`, `{"detail-type":"A"}`},
			want:  []string{"detail-type=A|numberOfEvents=2", "detail-type=B|numberOfEvents=1"}},
	})
}

func TestStats(t *testing.T) {
	lat := []ev{
		{msg: `{"svc":"a","latency":10,"status":"200","ip":"1.1.1.1"}`, ts: base},
		{msg: `{"svc":"a","latency":30,"status":"500","ip":"1.1.1.2"}`, ts: base + 61_000},
		{msg: `{"svc":"b","latency":20,"status":"200","ip":"1.1.1.1"}`, ts: base + 301_000},
		{msg: `{"svc":"a","latency":"x","status":"200","ip":"1.1.1.1"}`, ts: base + 302_000},
		{msg: `{"svc":"b","status":"404"}`, ts: base + 303_000},
	}
	runCases(t, []tc{
		{name: "count(*), count(f), sum, avg, min, max by a field",
			query:  "stats count(*), count(latency), sum(latency), avg(latency), min(latency), max(latency) by svc",
			events: lat,
			want: []string{
				"svc=a|count(*)=3|count(latency)=3|sum(latency)=40|avg(latency)=20|min(latency)=10|max(latency)=30",
				"svc=b|count(*)=2|count(latency)=1|sum(latency)=20|avg(latency)=20|min(latency)=20|max(latency)=20",
			}},
		{name: "stats by bin(5m): bins floor @timestamp and render as timestamps",
			query: "stats count(*) as n by bin(5m)", events: lat,
			want: []string{"bin(5m)=2024-01-15 10:30:00.000|n=2", "bin(5m)=2024-01-15 10:35:00.000|n=3"}},
		{name: "bin aliased, sorted",
			query: "stats count(*) by bin(1h) as t | sort t", events: lat,
			want: []string{"t=2024-01-15 10:00:00.000|count(*)=5"}},
		{name: "bin(300s) is capped to 60s",
			query: "stats count(*) as n by bin(300s)", events: lat[:2],
			want: []string{"bin(300s)=2024-01-15 10:30:00.000|n=1", "bin(300s)=2024-01-15 10:31:00.000|n=1"}},
		{name: "count_distinct and countDistinct",
			query: "stats count_distinct(ip) as a, countDistinct(status) as b", events: lat,
			want: []string{"a=2|b=3"}},
		{name: "pct is the nearest-rank percentile",
			query: "stats pct(n, 50) as p50, pct(n, 90) as p90, pct(n, 100) as p100, percentile(n, 0) as p0",
			msgs:  []string{`{"n":1}`, `{"n":2}`, `{"n":3}`, `{"n":4}`, `{"n":5}`, `{"n":6}`, `{"n":7}`, `{"n":8}`, `{"n":9}`, `{"n":10}`},
			want:  []string{"p50=5|p90=9|p100=10|p0=1"}},
		{name: "stddev and variance are the population's",
			query: "stats stddev(n) as sd, variance(n) as var",
			msgs:  []string{`{"n":2}`, `{"n":4}`, `{"n":4}`, `{"n":4}`, `{"n":5}`, `{"n":5}`, `{"n":7}`, `{"n":9}`},
			want:  []string{"sd=2|var=4"}},
		{name: "min and max of text",
			query: "stats min(s) as lo, max(s) as hi", msgs: []string{`{"s":"pear"}`, `{"s":"apple"}`, `{"s":"zoo"}`},
			want: []string{"lo=apple|hi=zoo"}},
		{name: "earliest and latest follow @timestamp, not arrival",
			query:  "stats earliest(s) as e, latest(s) as l",
			events: []ev{{msg: `{"s":"mid"}`, ts: base + 5}, {msg: `{"s":"last"}`, ts: base + 9}, {msg: `{"s":"first"}`, ts: base + 1}},
			want:   []string{"e=first|l=last"}},
		{name: "sortsFirst and sortsLast use the sort order",
			query: "stats sortsFirst(s) as f, sortsLast(s) as l", msgs: []string{`{"s":"b2"}`, `{"s":"10"}`, `{"s":"b10"}`, `{"s":"a"}`},
			want: []string{"f=a|l=10"}},
		{name: "values are the distinct values",
			query: "stats values(status) as statuses by svc", events: lat,
			want: []string{`svc=a|statuses=["200","500"]`, `svc=b|statuses=["200","404"]`}},
		{name: "topk",
			query: "stats topk(2, status)", events: lat,
			want: []string{`topk(2, status)=["200","404"]`}},
		{name: "aggregations in arithmetic, and items using earlier items",
			query: "stats sum(latency) / count(*) as per, max(latency) as mx, min(latency) as mn, mx - mn as spread", events: lat,
			want: []string{"per=12|mx=30|mn=10|spread=20"}},
		{name: "arithmetic inside an aggregation",
			query: "stats max(latency / 10) as m", events: lat,
			want: []string{"m=3"}},
		{name: "several stats: the second reads the first's columns",
			query:  "FIELDS strlen(@message) AS message_length | STATS sum(message_length) AS ingested, max(@timestamp) as @t BY svc | STATS avg(ingested) as a, count(*) as n BY dateceil(@t, 10m)",
			events: []ev{{msg: `{"svc":"a"}`, ts: base + 1000}, {msg: `{"svc":"bb"}`, ts: base + 2000}},
			want:   []string{"dateceil(@t, 10m)=2024-01-15 10:40:00.000|a=11.5|n=2"}},
		{name: "filter after stats works like HAVING",
			query: "stats count(*) as n by svc | filter n > 2", events: lat,
			want: []string{"svc=a|n=3"}},
		{name: "stats then sort and limit",
			query: "stats count(*) as n by status | sort n desc | limit 1", events: lat,
			want: []string{"status=200|n=3"}},
		{name: "stats by several fields; an absent group value is a group of its own",
			query:  "stats count(*) as n by svc, latency",
			events: lat,
			want:   []string{"svc=a|latency=x|n=1", "svc=a|latency=10|n=1", "svc=a|latency=30|n=1", "svc=b|latency=20|n=1", "svc=b|n=1"}},
		{name: "stats without by over no events returns no rows",
			query: "filter x = 1 | stats count(*)", msgs: []string{`{"x":2}`},
			want: []string{}},
		{name: "count() with no argument",
			query: "stats count() as n", msgs: []string{"a", "b"},
			want: []string{"n=2"}},
		{name: "countFrequent counts combinations, most frequent first",
			query: "fields svc, status | countFrequent svc, status", events: lat,
			want: []string{"svc=a|status=200|_approxcount=2", "svc=a|status=500|_approxcount=1", "svc=b|status=200|_approxcount=1", "svc=b|status=404|_approxcount=1"}},
		{name: "stats offset shifts the bins",
			query: "stats count(*) as n by bin(5m) offset 1h", events: lat[:1],
			want: []string{"bin(5m)=2024-01-15 11:30:00.000|n=1"}},
		{name: "histogram buckets",
			query: "stats histogram(n, 2) as h", msgs: []string{`{"n":0}`, `{"n":1}`, `{"n":9}`, `{"n":10}`},
			want: []string{`h={"0-5":2,"5-10":2}`}},
		{name: "rate per period between the first and the last value",
			query:  "stats rate(c, 1m) as r",
			events: []ev{{msg: `{"c":10}`, ts: base}, {msg: `{"c":70}`, ts: base + 120_000}},
			want:   []string{"r=30"}},
		{name: "countOverTime and sumOverTime",
			query: "stats countOverTime(latency) as c, sum_over_time(latency) as s by bin(1h)", events: lat,
			want: []string{"bin(1h)=2024-01-15 10:00:00.000|c=4|s=60"}},
	})
}
