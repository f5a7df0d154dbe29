package subscriptions

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	cwl "github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	cwltypes "github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs/types"
	"github.com/lambdalog/lambdalog/cmd/lambdalog/internal/awsapi"
	"github.com/lambdalog/lambdalog/cmd/lambdalog/internal/lambdaemu"
	"github.com/lambdalog/lambdalog/cmd/lambdalog/internal/logsapi"
	"github.com/lambdalog/lambdalog/cmd/lambdalog/internal/store"
	"github.com/lambdalog/lambdalog/internal/testserver"
)

// open returns an in-memory log store whose AfterPut hook offers the events
// to a Deliverer over it and an Emulator without functions, and the
// Deliverer; the test's end closes them.
func open(t *testing.T, opts Options) (*store.Store, *Deliverer) {
	t.Helper()
	var d *Deliverer
	st, err := store.Open("", store.Options{InMemory: true, SweepInterval: -1,
		AfterPut: func(ctx context.Context, in store.Ingested) { d.Offer(ctx, in) }})
	if err != nil {
		t.Fatal(err)
	}
	emu, err := lambdaemu.New(lambdaemu.Options{Sink: lambdaemu.StoreSink(st, "us-east-1")})
	if err != nil {
		st.Close()
		t.Fatal(err)
	}
	d = New(st, emu, opts)
	t.Cleanup(func() {
		d.Close()
		emu.Close()
		st.Close()
	})
	return st, d
}

// TestQueueFullDrops fills the queue of a Deliverer fed by a real log
// store behind the CloudWatch Logs API: PutLogEvents still succeeds, the
// events that do not fit are counted as dropped, and each run of drops is
// logged once.
func TestQueueFullDrops(t *testing.T) {
	ctx := context.Background()
	var logs testserver.Buffer
	st, d := open(t, Options{Logger: slog.New(slog.NewTextHandler(&logs, nil)), QueueBytes: 1000})

	srv := httptest.NewServer(awsapi.NewRouter(awsapi.Options{}, logsapi.New(st, logsapi.Options{})))
	defer srv.Close()
	c := cwl.New(cwl.Options{Region: "us-east-1", BaseEndpoint: aws.String(srv.URL), RetryMaxAttempts: 1,
		Credentials: credentials.NewStaticCredentialsProvider("AKID", "secret", ""), HTTPClient: testserver.HTTPClient(nil)})
	group, stream := aws.String("g"), aws.String("s")
	if _, err := c.CreateLogGroup(ctx, &cwl.CreateLogGroupInput{LogGroupName: group}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.CreateLogStream(ctx, &cwl.CreateLogStreamInput{LogGroupName: group, LogStreamName: stream}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.PutSubscriptionFilter(ctx, &cwl.PutSubscriptionFilterInput{LogGroupName: group, FilterName: aws.String("all"),
		FilterPattern: aws.String(""), DestinationArn: aws.String("arn:aws:lambda:us-east-1:123456789012:function:absent")}); err != nil {
		t.Fatal(err)
	}
	put := func(n, size int) {
		t.Helper()
		evs := make([]cwltypes.InputLogEvent, n)
		for i := range evs {
			evs[i] = cwltypes.InputLogEvent{Timestamp: aws.Int64(time.Now().UnixMilli()), Message: aws.String(strings.Repeat("x", size))}
		}
		if _, err := c.PutLogEvents(ctx, &cwl.PutLogEventsInput{LogGroupName: group, LogStreamName: stream, LogEvents: evs}); err != nil {
			t.Fatal(err)
		}
	}
	const behind = "subscription delivery is behind"
	put(3, 400) // 1200 bytes: more than the queue holds
	put(3, 400)
	if got := d.Stats().Dropped; got != 6 {
		t.Errorf("Dropped = %d after two batches too large for the queue, want 6", got)
	}
	if n := strings.Count(logs.String(), behind); n != 1 {
		t.Errorf("%d warnings for one run of drops, want 1:\n%s", n, logs.String())
	}
	put(1, 10) // fits: the run of drops ends
	put(3, 400)
	if got := d.Stats().Dropped; got != 9 {
		t.Errorf("Dropped = %d, want 9", got)
	}
	if n := strings.Count(logs.String(), behind); n != 2 {
		t.Errorf("%d warnings for two runs of drops, want 2:\n%s", n, logs.String())
	}
}

// TestEncodeBatchSplits checks that a batch too large for one asynchronous
// invocation is split into payloads within Lambda's limit, which
// aws-lambda-go decodes into the batch's events in order, and that an event
// too large for any payload is left out and reported.
func TestEncodeBatchSplits(t *testing.T) {
	var evs []logEvent
	for i := range 40 {
		random := make([]byte, 48<<10) // incompressible: 64 KiB of base64
		rand.Read(random)
		evs = append(evs, logEvent{ID: fmt.Sprint(i), Timestamp: int64(i), Message: base64.StdEncoding.EncodeToString(random)})
	}
	huge := make([]byte, 900<<10)
	rand.Read(huge)
	evs = append(evs[:20], append([]logEvent{{ID: "huge", Timestamp: 20, Message: base64.StdEncoding.EncodeToString(huge)}}, evs[20:]...)...)

	m := message{MessageType: "DATA_MESSAGE", Owner: "123456789012", LogGroup: "g", LogStream: "s", SubscriptionFilters: []string{"f"}}
	payloads, err := encodeBatch(&m, evs)
	if err == nil || !strings.Contains(err.Error(), "event huge") {
		t.Errorf("error %v, want one naming event huge", err)
	}
	var got []logEvent
	total := 0
	for _, p := range payloads {
		if len(p.event) > maxPayload {
			t.Errorf("payload of %d bytes, more than %d", len(p.event), maxPayload)
		}
		var ev events.CloudwatchLogsEvent
		if err := json.Unmarshal(p.event, &ev); err != nil {
			t.Fatal(err)
		}
		data, err := ev.AWSLogs.Parse()
		if err != nil {
			t.Fatal(err)
		}
		if data.MessageType != "DATA_MESSAGE" || data.Owner != m.Owner || data.LogGroup != "g" || data.LogStream != "s" ||
			len(data.SubscriptionFilters) != 1 || data.SubscriptionFilters[0] != "f" {
			t.Errorf("payload fields %+v", data)
		}
		if len(data.LogEvents) != p.events {
			t.Errorf("payload of %d events says %d", len(data.LogEvents), p.events)
		}
		total += p.events
		for _, e := range data.LogEvents {
			got = append(got, logEvent{ID: e.ID, Timestamp: e.Timestamp, Message: e.Message})
		}
	}
	want := slices.DeleteFunc(evs, func(e logEvent) bool { return e.ID == "huge" })
	if len(payloads) < 3 || total != len(want) || !slices.Equal(got, want) {
		t.Errorf("%d payloads of %d events: the batch without event huge, in order, in at least 3 payloads", len(payloads), total)
	}
}

// TestOfferWithoutFilters checks that offering the events of a group without
// subscription filters, what PutEvents does for almost every batch, costs no
// allocation.
func TestOfferWithoutFilters(t *testing.T) {
	ctx := context.Background()
	st, d := open(t, Options{})
	g, err := st.CreateGroup(ctx, "us-east-1", store.Group{Name: "g"})
	if err != nil {
		t.Fatal(err)
	}
	in := store.Ingested{Region: "us-east-1", Group: g, Stream: "s", Events: []store.Event{{Timestamp: 1, Message: []byte("hello")}}, Millis: 2}
	d.Offer(ctx, in) // reads the group's (no) filters into the cache
	if n := testing.AllocsPerRun(100, func() { d.Offer(ctx, in) }); n != 0 {
		t.Errorf("Offer allocates %v times for a group without subscription filters, want 0", n)
	}
}
