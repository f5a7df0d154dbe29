package logsapi_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cwl "github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs/types"
	"github.com/aws/smithy-go"

	"github.com/lambdalog/lambdalog/cmd/lambdalog/internal/store"
)

// runQuery starts a query and polls until it ends, returning the last answer.
func runQuery(t *testing.T, c *cwl.Client, in *cwl.StartQueryInput) *cwl.GetQueryResultsOutput {
	t.Helper()
	ctx := context.Background()
	started, err := c.StartQuery(ctx, in)
	if err != nil {
		t.Fatalf("StartQuery(%q): %v", aws.ToString(in.QueryString), err)
	}
	deadline := time.Now().Add(30 * time.Second)
	for {
		out, err := c.GetQueryResults(ctx, &cwl.GetQueryResultsInput{QueryId: started.QueryId})
		if err != nil {
			t.Fatalf("GetQueryResults: %v", err)
		}
		switch out.Status {
		case types.QueryStatusComplete:
			return out
		case types.QueryStatusScheduled, types.QueryStatusRunning:
		default:
			t.Fatalf("query %q ended %s", aws.ToString(in.QueryString), out.Status)
		}
		if time.Now().After(deadline) {
			t.Fatalf("query %q still %s after 30 s", aws.ToString(in.QueryString), out.Status)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// rowMaps turns result rows into maps, failing if a row repeats a field.
func rowMaps(t *testing.T, rows [][]types.ResultField) []map[string]string {
	t.Helper()
	var out []map[string]string
	for _, r := range rows {
		m := map[string]string{}
		for _, f := range r {
			if _, dup := m[aws.ToString(f.Field)]; dup {
				t.Fatalf("row repeats %s: %v", aws.ToString(f.Field), r)
			}
			m[aws.ToString(f.Field)] = aws.ToString(f.Value)
		}
		out = append(out, m)
	}
	return out
}

// seedTwoFunctions writes what two Lambda functions would: Powertools JSON
// lines carrying a correlation id, and START/END/REPORT lines, in two
// groups. It returns the time of the first event.
func seedTwoFunctions(t *testing.T, e *env) time.Time {
	t.Helper()
	t0 := time.Now().Add(-10 * time.Minute).Truncate(time.Second)
	for gi, fn := range []string{"api", "orders"} {
		group := "/aws/lambda/" + fn
		mustCreateGroup(t, e.client, group)
		mustCreateStream(t, e.client, group, "2026/12/01/[$LATEST]abc")
		var evs []types.InputLogEvent
		for i := range 10 {
			at := t0.Add(time.Duration(i*2+gi) * time.Second)
			corr := fmt.Sprintf("order-%d", i%3)
			evs = append(evs,
				types.InputLogEvent{Timestamp: aws.Int64(at.UnixMilli()), Message: aws.String(fmt.Sprintf("START RequestId: req-%s-%d Version: $LATEST", fn, i))},
				types.InputLogEvent{Timestamp: aws.Int64(at.UnixMilli() + 1), Message: aws.String(fmt.Sprintf(
					`{"level":"%s","message":"step %d","service":"%s","correlation_id":"%s","latency_ms":%d}`,
					map[bool]string{true: "ERROR", false: "INFO"}[i == 7], i, fn, corr, 10*(i+1)))},
				types.InputLogEvent{Timestamp: aws.Int64(at.UnixMilli() + 2), Message: aws.String(fmt.Sprintf(
					"REPORT RequestId: req-%s-%d\tDuration: %d.00 ms\tBilled Duration: %d ms\tMemory Size: 128 MB\tMax Memory Used: 40 MB\t", fn, i, i+1, i+1))},
			)
		}
		if _, err := e.client.PutLogEvents(context.Background(), &cwl.PutLogEventsInput{LogGroupName: aws.String(group),
			LogStreamName: aws.String("2026/12/01/[$LATEST]abc"), LogEvents: evs}); err != nil {
			t.Fatal(err)
		}
	}
	return t0
}

func TestInsightsAcrossLogGroups(t *testing.T) {
	e := newEnv(t, envConfig{realClock: true})
	t0 := seedTwoFunctions(t, e)
	start, end := aws.Int64(t0.Add(-time.Minute).Unix()), aws.Int64(time.Now().Unix())

	// Every line of one transaction, from both functions, in time order.
	out := runQuery(t, e.client, &cwl.StartQueryInput{
		LogGroupNames: []string{"/aws/lambda/api", "/aws/lambda/orders"}, StartTime: start, EndTime: end,
		QueryString: aws.String(`fields @timestamp, service, message | filter correlation_id = "order-1" | sort @timestamp asc`),
	})
	rows := rowMaps(t, out.Results)
	var got []string
	for _, r := range rows {
		got = append(got, r["service"]+":"+r["message"])
		if r["@ptr"] == "" || !strings.HasPrefix(r["@timestamp"], t0.UTC().Format("2006-01-02 15:")) {
			t.Errorf("row %v: want @timestamp as 2006-01-02 15:04:05.000 and @ptr", r)
		}
	}
	want := []string{"api:step 1", "orders:step 1", "api:step 4", "orders:step 4", "api:step 7", "orders:step 7"}
	if !slices.Equal(got, want) {
		t.Errorf("order-1 rows = %q, want %q", got, want)
	}
	if last := out.Results[0][len(out.Results[0])-1]; aws.ToString(last.Field) != "@ptr" {
		t.Errorf("rows must end with @ptr: %v", out.Results[0])
	}
	if s := out.Statistics; s.RecordsScanned != 60 || s.RecordsMatched != 6 || s.BytesScanned <= 0 {
		t.Errorf("statistics %+v, want 60 scanned and 6 matched", *s)
	}

	// The full event behind a row.
	rec, err := e.client.GetLogRecord(context.Background(), &cwl.GetLogRecordInput{LogRecordPointer: aws.String(rows[0]["@ptr"])})
	if err != nil {
		t.Fatal(err)
	}
	if rec.LogRecord["@message"] != `{"level":"INFO","message":"step 1","service":"api","correlation_id":"order-1","latency_ms":20}` ||
		rec.LogRecord["latency_ms"] != "20" || rec.LogRecord["@logStream"] != "2026/12/01/[$LATEST]abc" ||
		rec.LogRecord["@log"] != "123456789012:/aws/lambda/api" {
		t.Errorf("GetLogRecord = %v", rec.LogRecord)
	}

	// Latency percentiles over REPORT lines, by function.
	out = runQuery(t, e.client, &cwl.StartQueryInput{
		LogGroupNames: []string{"/aws/lambda/api", "/aws/lambda/orders"}, StartTime: start, EndTime: end,
		QueryString: aws.String(`filter @type = "REPORT" | stats count(*) as invocations, max(@duration) as slowest, avg(@billedDuration) by @log | sort @log`),
	})
	rows = rowMaps(t, out.Results)
	if len(rows) != 2 || rows[0]["@log"] != "123456789012:/aws/lambda/api" || rows[0]["invocations"] != "10" ||
		rows[0]["slowest"] != "10.00" || rows[0]["avg(@billedDuration)"] != "5.5" || rows[0]["@ptr"] != "" {
		t.Errorf("REPORT stats = %v", rows)
	}

	// SOURCE names the groups in the query itself.
	out = runQuery(t, e.client, &cwl.StartQueryInput{StartTime: start, EndTime: end,
		QueryString: aws.String(`SOURCE logGroups(namePrefix: ["/aws/lambda/"]) | filter level = "ERROR" | stats count(*) as errors`)})
	if rows := rowMaps(t, out.Results); len(rows) != 1 || rows[0]["errors"] != "2" {
		t.Errorf("SOURCE errors = %v", rows)
	}

	// The time range is inclusive, in seconds, and excludes what is outside.
	out = runQuery(t, e.client, &cwl.StartQueryInput{LogGroupName: aws.String("/aws/lambda/api"),
		StartTime: aws.Int64(t0.Unix()), EndTime: aws.Int64(t0.Unix() + 1), QueryString: aws.String(`stats count(*) as n`)})
	if rows := rowMaps(t, out.Results); len(rows) != 1 || rows[0]["n"] != "3" {
		t.Errorf("events in [t0, t0+1s]: %v, want the 3 lines at t0", rows)
	}
}

func TestInsightsResultsPagesAndQueryList(t *testing.T) {
	e := newEnv(t, envConfig{realClock: true})
	t0 := seedTwoFunctions(t, e)
	ctx := context.Background()
	in := &cwl.StartQueryInput{LogGroupName: aws.String("/aws/lambda/api"), StartTime: aws.Int64(t0.Add(-time.Minute).Unix()),
		EndTime: aws.Int64(time.Now().Unix()), QueryString: aws.String(`fields @message | limit 25`)}
	all := runQuery(t, e.client, in)
	if len(all.Results) != 25 {
		t.Fatalf("limit 25 gave %d rows", len(all.Results))
	}
	qs, err := e.client.DescribeQueries(ctx, &cwl.DescribeQueriesInput{})
	if err != nil || len(qs.Queries) != 1 || qs.Queries[0].Status != types.QueryStatusComplete ||
		!strings.Contains(aws.ToString(qs.Queries[0].QueryString), "fields @message | limit 25") {
		t.Fatalf("DescribeQueries = %+v, %v", qs, err)
	}
	id := qs.Queries[0].QueryId
	var paged []string
	var token *string
	for {
		page, err := e.client.GetQueryResults(ctx, &cwl.GetQueryResultsInput{QueryId: id, MaxItems: aws.Int32(10), NextToken: token})
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range rowMaps(t, page.Results) {
			paged = append(paged, r["@ptr"])
		}
		if token = page.NextToken; token == nil {
			break
		}
	}
	var whole []string
	for _, r := range rowMaps(t, all.Results) {
		whole = append(whole, r["@ptr"])
	}
	if !slices.Equal(paged, whole) {
		t.Errorf("pages of 10 gave %d rows, not the 25 of one call in order", len(paged))
	}
	_, err = e.client.StopQuery(ctx, &cwl.StopQueryInput{QueryId: id})
	if code(err) != "InvalidParameterException" {
		t.Errorf("StopQuery of an ended query: %v", err)
	}
	_, err = e.client.GetQueryResults(ctx, &cwl.GetQueryResultsInput{QueryId: aws.String("00000000-0000-4000-8000-000000000000")})
	if code(err) != "ResourceNotFoundException" {
		t.Errorf("unknown query id: %v", err)
	}
}

func code(err error) string {
	var ae smithy.APIError
	if !errors.As(err, &ae) {
		return fmt.Sprintf("no API error: %v", err)
	}
	return ae.ErrorCode()
}

func TestStartQueryErrors(t *testing.T) {
	e := newEnv(t, envConfig{realClock: true})
	mustCreateGroup(t, e.client, "g")
	ctx := context.Background()
	now := aws.Int64(time.Now().Unix())
	_, err := e.client.StartQuery(ctx, &cwl.StartQueryInput{LogGroupName: aws.String("g"), StartTime: now, EndTime: now,
		QueryString: aws.String("fields @message | stats count(* by x")})
	var mq *types.MalformedQueryException
	if !errors.As(err, &mq) || mq.QueryCompileError == nil || mq.QueryCompileError.Location == nil ||
		mq.QueryCompileError.Location.StartCharOffset == nil || aws.ToString(mq.QueryCompileError.Message) == "" {
		t.Fatalf("malformed query: %v", err)
	}
	if off := *mq.QueryCompileError.Location.StartCharOffset; off < 17 || off > 35 {
		t.Errorf("error located at %d, want inside the stats command", off)
	}
	for _, tc := range []struct {
		name string
		in   cwl.StartQueryInput
		code string
	}{
		{"unknown group", cwl.StartQueryInput{LogGroupName: aws.String("nope"), QueryString: aws.String("fields @message")}, "ResourceNotFoundException"},
		{"no group", cwl.StartQueryInput{QueryString: aws.String("fields @message")}, "InvalidParameterException"},
		{"two ways to name groups", cwl.StartQueryInput{LogGroupName: aws.String("g"), LogGroupNames: []string{"g"}, QueryString: aws.String("fields @message")}, "InvalidParameterException"},
		{"SQL", cwl.StartQueryInput{LogGroupName: aws.String("g"), QueryLanguage: types.QueryLanguageSql, QueryString: aws.String("SELECT * FROM `g`")}, "InvalidParameterException"},
		{"ML command", cwl.StartQueryInput{LogGroupName: aws.String("g"), QueryString: aws.String("pattern @message")}, "MalformedQueryException"},
		{"limit too large", cwl.StartQueryInput{LogGroupName: aws.String("g"), QueryString: aws.String("fields @message"), Limit: aws.Int32(100_001)}, "InvalidParameterException"},
	} {
		in := tc.in
		in.StartTime, in.EndTime = now, now
		if _, err := e.client.StartQuery(ctx, &in); code(err) != tc.code {
			t.Errorf("%s: %v, want %s", tc.name, err, tc.code)
		}
	}
}

func TestQueryDefinitionsAreDurable(t *testing.T) {
	dir := t.TempDir()
	ctx := context.Background()
	var id *string
	func() {
		e := newEnv(t, envConfig{dir: dir, realClock: true})
		put, err := e.client.PutQueryDefinition(ctx, &cwl.PutQueryDefinitionInput{Name: aws.String("errors/by-function"),
			QueryString: aws.String(`filter level = "ERROR" | stats count(*) by service`), LogGroupNames: []string{"/aws/lambda/api"}})
		if err != nil {
			t.Fatal(err)
		}
		id = put.QueryDefinitionId
		if _, err := e.client.PutQueryDefinition(ctx, &cwl.PutQueryDefinitionInput{Name: aws.String("latency"), QueryString: aws.String(`stats avg(@duration)`)}); err != nil {
			t.Fatal(err)
		}
		// An update replaces everything, log groups included.
		if _, err := e.client.PutQueryDefinition(ctx, &cwl.PutQueryDefinitionInput{QueryDefinitionId: id, Name: aws.String("errors/by-service"),
			QueryString: aws.String(`filter level = "ERROR" | stats count(*) by service`)}); err != nil {
			t.Fatal(err)
		}
		_, err = e.client.PutQueryDefinition(ctx, &cwl.PutQueryDefinitionInput{QueryDefinitionId: aws.String("nope"), Name: aws.String("x"), QueryString: aws.String("fields @message")})
		if code(err) != "ResourceNotFoundException" {
			t.Errorf("update of an unknown id: %v", err)
		}
		if err := e.store.Close(); err != nil {
			t.Fatal(err)
		}
	}()
	e := newEnv(t, envConfig{dir: dir, realClock: true})
	defs, err := e.client.DescribeQueryDefinitions(ctx, &cwl.DescribeQueryDefinitionsInput{QueryDefinitionNamePrefix: aws.String("errors/")})
	if err != nil {
		t.Fatal(err)
	}
	if len(defs.QueryDefinitions) != 1 || aws.ToString(defs.QueryDefinitions[0].QueryDefinitionId) != aws.ToString(id) ||
		aws.ToString(defs.QueryDefinitions[0].Name) != "errors/by-service" || len(defs.QueryDefinitions[0].LogGroupNames) != 0 {
		t.Fatalf("after a restart: %+v", defs.QueryDefinitions)
	}
	if _, err := e.client.DeleteQueryDefinition(ctx, &cwl.DeleteQueryDefinitionInput{QueryDefinitionId: id}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.client.DeleteQueryDefinition(ctx, &cwl.DeleteQueryDefinitionInput{QueryDefinitionId: id}); code(err) != "ResourceNotFoundException" {
		t.Errorf("second delete: %v", err)
	}
	n := 0
	if err := e.store.ListQueryDefinitions(ctx, "us-east-1", func(store.QueryDefinition) bool { n++; return true }); err != nil || n != 1 {
		t.Errorf("%d definitions left, %v", n, err)
	}
}

func TestGetLogGroupFields(t *testing.T) {
	e := newEnv(t, envConfig{realClock: true})
	t0 := seedTwoFunctions(t, e)
	out, err := e.client.GetLogGroupFields(context.Background(), &cwl.GetLogGroupFieldsInput{LogGroupName: aws.String("/aws/lambda/api"), Time: aws.Int64(t0.Unix())})
	if err != nil {
		t.Fatal(err)
	}
	percent := map[string]int32{}
	for _, f := range out.LogGroupFields {
		percent[aws.ToString(f.Name)] = f.Percent
	}
	if percent["@message"] != 100 || percent["correlation_id"] != 33 || percent["@duration"] != 33 || percent["@requestId"] != 66 {
		t.Errorf("fields = %v", percent)
	}
}
