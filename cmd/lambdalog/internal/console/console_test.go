package console_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs/types"

	"github.com/lambdalog/lambdalog/cmd/lambdalog/internal/awsapi"
	"github.com/lambdalog/lambdalog/cmd/lambdalog/internal/console"
	"github.com/lambdalog/lambdalog/insights"
)

// TestOwnsOnlyConsoleRequests: the requests AWS clients send (JSON 1.1 and
// 1.0 on POST /, CBOR, the Lambda and X-Ray REST paths, the query protocol
// on GET /?Action=, signed GETs) never reach the console; the console's
// own paths do.
func TestOwnsOnlyConsoleRequests(t *testing.T) {
	req := func(method, target string, h ...string) *http.Request {
		r := httptest.NewRequest(method, target, nil)
		for i := 0; i < len(h); i += 2 {
			r.Header.Set(h[i], h[i+1])
		}
		return r
	}
	for _, c := range []struct {
		r    *http.Request
		want bool
	}{
		{req("POST", "/", "X-Amz-Target", "Logs_20140328.PutLogEvents"), false},
		{req("POST", "/", "X-Amz-Target", "GraniteServiceVersion20100801.ListMetrics"), false},
		{req("POST", "/service/GraniteServiceVersion20100801/operation/GetMetricData"), false},
		{req("POST", "/2015-03-31/functions/hello/invocations"), false},
		{req("POST", "/TraceSummaries"), false},
		{req("GET", "/?Action=ListMetrics&Version=2010-08-01"), false},
		{req("GET", "/", "Authorization", "AWS4-HMAC-SHA256 Credential=AKID/20260514/us-east-1/logs/aws4_request, SignedHeaders=host, Signature=00"), false},
		{req("GET", "/", "X-Amz-Target", "Logs_20140328.DescribeLogGroups"), false},
		{req("POST", "/"), false},
		{req("GET", "/2015-03-31/functions/"), false},
		{req("GET", "/"), true},
		{req("HEAD", "/"), true},
		{req("GET", "/", "Authorization", "Basic dGVzdDp0ZXN0"), true},
		{req("GET", "/console"), true},
		{req("GET", "/console/logs"), true},
		{req("POST", "/console/api/queries"), true},
	} {
		if got := console.Owns(c.r); got != c.want {
			t.Errorf("Owns(%s %s %v) = %v, want %v", c.r.Method, c.r.URL, c.r.Header, got, c.want)
		}
	}
}

// get fetches a console URL with the headers given as name, value pairs.
func get(t testing.TB, method, u string, body io.Reader, h ...string) (*http.Response, string) {
	t.Helper()
	r, err := http.NewRequest(method, u, body)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < len(h); i += 2 {
		if h[i] == "Host" {
			r.Host = h[i+1]
		} else {
			r.Header.Set(h[i], h[i+1])
		}
	}
	res, err := http.DefaultClient.Do(r)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return res, string(b)
}

// getJSON fetches a console endpoint and decodes its answer, which must
// have the status want.
func getJSON[T any](t testing.TB, e *env, method, path string, body any, want int) T {
	t.Helper()
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	}
	res, text := get(t, method, e.URL+"/console/api/"+path, rd)
	if res.StatusCode != want {
		t.Fatalf("%s %s: status %d, want %d: %s", method, path, res.StatusCode, want, text)
	}
	var v T
	if err := json.Unmarshal([]byte(text), &v); err != nil {
		t.Fatalf("%s %s: %v: %s", method, path, err, text)
	}
	return v
}

func TestServesTheShellAndTheAPIsSideBySide(t *testing.T) {
	e := start(t, envOptions{})
	e.put(t, "g", "s", ev(time.Now(), "hello"))

	// GET / goes to the console...
	res, err := http.Get(e.URL + "/")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.Request.URL.Path != "/console/" || !strings.Contains(string(body), `<main id="main">`) || !strings.Contains(string(body), `"pages":["logs","group","events","insights","metrics","traces","trace"]`) {
		t.Fatalf("GET / ends at %s with %.300s", res.Request.URL, body)
	}
	if csp := res.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "default-src 'self'") {
		t.Errorf("CSP %q", csp)
	}
	// ... and an SDK's request to the API.
	out, err := e.Logs.DescribeLogGroups(context.Background(), &cloudwatchlogs.DescribeLogGroupsInput{})
	if err != nil || len(out.LogGroups) != 1 {
		t.Fatalf("DescribeLogGroups: %v, %v", out, err)
	}
	// The shell for every page, 404 for unknown pages, the embedded files with ETags.
	for path, want := range map[string]int{"/console/events?group=g": 200, "/console/nope": 404, "/console/static/app.js": 200,
		"/console/static/vendor/uplot/uPlot.esm.js": 200, "/console/static/nope.js": 404, "/console/static/index.html": 404} {
		if res, _ := get(t, "GET", e.URL+path, nil); res.StatusCode != want {
			t.Errorf("GET %s: %d, want %d", path, res.StatusCode, want)
		}
	}
	res, _ = get(t, "GET", e.URL+"/console/static/app.js", nil)
	if ct := res.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/javascript") {
		t.Errorf("app.js Content-Type %q", ct)
	}
	if res2, _ := get(t, "GET", e.URL+"/console/static/app.js", nil, "If-None-Match", res.Header.Get("ETag")); res2.StatusCode != http.StatusNotModified {
		t.Errorf("revalidated app.js: %d", res2.StatusCode)
	}
	groups := getJSON[[]map[string]any](t, e, "GET", "groups", nil, 200)
	if len(groups) != 1 || groups[0]["name"] != "g" || groups[0]["streams"] != 1.0 || groups[0]["storedBytes"] != 5.0 {
		t.Errorf("groups %v", groups)
	}
	if res, text := get(t, "GET", e.URL+"/console/api/nope", nil); res.StatusCode != 404 || !strings.Contains(text, `"error"`) {
		t.Errorf("unknown endpoint: %d %s", res.StatusCode, text)
	}
}

// TestRefusesOtherSites: a page of another site (or another port of
// localhost) cannot read the console's JSON, and a name that resolves to
// 127.0.0.1 (DNS rebinding) cannot reach the console at all.
func TestRefusesOtherSites(t *testing.T) {
	e := start(t, envOptions{})
	u, _ := url.Parse(e.URL)
	for _, c := range []struct {
		h    []string
		want int
	}{
		{nil, 200},
		{[]string{"Sec-Fetch-Site", "same-origin"}, 200},
		{[]string{"Sec-Fetch-Site", "none"}, 200},
		{[]string{"Sec-Fetch-Site", "cross-site"}, 403},
		{[]string{"Sec-Fetch-Site", "same-site", "Origin", "http://localhost:3000"}, 403},
		{[]string{"Origin", e.URL}, 200},
		{[]string{"Origin", "http://evil.example"}, 403},
		{[]string{"Host", "evil.example:" + u.Port(), "Sec-Fetch-Site", "same-origin"}, 421},
		{[]string{"Host", "localhost:" + u.Port()}, 200},
	} {
		res, text := get(t, "GET", e.URL+"/console/api/groups", nil, c.h...)
		if res.StatusCode != c.want {
			t.Errorf("headers %q: %d, want %d: %s", c.h, res.StatusCode, c.want, text)
		}
		if res.Header.Get("Access-Control-Allow-Origin") != "" {
			t.Errorf("headers %q: CORS header %q", c.h, res.Header.Get("Access-Control-Allow-Origin"))
		}
	}
}

// TestBasicAuthWithCredentials: with credentials (serve on a non-loopback
// address), the console asks for the access key id and secret; the APIs
// still take SigV4.
func TestBasicAuthWithCredentials(t *testing.T) {
	creds := &awsapi.Credentials{AccessKeyID: "AKIDCONSOLE", SecretAccessKey: "s3cr3t/key+value"}
	e := start(t, envOptions{creds: creds})
	e.put(t, "g", "s", ev(time.Now(), "hello")) // signed, through the SDK
	for _, c := range []struct {
		user, pass string
		want       int
	}{{"", "", 401}, {"AKIDCONSOLE", "wrong", 401}, {"other", "s3cr3t/key+value", 401}, {"AKIDCONSOLE", "s3cr3t/key+value", 200}} {
		for _, path := range []string{"/console/api/groups", "/console/logs", "/"} {
			r, _ := http.NewRequest("GET", e.URL+path, nil)
			if c.user != "" {
				r.SetBasicAuth(c.user, c.pass)
			}
			r.Host = "lambdalog.internal:4588" // any name: the password protects it
			res, err := http.DefaultTransport.RoundTrip(r)
			if err != nil {
				t.Fatal(err)
			}
			res.Body.Close()
			want := c.want
			if path == "/" && want == 200 {
				want = http.StatusFound
			}
			if res.StatusCode != want {
				t.Errorf("%s as %q/%q: %d, want %d", path, c.user, c.pass, res.StatusCode, want)
			}
			if want == 401 && !strings.HasPrefix(res.Header.Get("WWW-Authenticate"), "Basic ") {
				t.Errorf("401 without a Basic challenge: %q", res.Header.Get("WWW-Authenticate"))
			}
		}
	}
}

type eventsPage struct {
	Events []struct {
		Stream    string `json:"stream"`
		Timestamp int64  `json:"timestamp"`
		ID        string `json:"id"`
		Message   string `json:"message"`
	} `json:"events"`
	Older, Newer string
	Examined     int
	Partial      bool
}

// TestEventsPagesThroughAGroupExactly pages backward through a group of
// three streams written with interleaved timestamps (equal ones included),
// with and without a filter pattern and with a scan budget so small that
// every answer stops early: every event comes exactly once, newest first;
// then a forward read from the first page's cursor sees exactly the events
// written later.
func TestEventsPagesThroughAGroupExactly(t *testing.T) {
	e := start(t, envOptions{})
	base := time.Now().Add(-time.Hour).Truncate(time.Second)
	var want []string
	for s := range 3 {
		var evs []types.InputLogEvent
		for i := range 700 {
			ts := base.Add(time.Duration(i*3+s%2) * time.Second)
			msg := fmt.Sprintf(`{"level":"%s","n":%d,"s":%d}`, []string{"INFO", "ERROR"}[boolInt(i%10 == 0)], i, s)
			evs = append(evs, ev(ts, msg))
		}
		e.put(t, "g", fmt.Sprintf("stream-%d", s), evs...)
	}
	// What a reader must get, newest first: by timestamp, then by write order.
	type row struct {
		ts  int64
		s   int
		msg string
	}
	var rows []row
	for s := range 3 {
		for i := range 700 {
			rows = append(rows, row{base.Add(time.Duration(i*3+s%2) * time.Second).UnixMilli(), s,
				fmt.Sprintf(`{"level":"%s","n":%d,"s":%d}`, []string{"INFO", "ERROR"}[boolInt(i%10 == 0)], i, s)})
		}
	}
	slices.SortStableFunc(rows, func(a, b row) int {
		if a.ts != b.ts {
			return int(b.ts - a.ts)
		}
		return b.s - a.s // later stream written later: greater seq
	})
	for _, r := range rows {
		want = append(want, r.msg)
	}
	for _, c := range []struct {
		name, pattern string
		budget        time.Duration
	}{{"all", "", time.Minute}, {"pattern", `{ $.level = "ERROR" }`, time.Minute}, {"pattern, tiny budget", `{ $.level = "ERROR" }`, time.Nanosecond}} {
		t.Run(c.name, func(t *testing.T) {
			defer console.SetScanBudget(c.budget)()
			var got []string
			partial := false
			q := url.Values{"group": {"g"}, "limit": {"97"}, "pattern": {c.pattern}}
			for range 1000 {
				p := getJSON[eventsPage](t, e, "GET", "events?"+q.Encode(), nil, 200)
				for _, ev := range p.Events {
					got = append(got, ev.Message)
				}
				partial = partial || p.Partial
				if p.Older == "" {
					break
				}
				q.Set("before", p.Older)
			}
			w := want
			if c.pattern != "" {
				w = slices.DeleteFunc(slices.Clone(want), func(m string) bool { return !strings.Contains(m, "ERROR") })
			}
			if !slices.Equal(got, w) {
				t.Fatalf("got %d events, want %d; first difference at %d", len(got), len(w), firstDiff(got, w))
			}
			if c.budget < time.Millisecond && !partial {
				t.Errorf("a nanosecond budget gave no partial answer")
			}
		})
	}

	first := getJSON[eventsPage](t, e, "GET", "events?group=g&limit=5", nil, 200)
	if first.Newer == "" || first.Events[0].Message != want[0] {
		t.Fatalf("first page: newer %q, %v", first.Newer, first.Events)
	}
	nothing := getJSON[eventsPage](t, e, "GET", "events?group=g&after="+first.Newer, nil, 200)
	if len(nothing.Events) != 0 || nothing.Newer != first.Newer {
		t.Fatalf("nothing new: %+v", nothing)
	}
	now := time.Now()
	e.put(t, "g", "stream-1", ev(now, "later 1"), ev(now.Add(time.Millisecond), "later 2"))
	e.put(t, "g", "stream-new", ev(now.Add(2*time.Millisecond), "later 3"))
	fwd := getJSON[eventsPage](t, e, "GET", "events?group=g&after="+first.Newer, nil, 200)
	var got []string
	for _, ev := range fwd.Events {
		got = append(got, ev.Message)
	}
	if !slices.Equal(got, []string{"later 1", "later 2", "later 3"}) {
		t.Fatalf("forward read: %q", got)
	}
	again := getJSON[eventsPage](t, e, "GET", "events?group=g&after="+fwd.Newer, nil, 200)
	if len(again.Events) != 0 {
		t.Fatalf("events repeated: %+v", again)
	}
	// One stream, the events of another left out.
	one := getJSON[eventsPage](t, e, "GET", "events?group=g&stream=stream-2&limit=1000", nil, 200)
	if len(one.Events) != 700 || one.Older != "" || one.Events[0].Stream != "stream-2" {
		t.Errorf("stream-2: %d events, older %q", len(one.Events), one.Older)
	}
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

func firstDiff(a, b []string) int {
	for i := range min(len(a), len(b)) {
		if a[i] != b[i] {
			return i
		}
	}
	return min(len(a), len(b))
}

// TestErrorsSayWhere: a bad filter pattern and a bad query come back with
// AWS's message and where the error is, in JavaScript string offsets.
func TestErrorsSayWhere(t *testing.T) {
	e := start(t, envOptions{})
	e.put(t, "g", "s", ev(time.Now(), "x"))
	type errOut struct {
		Error  string         `json:"error"`
		Detail map[string]any `json:"detail"`
	}
	pe := getJSON[errOut](t, e, "GET", "events?group=g&pattern="+url.QueryEscape(`{ $.é = 1 && }`), nil, 400)
	if pe.Error == "" || pe.Detail["offset"] == nil {
		t.Fatalf("pattern error %+v", pe)
	}
	qe := getJSON[errOut](t, e, "POST", "queries", map[string]any{"query": "fields @message\n| stats count(* by bin(5m)", "groups": []string{"g"}, "start": 0, "end": time.Now().UnixMilli()}, 400)
	if qe.Error == "" || qe.Detail["start"] == nil || qe.Detail["line"] != 2.0 {
		t.Fatalf("query error %+v", qe)
	}
	if nf := getJSON[errOut](t, e, "GET", "events?group=nope", nil, 404); !strings.Contains(nf.Error, "does not exist") {
		t.Errorf("unknown group: %+v", nf)
	}
	if nf := getJSON[errOut](t, e, "POST", "queries", map[string]any{"query": "fields @message", "groups": []string{"nope"}, "end": 1}, 404); !strings.Contains(nf.Error, "nope") {
		t.Errorf("unknown group in a query: %+v", nf)
	}
}

// TestTemplatesAreQueriesThatRunLocally: every sample query offered as a
// template parses.
func TestTemplatesAreQueriesThatRunLocally(t *testing.T) {
	b, err := os.ReadFile("static/insights-templates.json")
	if err != nil {
		t.Fatal(err)
	}
	var ts []struct{ ID, Category, Purpose, Query, Source string }
	if err := json.Unmarshal(b, &ts); err != nil {
		t.Fatal(err)
	}
	if len(ts) < 30 {
		t.Fatalf("%d templates", len(ts))
	}
	for _, tm := range ts {
		if tm.ID == "" || tm.Category == "" || tm.Purpose == "" || !strings.HasPrefix(tm.Source, "https://docs.aws.amazon.com/") {
			t.Errorf("template %+v lacks a field", tm)
		}
		if _, err := insights.Parse(tm.Query); err != nil {
			t.Errorf("template %s: %v", tm.ID, err)
		}
	}
}

// TestInsightsAndSavedQueries runs a query to its end through the console's
// endpoints and keeps a saved query, which the CloudWatch Logs API then
// lists.
func TestInsightsAndSavedQueries(t *testing.T) {
	e := start(t, envOptions{})
	s := seed(t, e)
	started := getJSON[map[string]any](t, e, "POST", "queries", map[string]any{
		"query": `filter @type = "REPORT" | stats count(*) as invocations, max(@duration) by bin(5m)`, "groups": []string{ordersGroup},
		"start": time.Now().Add(-time.Hour).UnixMilli(), "end": time.Now().UnixMilli()}, 200)
	id := started["id"].(string)
	if started["estimatedBytes"].(float64) <= 0 {
		t.Errorf("estimate %v", started["estimatedBytes"])
	}
	type results struct {
		Status  string      `json:"status"`
		Columns []string    `json:"columns"`
		Rows    [][]*string `json:"rows"`
		Scanned int64       `json:"recordsScanned"`
	}
	var r results
	for range 200 {
		if r = getJSON[results](t, e, "GET", "queries/"+id, nil, 200); r.Status == "Complete" {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	if r.Status != "Complete" || !slices.Equal(r.Columns, []string{"bin(5m)", "invocations", "max(@duration)"}) || int(r.Scanned) != s.events {
		t.Fatalf("results %+v", r)
	}
	total := 0
	for _, row := range r.Rows {
		var n int
		fmt.Sscan(*row[1], &n)
		total += n
	}
	if total != s.reports {
		t.Errorf("invocations add up to %d, want %d", total, s.reports)
	}

	saved := getJSON[map[string]string](t, e, "POST", "querydefs", map[string]any{"name": "latency", "query": "stats avg(@duration) by bin(5m)", "groups": []string{ordersGroup}}, 200)
	out, err := e.Logs.DescribeQueryDefinitions(context.Background(), &cloudwatchlogs.DescribeQueryDefinitionsInput{})
	if err != nil || len(out.QueryDefinitions) != 1 || aws.ToString(out.QueryDefinitions[0].QueryDefinitionId) != saved["id"] || aws.ToString(out.QueryDefinitions[0].Name) != "latency" {
		t.Fatalf("DescribeQueryDefinitions: %+v, %v", out, err)
	}
	getJSON[map[string]bool](t, e, "DELETE", "querydefs/"+saved["id"], nil, 200)
	if defs := getJSON[[]any](t, e, "GET", "querydefs", nil, 200); len(defs) != 0 {
		t.Errorf("after delete: %v", defs)
	}
}
