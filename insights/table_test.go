package insights

import (
	"reflect"
	"strings"
	"testing"
)

func TestTableCommands(t *testing.T) {
	nums := []string{`{"a":1,"b":10,"h":"x"}`, `{"a":2,"h":"y"}`, `{"a":3,"b":30}`}
	runCases(t, []tc{
		{name: "addtotals: a row total of all numeric fields",
			query: "fields a, b | sort a asc | addtotals", msgs: nums,
			want: []string{"a=1|b=10|Total=11", "a=2|Total=2", "a=3|b=30|Total=33"}},
		{name: "addtotals: chosen fields, a column total row, a custom name",
			query: "fields a, b | sort a asc | addtotals fieldname=Sum col=true a", msgs: nums,
			want: []string{"a=1|b=10|Sum=1", "a=2|Sum=2", "a=3|b=30|Sum=3", "a=6|Sum=6"}},
		{name: "accum: a running sum",
			query: "fields a | sort a asc | accum a AS running", msgs: nums,
			want: []string{"a=1|running=1", "a=2|running=3", "a=3|running=6"}},
		{name: "autoregress: previous rows' values",
			query: "fields a | sort a asc | autoregress a p=1-2", msgs: nums,
			want: []string{"a=1", "a=2|a_p1=1", "a=3|a_p1=2|a_p2=1"}},
		{name: "filldown: carry the last value forward",
			query: "fields a, b, h | sort a asc | filldown b h", msgs: nums,
			want: []string{"a=1|b=10|h=x", "a=2|b=10|h=y", "a=3|b=30|h=y"}},
		{name: "filldown with a wildcard",
			query: "fields a, b, bb | sort a asc | filldown b*", msgs: []string{`{"a":1,"b":1,"bb":2}`, `{"a":2}`},
			want: []string{"a=1|b=1|bb=2", "a=2|b=1|bb=2"}},
		{name: "fillmissing: empty bins",
			query:  "stats avg(latency) as avg_latency by bin(1m) | fillmissing with 0 for avg_latency",
			events: []ev{{msg: `{"latency":4}`, ts: base}, {msg: `{"latency":8}`, ts: base + 180_000}},
			want:   []string{"bin(1m)=2024-01-15 10:30:00.000|avg_latency=4", "bin(1m)=2024-01-15 10:31:00.000|avg_latency=0", "bin(1m)=2024-01-15 10:32:00.000|avg_latency=0", "bin(1m)=2024-01-15 10:33:00.000|avg_latency=8"}},
		{name: "sessionize: a new session after the gap",
			query: "fields @timestamp, u | sessionize u maxspan 5m as sess | sort @timestamp asc",
			events: []ev{
				{msg: `{"u":"a"}`, ts: base}, {msg: `{"u":"b"}`, ts: base + 60_000},
				{msg: `{"u":"a"}`, ts: base + 120_000}, {msg: `{"u":"a"}`, ts: base + 900_000},
			},
			want: []string{
				"@timestamp=2024-01-15 10:30:00.000|u=a|sess=1", "@timestamp=2024-01-15 10:31:00.000|u=b|sess=2",
				"@timestamp=2024-01-15 10:32:00.000|u=a|sess=1", "@timestamp=2024-01-15 10:45:00.000|u=a|sess=3",
			}},
		{name: "outlier: remove and mark",
			query: "fields v | sort v asc | outlier action=remove param=1.5 mark=true v",
			msgs:  []string{`{"v":1}`, `{"v":2}`, `{"v":3}`, `{"v":4}`, `{"v":100}`},
			want:  []string{"v=1|_outlier=0", "v=2|_outlier=0", "v=3|_outlier=0", "v=4|_outlier=0"}},
		{name: "outlier: transform clamps to the fence",
			query: "fields v | sort v asc | outlier v",
			msgs:  []string{`{"v":1}`, `{"v":2}`, `{"v":3}`, `{"v":4}`, `{"v":100}`},
			want:  []string{"v=1", "v=2", "v=3", "v=4", "v=9"}},
	})
}

func TestLookupJoinSubqueries(t *testing.T) {
	users := &LookupTable{Columns: []string{"id", "name", "department"}, Rows: [][]string{{"1", "Ann", "Engineering"}, {"2", "Bob", "Sales"}}}
	nets := &LookupTable{Columns: []string{"cidr", "region"}, Rows: [][]string{{"10.0.0.0/8", "wide"}, {"10.1.0.0/16", "narrow"}}}
	runCases(t, []tc{
		{name: "lookup",
			query: `fields id, action | lookup users id OUTPUT name, department | filter department = "Engineering"`,
			msgs:  []string{`{"id":"1","action":"a"}`, `{"id":"2","action":"b"}`, `{"id":"3","action":"c"}`},
			opts:  Options{LookupTables: map[string]*LookupTable{"users": users}},
			want:  []string{"id=1|action=a|name=Ann|department=Engineering"}},
		{name: "lookup with as and OUTPUTNEW",
			query: `fields user_id, name | lookup users id as user_id OUTPUTNEW name`,
			msgs:  []string{`{"user_id":"1"}`, `{"user_id":"2","name":"Robert"}`},
			opts:  Options{LookupTables: map[string]*LookupTable{"users": users}},
			want:  []string{"user_id=2|name=Robert", "user_id=1|name=Ann"}},
		{name: "cidrlookup takes the longest prefix",
			query: `fields ip | cidrlookup nets ip OUTPUT region`,
			msgs:  []string{`{"ip":"10.1.2.3"}`, `{"ip":"10.2.0.1"}`, `{"ip":"8.8.8.8"}`},
			opts:  Options{LookupTables: map[string]*LookupTable{"nets": nets}},
			want:  []string{"ip=8.8.8.8", "ip=10.2.0.1|region=wide", "ip=10.1.2.3|region=narrow"}},
		{name: "filter in a subquery's results",
			query: `filter requestId in (SOURCE '/aws/lambda/db' | filter errorType = "Timeout" | fields requestId) | fields requestId`,
			msgs:  []string{`{"requestId":"r1"}`, `{"requestId":"r2"}`},
			opts:  Options{Subresults: []*Result{{Columns: []string{"requestId"}, Rows: [][]Field{{{"requestId", "r2"}, {"@ptr", "p"}}}}}},
			want:  []string{"requestId=r2"}},
		{name: "inner join",
			query: `filter status >= 500 | join type=inner left=api right=lambda where api.requestId=lambda.requestId (SOURCE '/aws/lambda/my-function') | fields api.requestId, api.status, lambda.duration | sort api.status desc`,
			msgs:  []string{`{"requestId":"r1","status":500}`, `{"requestId":"r2","status":503}`, `{"requestId":"r3","status":200}`},
			opts:  Options{Subresults: []*Result{{Columns: []string{"requestId", "duration"}, Rows: [][]Field{{{"requestId", "r1"}, {"duration", "12"}}}}}},
			want:  []string{"api.requestId=r1|api.status=500|lambda.duration=12"}},
		{name: "left join keeps unmatched rows",
			query: `join type=left left=o right=p where o.id=p.id (SOURCE 'pay') | filter !ispresent(p.state) or p.state != "OK" | fields o.id, p.state`,
			msgs:  []string{`{"id":"1"}`, `{"id":"2"}`, `{"id":"3"}`},
			opts:  Options{Subresults: []*Result{{Columns: []string{"id", "state"}, Rows: [][]Field{{{"id", "1"}, {"state", "OK"}}, {{"id", "2"}, {"state", "FAILED"}}}}}},
			want:  []string{"o.id=3", "o.id=2|p.state=FAILED"}},
		{name: "appendcols by position",
			query: `stats count(*) as cnt by svc | appendcols (SOURCE 'lg' | stats avg(latency) as avgLat by svc)`,
			msgs:  []string{`{"svc":"a"}`, `{"svc":"b"}`},
			opts:  Options{Subresults: []*Result{{Columns: []string{"svc", "avgLat"}, Rows: [][]Field{{{"svc", "a"}, {"avgLat", "5"}}}}}},
			want:  []string{"svc=a|cnt=1|avgLat=5", "svc=b|cnt=1"}},
	})
}

func TestJoinSubquery(t *testing.T) {
	q, err := Parse(`join left=a right=b where a.id = b.id (SOURCE '/aws/lambda/x') | fields a.id, b.duration, b.memory.used`)
	if err != nil {
		t.Fatal(err)
	}
	subs := q.Subqueries()
	if len(subs) != 1 {
		t.Fatalf("%d subqueries, want 1", len(subs))
	}
	if got, want := subs[0].Source().LogGroups, []string{"/aws/lambda/x"}; !reflect.DeepEqual(got, want) {
		t.Errorf("right side log groups %v, want %v", got, want)
	}
	if got, want := subs[0].Columns(), []string{"id", "duration", "memory.used"}; !reflect.DeepEqual(got, want) {
		t.Errorf("right side columns %v, want %v", got, want)
	}
	if _, err := q.NewEvaluator(Options{}); err == nil || !strings.Contains(err.Error(), "subqueries") {
		t.Errorf("NewEvaluator without the subquery results: %v, want an error", err)
	}
	if _, err := mustParse(t, "lookup t k OUTPUT v").NewEvaluator(Options{}); err == nil || !strings.Contains(err.Error(), `lookup table "t" does not exist`) {
		t.Errorf("NewEvaluator without the lookup table: %v", err)
	}
}

func mustParse(t *testing.T, s string) *Query {
	t.Helper()
	q, err := Parse(s)
	if err != nil {
		t.Fatalf("Parse(%q): %v", s, err)
	}
	return q
}

func TestQueryInfo(t *testing.T) {
	for _, c := range []struct {
		query   string
		columns []string
		limit   int
		stats   bool
	}{
		{"", []string{"@timestamp", "@message"}, 0, false},
		{"fields a, b as c | limit 5", []string{"a", "c"}, 5, false},
		{"parse @message '* *' as x, y", []string{"@timestamp", "@message", "x", "y"}, 0, false},
		{"stats count(*), avg(x) by bin(5m), svc | sort svc | limit 100", []string{"bin(5m)", "svc", "count(*)", "avg(x)"}, 100, true},
		{"stats count(*) as n by s | stats sum(n) as t", []string{"t"}, 0, true},
		{"fields a | display b", []string{"b"}, 0, false},
		{"fields a | countFrequent a", []string{"a", "_approxcount"}, 0, true},
	} {
		q := mustParse(t, c.query)
		if got := q.Columns(); !reflect.DeepEqual(got, c.columns) {
			t.Errorf("%q: Columns() = %q, want %q", c.query, got, c.columns)
		}
		if got := q.Limit(); got != c.limit {
			t.Errorf("%q: Limit() = %d, want %d", c.query, got, c.limit)
		}
		if got := q.IsStats(); got != c.stats {
			t.Errorf("%q: IsStats() = %v, want %v", c.query, got, c.stats)
		}
		if q.String() != c.query {
			t.Errorf("String() = %q", q.String())
		}
	}
}

func TestSource(t *testing.T) {
	for _, c := range []struct {
		query string
		want  Source
	}{
		{"SOURCE logGroups()", Source{AllLogGroups: true}},
		{"SOURCE logGroups(namePrefix: ['/aws/lambda/a', '/aws/lambda/b']) | fields @message", Source{NamePrefixes: []string{"/aws/lambda/a", "/aws/lambda/b"}}},
		{"SOURCE logGroups(accountIdentifiers:['111122223333'], class: ['INFREQUENT_ACCESS'])", Source{AllLogGroups: true, AccountIdentifiers: []string{"111122223333"}, Classes: []string{"INFREQUENT_ACCESS"}}},
		{"source logGroups(namePrefix: ['my-log'], accountIdentifiers: ['accountId' = '111122223333'])", Source{NamePrefixes: []string{"my-log"}, AccountIdentifiers: []string{"111122223333"}}},
		{"SOURCE dataSource(['amazon_vpc.flow']) logGroups(namePrefix: ['p'])", Source{DataSources: []string{"amazon_vpc.flow"}, NamePrefixes: []string{"p"}}},
		{`SOURCE "/aws/lambda/x" START=1700000000000 END=1700003600999 | fields @message`, Source{LogGroups: []string{"/aws/lambda/x"}, Start: TimeBound{Set: true, Millis: 1700000000000}, End: TimeBound{Set: true, Millis: 1700003600999}}},
		{"SOURCE lg start=-1d end=now | fields @message", Source{LogGroups: []string{"lg"}, Start: TimeBound{Set: true, Relative: true, Millis: -86_400_000}, End: TimeBound{Set: true, Relative: true}}},
	} {
		q := mustParse(t, c.query)
		if got := q.Source(); got == nil || !reflect.DeepEqual(*got, c.want) {
			t.Errorf("%q: Source() = %+v, want %+v", c.query, got, c.want)
		}
	}
	if mustParse(t, "fields a").Source() != nil {
		t.Error("Source() of a query without SOURCE is not nil")
	}
}
