package orders_test

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	cwtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/xray"
	xraytypes "github.com/aws/aws-sdk-go-v2/service/xray/types"

	"github.com/lambdalog/lambdalog/examples/orders/internal/order"
	"github.com/lambdalog/lambdalog/examples/orders/internal/traffic"
	"github.com/lambdalog/lambdalog/internal/testserver"
)

func TestMain(m *testing.M) { os.Exit(testserver.Main(m)) }

// ordersPlaced is how many valid orders the test places.
const ordersPlaced = 300

// The lines each function logs for one placed order, in order: in its own
// log group (story lines and its own), and in the shared stream (the story).
var (
	ownLines = map[string][]string{
		"api":      {"order received", "order confirmed", "shared log stream totals"},
		"orders":   {"payment requested", "order placed", "shared log stream totals"},
		"payments": {"<outcome>", "shared log stream totals"},
	}
	storyLines = map[string][]string{
		"api":      {"order received", "order confirmed"},
		"orders":   {"order placed"},
		"payments": {"<outcome>"},
	}
	functions = []string{"api", "orders", "payments"}
)

// outcome is the payments function's story line for an order.
func outcome(o order.Order) string {
	if order.Declined(o.Amount) {
		return "payment failed"
	}
	return "payment captured"
}

// TestFollowOrders runs examples/orders under `lambdalog dev`, places a few
// hundred orders through its HTTP API with the traffic of make-traffic, and
// follows every order through the public APIs with the AWS SDK's clients:
// its lines in the three log groups and the shared stream, its trace
// across the three functions, the service graph, the metrics, and the
// shared stream's counters against what is stored.
func TestFollowOrders(t *testing.T) {
	if testing.Short() {
		t.Skip("runs lambdalog dev with three functions and a few hundred orders")
	}
	d := startDev(t)
	ctx := context.Background()
	begin := time.Now().Add(-time.Minute)

	rep, err := traffic.Run(ctx, traffic.Config{URL: d.URLs["apiGateway"], Orders: ordersPlaced, Concurrency: 4, Seed: 16})
	if err != nil {
		t.Fatalf("traffic: %v\n%s", err, d.Output())
	}
	if len(rep.Placed) != ordersPlaced || rep.Declined == 0 || rep.Declined == ordersPlaced || rep.Rejected == 0 || rep.Lookups == 0 || rep.NotFound == 0 {
		t.Fatalf("traffic: %d placed, %d declined, %d rejected, %d lookups, %d not found", len(rep.Placed), rep.Declined, rep.Rejected, rep.Lookups, rep.NotFound)
	}
	t.Logf("%d orders placed (%d payments declined), %d rejected, %d lookups, %d unknown ids", len(rep.Placed), rep.Declined, rep.Rejected, rep.Lookups, rep.NotFound)

	c := newClients(d.URL)
	logs := checkLogs(t, ctx, c, rep, begin)
	checkInsights(t, ctx, c, rep, begin)
	checkTraces(t, ctx, c, rep, logs, begin)
	checkMetrics(t, ctx, c, rep, begin)
	if t.Failed() {
		t.Logf("dev's output ends with:\n%s", lastBytes(d.Output(), 20000))
	}
}

// clients are the AWS SDK's clients of dev's APIs.
type clients struct {
	logs    *cloudwatchlogs.Client
	xray    *xray.Client
	metrics *cloudwatch.Client
}

func newClients(url string) clients {
	cfg := aws.Config{Region: "us-east-1", BaseEndpoint: aws.String(url), HTTPClient: testserver.HTTPClient(nil), RetryMaxAttempts: 1,
		Credentials: credentials.NewStaticCredentialsProvider("AKIDEXAMPLE", "secret", "")}
	return clients{cloudwatchlogs.NewFromConfig(cfg), xray.NewFromConfig(cfg), cloudwatch.NewFromConfig(cfg)}
}

// line is one Powertools JSON log line of a function.
type line struct {
	Message       string `json:"message"`
	Function      string `json:"function_name"`
	CorrelationID string `json:"correlation_id"`
	TraceID       string `json:"xray_trace_id"`
	OrderID       string `json:"order_id"`
	CWLogs        *struct {
		Enqueued, Sent, Dropped, Rejected uint64
		PossibleDuplicates                uint64 `json:"possible_duplicates"`
	} `json:"cwlogs"`
	stream string
}

// readGroup reads every JSON line of a log group, stream by stream.
func readGroup(t *testing.T, ctx context.Context, c clients, group string, begin time.Time) []line {
	t.Helper()
	var lines []line
	p := cloudwatchlogs.NewFilterLogEventsPaginator(c.logs, &cloudwatchlogs.FilterLogEventsInput{
		LogGroupName: aws.String(group), StartTime: aws.Int64(begin.UnixMilli()), Limit: aws.Int32(10000)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			t.Fatalf("FilterLogEvents %s: %v", group, err)
		}
		for _, ev := range page.Events {
			msg := aws.ToString(ev.Message)
			if !strings.HasPrefix(msg, `{"level":`) {
				continue // Lambda's lines and EMF
			}
			var l line
			if err := json.Unmarshal([]byte(msg), &l); err != nil {
				t.Fatalf("%s: %q: %v", group, msg, err)
			}
			l.stream = aws.ToString(ev.LogStreamName)
			lines = append(lines, l)
		}
	}
	// Lines of one invocation are in one stream; keep each stream's order.
	slices.SortStableFunc(lines, func(a, b line) int { return strings.Compare(a.stream, b.stream) })
	return lines
}

// eventually retries check until it returns nil, for at most two minutes:
// asynchronous invocations, segments and metrics arrive after the HTTP
// answers.
func eventually(t *testing.T, what string, check func() error) {
	t.Helper()
	deadline := time.Now().Add(2 * time.Minute)
	for {
		err := check()
		if err == nil {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s: %v", what, err)
		}
		time.Sleep(500 * time.Millisecond)
	}
}

// orderLogs are the log lines of the orders, by correlation id.
type orderLogs map[string]map[string][]line // correlation id -> group -> lines

// checkLogs: every order's correlation id is in the three log groups and
// the shared stream exactly as often as the functions log it, every line of
// an order carries the same trace id, and the shared stream's counters that
// each execution environment logged agree with what the stream holds.
func checkLogs(t *testing.T, ctx context.Context, c clients, rep *traffic.Report, begin time.Time) orderLogs {
	groups := map[string][]line{}
	eventually(t, "the payments of every order in the shared stream", func() error {
		groups["/app/orders"] = readGroup(t, ctx, c, "/app/orders", begin)
		n := 0
		for _, l := range groups["/app/orders"] {
			if l.Function == "payments" {
				n++
			}
		}
		if n < len(rep.Placed) {
			return fmt.Errorf("%d payment lines, want %d", n, len(rep.Placed))
		}
		return nil
	})
	for _, fn := range functions {
		groups[fn] = readGroup(t, ctx, c, "/aws/lambda/"+fn, begin)
	}
	byOrder := orderLogs{}
	for g, lines := range groups {
		for _, l := range lines {
			if byOrder[l.CorrelationID] == nil {
				byOrder[l.CorrelationID] = map[string][]line{}
			}
			byOrder[l.CorrelationID][g] = append(byOrder[l.CorrelationID][g], l)
		}
	}
	messages := func(lines []line, fn string) []string {
		var m []string
		for _, l := range lines {
			if fn == "" || l.Function == fn {
				m = append(m, l.Message)
			}
		}
		return m
	}
	bad := 0
	for _, p := range rep.Placed {
		got := byOrder[p.CorrelationID]
		trace := ""
		for _, fn := range functions {
			want := slices.Clone(ownLines[fn])
			story := slices.Clone(storyLines[fn])
			want[0], story[0] = strings.ReplaceAll(want[0], "<outcome>", outcome(p.Order)), strings.ReplaceAll(story[0], "<outcome>", outcome(p.Order))
			own, shared := messages(got[fn], ""), messages(got["/app/orders"], fn)
			if !slices.Equal(own, want) || !slices.Equal(shared, story) {
				if bad++; bad <= 5 {
					t.Errorf("order %s (correlation id %s): %s logged %q in its log group and %q in the shared stream; want %q and %q",
						p.ID, p.CorrelationID, fn, own, shared, want, story)
				}
			}
			for _, l := range slices.Concat(got[fn], got["/app/orders"]) {
				if trace == "" {
					trace = l.TraceID
				}
				if l.TraceID != trace || (l.OrderID != "" && l.OrderID != p.ID) {
					t.Errorf("order %s: line %+v: want trace %s and order id %s", p.ID, l, trace, p.ID)
				}
			}
		}
	}

	// The counters: each environment's last "shared log stream totals"
	// holds what its client sent since it started.
	for _, fn := range functions {
		last := map[string]line{}
		for _, l := range groups[fn] {
			if l.Message == "shared log stream totals" {
				last[l.stream] = l
			}
		}
		var sent uint64
		for stream, l := range last {
			st := l.CWLogs
			if st == nil || st.Enqueued != st.Sent || st.Dropped+st.Rejected+st.PossibleDuplicates != 0 {
				t.Errorf("%s, environment %s: shared stream counters %+v", fn, stream, st)
				continue
			}
			sent += st.Sent
		}
		stored := len(messages(groups["/app/orders"], fn))
		if sent != uint64(stored) || len(last) == 0 {
			t.Errorf("%s: its %d environments sent %d events to the shared stream, which holds %d of its events", fn, len(last), sent, stored)
		}
	}
	return byOrder
}

// checkInsights: one Logs Insights query across the three log groups
// returns every line of an order, in time order (one order whose payment
// was captured and one whose payment failed).
func checkInsights(t *testing.T, ctx context.Context, c clients, rep *traffic.Report, begin time.Time) {
	var samples []traffic.Placed
	for _, want := range []bool{false, true} {
		i := slices.IndexFunc(rep.Placed, func(p traffic.Placed) bool { return order.Declined(p.Amount) == want })
		samples = append(samples, rep.Placed[i])
	}
	for _, p := range samples {
		q, err := c.logs.StartQuery(ctx, &cloudwatchlogs.StartQueryInput{
			LogGroupNames: []string{"/aws/lambda/api", "/aws/lambda/orders", "/aws/lambda/payments"},
			StartTime:     aws.Int64(begin.Unix()), EndTime: aws.Int64(time.Now().Add(time.Minute).Unix()),
			QueryString: aws.String(fmt.Sprintf(`fields @timestamp, function_name, message | filter correlation_id = %q | sort @timestamp asc`, p.CorrelationID)),
		})
		if err != nil {
			t.Fatal(err)
		}
		var rows [][2]string
		var stamps []string
		eventually(t, "the query", func() error {
			res, err := c.logs.GetQueryResults(ctx, &cloudwatchlogs.GetQueryResultsInput{QueryId: q.QueryId})
			if err != nil {
				t.Fatal(err)
			}
			if res.Status != "Complete" {
				return fmt.Errorf("status %s", res.Status)
			}
			rows, stamps = nil, nil
			for _, r := range res.Results {
				var row [2]string
				for _, f := range r {
					switch aws.ToString(f.Field) {
					case "@timestamp":
						stamps = append(stamps, aws.ToString(f.Value))
					case "function_name":
						row[0] = aws.ToString(f.Value)
					case "message":
						row[1] = aws.ToString(f.Value)
					}
				}
				rows = append(rows, row)
			}
			return nil
		})
		var want [][2]string
		for _, fn := range functions {
			for _, m := range ownLines[fn] {
				want = append(want, [2]string{fn, strings.ReplaceAll(m, "<outcome>", outcome(p.Order))})
			}
		}
		got := slices.Clone(rows)
		cmp := func(a, b [2]string) int { return strings.Compare(a[0]+"\x00"+a[1], b[0]+"\x00"+b[1]) }
		slices.SortFunc(got, cmp)
		slices.SortFunc(want, cmp)
		if !slices.Equal(got, want) || !slices.IsSorted(stamps) {
			t.Errorf("the query for %s answered %q at %q; want the rows %q in time order", p.CorrelationID, rows, stamps, want)
		}
		// The order of the story: received, placed, confirmed (payments is
		// asynchronous and may log before api confirms). Times are to the
		// millisecond, so two lines may share one.
		at := func(fn, msg string) string {
			if i := slices.Index(rows, [2]string{fn, msg}); i >= 0 && i < len(stamps) {
				return stamps[i]
			}
			return ""
		}
		if received, placed, confirmed := at("api", "order received"), at("orders", "order placed"), at("api", "order confirmed"); received == "" || received > placed || placed > confirmed {
			t.Errorf("the query for %s answered %q at %q: not in the order of the story", p.CorrelationID, rows, stamps)
		}
	}
}

// segment is what the test reads of an X-Ray segment document.
type segment struct {
	ID          string         `json:"id"`
	Name        string         `json:"name"`
	Origin      string         `json:"origin"`
	ParentID    string         `json:"parent_id"`
	Fault       bool           `json:"fault"`
	Annotations map[string]any `json:"annotations"`
	Subsegments []*segment     `json:"subsegments"`
}

// annotated returns the (sub)segments under s annotated key = value.
func (s *segment) annotated(key, value string) int {
	n := 0
	if s.Annotations[key] == value {
		n++
	}
	for _, c := range s.Subsegments {
		n += c.annotated(key, value)
	}
	return n
}

// checkTraces: every order is one trace with the segments of the three
// functions (Lambda's and the tracer's, annotated with the OrderId and
// Customer), the trace of its log lines; a filter expression on
// service("payments") finds the failed payments; the service graph has the
// edges api -> orders and orders -> payments with one call per invocation.
func checkTraces(t *testing.T, ctx context.Context, c clients, rep *traffic.Report, logs orderLogs, begin time.Time) {
	summaries := func(expr string) (map[string][]string, error) {
		byOrder := map[string][]string{} // order id -> trace ids
		p := xray.NewGetTraceSummariesPaginator(c.xray, &xray.GetTraceSummariesInput{
			StartTime: aws.Time(begin), EndTime: aws.Time(time.Now().Add(time.Minute)), FilterExpression: aws.String(expr)})
		for p.HasMorePages() {
			page, err := p.NextPage(ctx)
			if err != nil {
				return nil, err
			}
			for _, s := range page.TraceSummaries {
				for _, v := range s.Annotations["OrderId"] {
					if sv, ok := v.AnnotationValue.(*xraytypes.AnnotationValueMemberStringValue); ok {
						byOrder[sv.Value] = append(byOrder[sv.Value], aws.ToString(s.Id))
					}
				}
			}
		}
		return byOrder, nil
	}
	var traces map[string][]string
	eventually(t, "one trace through payments per order", func() error {
		var err error
		if traces, err = summaries(`service("payments") AND !partial`); err != nil {
			t.Fatal(err)
		}
		for _, p := range rep.Placed {
			if len(traces[p.ID]) != 1 {
				return fmt.Errorf("order %s: traces %v", p.ID, traces[p.ID])
			}
		}
		return nil
	})
	if len(traces) != len(rep.Placed) {
		t.Errorf("%d traces pass through payments, want %d", len(traces), len(rep.Placed))
	}

	faults, err := summaries(`service("payments") { fault }`)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range rep.Placed {
		if declined := order.Declined(p.Amount); declined != (len(faults[p.ID]) == 1) {
			t.Errorf("order %s of %d cents: found by service(\"payments\") { fault }: %v", p.ID, p.Amount, !declined)
		}
	}

	// Every trace, whole.
	bad := 0
	for batch := range slices.Chunk(rep.Placed, 5) {
		var ids []string
		for _, p := range batch {
			ids = append(ids, traces[p.ID][0])
		}
		out, err := c.xray.BatchGetTraces(ctx, &xray.BatchGetTracesInput{TraceIds: ids})
		if err != nil {
			t.Fatal(err)
		}
		byID := map[string]xraytypes.Trace{}
		for _, tr := range out.Traces {
			byID[aws.ToString(tr.Id)] = tr
		}
		for i, p := range batch {
			if err := checkTrace(byID[ids[i]], p, logs); err != nil {
				if bad++; bad <= 5 {
					t.Errorf("order %s, trace %s: %v", p.ID, ids[i], err)
				}
			}
		}
	}

	g, err := c.xray.GetServiceGraph(ctx, &xray.GetServiceGraphInput{StartTime: aws.Time(begin), EndTime: aws.Time(time.Now().Add(time.Minute))})
	if err != nil {
		t.Fatal(err)
	}
	byRef := map[int32]xraytypes.Service{}
	for _, s := range g.Services {
		byRef[aws.ToInt32(s.ReferenceId)] = s
	}
	calls := map[string]int64{}
	for _, s := range g.Services {
		for _, e := range s.Edges {
			to := byRef[aws.ToInt32(e.ReferenceId)]
			if aws.ToString(to.Type) != "AWS::Lambda" || aws.ToString(s.Type) != "AWS::Lambda::Function" {
				continue
			}
			var total int64
			if e.SummaryStatistics != nil {
				total = aws.ToInt64(e.SummaryStatistics.TotalCount)
			}
			calls[aws.ToString(s.Name)+" -> "+aws.ToString(to.Name)] = total
		}
	}
	want := map[string]int64{
		"api -> orders":      int64(len(rep.Placed) + rep.Lookups + rep.NotFound),
		"orders -> payments": int64(len(rep.Placed)),
	}
	if !maps.Equal(calls, want) {
		t.Errorf("service graph: calls between functions %v, want %v", calls, want)
	}
}

// checkTrace checks the trace of one order: Lambda's two segments for each
// function, each function's own subsegments annotated with the order, a
// fault in payments exactly when its payment failed, and the trace id of
// the order's log lines.
func checkTrace(tr xraytypes.Trace, p traffic.Placed, logs orderLogs) error {
	segs := map[string]*segment{}
	for _, s := range tr.Segments {
		var doc segment
		if err := json.Unmarshal([]byte(aws.ToString(s.Document)), &doc); err != nil {
			return err
		}
		segs[doc.Name+" "+doc.Origin] = &doc
	}
	var names []string
	for k := range segs {
		names = append(names, k)
	}
	slices.Sort(names)
	if want := []string{"api AWS::Lambda", "api AWS::Lambda::Function", "orders AWS::Lambda", "orders AWS::Lambda::Function",
		"payments AWS::Lambda", "payments AWS::Lambda::Function"}; !slices.Equal(names, want) {
		return fmt.Errorf("segments %q, want %q", names, want)
	}
	for _, fn := range functions {
		s := segs[fn+" AWS::Lambda::Function"]
		if s.annotated("OrderId", p.ID) == 0 || s.annotated("Customer", p.Customer) == 0 {
			b, _ := json.Marshal(s)
			return fmt.Errorf("%s: no subsegment annotated OrderId %s and Customer %s: %s", fn, p.ID, p.Customer, b)
		}
	}
	if f := segs["payments AWS::Lambda::Function"].Fault; f != order.Declined(p.Amount) {
		return fmt.Errorf("payments fault %v for %d cents", f, p.Amount)
	}
	for g, lines := range logs[p.CorrelationID] {
		for _, l := range lines {
			if l.TraceID != aws.ToString(tr.Id) {
				return fmt.Errorf("%s: line %q has the trace id %s", g, l.Message, l.TraceID)
			}
		}
	}
	return nil
}

// checkMetrics: the sums of the metrics equal the orders placed, the
// payments that failed, and the rest of the traffic.
func checkMetrics(t *testing.T, ctx context.Context, c clients, rep *traffic.Report, begin time.Time) {
	placed, declined := len(rep.Placed), rep.Declined
	for _, m := range []struct {
		service, name string
		want          int
	}{
		{"orders", "OrdersPlaced", placed},
		{"payments", "PaymentsFailed", declined},
		{"payments", "PaymentsCaptured", placed - declined},
		{"api", "OrdersRequested", placed},
		{"api", "OrdersRejected", rep.Rejected},
		{"api", "OrderLookups", rep.Lookups + rep.NotFound},
		{"orders", "OrdersRead", rep.Lookups + rep.NotFound},
	} {
		eventually(t, m.name, func() error {
			out, err := c.metrics.GetMetricStatistics(ctx, &cloudwatch.GetMetricStatisticsInput{
				Namespace: aws.String("orders"), MetricName: aws.String(m.name),
				Dimensions: []cwtypes.Dimension{{Name: aws.String("service"), Value: aws.String(m.service)}},
				StartTime:  aws.Time(begin.Truncate(time.Minute)), EndTime: aws.Time(time.Now().Add(2 * time.Minute)),
				Period: aws.Int32(60), Statistics: []cwtypes.Statistic{cwtypes.StatisticSum},
			})
			if err != nil {
				t.Fatal(err)
			}
			var sum float64
			for _, dp := range out.Datapoints {
				sum += aws.ToFloat64(dp.Sum)
			}
			if sum != float64(m.want) {
				return fmt.Errorf("sum %v, want %d", sum, m.want)
			}
			return nil
		})
	}
}

// startDev runs `lambdalog dev` on the template, on free ports, with an
// in-memory store; it stops it with SIGINT when the test ends.
func startDev(t *testing.T) *testserver.Server {
	t.Helper()
	return testserver.Dev(t, "", nil, "--template", "template.yaml", "--memory",
		"--addr", "127.0.0.1:0", "--api-addr", "127.0.0.1:0", "--xray-addr", "127.0.0.1:0")
}

// lastBytes returns the last n bytes of s.
func lastBytes(s string, n int) string { return s[max(0, len(s)-n):] }
