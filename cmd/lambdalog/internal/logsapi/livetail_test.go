package logsapi_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsmiddleware "github.com/aws/aws-sdk-go-v2/aws/middleware"
	"github.com/aws/aws-sdk-go-v2/aws/protocol/eventstream"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/credentials"
	cwl "github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs/types"
	"github.com/aws/smithy-go"
	"github.com/aws/smithy-go/middleware"
	smithyhttp "github.com/aws/smithy-go/transport/http"

	"github.com/lambdalog/lambdalog/cmd/lambdalog/internal/awsapi"
	"github.com/lambdalog/lambdalog/cmd/lambdalog/internal/logsapi"
	"github.com/lambdalog/lambdalog/cmd/lambdalog/internal/store"
	"github.com/lambdalog/lambdalog/internal/testserver"
)

func TestMain(m *testing.M) { os.Exit(testserver.Main(m)) }

// waitFor bounds every wait for the server in these tests; it only
// decides when a test that would otherwise hang gives up.
const waitFor = 30 * time.Second

// tailEnv is a CloudWatch Logs server whose log store feeds a LiveTail,
// over a real socket.
type tailEnv struct {
	url    string
	lt     *logsapi.LiveTail
	client *cwl.Client
}

func newTailEnv(t *testing.T, opts logsapi.LiveTailOptions, creds *awsapi.Credentials) *tailEnv {
	t.Helper()
	lt := logsapi.NewLiveTail(opts)
	st, err := store.Open("", store.Options{InMemory: true, SweepInterval: -1,
		AfterPut: func(_ context.Context, in store.Ingested) { lt.Offer(&in) }})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(awsapi.NewRouter(awsapi.Options{Credentials: creds}, logsapi.New(st, logsapi.Options{LiveTail: lt})))
	t.Cleanup(func() {
		lt.Close()
		srv.Close()
		if err := st.Close(); err != nil {
			t.Error(err)
		}
	})
	return &tailEnv{url: srv.URL, lt: lt, client: tailClient(srv.URL)}
}

// noHostPrefix is the APIOption that makes aws-sdk-go-v2 send StartLiveTail
// to the endpoint as configured: by default it prefixes the host with
// "stream-", as AWS serves Live Tail from stream-logs.REGION.amazonaws.com.
func noHostPrefix(s *middleware.Stack) error {
	return s.Initialize.Add(middleware.InitializeMiddlewareFunc("NoHostPrefix", func(ctx context.Context, in middleware.InitializeInput, next middleware.InitializeHandler) (middleware.InitializeOutput, middleware.Metadata, error) {
		return next.HandleInitialize(smithyhttp.DisableEndpointHostPrefix(ctx, true), in)
	}), middleware.Before)
}

// tailClient returns a client for url. A session needs a client of its own
// while another is open: the streams of one aws-sdk-go-v2 client share a
// decoder's state (aws/smithy-go#714, a data race).
func tailClient(url string) *cwl.Client {
	return cwl.New(cwl.Options{
		Region:           "us-east-1",
		BaseEndpoint:     aws.String(url),
		Credentials:      credentials.NewStaticCredentialsProvider("AKIDEXAMPLE", "secret", ""),
		RetryMaxAttempts: 1,
		HTTPClient:       testserver.HTTPClient(nil),
		APIOptions:       []func(*middleware.Stack) error{noHostPrefix},
	})
}

func createStreams(t *testing.T, c *cwl.Client, group string, streams ...string) {
	t.Helper()
	ctx := context.Background()
	if _, err := c.CreateLogGroup(ctx, &cwl.CreateLogGroupInput{LogGroupName: &group}); err != nil {
		t.Fatal(err)
	}
	for _, s := range streams {
		if _, err := c.CreateLogStream(ctx, &cwl.CreateLogStreamInput{LogGroupName: &group, LogStreamName: aws.String(s)}); err != nil {
			t.Fatal(err)
		}
	}
}

// put stores messages in a stream with PutLogEvents, timestamped now, and
// returns that timestamp.
func put(t *testing.T, c *cwl.Client, group, stream string, messages ...string) int64 {
	t.Helper()
	ts := time.Now().UnixMilli()
	evs := make([]types.InputLogEvent, len(messages))
	for i, m := range messages {
		evs[i] = types.InputLogEvent{Message: aws.String(m), Timestamp: aws.Int64(ts)}
	}
	if _, err := c.PutLogEvents(context.Background(), &cwl.PutLogEventsInput{LogGroupName: &group, LogStreamName: &stream, LogEvents: evs}); err != nil {
		t.Fatal(err)
	}
	return ts
}

// tail is an open session as a client sees it.
type tail struct {
	t      *testing.T
	out    *cwl.StartLiveTailOutput
	events <-chan types.StartLiveTailResponseStream
	start  types.LiveTailSessionStart
}

// startTail starts a session and reads its sessionStart event.
func startTail(t *testing.T, c *cwl.Client, in *cwl.StartLiveTailInput) *tail {
	t.Helper()
	out, err := c.StartLiveTail(context.Background(), in)
	if err != nil {
		t.Fatalf("StartLiveTail: %v", err)
	}
	t.Cleanup(func() { out.GetStream().Close() })
	tl := &tail{t: t, out: out, events: out.GetStream().Events()}
	first, ok := tl.next()
	if !ok {
		t.Fatalf("stream ended before sessionStart: %v", out.GetStream().Err())
	}
	st, ok := first.(*types.StartLiveTailResponseStreamMemberSessionStart)
	if !ok {
		t.Fatalf("first event is %T, want sessionStart", first)
	}
	tl.start = st.Value
	return tl
}

// next returns the next event, or false when the stream has ended.
func (tl *tail) next() (types.StartLiveTailResponseStream, bool) {
	tl.t.Helper()
	select {
	case e, ok := <-tl.events:
		return e, ok
	case <-time.After(waitFor):
		tl.t.Fatalf("no event from the Live Tail stream in %s", waitFor)
		return nil, false
	}
}

// update returns the next sessionUpdate.
func (tl *tail) update() types.LiveTailSessionUpdate {
	tl.t.Helper()
	e, ok := tl.next()
	if !ok {
		tl.t.Fatalf("stream ended: %v", tl.out.GetStream().Err())
	}
	u, ok := e.(*types.StartLiveTailResponseStreamMemberSessionUpdate)
	if !ok {
		tl.t.Fatalf("event %T, want sessionUpdate", e)
	}
	if u.Value.SessionMetadata == nil {
		tl.t.Fatalf("sessionUpdate without sessionMetadata")
	}
	return u.Value
}

// until returns the events of the updates up to the one holding an event
// whose message is last.
func (tl *tail) until(last string) []types.LiveTailSessionLogEvent {
	tl.t.Helper()
	var got []types.LiveTailSessionLogEvent
	for {
		u := tl.update()
		got = append(got, u.SessionResults...)
		if slices.ContainsFunc(u.SessionResults, func(e types.LiveTailSessionLogEvent) bool { return aws.ToString(e.Message) == last }) {
			return got
		}
	}
}

func messages(evs []types.LiveTailSessionLogEvent) []string {
	var ms []string
	for _, e := range evs {
		ms = append(ms, aws.ToString(e.Message))
	}
	return ms
}

func TestStartLiveTail(t *testing.T) {
	e := newTailEnv(t, logsapi.LiveTailOptions{}, nil)
	createStreams(t, e.client, "/app/one", "s1")
	createStreams(t, e.client, "/app/two", "s2")
	put(t, e.client, "/app/one", "s1", "ERROR before the session")
	arn := "arn:aws:logs:us-east-1:123456789012:log-group:/app/two"
	idents := []string{"/app/one", arn}
	tl := startTail(t, e.client, &cwl.StartLiveTailInput{LogGroupIdentifiers: idents, LogEventFilterPattern: aws.String("ERROR")})

	reqID, _ := awsmiddleware.GetRequestIDMetadata(tl.out.ResultMetadata)
	st := tl.start
	if aws.ToString(st.RequestId) == "" || aws.ToString(st.RequestId) != reqID {
		t.Errorf("sessionStart requestId %q, the response's x-amzn-RequestId %q", aws.ToString(st.RequestId), reqID)
	}
	if len(aws.ToString(st.SessionId)) != 36 {
		t.Errorf("sessionId %q, want a UUID", aws.ToString(st.SessionId))
	}
	if !slices.Equal(st.LogGroupIdentifiers, idents) || aws.ToString(st.LogEventFilterPattern) != "ERROR" || st.LogStreamNames != nil || st.LogStreamNamePrefixes != nil {
		t.Errorf("sessionStart %+v does not echo the request", st)
	}

	before := time.Now().UnixMilli()
	ts1 := put(t, e.client, "/app/one", "s1", "ERROR one", "INFO two")
	ts2 := put(t, e.client, "/app/two", "s2", "ERROR three")
	put(t, e.client, "/app/one", "s1", "ERROR last")
	after := time.Now().UnixMilli()
	got := tl.until("ERROR last")
	if want := []string{"ERROR one", "ERROR three", "ERROR last"}; !slices.Equal(messages(got), want) {
		t.Fatalf("events %q, want %q (matching the pattern, ingested after the session started)", messages(got), want)
	}
	for i, want := range []struct {
		group, stream string
		ts            int64
	}{{"/app/one", "s1", ts1}, {arn, "s2", ts2}} {
		ev := got[i]
		if aws.ToString(ev.LogGroupIdentifier) != want.group || aws.ToString(ev.LogStreamName) != want.stream || aws.ToInt64(ev.Timestamp) != want.ts {
			t.Errorf("event %d: group %q stream %q timestamp %d, want %q %q %d", i, aws.ToString(ev.LogGroupIdentifier),
				aws.ToString(ev.LogStreamName), aws.ToInt64(ev.Timestamp), want.group, want.stream, want.ts)
		}
		if it := aws.ToInt64(ev.IngestionTime); it < before || it > after {
			t.Errorf("event %d: ingestionTime %d not within the PutLogEvents calls [%d, %d]", i, it, before, after)
		}
	}
	// Updates keep coming, empty, once a second.
	if u := tl.update(); len(u.SessionResults) != 0 || u.SessionMetadata.Sampled {
		t.Errorf("update with nothing put: %d events, sampled %v", len(u.SessionResults), u.SessionMetadata.Sampled)
	}
}

func TestStartLiveTailStreamFilters(t *testing.T) {
	e := newTailEnv(t, logsapi.LiveTailOptions{}, nil)
	createStreams(t, e.client, "g", "app-1", "app-2", "other", "exact")
	byPrefix := startTail(t, tailClient(e.url), &cwl.StartLiveTailInput{LogGroupIdentifiers: []string{"g"}, LogStreamNamePrefixes: []string{"app-", "ex"}})
	byName := startTail(t, tailClient(e.url), &cwl.StartLiveTailInput{LogGroupIdentifiers: []string{"g"}, LogStreamNames: []string{"app-2"}})
	if !slices.Equal(byPrefix.start.LogStreamNamePrefixes, []string{"app-", "ex"}) || !slices.Equal(byName.start.LogStreamNames, []string{"app-2"}) {
		t.Errorf("sessionStart stream filters: %+v, %+v", byPrefix.start, byName.start)
	}
	for _, s := range []string{"app-1", "other", "app-2", "exact"} {
		put(t, e.client, "g", s, "in "+s)
	}
	put(t, e.client, "g", "app-2", "last")
	if got, want := messages(byPrefix.until("last")), []string{"in app-1", "in app-2", "in exact", "last"}; !slices.Equal(got, want) {
		t.Errorf("logStreamNamePrefixes: %q, want %q", got, want)
	}
	if got, want := messages(byName.until("last")), []string{"in app-2", "last"}; !slices.Equal(got, want) {
		t.Errorf("logStreamNames: %q, want %q", got, want)
	}
}

// TestStartLiveTailSampling puts more matching events at once than an
// update carries: the update holds 500 of them, distinct and in order,
// and says it is sampled.
func TestStartLiveTailSampling(t *testing.T) {
	e := newTailEnv(t, logsapi.LiveTailOptions{}, nil)
	createStreams(t, e.client, "g", "s")
	tl := startTail(t, e.client, &cwl.StartLiveTailInput{LogGroupIdentifiers: []string{"g"}})
	var msgs []string
	for i := range 1200 {
		msgs = append(msgs, fmt.Sprintf("event %04d", i))
	}
	put(t, e.client, "g", "s", msgs...) // one batch: one update's window
	for {
		u := tl.update()
		if len(u.SessionResults) == 0 {
			continue
		}
		got := messages(u.SessionResults)
		if len(got) != 500 || !u.SessionMetadata.Sampled {
			t.Fatalf("update of %d events, sampled %v; want 500, sampled", len(got), u.SessionMetadata.Sampled)
		}
		if !slices.IsSorted(got) || len(slices.Compact(slices.Clone(got))) != 500 {
			t.Errorf("events not distinct and in arrival order: %q", got)
		}
		for _, m := range got {
			if _, ok := slices.BinarySearch(msgs, m); !ok {
				t.Fatalf("event %q was never put", m)
			}
		}
		// A uniform sample of 1200 ordered events has some from either half.
		if got[0] >= msgs[600] || got[499] < msgs[600] {
			t.Errorf("sample from %q to %q: not spread over the events", got[0], got[499])
		}
		break
	}
	if u := tl.update(); u.SessionMetadata.Sampled {
		t.Errorf("the next update, with nothing put, is sampled")
	}
}

func TestStartLiveTailErrors(t *testing.T) {
	e := newTailEnv(t, logsapi.LiveTailOptions{}, nil)
	createStreams(t, e.client, "g", "s")
	createStreams(t, e.client, "h", "s")
	eleven := slices.Repeat([]string{"g"}, 11)
	for _, c := range []struct {
		name string
		in   cwl.StartLiveTailInput
		code string
	}{
		{"no group", cwl.StartLiveTailInput{LogGroupIdentifiers: []string{}}, "InvalidParameterException"},
		{"11 groups", cwl.StartLiveTailInput{LogGroupIdentifiers: eleven}, "InvalidParameterException"},
		{"unknown group", cwl.StartLiveTailInput{LogGroupIdentifiers: []string{"g", "nope"}}, "ResourceNotFoundException"},
		{"unknown group ARN", cwl.StartLiveTailInput{LogGroupIdentifiers: []string{"arn:aws:logs:us-east-1:123456789012:log-group:nope"}}, "ResourceNotFoundException"},
		{"ARN of another region", cwl.StartLiveTailInput{LogGroupIdentifiers: []string{"arn:aws:logs:eu-west-1:123456789012:log-group:g"}}, "ResourceNotFoundException"},
		{"ARN of another account", cwl.StartLiveTailInput{LogGroupIdentifiers: []string{"arn:aws:logs:us-east-1:210987654321:log-group:g"}}, "AccessDeniedException"},
		{"ARN ending with *", cwl.StartLiveTailInput{LogGroupIdentifiers: []string{"arn:aws:logs:us-east-1:123456789012:log-group:g:*"}}, "InvalidParameterException"},
		{"not a log group ARN", cwl.StartLiveTailInput{LogGroupIdentifiers: []string{"arn:aws:s3:::bucket"}}, "InvalidParameterException"},
		{"bad group identifier", cwl.StartLiveTailInput{LogGroupIdentifiers: []string{"g h"}}, "InvalidParameterException"},
		{"names and prefixes", cwl.StartLiveTailInput{LogGroupIdentifiers: []string{"g"}, LogStreamNames: []string{"s"}, LogStreamNamePrefixes: []string{"s"}}, "InvalidParameterException"},
		{"names with two groups", cwl.StartLiveTailInput{LogGroupIdentifiers: []string{"g", "h"}, LogStreamNames: []string{"s"}}, "InvalidParameterException"},
		{"prefixes with two groups", cwl.StartLiveTailInput{LogGroupIdentifiers: []string{"g", "h"}, LogStreamNamePrefixes: []string{"s"}}, "InvalidParameterException"},
		{"bad stream name", cwl.StartLiveTailInput{LogGroupIdentifiers: []string{"g"}, LogStreamNames: []string{"a:b"}}, "InvalidParameterException"},
		{"empty stream names", cwl.StartLiveTailInput{LogGroupIdentifiers: []string{"g"}, LogStreamNames: []string{}}, "InvalidParameterException"},
		{"bad pattern", cwl.StartLiveTailInput{LogGroupIdentifiers: []string{"g"}, LogEventFilterPattern: aws.String(`{ $.x = `)}, "InvalidParameterException"},
		{"long pattern", cwl.StartLiveTailInput{LogGroupIdentifiers: []string{"g"}, LogEventFilterPattern: aws.String(strings.Repeat("x", 1025))}, "InvalidParameterException"},
	} {
		_, err := e.client.StartLiveTail(context.Background(), &c.in)
		var ae smithy.APIError
		if !errors.As(err, &ae) || ae.ErrorCode() != c.code || ae.ErrorMessage() == "" {
			t.Errorf("%s: %v, want %s with a message", c.name, err, c.code)
		}
	}
	if n := e.lt.OpenSessions(); n != 0 {
		t.Errorf("%d sessions open after failed StartLiveTail calls", n)
	}

	// A request without logGroupIdentifiers (the SDK refuses to send one).
	req, _ := http.NewRequest(http.MethodPost, e.url, strings.NewReader(`{"logStreamNames":["s"]}`))
	req.Header.Set("X-Amz-Target", "Logs_20140328.StartLiveTail")
	req.Header.Set("Content-Type", "application/x-amz-json-1.1")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 400 || resp.Header.Get("X-Amzn-ErrorType") != "InvalidParameterException" {
		t.Errorf("without logGroupIdentifiers: %s %s", resp.Status, resp.Header.Get("X-Amzn-ErrorType"))
	}
}

// TestStartLiveTailSessionLimit opens AWS's 15 sessions: the 16th is
// refused until one ends.
func TestStartLiveTailSessionLimit(t *testing.T) {
	e := newTailEnv(t, logsapi.LiveTailOptions{}, nil)
	createStreams(t, e.client, "g", "s")
	in := &cwl.StartLiveTailInput{LogGroupIdentifiers: []string{"g"}}
	var tails []*tail
	for range logsapi.DefaultLiveTailSessions {
		tails = append(tails, startTail(t, tailClient(e.url), in))
	}
	_, err := tailClient(e.url).StartLiveTail(context.Background(), in)
	if le := (*types.LimitExceededException)(nil); !errors.As(err, &le) {
		t.Fatalf("session 16: %v, want LimitExceededException", err)
	}
	tails[0].out.GetStream().Close()
	waitSessions(t, e.lt, logsapi.DefaultLiveTailSessions-1)
	startTail(t, tailClient(e.url), in)
}

// waitSessions waits until n sessions are open.
func waitSessions(t *testing.T, lt *logsapi.LiveTail, n int) {
	t.Helper()
	deadline := time.Now().Add(waitFor)
	for lt.OpenSessions() != n {
		if time.Now().After(deadline) {
			t.Fatalf("%d sessions open after %s, want %d", lt.OpenSessions(), waitFor, n)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// TestStartLiveTailTimeout ends a session at its time limit with a
// SessionTimeoutException, after what was put before it.
func TestStartLiveTailTimeout(t *testing.T) {
	e := newTailEnv(t, logsapi.LiveTailOptions{MaxDuration: 2500 * time.Millisecond}, nil)
	createStreams(t, e.client, "g", "s")
	tl := startTail(t, e.client, &cwl.StartLiveTailInput{LogGroupIdentifiers: []string{"g"}})
	put(t, e.client, "g", "s", "hello")
	var got []string
	for {
		ev, ok := tl.next()
		if !ok {
			break
		}
		if u, isUpdate := ev.(*types.StartLiveTailResponseStreamMemberSessionUpdate); isUpdate {
			got = append(got, messages(u.Value.SessionResults)...)
		}
	}
	if te := (*types.SessionTimeoutException)(nil); !errors.As(tl.out.GetStream().Err(), &te) || te.ErrorMessage() == "" {
		t.Errorf("stream ended with %v, want SessionTimeoutException", tl.out.GetStream().Err())
	}
	if !slices.Equal(got, []string{"hello"}) {
		t.Errorf("events before the timeout: %q", got)
	}
	waitSessions(t, e.lt, 0)
}

// TestStartLiveTailClientCloses checks that a client closing its stream
// ends the session on the server, and that Close ends the others with a
// SessionStreamingException.
func TestStartLiveTailClientCloses(t *testing.T) {
	e := newTailEnv(t, logsapi.LiveTailOptions{}, nil)
	createStreams(t, e.client, "g", "s")
	in := &cwl.StartLiveTailInput{LogGroupIdentifiers: []string{"g"}}
	closed := startTail(t, tailClient(e.url), in)
	kept := startTail(t, tailClient(e.url), in)
	waitSessions(t, e.lt, 2)
	if err := closed.out.GetStream().Close(); err != nil {
		t.Errorf("Close: %v", err)
	}
	waitSessions(t, e.lt, 1)

	e.lt.Close()
	for {
		if _, ok := kept.next(); !ok {
			break
		}
	}
	if se := (*types.SessionStreamingException)(nil); !errors.As(kept.out.GetStream().Err(), &se) {
		t.Errorf("after LiveTail.Close the stream ended with %v, want SessionStreamingException", kept.out.GetStream().Err())
	}
	waitSessions(t, e.lt, 0)
	_, err := e.client.StartLiveTail(context.Background(), in)
	if ie := (*types.InvalidOperationException)(nil); !errors.As(err, &ie) {
		t.Errorf("StartLiveTail after Close: %v, want InvalidOperationException", err)
	}
}

// TestStartLiveTailHostPrefix uses aws-sdk-go-v2 as it is, which sends
// StartLiveTail to "stream-" + the endpoint's host, with that name resolved
// to the server (as a hosts file would) and SigV4 checked.
func TestStartLiveTailHostPrefix(t *testing.T) {
	creds := &awsapi.Credentials{AccessKeyID: "AKIDEXAMPLE", SecretAccessKey: "secret"}
	e := newTailEnv(t, logsapi.LiveTailOptions{}, creds)
	createStreams(t, e.client, "g", "s")
	addr := strings.TrimPrefix(e.url, "http://")
	_, port, _ := net.SplitHostPort(addr)
	var (
		mu    sync.Mutex
		hosts []string
	)
	client := cwl.New(cwl.Options{
		Region:           "us-east-1",
		BaseEndpoint:     aws.String("http://lambdalog.test:" + port),
		Credentials:      credentials.NewStaticCredentialsProvider(creds.AccessKeyID, creds.SecretAccessKey, ""),
		RetryMaxAttempts: 1,
		HTTPClient: testserver.HTTPClient(awshttp.NewBuildableClient().WithTransportOptions(func(tr *http.Transport) {
			tr.DialContext = func(ctx context.Context, network, host string) (net.Conn, error) {
				mu.Lock()
				hosts = append(hosts, host)
				mu.Unlock()
				return (&net.Dialer{}).DialContext(ctx, network, addr)
			}
		})),
	})
	tl := startTail(t, client, &cwl.StartLiveTailInput{LogGroupIdentifiers: []string{"g"}})
	mu.Lock()
	defer mu.Unlock()
	if !slices.Contains(hosts, "stream-lambdalog.test:"+port) {
		t.Errorf("the SDK dialled %q, want stream-lambdalog.test:%s", hosts, port)
	}
	put(t, e.client, "g", "s", "hello")
	if got := messages(tl.until("hello")); !slices.Equal(got, []string{"hello"}) {
		t.Errorf("events %q", got)
	}
}

// TestStartLiveTailServe runs `lambdalog serve`: its log store feeds Live
// Tail, for aws-sdk-go-v2 and, when it is installed, the aws CLI v1's
// start-live-tail (aws CLI v2 2.9, Debian's, has no start-live-tail); its
// graceful stop ends the sessions.
func TestStartLiveTailServe(t *testing.T) {
	srv := testserver.Serve(t, "--memory")
	c := tailClient(srv.URL)
	createStreams(t, c, "/aws/lambda/fn", "s")
	tl := startTail(t, c, &cwl.StartLiveTailInput{LogGroupIdentifiers: []string{"/aws/lambda/fn"}, LogEventFilterPattern: aws.String(`{ $.level = "ERROR" }`)})
	put(t, c, "/aws/lambda/fn", "s", `{"level":"INFO","msg":"fine"}`, `{"level":"ERROR","msg":"boom"}`)
	if got, want := messages(tl.until(`{"level":"ERROR","msg":"boom"}`)), []string{`{"level":"ERROR","msg":"boom"}`}; !slices.Equal(got, want) {
		t.Errorf("events %q, want %q", got, want)
	}

	t.Run("aws CLI v1", func(t *testing.T) {
		if exec.Command("aws", "logs", "start-live-tail", "help").Run() != nil {
			t.Skip("no aws CLI with start-live-tail on PATH")
		}
		ctx, cancel := context.WithTimeout(context.Background(), 2*waitFor)
		defer cancel()
		cmd := exec.CommandContext(ctx, "aws", "logs", "start-live-tail", "--endpoint-url", srv.URL, "--region", "us-east-1",
			"--log-group-identifiers", "arn:aws:logs:us-east-1:123456789012:log-group:/aws/lambda/fn", "--log-event-filter-pattern", "ERROR")
		cmd.Env = append(os.Environ(), "AWS_ACCESS_KEY_ID=AKIDEXAMPLE", "AWS_SECRET_ACCESS_KEY=secret", "AWS_DISABLE_HOST_PREFIX_INJECTION=true")
		stdout, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		var stderr strings.Builder
		cmd.Stderr = &stderr
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		lines := make(chan string)
		go func() {
			defer close(lines)
			sc := bufio.NewScanner(stdout)
			for sc.Scan() {
				lines <- sc.Text()
			}
		}()
		// The CLI says nothing when its session starts: put until a line shows.
		tick := time.NewTicker(300 * time.Millisecond)
		defer tick.Stop()
		var line string
	wait:
		for i := 0; ; i++ {
			select {
			case l, ok := <-lines:
				if !ok {
					t.Fatalf("aws exited: %v\n%s", cmd.Wait(), stderr.String())
				}
				line = l
				break wait
			case <-tick.C:
				put(t, c, "/aws/lambda/fn", "s", fmt.Sprintf("INFO %d", i), fmt.Sprintf("ERROR %d", i))
			case <-ctx.Done():
				t.Fatalf("no line from aws logs start-live-tail\n%s", stderr.String())
			}
		}
		if !strings.HasPrefix(line, "ERROR ") {
			t.Errorf("aws logs start-live-tail printed %q, want an ERROR event's message", line)
		}
		if err := cmd.Process.Signal(syscall.SIGINT); err != nil {
			t.Fatal(err)
		}
		for range lines {
		}
		if err := cmd.Wait(); err != nil {
			t.Errorf("aws logs start-live-tail after SIGINT: %v\n%s", err, stderr.String())
		}
	})

	// Stopping the server ends the session rather than waiting for it.
	ctx, cancel := context.WithTimeout(context.Background(), waitFor)
	defer cancel()
	if err := srv.Stop(ctx); err != nil {
		t.Fatal(err)
	}
	for {
		if _, ok := tl.next(); !ok {
			break
		}
	}
	if se := (*types.SessionStreamingException)(nil); !errors.As(tl.out.GetStream().Err(), &se) {
		t.Errorf("after the server stopped the stream ended with %v, want SessionStreamingException", tl.out.GetStream().Err())
	}
	if out := srv.Output(); strings.Contains(out, "deadline exceeded") {
		t.Errorf("the server's shutdown waited for the Live Tail session until its deadline:\n%s", out)
	}
}

// FuzzStartLiveTail sends arbitrary bodies to StartLiveTail: a refusal is a
// 4xx in AWS's JSON shape, and an accepted session is an event stream of
// initial-response, sessionStart, updates and, its 1 ms being up, a
// SessionTimeoutException.
func FuzzStartLiveTail(f *testing.F) {
	lt := logsapi.NewLiveTail(logsapi.LiveTailOptions{MaxDuration: time.Millisecond})
	st, err := store.Open("", store.Options{InMemory: true, SweepInterval: -1,
		AfterPut: func(_ context.Context, in store.Ingested) { lt.Offer(&in) }})
	if err != nil {
		f.Fatal(err)
	}
	f.Cleanup(func() { st.Close() })
	ctx := context.Background()
	for _, g := range []string{"g", "h"} {
		st.CreateGroup(ctx, "us-east-1", store.Group{Name: g})
		st.CreateStream(ctx, "us-east-1", g, "s")
	}
	h := awsapi.NewRouter(awsapi.Options{}, logsapi.New(st, logsapi.Options{LiveTail: lt}))
	for _, s := range []string{
		`{"logGroupIdentifiers":["g"]}`,
		`{"logGroupIdentifiers":["g","arn:aws:logs:us-east-1:123456789012:log-group:h"],"logEventFilterPattern":"{ $.a = 1 }"}`,
		`{"logGroupIdentifiers":["g"],"logStreamNames":["s"],"logStreamNamePrefixes":["s"]}`,
		`{"logGroupIdentifiers":["g"],"logStreamNamePrefixes":["s"],"logEventFilterPattern":"[a, b=%x+%]"}`,
		`{"logGroupIdentifiers":["arn:aws:logs:us-east-1:123456789012:log-group:g:*"]}`,
		`{"logGroupIdentifiers":[]}`, `{"logGroupIdentifiers":null}`, `[]`, `null`, ``,
	} {
		f.Add([]byte(s))
	}
	serve := func(body []byte) *httptest.ResponseRecorder {
		req := httptest.NewRequest(http.MethodPost, "/", bytes.NewReader(body))
		req.Header.Set("X-Amz-Target", "Logs_20140328.StartLiveTail")
		w := httptest.NewRecorder()
		h.ServeHTTP(w, req)
		return w
	}
	if w := serve([]byte(`{"logGroupIdentifiers":["g"]}`)); w.Code != 200 {
		f.Fatalf("a valid request: %d %s", w.Code, w.Body.Bytes())
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		w := serve(body)
		if w.Code != 200 {
			if w.Code >= 500 || !bytes.HasPrefix(w.Body.Bytes(), []byte(`{"__type":"`)) {
				t.Fatalf("%q: %d %s", body, w.Code, w.Body.Bytes())
			}
			return
		}
		if ct := w.Header().Get("Content-Type"); ct != "application/vnd.amazon.eventstream" {
			t.Fatalf("%q: Content-Type %q", body, ct)
		}
		dec := eventstream.NewDecoder()
		var kinds []string
		for {
			m, err := dec.Decode(w.Body, nil)
			if err == io.EOF {
				break
			}
			if err != nil {
				t.Fatalf("%q: message %d: %v", body, len(kinds), err)
			}
			header := func(name string) string {
				if v := m.Headers.Get(name); v != nil {
					return v.String()
				}
				return ""
			}
			if !json.Valid(m.Payload) || header(":content-type") != "application/json" {
				t.Fatalf("%q: message %d: %v %q", body, len(kinds), m.Headers, m.Payload)
			}
			kinds = append(kinds, header(":message-type")+" "+header(":event-type")+header(":exception-type"))
		}
		if len(kinds) < 3 || kinds[0] != "event initial-response" || kinds[1] != "event sessionStart" ||
			kinds[len(kinds)-1] != "exception SessionTimeoutException" ||
			slices.ContainsFunc(kinds[2:len(kinds)-1], func(k string) bool { return k != "event sessionUpdate" }) {
			t.Fatalf("%q: messages %q", body, kinds)
		}
	})
}
