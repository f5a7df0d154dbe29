package xrayapi

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/xray"
	"github.com/aws/aws-sdk-go-v2/service/xray/types"
	"google.golang.org/protobuf/encoding/protowire"
	"google.golang.org/protobuf/proto"

	commonpb "go.opentelemetry.io/proto/otlp/common/v1"
	resourcepb "go.opentelemetry.io/proto/otlp/resource/v1"
	tracepb "go.opentelemetry.io/proto/otlp/trace/v1"

	"github.com/lambdalog/lambdalog/cmd/lambdalog/internal/awsapi"
	"github.com/lambdalog/lambdalog/cmd/lambdalog/internal/tracestore"
	"github.com/lambdalog/lambdalog/internal/testserver"
)

// fixture is the X-Ray API and the OTLP endpoint on a real socket.
type fixture struct {
	url   string
	store *tracestore.Store
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	store, err := tracestore.Open("", tracestore.Options{InMemory: true, SweepInterval: -1})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	srv := httptest.NewServer(awsapi.NewRouter(awsapi.Options{}, New(store, Options{}), NewOTLP(store, Options{})))
	t.Cleanup(srv.Close)
	return &fixture{url: srv.URL, store: store}
}

func (f *fixture) client() *xray.Client {
	return xray.New(xray.Options{
		Region: "eu-west-1", BaseEndpoint: aws.String(f.url), RetryMaxAttempts: 1,
		Credentials: credentials.NewStaticCredentialsProvider("AKIDLOCAL", "secret", ""),
		HTTPClient:  testserver.HTTPClient(nil),
	})
}

// doc is a segment document of the trace id, with extra JSON members.
func doc(traceID, id, name string, start, end float64, extra string) string {
	d := fmt.Sprintf(`{"trace_id":%q,"id":%q,"name":%q,"start_time":%.6f,"end_time":%.6f`, traceID, id, name, start, end)
	if extra != "" {
		d += "," + extra
	}
	return d + "}"
}

func traceID(t time.Time, n int) string { return fmt.Sprintf("1-%08x-%024x", t.Unix(), n) }

func TestPutAndGetWithTheSDK(t *testing.T) {
	f := newFixture(t)
	c := f.client()
	ctx := context.Background()
	now := time.Now()
	start := float64(now.Unix()) - 30
	var docs []string
	for i := range 150 {
		id := traceID(now.Add(-30*time.Second), i)
		status := 200
		if i%10 == 0 {
			status = 502
		}
		docs = append(docs, doc(id, "a000000000000001", "api", start+float64(i)/10, start+float64(i)/10+0.25,
			fmt.Sprintf(`"http":{"request":{"method":"GET","url":"https://api.example.com/items/%d"},"response":{"status":%d}},"fault":%v,"annotations":{"n":%d,"even":%v}`,
				i, status, status >= 500, i, i%2 == 0)))
	}
	docs = append(docs, `{"id":"bad"}`, `not json`)
	out, err := c.PutTraceSegments(ctx, &xray.PutTraceSegmentsInput{TraceSegmentDocuments: docs})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.UnprocessedTraceSegments) != 2 || aws.ToString(out.UnprocessedTraceSegments[0].ErrorCode) != tracestore.CodeInvalidParam ||
		aws.ToString(out.UnprocessedTraceSegments[1].ErrorCode) != tracestore.CodeJSONFormat {
		t.Fatalf("unprocessed: %+v", out.UnprocessedTraceSegments)
	}

	// The paginator walks every page; each trace comes once, newest first.
	in := &xray.GetTraceSummariesInput{StartTime: aws.Time(now.Add(-time.Minute)), EndTime: aws.Time(now)}
	var ids []string
	pages := 0
	for p := xray.NewGetTraceSummariesPaginator(c, in); p.HasMorePages(); pages++ {
		page, err := p.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range page.TraceSummaries {
			ids = append(ids, aws.ToString(s.Id))
		}
	}
	if len(ids) != 150 || pages != 2 || ids[0] != traceID(now.Add(-30*time.Second), 149) {
		t.Fatalf("%d summaries in %d pages, first %v", len(ids), pages, ids[:1])
	}

	// A page ends after a second's scan (a loaded machine may need several).
	var filtered []types.TraceSummary
	for p := xray.NewGetTraceSummariesPaginator(c, &xray.GetTraceSummariesInput{StartTime: aws.Time(now.Add(-time.Minute)), EndTime: aws.Time(now),
		FilterExpression: aws.String(`fault AND annotation.n < 50 AND http.url CONTAINS "/items/"`)}); p.HasMorePages(); {
		page, err := p.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		filtered = append(filtered, page.TraceSummaries...)
	}
	if len(filtered) != 5 {
		t.Fatalf("filtered: %d summaries", len(filtered))
	}
	s := filtered[0]
	if !aws.ToBool(s.HasFault) || aws.ToInt32(s.Http.HttpStatus) != 502 || aws.ToString(s.Http.HttpMethod) != "GET" ||
		aws.ToFloat64(s.Duration) != 0.25 || aws.ToFloat64(s.ResponseTime) != 0.25 || s.EntryPoint == nil || aws.ToString(s.EntryPoint.Name) != "api" {
		t.Errorf("summary %+v", s)
	}
	if v := s.Annotations["even"]; len(v) != 1 || v[0].AnnotationValue.(*types.AnnotationValueMemberBooleanValue).Value != true || aws.ToString(v[0].ServiceIds[0].Name) != "api" {
		t.Errorf("annotations %+v", s.Annotations)
	}
	if v := s.Annotations["n"]; len(v) != 1 || v[0].AnnotationValue.(*types.AnnotationValueMemberNumberValue).Value != 40 {
		t.Errorf("annotation n %+v", v)
	}

	_, err = c.GetTraceSummaries(ctx, &xray.GetTraceSummariesInput{StartTime: aws.Time(now.Add(-time.Minute)), EndTime: aws.Time(now),
		FilterExpression: aws.String(`rootcause.fault.service { name = "api" }`)})
	var ire *types.InvalidRequestException
	if !errors.As(err, &ire) || !strings.Contains(aws.ToString(ire.Message), `"rootcause.fault.service" is not supported`) {
		t.Errorf("unsupported filter: %v", err)
	}
	_, err = c.GetTraceSummaries(ctx, &xray.GetTraceSummariesInput{StartTime: aws.Time(now), EndTime: aws.Time(now.Add(-time.Minute))})
	if !errors.As(err, &ire) {
		t.Errorf("end before start: %v", err)
	}

	bt, err := c.BatchGetTraces(ctx, &xray.BatchGetTracesInput{TraceIds: []string{ids[0], "1-00000000-000000000000000000000000", "nonsense"}})
	if err != nil {
		t.Fatal(err)
	}
	if len(bt.Traces) != 1 || !slices.Equal(bt.UnprocessedTraceIds, []string{"1-00000000-000000000000000000000000", "nonsense"}) {
		t.Fatalf("batch: %+v / %v", bt.Traces, bt.UnprocessedTraceIds)
	}
	var seg map[string]any
	if err := json.Unmarshal([]byte(aws.ToString(bt.Traces[0].Segments[0].Document)), &seg); err != nil || seg["name"] != "api" || seg["trace_id"] != ids[0] {
		t.Errorf("document %v, %v", seg, err)
	}

	g, err := c.GetServiceGraph(ctx, &xray.GetServiceGraphInput{StartTime: aws.Time(now.Add(-time.Minute)), EndTime: aws.Time(now)})
	if err != nil {
		t.Fatal(err)
	}
	if len(g.Services) != 2 || aws.ToString(g.Services[0].Type) != "client" || len(g.Services[0].Edges) != 1 ||
		aws.ToInt64(g.Services[1].SummaryStatistics.TotalCount) != 150 || aws.ToInt64(g.Services[1].SummaryStatistics.FaultStatistics.TotalCount) != 15 ||
		!aws.ToBool(g.Services[1].Root) {
		t.Errorf("graph %+v", g.Services)
	}
	tg, err := c.GetTraceGraph(ctx, &xray.GetTraceGraphInput{TraceIds: ids[:3]})
	if err != nil || len(tg.Services) != 2 || aws.ToInt64(tg.Services[1].SummaryStatistics.TotalCount) != 3 {
		t.Errorf("trace graph %+v, %v", tg, err)
	}
	if _, err := c.GetServiceGraph(ctx, &xray.GetServiceGraphInput{StartTime: aws.Time(now.Add(-time.Minute)), EndTime: aws.Time(now), GroupName: aws.String("other")}); !errors.As(err, &ire) {
		t.Errorf("unknown group: %v", err)
	}
}

func TestSamplingAndTelemetry(t *testing.T) {
	f := newFixture(t)
	c := f.client()
	ctx := context.Background()
	rules, err := c.GetSamplingRules(ctx, &xray.GetSamplingRulesInput{})
	if err != nil {
		t.Fatal(err)
	}
	if len(rules.SamplingRuleRecords) != 1 {
		t.Fatalf("%+v", rules)
	}
	r := rules.SamplingRuleRecords[0].SamplingRule
	if aws.ToString(r.RuleName) != "Default" || r.FixedRate != 0.05 || r.ReservoirSize != 1 || r.Priority == nil || *r.Priority != 10000 ||
		aws.ToString(r.RuleARN) != "arn:aws:xray:eu-west-1:123456789012:sampling-rule/Default" {
		t.Errorf("rule %+v", r)
	}
	tg, err := c.GetSamplingTargets(ctx, &xray.GetSamplingTargetsInput{SamplingStatisticsDocuments: []types.SamplingStatisticsDocument{
		{RuleName: aws.String("Default"), ClientID: aws.String("c1"), Timestamp: aws.Time(time.Now()), RequestCount: 10, SampledCount: 2},
		{RuleName: aws.String("Mine"), ClientID: aws.String("c1"), Timestamp: aws.Time(time.Now()), RequestCount: 1, SampledCount: 1},
	}})
	if err != nil {
		t.Fatal(err)
	}
	if len(tg.SamplingTargetDocuments) != 1 || tg.SamplingTargetDocuments[0].FixedRate != 0.05 ||
		aws.ToInt32(tg.SamplingTargetDocuments[0].Interval) != 10 || len(tg.UnprocessedStatistics) != 1 || !tg.SamplingTargetDocuments[0].ReservoirQuotaTTL.After(time.Now()) {
		t.Errorf("targets %+v", tg)
	}
	if _, err := c.PutTelemetryRecords(ctx, &xray.PutTelemetryRecordsInput{TelemetryRecords: []types.TelemetryRecord{{Timestamp: aws.Time(time.Now()), SegmentsReceivedCount: aws.Int32(3)}}}); err != nil {
		t.Error(err)
	}
	// An X-Ray operation lambdalog does not emulate is named in the error.
	_, err = c.GetGroups(ctx, &xray.GetGroupsInput{})
	var ae interface{ ErrorCode() string }
	if !errors.As(err, &ae) || ae.ErrorCode() != awsapi.CodeUnknownOperation || !strings.Contains(err.Error(), "/Groups") {
		t.Errorf("GetGroups: %v", err)
	}
}

// post sends a raw request and returns the status, the error type header
// and the body.
func post(t *testing.T, url, contentType string, body []byte, header ...string) (int, string, []byte) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, url, bytes.NewReader(body))
	req.Header.Set("Content-Type", contentType)
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header.Get("X-Amzn-ErrorType"), b
}

func TestAPIErrors(t *testing.T) {
	f := newFixture(t)
	for _, c := range []struct {
		path, body string
		status     int
		code, msg  string
	}{
		{"/TraceSegments", `{}`, 400, "InvalidRequestException", "TraceSegmentDocuments is required"},
		{"/TraceSegments", `{"TraceSegmentDocuments":"x"}`, 400, "InvalidRequestException", "TraceSegmentDocuments: expected a list"},
		{"/TraceSegments", `{`, 400, "SerializationException", "not valid JSON"},
		{"/TraceSummaries", `{"EndTime":1}`, 400, "InvalidRequestException", "StartTime is required"},
		{"/TraceSummaries", `{"StartTime":"yesterday","EndTime":1}`, 400, "InvalidRequestException", "StartTime: expected a timestamp"},
		{"/TraceSummaries", `{"StartTime":1,"EndTime":2,"TimeRangeType":"Now"}`, 400, "InvalidRequestException", "want TraceId, Event or Service"},
		{"/TraceSummaries", `{"StartTime":1,"EndTime":2,"NextToken":"abc"}`, 400, "InvalidRequestException", "NextToken"},
		{"/TraceSummaries", `{"StartTime":1,"EndTime":2,"FilterExpression":"duration >"}`, 400, "InvalidRequestException", "expected a value after >"},
		{"/Traces", `{"TraceIds":[]}`, 400, "InvalidRequestException", "TraceIds is required"},
		{"/TraceGraph", `{}`, 400, "InvalidRequestException", "TraceIds is required"},
		{"/SamplingTargets", `{"SamplingStatisticsDocuments":[{"RuleName":"Default"}]}`, 400, "InvalidRequestException", "are required"},
		{"/TelemetryRecords", `{"TelemetryRecords":[{}]}`, 400, "InvalidRequestException", "Timestamp is required"},
	} {
		status, code, body := post(t, f.url+c.path, "application/json", []byte(c.body))
		if status != c.status || code != c.code || !strings.Contains(string(body), c.msg) {
			t.Errorf("%s %s: %d %s %s, want %d %s %q", c.path, c.body, status, code, body, c.status, c.code, c.msg)
		}
	}
}

// exportRequest encodes an ExportTraceServiceRequest of one ResourceSpans.
func exportRequest(t testing.TB, rs *tracepb.ResourceSpans) []byte {
	b, err := proto.Marshal(rs)
	if err != nil {
		t.Fatal(err)
	}
	out := protowire.AppendTag(nil, 1, protowire.BytesType)
	return protowire.AppendBytes(out, b)
}

func str(k, v string) *commonpb.KeyValue {
	return &commonpb.KeyValue{Key: k, Value: &commonpb.AnyValue{Value: &commonpb.AnyValue_StringValue{StringValue: v}}}
}

func TestOTLP(t *testing.T) {
	f := newFixture(t)
	now := time.Now()
	tid := []byte{0x6a, 0x01, 0x02, 0x03, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15}
	ns := uint64(now.UnixNano())
	rs := &tracepb.ResourceSpans{
		Resource: &resourcepb.Resource{Attributes: []*commonpb.KeyValue{str("service.name", "orders"), str("cloud.account.id", "111122223333")}},
		ScopeSpans: []*tracepb.ScopeSpans{{Spans: []*tracepb.Span{
			{TraceId: tid, SpanId: []byte{1, 1, 1, 1, 1, 1, 1, 1}, Name: "GET /orders", Kind: tracepb.Span_SPAN_KIND_SERVER,
				StartTimeUnixNano: ns, EndTimeUnixNano: ns + 50e6,
				Attributes: []*commonpb.KeyValue{str("http.request.method", "GET"), str("url.full", "http://localhost/orders"),
					{Key: "http.response.status_code", Value: &commonpb.AnyValue{Value: &commonpb.AnyValue_IntValue{IntValue: 200}}},
					str("customer", "c42"),
					{Key: "aws.xray.annotations", Value: &commonpb.AnyValue{Value: &commonpb.AnyValue_ArrayValue{ArrayValue: &commonpb.ArrayValue{Values: []*commonpb.AnyValue{{Value: &commonpb.AnyValue_StringValue{StringValue: "customer"}}}}}}}}},
			{TraceId: tid, SpanId: []byte{2, 2, 2, 2, 2, 2, 2, 2}, ParentSpanId: []byte{1, 1, 1, 1, 1, 1, 1, 1}, Name: "DynamoDB.GetItem", Kind: tracepb.Span_SPAN_KIND_CLIENT,
				StartTimeUnixNano: ns + 10e6, EndTimeUnixNano: ns + 20e6,
				Attributes: []*commonpb.KeyValue{str("rpc.system", "aws-api"), str("rpc.service", "DynamoDB"), str("rpc.method", "GetItem"), str("aws.table_name", "orders")},
				Status:     &tracepb.Status{Code: tracepb.Status_STATUS_CODE_ERROR, Message: "boom"},
				Events:     []*tracepb.Span_Event{{Name: "exception", Attributes: []*commonpb.KeyValue{str("exception.type", "ResourceNotFoundException"), str("exception.message", "no table")}}}},
			{TraceId: tid, SpanId: []byte{0, 0, 0, 0, 0, 0, 0, 0}, Name: "bad"},
		}}},
	}
	status, _, body := post(t, f.url+"/v1/traces", "application/x-protobuf", exportRequest(t, rs))
	// The span with a zero id is rejected in partial_success (field 1: rejected_spans 1).
	if status != 200 || !bytes.Contains(body, []byte{0x08, 0x01}) || !bytes.Contains(body, []byte("must not be zero")) {
		t.Fatalf("protobuf export: %d %q", status, body)
	}
	id, _ := tracestore.ParseTraceID("1-6a010203-0405060708090a0b0c0d0e0f")
	tr, err := f.store.Trace(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	if len(tr.Segments) != 2 {
		t.Fatalf("segments %+v", tr.Segments)
	}
	seg := tr.Segments[0]
	ddb := seg.Subsegments[0]
	if seg.Name != "orders" || seg.HTTP.Status != 200 || seg.HTTP.Method != "GET" || seg.AWS.AccountID != "111122223333" || seg.Annotations["customer"] != "c42" ||
		ddb.Name != "DynamoDB" || ddb.Namespace != "aws" || !ddb.Fault || ddb.AWS.Operation != "GetItem" || ddb.AWS.TableName != "orders" {
		t.Errorf("segment %+v / %+v", seg, ddb)
	}
	if !strings.Contains(string(ddb.Document()), `"type":"ResourceNotFoundException"`) {
		t.Errorf("cause: %s", ddb.Document())
	}
	if tr.Segments[1].Origin != "AWS::DynamoDB::Table" {
		t.Errorf("inferred: %+v", tr.Segments[1])
	}

	// OTLP/JSON, gzip-encoded, ids in hex.
	js := fmt.Sprintf(`{"resourceSpans":[{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"web"}}]},"scopeSpans":[{"spans":[`+
		`{"traceId":"6a0102030405060708090a0b0c0d0eff","spanId":"0303030303030303","name":"GET /","kind":2,"startTimeUnixNano":"%d","endTimeUnixNano":%d,`+
		`"attributes":[{"key":"http.response.status_code","value":{"intValue":"429"}}]}]}]}]}`, ns, ns+1e6)
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write([]byte(js))
	zw.Close()
	status, _, body = post(t, f.url+"/v1/traces", "application/json", gz.Bytes(), "Content-Encoding", "gzip")
	if status != 200 || string(body) != "{}" {
		t.Fatalf("json export: %d %s", status, body)
	}
	id, _ = tracestore.ParseTraceID("1-6a010203-0405060708090a0b0c0d0eff")
	if tr, err = f.store.Trace(context.Background(), id); err != nil || !tr.Summary().HasThrottle || tr.Segments[0].Name != "web" {
		t.Errorf("json trace: %+v, %v", tr, err)
	}

	for _, c := range []struct {
		ct, body, enc string
		status        int
		msg           string
	}{
		{"text/plain", "x", "", 415, "Content-Type"},
		{"application/x-protobuf", "\xff\xff", "", 400, "not an OTLP ExportTraceServiceRequest"},
		{"application/json", `{"resourceSpans":[{"scopeSpans":[{"spans":[{"traceId":"zz","spanId":"01"}]}]}]}`, "", 400, "traceId must be 32 hex digits"},
		{"application/json", `{}`, "br", 415, "Content-Encoding"},
		{"application/json", `{}`, "gzip", 400, "gzip body"},
	} {
		status, _, body := post(t, f.url+"/v1/traces", c.ct, []byte(c.body), "Content-Encoding", c.enc)
		if status != c.status || !strings.Contains(string(body), c.msg) {
			t.Errorf("%s %q: %d %s, want %d %q", c.ct, c.body, status, body, c.status, c.msg)
		}
	}
}

// FuzzAPI sends arbitrary bodies to every operation: nothing panics, and
// every error is an AWS-shaped (or OTLP-shaped) error below 500.
func FuzzAPI(f *testing.F) {
	for _, s := range []string{`{"TraceSegmentDocuments":["{\"id\":\"0000000000000001\"}"]}`, `{"StartTime":1,"EndTime":2,"FilterExpression":"ok"}`,
		`{"TraceIds":["1-00000000-000000000000000000000000"]}`, `{"SamplingStatisticsDocuments":[]}`, `{"resourceSpans":[]}`, "\x0a\x00"} {
		f.Add(uint8(0), []byte(s))
	}
	store, err := tracestore.Open("", tracestore.Options{InMemory: true, SweepInterval: -1})
	if err != nil {
		f.Fatal(err)
	}
	defer store.Close()
	router := awsapi.NewRouter(awsapi.Options{}, New(store, Options{}), NewOTLP(store, Options{}))
	paths := []string{"/TraceSegments", "/TelemetryRecords", "/TraceSummaries", "/Traces", "/ServiceGraph", "/TraceGraph", "/GetSamplingRules", "/SamplingTargets", "/v1/traces", "/v1/traces"}
	f.Fuzz(func(t *testing.T, op uint8, body []byte) {
		path := paths[int(op)%len(paths)]
		ct := "application/json"
		if int(op)%len(paths) == 8 {
			ct = "application/x-protobuf"
		}
		req := httptest.NewRequest(http.MethodPost, path, bytes.NewReader(body))
		req.Header.Set("Content-Type", ct)
		rec := httptest.NewRecorder()
		router.ServeHTTP(rec, req)
		if rec.Code >= 500 {
			t.Fatalf("%s %q: %d %s", path, body, rec.Code, rec.Body)
		}
		if rec.Code != 200 && !strings.HasPrefix(path, "/v1/") && rec.Header().Get("X-Amzn-ErrorType") == "" {
			t.Fatalf("%s %q: %d without X-Amzn-ErrorType", path, body, rec.Code)
		}
	})
}
