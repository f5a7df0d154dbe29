package console_test

import (
	"fmt"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

func TestLogsPage(t *testing.T) {
	b := newBrowser(t)
	e := start(t, envOptions{})
	seed(t, e)
	b.open(e.URL+"/", `document.querySelectorAll('table tbody tr').length > 0`)
	if got := b.text("tbody td:first-child"); !slices.Equal(got, []string{paymentsGroup, ordersGroup}) {
		t.Fatalf("groups %q", got)
	}
	if got := b.text(".nav a.active"); !slices.Equal(got, []string{"Logs"}) {
		t.Errorf("active nav %q", got)
	}
	cells := b.text("tbody tr:nth-child(2) td")
	if cells[1] != "3" || !strings.HasSuffix(cells[2], "KB") || cells[3] != "14 days" || !strings.HasSuffix(cells[4], "ago") {
		t.Errorf("orders row %q", cells)
	}
	b.noErrors("logs page")
	b.screenshot("logs")

	b.setValue(`input[type=search]`, "/aws")
	b.waitFor(`document.querySelectorAll('tbody tr').length === 1`)
	if got := b.text("tbody td:first-child"); !slices.Equal(got, []string{ordersGroup}) {
		t.Errorf("filtered groups %q", got)
	}
	b.click(`tbody td a`)
	b.waitFor(`location.pathname === '/console/group' && document.querySelectorAll('tbody tr').length === 3`)
	b.noErrors("filter and open a group")
}

func TestGroupPage(t *testing.T) {
	b := newBrowser(t)
	e := start(t, envOptions{})
	s := seed(t, e)
	b.open(e.URL+"/console/group?group="+url.QueryEscape(ordersGroup), `document.querySelectorAll('tbody tr').length === 3`)
	streams := b.text("tbody td:first-child")
	for _, st := range s.streams {
		if !slices.Contains(streams, st) {
			t.Errorf("stream %s missing from %q", st, streams)
		}
	}
	if got := b.text(".stat .value"); len(got) < 3 || got[1] != "3" || got[2] != "14 days" {
		t.Errorf("group figures %q", got)
	}
	b.noErrors("group page")
	b.screenshot("group")
	b.setValue(`input[type=search]`, s.streams[1][len(s.streams[1])-8:])
	b.waitFor(`document.querySelectorAll('tbody tr').length === 1`)
	if got := b.text("tbody td:first-child"); !slices.Equal(got, s.streams[1:2]) {
		t.Errorf("filtered streams %q", got)
	}
	b.noErrors("filter streams")
}

// TestEventsPage opens a stream, expands a JSON event, narrows the group's
// events with a filter pattern, shows a bad pattern's error in place, and
// follows new events live.
func TestEventsPage(t *testing.T) {
	b := newBrowser(t)
	e := start(t, envOptions{})
	s := seed(t, e)
	b.open(e.URL+"/console/events?"+url.Values{"group": {ordersGroup}, "stream": {s.streams[0]}}.Encode(), `document.querySelectorAll('.ev').length > 0`)
	// The stream's newest 100 events, then the one left when asked for more.
	if n := len(b.text(".ev")); n != 100 {
		t.Errorf("%d events shown, want a page of 100", n)
	}
	b.click(`.events-foot button`)
	b.waitFor(fmt.Sprintf(`document.querySelectorAll('.ev').length === %d && document.querySelector('.events-foot button').classList.contains('hidden')`, s.events/3))
	eval[chromedp.Void](b, `window.scrollTo(0, 0)`)
	// Newest first: the stream's last REPORT line, summarised.
	if first := b.text(".ev:first-child .msg")[0]; !strings.HasPrefix(first, "REPORT ") || !strings.Contains(first, "billed") {
		t.Errorf("newest event %q", first)
	}
	// A Powertools line shows its level and message on one line and
	// expands to its JSON.
	b.click(`.ev:nth-child(4) .ev-line`)
	b.waitFor(`document.querySelector('.ev.open .json') !== null`)
	detail := b.text(".ev.open .ev-detail")[0]
	if !strings.Contains(detail, `"function_request_id"`) || !strings.Contains(detail, `"items"`) {
		t.Errorf("expanded event %q", detail)
	}
	b.noErrors("stream events")
	b.screenshot("events")

	// The whole group, narrowed by a pattern to its ERROR lines.
	b.open(e.URL+"/console/events?group="+url.QueryEscape(ordersGroup), `document.querySelectorAll('.ev').length === 100`)
	b.setValue(`input.code`, `{ $.level = "ERROR" }`)
	b.click(`button[type=submit]`)
	b.waitFor(fmt.Sprintf(`document.querySelectorAll('.ev').length === %d`, s.errors))
	for _, m := range b.text(".ev .msg") {
		if !strings.HasPrefix(m, "ERROR") || !strings.Contains(m, "payment declined") {
			t.Errorf("an event that does not match: %q", m)
		}
	}
	if got := eval[string](b, `location.search`); !strings.Contains(got, "pattern=") {
		t.Errorf("the pattern is not in the URL: %s", got)
	}
	b.noErrors("filter pattern")
	b.screenshot("events-filtered")

	// A bad pattern: AWS's message under the input, the spot marked.
	b.setValue(`input.code`, `{ $.level = "ERROR" `)
	b.click(`button[type=submit]`)
	b.waitFor(`document.querySelector('.field-error mark') !== null`)
	if msg := b.text(".field-error")[0]; !strings.Contains(msg, "}") {
		t.Errorf("pattern error %q", msg)
	}
	if !eval[bool](b, `document.querySelector('input.code').classList.contains('invalid')`) {
		t.Error("the pattern input is not marked invalid")
	}
	b.noErrors("bad pattern", "/console/api/events")
	b.screenshot("events-bad-pattern")

	// Live tail: what is written now appears at the top.
	b.setValue(`input.code`, "")
	b.click(`button[type=submit]`)
	b.waitFor(`document.querySelectorAll('.ev').length === 100`)
	b.click(`.row > button:last-child`)
	b.waitFor(`document.querySelector('.row > button.on') !== null`)
	e.put(t, ordersGroup, s.streams[2], ev(time.Now(), `{"level":"WARN","message":"live and kicking","service":"orders"}`))
	b.waitFor(`document.querySelector('.ev .msg').textContent.includes('live and kicking')`)
	if !strings.Contains(eval[string](b, `location.search`), "live=1") {
		t.Error("live tail is not in the URL")
	}
	b.noErrors("live tail")
}

// TestInsightsPage runs a stats ... by bin query (a table and a chart), a
// query with a syntax error (shown in place), an events query whose row
// opens its record, and saves a query.
func TestInsightsPage(t *testing.T) {
	b := newBrowser(t)
	e := start(t, envOptions{})
	s := seed(t, e)
	b.open(e.URL+"/console/insights?group="+url.QueryEscape(ordersGroup), `document.querySelectorAll('.group-pick input:checked').length === 1 && document.querySelectorAll('.side-list li').length > 10`)
	if n := len(b.text("aside details")); n < 5 {
		t.Errorf("%d sample query categories", n)
	}
	b.setValue(`textarea`, "filter @type = \"REPORT\"\n| stats count(*) as invocations, avg(@duration) as avgDuration, max(@maxMemoryUsed / 1000 / 1000) as maxMemoryMB by bin(5m)")
	b.click(`button.primary`)
	b.waitFor(`document.querySelector('.progress + div').textContent.startsWith('Complete') && document.querySelectorAll('table.results tbody tr').length > 0`)
	if got := b.text("table.results th"); !slices.Equal(got, []string{"bin(5m)", "invocations", "avgDuration", "maxMemoryMB"}) {
		t.Errorf("columns %q", got)
	}
	total := 0
	for _, c := range b.text("table.results tbody td:nth-child(2)") {
		var n int
		fmt.Sscan(c, &n)
		total += n
	}
	if total != s.reports {
		t.Errorf("invocations add up to %d, want %d", total, s.reports)
	}
	b.waitFor(`document.querySelector('.chart canvas') !== null`)
	if got := b.text(".chart .u-legend .u-label"); !slices.Contains(got, "invocations") || !slices.Contains(got, "avgDuration") {
		t.Errorf("chart legend %q", got)
	}
	b.noErrors("stats query")
	b.screenshot("insights")

	// A syntax error, marked in place.
	b.setValue(`textarea`, "fields @timestamp\n| stats count(* by bin(5m)")
	b.click(`button.primary`)
	b.waitFor(`document.querySelector('.field-error mark') !== null`)
	if where := b.text(".field-error .where")[0]; !strings.HasPrefix(where, "line 2") {
		t.Errorf("error location %q", where)
	}
	b.noErrors("query error", "/console/api/queries")

	// Rows of events open their record.
	b.setValue(`textarea`, `fields @timestamp, level, message, @requestId | filter level = "ERROR" | sort @timestamp desc`)
	b.click(`button.primary`)
	b.waitFor(fmt.Sprintf(`document.querySelector('.progress + div').textContent.startsWith('Complete') && document.querySelectorAll('table.results tbody tr').length === %d`, s.errors))
	if got := b.text("table.results tbody td:nth-child(3)"); got[0] != "payment declined" {
		t.Errorf("message column %q", got)
	}
	if b.text(".chart")[0] != "" && !eval[bool](b, `document.querySelector('.chart').closest('.card').classList.contains('hidden')`) {
		t.Error("a chart for a query without bin()")
	}
	b.click(`table.results tbody tr.clickable`)
	b.waitFor(`document.querySelector('tr.record .record-fields') !== null`)
	if rec := b.text("tr.record")[0]; !strings.Contains(rec, "@logStream") || !strings.Contains(rec, "xray_trace_id") {
		t.Errorf("record %q", rec)
	}

	// Save it; it is listed, and the CloudWatch Logs API sees it.
	b.setValue(`input[aria-label="Saved query name"]`, "Recent errors")
	b.click(`input[aria-label="Saved query name"] + button`)
	b.waitFor(`[...document.querySelectorAll('.side-list li')].some(li => li.textContent.startsWith('Recent errors'))`)
	b.noErrors("events query and save")
}

// TestMetricsPage graphs EMF metrics and a metric put with PutMetricData.
func TestMetricsPage(t *testing.T) {
	b := newBrowser(t)
	e := start(t, envOptions{})
	seed(t, e)
	b.open(e.URL+"/console/metrics", `document.querySelector('.chart canvas') !== null`)
	if got := b.text("select[aria-label=Namespace] option"); !slices.Equal(got, []string{"custom", "orders"}) {
		t.Errorf("namespaces %q", got)
	}
	b.do(chromedp.SetValue(chromedp.CSS("select[aria-label=Namespace]"), "orders"))
	eval[chromedp.Void](b, `document.querySelector('select[aria-label=Namespace]').dispatchEvent(new Event('change'))`)
	b.waitFor(`[...document.querySelectorAll('.metric-list li')].map(l => l.textContent).join() === 'OrderLatencyservice=orders,OrdersPlacedservice=orders'`)
	b.click(`.metric-list li:nth-child(2)`)
	b.do(chromedp.SetValue(chromedp.CSS("select[aria-label=Statistic]"), "Sum"))
	eval[chromedp.Void](b, `document.querySelector('select[aria-label=Statistic]').dispatchEvent(new Event('change'))`)
	b.do(chromedp.SetValue(chromedp.CSS("select[aria-label=Period]"), "300"))
	eval[chromedp.Void](b, `document.querySelector('select[aria-label=Period]').dispatchEvent(new Event('change'))`)
	b.waitFor(`location.search.includes('stat=Sum') && location.search.includes('period=300') && document.querySelector('.chart canvas') !== null`)
	// 60 orders were placed: the Sum per period adds up to 60.
	sum := eval[float64](b, `(async () => { const p = new URLSearchParams(location.search); p.set('region', 'us-east-1'); p.set('start', Date.now() - 3*3600e3);
		const r = await (await fetch('/console/api/metrics/data?' + p)).json(); return r.values.reduce((a, b) => a + b, 0); })()`)
	if sum != 60 {
		t.Errorf("Sum of OrdersPlaced = %v, want 60", sum)
	}
	b.waitFor(`[...document.querySelectorAll('.stat .value')].length === 4`)
	b.noErrors("metrics page")
	b.screenshot("metrics")
}

// TestFunctionsPage (lambdalog dev): the function is listed; an event
// typed into the editor invokes it; its invocations are listed with the
// cold start and the function error.
func TestFunctionsPage(t *testing.T) {
	b := newBrowser(t)
	e := start(t, envOptions{functions: true})
	b.open(e.URL+"/console/functions", `document.querySelector('textarea') !== null`)
	if got := b.text("tbody td:first-child")[0]; !strings.HasPrefix(got, "greeter") {
		t.Errorf("functions %q", got)
	}
	b.setValue(`textarea`, `{"name": "Ada", "sleep_ms": 30}`)
	b.click(`button.primary`)
	b.waitFor(`document.querySelector('.invoke-result .badge') !== null`)
	if got := b.text(".invoke-result")[0]; !strings.Contains(got, "Succeeded") || !strings.Contains(got, `"hello Ada!"`) || !strings.Contains(got, "REPORT RequestId") {
		t.Errorf("invoke result %q", got)
	}
	b.setValue(`textarea`, `{"name": "Bob", "fail": "out of tea"}`)
	b.click(`button.primary`)
	b.waitFor(`document.querySelector('.invoke-result .badge.error') !== null && document.querySelectorAll('table.invocations tbody tr').length === 2`)
	rows := b.text("table.invocations tbody tr")
	if len(rows) != 2 || !strings.Contains(rows[0], "errorString") || !strings.Contains(rows[1], "cold") {
		t.Errorf("invocations %q", rows)
	}
	// An event that is not JSON is refused before it is sent.
	b.setValue(`textarea`, `{"name": `)
	if !eval[bool](b, `document.querySelector('textarea').classList.contains('invalid')`) {
		t.Error("invalid JSON is not marked")
	}
	b.setValue(`textarea`, `{"name": "Ada"}`)
	b.noErrors("functions page")
	b.screenshot("functions")
}

// TestDarkMode takes the events page in the dark scheme.
func TestDarkMode(t *testing.T) {
	b := newBrowser(t)
	e := start(t, envOptions{})
	s := seed(t, e)
	b.darkMode(true)
	b.open(e.URL+"/console/events?"+url.Values{"group": {ordersGroup}, "stream": {s.streams[0]}}.Encode(), `document.querySelectorAll('.ev').length > 0`)
	if bg := eval[string](b, `getComputedStyle(document.body).backgroundColor`); bg != "rgb(14, 17, 22)" {
		t.Errorf("dark background %s", bg)
	}
	b.click(`.ev:nth-child(4) .ev-line`)
	b.waitFor(`document.querySelector('.ev.open .json') !== null`)
	b.noErrors("dark mode")
	b.screenshot("events-dark")
}

// TestTracesPage lists the traces under the service map, narrows them with
// a filter expression, shows a bad expression's error in place, and opens
// a trace.
func TestTracesPage(t *testing.T) {
	b := newBrowser(t)
	e := start(t, envOptions{})
	s := seed(t, e)
	ids := seedTraces(t, e, s)
	b.open(e.URL+"/console/traces", `document.querySelectorAll('table tbody tr').length === 8 && document.querySelector('.svc-map svg') !== null`)
	nodes := b.text(".svc-map .node .name")
	for _, want := range []string{"orders", "DynamoDB"} {
		if !slices.Contains(nodes, want) {
			t.Errorf("service map nodes %q lack %s", nodes, want)
		}
	}
	if n := len(b.text(".svc-map .edge")); n < 2 {
		t.Errorf("%d edges in the service map", n)
	}
	if got := b.text("tbody td:nth-child(5)"); !slices.Contains(got, "Fault") || !slices.Contains(got, "Error") {
		t.Errorf("statuses %q", got)
	}
	b.noErrors("traces page")
	b.screenshot("traces")

	b.setValue(`input.code`, `annotation.ColdStart = true`)
	b.click(`button[type=submit]`)
	b.waitFor(`document.querySelectorAll('table tbody tr').length === 1`)
	if got := b.text("tbody td:nth-child(2)"); !slices.Equal(got, ids[:1]) {
		t.Errorf("cold starts %q, want %q", got, ids[:1])
	}
	b.setValue(`input.code`, `responsetime >`)
	b.click(`button[type=submit]`)
	b.waitFor(`document.querySelector('.field-error mark') !== null`)
	b.noErrors("filter expressions", "/console/api/traces")

	b.setValue(`input.code`, ``)
	b.click(`button[type=submit]`)
	b.waitFor(`document.querySelectorAll('table tbody tr').length === 8`)
	b.click(fmt.Sprintf(`tbody a[href*=%q]`, ordersTrace))
	b.waitFor(`location.pathname === '/console/trace' && document.querySelector('.wf-row.selected') !== null`)
	b.noErrors("open a trace")
}

// TestTracePage shows a trace as a waterfall, a subsegment's annotations
// and metadata, and the log lines of the invocation; and a log line's
// xray_trace_id leads back to the trace.
func TestTracePage(t *testing.T) {
	b := newBrowser(t)
	e := start(t, envOptions{})
	s := seed(t, e)
	seedTraces(t, e, s)
	b.open(e.URL+"/console/trace?id="+ordersTrace, `document.querySelectorAll('.wf-row[data-id]').length > 0 && document.querySelectorAll('.events .ev').length > 0`)
	// Rows: the Lambda segments, Invocation, the handler (with annotations,
	// marked), its DynamoDB call, and the DynamoDB segment X-Ray infers.
	if names := b.text(".wf-row[data-id] .wf-name"); !slices.Equal(names, []string{"orders", "orders", "Invocation", "## handler◆", "DynamoDBaws", "DynamoDB"}) {
		t.Errorf("waterfall rows %q", names)
	}
	// The handler subsegment, sent apart, sits under Invocation.
	depth := eval[[]string](b, `[...document.querySelectorAll('.wf-row[data-id] .wf-name')].map(e => e.textContent + '@' + e.style.paddingLeft)`)
	if !slices.Contains(depth, "Invocation@28px") || !slices.Contains(depth, "## handler◆@44px") {
		t.Errorf("nesting %q", depth)
	}
	eval[chromedp.Void](b, `[...document.querySelectorAll('.wf-row[data-id]')].find(r => r.textContent.startsWith('## handler')).click()`)
	b.waitFor(`document.querySelector('.kv-grid dd') && document.querySelector('.kv-grid dd').textContent === '## handler'`)
	detail := b.text(".card:nth-of-type(4) .card-body")[0]
	for _, want := range []string{"ColdStart", "Customer", `"order_id"`, "Metadata"} {
		if !strings.Contains(detail, want) {
			t.Errorf("segment detail lacks %s: %q", want, detail)
		}
	}
	// The invocation's log lines: START, the application's line (with
	// the trace id), END and REPORT (with the request id).
	logs := b.text(".events .ev .msg")
	if len(logs) != 4 || !strings.HasPrefix(logs[0], "START") || !strings.Contains(logs[1], "order placed") || !strings.HasPrefix(logs[3], "REPORT") {
		t.Errorf("log lines %q", logs)
	}
	b.noErrors("trace page")
	b.screenshot("trace")

	// Back from a log line to its trace.
	b.open(e.URL+"/console/events?"+url.Values{"group": {ordersGroup}, "pattern": {`"` + ordersTrace + `"`}}.Encode(), `document.querySelectorAll('.ev').length === 2`)
	eval[chromedp.Void](b, `[...document.querySelectorAll('.ev')].find(e => e.textContent.includes('order placed')).querySelector('.ev-line').click()`)
	b.click(`.ev.open a[href*="/console/trace?"]`)
	b.waitFor(`location.pathname === '/console/trace' && document.querySelector('h1')?.textContent === '` + ordersTrace + `'`)
	b.noErrors("log line to trace")
}
