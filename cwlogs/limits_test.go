package cwlogs_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"

	"github.com/lambdalog/lambdalog/cwlogs"
	"github.com/lambdalog/lambdalog/internal/testserver"
)

// requestsFor writes events to a fresh, pre-created stream and returns how
// many PutLogEvents calls Close needed, checking every event was stored.
func requestsFor(t *testing.T, url string, write func(c *cwlogs.Client)) uint64 {
	t.Helper()
	api := newAPI(url)
	stream := strings.ReplaceAll(t.Name(), "/", "-")
	ctx := context.Background()
	api.CreateLogGroup(ctx, &cloudwatchlogs.CreateLogGroupInput{LogGroupName: aws.String("limits")})
	if _, err := api.CreateLogStream(ctx, &cloudwatchlogs.CreateLogStreamInput{LogGroupName: aws.String("limits"), LogStreamName: &stream}); err != nil {
		t.Fatal(err)
	}
	c, err := cwlogs.New(api, cwlogs.Options{Group: "limits", Stream: stream, FlushInterval: time.Hour, Senders: 1})
	if err != nil {
		t.Fatal(err)
	}
	write(c)
	closeClient(t, c)
	st := c.Stats()
	if st.Sent != st.Enqueued || st.Retried != 0 {
		t.Fatalf("stats %+v: every event must be accepted first time", st)
	}
	if n := len(readAll(t, api, "limits", stream)); uint64(n) != st.Sent {
		t.Fatalf("stream holds %d events, Sent = %d", n, st.Sent)
	}
	return st.Requests
}

func TestBatchesCutAtAWSLimits(t *testing.T) {
	srv := testserver.Serve(t, "--memory")
	now := time.Now()
	cases := []struct {
		name  string
		write func(c *cwlogs.Client)
		want  uint64
	}{
		{"10000-events", func(c *cwlogs.Client) {
			for range cwlogs.MaxBatchEvents {
				c.Write([]byte("e"))
			}
		}, 1},
		{"10001-events", func(c *cwlogs.Client) {
			for range cwlogs.MaxBatchEvents + 1 {
				c.Write([]byte("e"))
			}
		}, 2},
		{"exactly-1048576-bytes", func(c *cwlogs.Client) {
			half := (cwlogs.MaxBatchBytes - 2*cwlogs.EventOverhead) / 2
			c.Write([]byte(strings.Repeat("a", half)))
			c.Write([]byte(strings.Repeat("b", half)))
		}, 1},
		{"one-byte-over", func(c *cwlogs.Client) {
			half := (cwlogs.MaxBatchBytes - 2*cwlogs.EventOverhead) / 2
			c.Write([]byte(strings.Repeat("a", half+1)))
			c.Write([]byte(strings.Repeat("b", half)))
		}, 2},
		{"span-24h", func(c *cwlogs.Client) {
			c.WriteEvent(now.Add(-24*time.Hour), []byte("old"))
			c.WriteEvent(now, []byte("new"))
		}, 1},
		{"span-over-24h", func(c *cwlogs.Client) {
			c.WriteEvent(now.Add(-24*time.Hour-time.Millisecond), []byte("old"))
			c.WriteEvent(now, []byte("new"))
		}, 2},
		{"largest-event", func(c *cwlogs.Client) {
			c.Write([]byte(strings.Repeat("m", cwlogs.MaxMessageBytes)))
		}, 1},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := requestsFor(t, srv.URL, tc.write); got != tc.want {
				t.Fatalf("%d PutLogEvents calls, want %d", got, tc.want)
			}
		})
	}
}
