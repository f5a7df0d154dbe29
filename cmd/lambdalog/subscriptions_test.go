package main

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cwl "github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	cwltypes "github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs/types"
	"github.com/lambdalog/lambdalog/internal/testserver"
)

// subscriberARN is the ARN dev gives its function "subscriber" (default
// region and account).
const subscriberARN = "arn:aws:lambda:us-east-1:123456789012:function:subscriber"

// delivery is one invocation of testdata/subscriber, as it recorded it.
type delivery struct {
	RequestID string          `json:"requestId"`
	Event     json.RawMessage `json:"event"`
	Data      struct {
		MessageType         string
		Owner               string
		LogGroup            string
		LogStream           string
		SubscriptionFilters []string
		LogEvents           []struct {
			ID        string
			Timestamp int64
			Message   string
		}
	} `json:"data"`
}

// delivered is one log event as a filter delivered it.
type delivered struct {
	filter, stream, id, message string
	timestamp                   int64
}

// TestDevSubscriptionDelivers runs testdata/subscriber under `lambdalog dev`,
// subscribes it to a log group with two filters through aws-sdk-go-v2, writes
// events into two streams with PutLogEvents and checks that the function
// received, in AWS's payload, exactly the events each filter matches among
// those written after it was created, with FilterLogEvents' event ids; that
// a delivery the function fails is delivered again; and that neither the
// function's own log group nor a Kinesis destination delivers anything.
func TestDevSubscriptionDelivers(t *testing.T) {
	ctx := context.Background()
	out := t.TempDir()
	d := startDev(t, ".", "--function", "subscriber=testdata/subscriber", "--env", "SUBSCRIBER_DIR="+out,
		"--addr", "127.0.0.1:0", "--api-addr", "127.0.0.1:0", "--xray-addr", "127.0.0.1:0", "--memory")
	c := cwl.New(cwl.Options{Region: "us-east-1", BaseEndpoint: aws.String(d.logsURL), Credentials: testCreds(),
		RetryMaxAttempts: 1, HTTPClient: testserver.HTTPClient(nil)})

	const group = "/test/orders"
	must := func(_ any, err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(c.CreateLogGroup(ctx, &cwl.CreateLogGroupInput{LogGroupName: aws.String(group)}))
	streams := []string{"a", "b"}
	for _, s := range streams {
		must(c.CreateLogStream(ctx, &cwl.CreateLogStreamInput{LogGroupName: aws.String(group), LogStreamName: aws.String(s)}))
	}
	put := func(stream string, messages ...string) { // messages are unique
		t.Helper()
		now := time.Now().UnixMilli()
		var evs []cwltypes.InputLogEvent
		for _, m := range messages {
			evs = append(evs, cwltypes.InputLogEvent{Timestamp: aws.Int64(now), Message: aws.String(m)})
		}
		must(c.PutLogEvents(ctx, &cwl.PutLogEventsInput{LogGroupName: aws.String(group), LogStreamName: aws.String(stream), LogEvents: evs}))
	}
	// Written before the filters: never delivered.
	put("a", "ERROR before the filters", `{"latency": 500, "note": "before"}`)

	// errors: every ERROR line; slow: JSON events slower than 100 ms, to the
	// same function named with its $LATEST qualifier.
	must(c.PutSubscriptionFilter(ctx, &cwl.PutSubscriptionFilterInput{LogGroupName: aws.String(group),
		FilterName: aws.String("errors"), FilterPattern: aws.String("ERROR"), DestinationArn: aws.String(subscriberARN)}))
	must(c.PutSubscriptionFilter(ctx, &cwl.PutSubscriptionFilterInput{LogGroupName: aws.String(group),
		FilterName: aws.String("slow"), FilterPattern: aws.String("{ $.latency > 100 }"), DestinationArn: aws.String(subscriberARN + ":$LATEST")}))
	// The function's own group, whose events must not loop back to it, and
	// a group subscribed to Kinesis, which dev does not deliver to.
	var exists *cwltypes.ResourceAlreadyExistsException
	if _, err := c.CreateLogGroup(ctx, &cwl.CreateLogGroupInput{LogGroupName: aws.String("/aws/lambda/subscriber")}); err != nil && !errors.As(err, &exists) {
		t.Fatal(err)
	}
	must(c.PutSubscriptionFilter(ctx, &cwl.PutSubscriptionFilterInput{LogGroupName: aws.String("/aws/lambda/subscriber"),
		FilterName: aws.String("self"), FilterPattern: aws.String(""), DestinationArn: aws.String(subscriberARN)}))
	must(c.CreateLogGroup(ctx, &cwl.CreateLogGroupInput{LogGroupName: aws.String("/test/kinesis")}))
	must(c.CreateLogStream(ctx, &cwl.CreateLogStreamInput{LogGroupName: aws.String("/test/kinesis"), LogStreamName: aws.String("k")}))
	must(c.PutSubscriptionFilter(ctx, &cwl.PutSubscriptionFilterInput{LogGroupName: aws.String("/test/kinesis"),
		FilterName: aws.String("stream"), FilterPattern: aws.String(""),
		DestinationArn: aws.String("arn:aws:kinesis:us-east-1:123456789012:stream/logs"), RoleArn: aws.String("arn:aws:iam::123456789012:role/cwl")}))
	must(c.PutLogEvents(ctx, &cwl.PutLogEventsInput{LogGroupName: aws.String("/test/kinesis"), LogStreamName: aws.String("k"),
		LogEvents: []cwltypes.InputLogEvent{{Timestamp: aws.Int64(time.Now().UnixMilli()), Message: aws.String("ERROR to kinesis")}}}))
	time.Sleep(5 * time.Millisecond) // the events below are ingested in a later millisecond than the filters

	put("a", "INFO started", "ERROR payment declined", `{"latency": 250, "level": "ERROR"}`, `{"latency": 20}`)
	put("b", "ERROR timeout", "WARN slow disk", `{"latency": 101}`, `{"latency": 100, "msg": "ERROR"}`)
	put("a", "DEBUG nothing", `{"latency": 900}`)
	put("b", "ERROR again", "ERROR and again", "INFO done")

	// What each filter matches, with the ids FilterLogEvents gives them.
	want := map[delivered]int{}
	for _, f := range []struct{ name, pattern string }{{"errors", "ERROR"}, {"slow", "{ $.latency > 100 }"}} {
		p := cwl.NewFilterLogEventsPaginator(c, &cwl.FilterLogEventsInput{LogGroupName: aws.String(group), FilterPattern: aws.String(f.pattern)})
		for p.HasMorePages() {
			page, err := p.NextPage(ctx)
			if err != nil {
				t.Fatal(err)
			}
			for _, e := range page.Events {
				if strings.Contains(*e.Message, "before") {
					continue
				}
				want[delivered{f.name, *e.LogStreamName, *e.EventId, *e.Message, *e.Timestamp}]++
			}
		}
	}
	if len(want) != 9 { // errors: 2 in a, 4 in b; slow: 2 in a (250, 900), 1 in b (101)
		t.Fatalf("FilterLogEvents found %d matching events, want 9:\n%s", len(want), show(want))
	}
	if got := wait(t, out, len(want)); !equalCounts(got, want) {
		t.Errorf("delivered events:\n%s\nwant:\n%s", show(got), show(want))
	}

	// A delivery the function fails is delivered again, after about a second.
	put("b", "ERROR fail-once")
	var failing string
	deadline := time.Now().Add(time.Minute)
	for failing == "" || countID(read(t, out), failing) < 2 {
		if time.Now().After(deadline) {
			t.Fatalf("the failed delivery was not delivered again:\n%s\n%s", show(countEvents(read(t, out))), d.output())
		}
		time.Sleep(50 * time.Millisecond)
		for _, r := range read(t, out) {
			for _, e := range r.Data.LogEvents {
				if strings.Contains(e.Message, "fail-once") {
					failing = e.ID
				}
			}
		}
	}
	var requests []string
	for _, r := range read(t, out) {
		if countID([]delivery{r}, failing) > 0 {
			requests = append(requests, r.RequestID)
		}
	}
	if len(requests) != 2 || requests[0] == requests[1] {
		t.Errorf("fail-once delivered by invocations %q, want two", requests)
	}
	if _, err := os.Stat(filepath.Join(out, "failed-"+failing)); err != nil {
		t.Errorf("the function did not fail the first delivery: %v", err)
	}

	// Every delivery has AWS's shape and comes from the subscribed group,
	// never from the function's own, nor from the Kinesis-subscribed one.
	for _, r := range read(t, out) {
		checkShape(t, r)
	}
	for _, warning := range []string{"is the function that logs into this group", "is not a Lambda function"} {
		if !strings.Contains(d.output(), warning) {
			t.Errorf("dev did not warn %q:\n%s", warning, d.output())
		}
	}
}

// wait reads what the subscriber received until it holds at least n events.
func wait(t *testing.T, dir string, n int) map[delivered]int {
	t.Helper()
	deadline := time.Now().Add(time.Minute)
	for {
		got := countEvents(read(t, dir))
		total := 0
		for _, c := range got {
			total += c
		}
		if total >= n {
			return got
		}
		if time.Now().After(deadline) {
			t.Fatalf("received %d events, want %d:\n%s", total, n, show(got))
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// read returns the deliveries recorded in dir/received.jsonl so far.
func read(t *testing.T, dir string) []delivery {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, "received.jsonl"))
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		t.Fatal(err)
	}
	var ds []delivery
	sc := bufio.NewScanner(bytes.NewReader(b))
	sc.Buffer(nil, 16<<20)
	for sc.Scan() {
		var d delivery
		if err := json.Unmarshal(sc.Bytes(), &d); err != nil {
			t.Fatalf("received.jsonl: %v: %s", err, sc.Bytes())
		}
		ds = append(ds, d)
	}
	return ds
}

// countEvents counts each delivered event of the deliveries.
func countEvents(ds []delivery) map[delivered]int {
	got := map[delivered]int{}
	for _, d := range ds {
		for _, e := range d.Data.LogEvents {
			got[delivered{strings.Join(d.Data.SubscriptionFilters, ","), d.Data.LogStream, e.ID, e.Message, e.Timestamp}]++
		}
	}
	return got
}

func countID(ds []delivery, id string) int {
	n := 0
	for _, d := range ds {
		for _, e := range d.Data.LogEvents {
			if e.ID == id {
				n++
			}
		}
	}
	return n
}

func equalCounts(a, b map[delivered]int) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}

func show(m map[delivered]int) string {
	var lines []string
	for k, v := range m {
		lines = append(lines, fmt.Sprintf("  %s %s %s %d %q x%d", k.filter, k.stream, k.id, k.timestamp, k.message, v))
	}
	slices.Sort(lines)
	return strings.Join(lines, "\n")
}

// checkShape checks a delivery's event against AWS's: {"awslogs":{"data":
// base64 of gzip of the JSON document}}, whose fields are exactly AWS's.
func checkShape(t *testing.T, r delivery) {
	t.Helper()
	var ev map[string]map[string]string
	if err := json.Unmarshal(r.Event, &ev); err != nil || len(ev) != 1 || len(ev["awslogs"]) != 1 {
		t.Fatalf("event %s: want exactly {\"awslogs\":{\"data\":...}} (%v)", r.Event, err)
	}
	z, err := base64.StdEncoding.DecodeString(ev["awslogs"]["data"])
	if err != nil {
		t.Fatalf("awslogs.data is not base64: %v", err)
	}
	zr, err := gzip.NewReader(bytes.NewReader(z))
	if err != nil {
		t.Fatalf("awslogs.data is not gzip: %v", err)
	}
	doc, err := io.ReadAll(zr)
	if err != nil {
		t.Fatal(err)
	}
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(doc, &fields); err != nil {
		t.Fatalf("awslogs.data: %v: %s", err, doc)
	}
	var keys []string
	for k := range fields {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	if want := []string{"logEvents", "logGroup", "logStream", "messageType", "owner", "subscriptionFilters"}; !slices.Equal(keys, want) {
		t.Errorf("awslogs.data fields %v, want %v", keys, want)
	}
	var events []map[string]json.RawMessage
	if err := json.Unmarshal(fields["logEvents"], &events); err != nil || len(events) == 0 {
		t.Errorf("logEvents %s: %v", fields["logEvents"], err)
	}
	for _, e := range events {
		if len(e) != 3 || e["id"] == nil || e["timestamp"] == nil || e["message"] == nil {
			t.Errorf("log event %v: want exactly id, timestamp and message", e)
		}
	}
	data := r.Data
	if data.MessageType != "DATA_MESSAGE" || data.Owner != "123456789012" || data.LogGroup != "/test/orders" ||
		len(data.SubscriptionFilters) != 1 || !slices.Contains([]string{"a", "b"}, data.LogStream) {
		t.Errorf("delivery %s/%s by %v: messageType %q owner %q", data.LogGroup, data.LogStream, data.SubscriptionFilters, data.MessageType, data.Owner)
	}
}
