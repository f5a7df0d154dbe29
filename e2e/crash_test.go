package e2e

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs/types"
	"github.com/lambdalog/lambdalog/internal/testserver"
)

// logsClient is an aws-sdk-go-v2 CloudWatch Logs client for the server.
func logsClient(endpoint, region string, optFns ...func(*cloudwatchlogs.Options)) *cloudwatchlogs.Client {
	return cloudwatchlogs.New(cloudwatchlogs.Options{
		Region:       region,
		BaseEndpoint: aws.String(endpoint),
		Credentials:  credentials.NewStaticCredentialsProvider("test", "test", ""),
		HTTPClient:   testserver.HTTPClient(nil),
	}, optFns...)
}

// noRetries makes every call exactly one request, so that an acknowledged
// PutLogEvents is one batch stored once and a writer stops at the first call
// the killed server does not answer.
func noRetries(o *cloudwatchlogs.Options) { o.Retryer = aws.NopRetryer{} }

const (
	crashGroup     = "/e2e/crash"
	crashWriters   = 4
	crashBatchSize = 250
	crashKills     = 3
)

// crashStreams are the streams written: writers 0 and 1 share the first, as
// AWS allows since 2023, writers 2 and 3 have one each.
var crashStreams = []string{"shared", "solo-2", "solo-3"}

// crashStream is the stream writer w sends to.
func crashStream(w int) string { return crashStreams[max(w-1, 0)] }

// ackLog records the messages of every batch the server acknowledged.
type ackLog struct {
	mu    sync.Mutex
	acked map[string]string // message -> stream
	count int               // acknowledged batches
}

func (a *ackLog) add(stream string, events []types.InputLogEvent) {
	a.mu.Lock()
	defer a.mu.Unlock()
	for _, e := range events {
		a.acked[*e.Message] = stream
	}
	a.count++
}

func (a *ackLog) batches() int {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.count
}

// TestCrashDurability kills the server with SIGKILL while writers are sending
// PutLogEvents batches, restarts it on the same --data directory, and checks
// that every acknowledged batch is there, several times over.
func TestCrashDurability(t *testing.T) {
	t.Parallel()
	const region = "us-west-2"
	dir := t.TempDir()
	ctx := context.Background()
	srv := testserver.Serve(t, "--data", dir)
	client := logsClient(srv.URL, region, noRetries)
	if _, err := client.CreateLogGroup(ctx, &cloudwatchlogs.CreateLogGroupInput{LogGroupName: aws.String(crashGroup)}); err != nil {
		t.Fatal(err)
	}
	for _, stream := range crashStreams {
		if _, err := client.CreateLogStream(ctx, &cloudwatchlogs.CreateLogStreamInput{
			LogGroupName: aws.String(crashGroup), LogStreamName: aws.String(stream),
		}); err != nil {
			t.Fatal(err)
		}
	}

	acks := &ackLog{acked: map[string]string{}}
	seq := make([]int, crashWriters) // next sequence number per writer, kept across rounds
	for round := range crashKills {
		before := acks.batches()
		var wg sync.WaitGroup
		for w := range crashWriters {
			wg.Go(func() { writeUntilError(t, client, w, round, &seq[w], acks) })
		}
		// Let at least a few batches through, then kill at a random moment.
		deadline := time.Now().Add(20 * time.Second)
		for acks.batches() < before+3*crashWriters && time.Now().Before(deadline) {
			time.Sleep(5 * time.Millisecond)
		}
		time.Sleep(time.Duration(rand.IntN(150)) * time.Millisecond)
		srv.Kill()
		wg.Wait()
		if acks.batches() == before {
			t.Fatalf("round %d: no batch was acknowledged before the kill:\n%s", round, srv.Output())
		}
		t.Logf("round %d: %d batches acknowledged so far, server killed with SIGKILL", round, acks.batches())

		srv = testserver.Serve(t, "--data", dir)
		verifyAcked(t, logsClient(srv.URL, region), acks)
		client = logsClient(srv.URL, region, noRetries)
	}

	// A graceful stop and a clean reopen keep everything too.
	stopCtx, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	if err := srv.Stop(stopCtx); err != nil {
		t.Fatal(err)
	}
	srv = testserver.Serve(t, "--data", dir)
	verifyAcked(t, logsClient(srv.URL, region), acks)
}

// writeUntilError sends batches for writer w until a call fails (the server
// was killed) and records each acknowledged batch.
func writeUntilError(t *testing.T, client *cloudwatchlogs.Client, w, round int, seq *int, acks *ackLog) {
	stream := crashStream(w)
	for {
		events := make([]types.InputLogEvent, crashBatchSize)
		now := time.Now().UnixMilli()
		for i := range events {
			msg := fmt.Sprintf("writer=%d round=%d seq=%08d payload=%s", w, round, *seq, strings.Repeat("x", 40))
			*seq++
			events[i] = types.InputLogEvent{Message: aws.String(msg), Timestamp: aws.Int64(now)}
		}
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		out, err := client.PutLogEvents(ctx, &cloudwatchlogs.PutLogEventsInput{
			LogGroupName: aws.String(crashGroup), LogStreamName: aws.String(stream), LogEvents: events,
		})
		cancel()
		if err != nil {
			return
		}
		if out.RejectedLogEventsInfo != nil {
			t.Errorf("writer %d: events of the current time rejected: %+v", w, out.RejectedLogEventsInfo)
			return
		}
		acks.add(stream, events)
	}
}

// verifyAcked reads every stream back with GetLogEvents and the whole group
// with FilterLogEvents and checks that each acknowledged message is present
// exactly once and that both APIs agree.
func verifyAcked(t *testing.T, client *cloudwatchlogs.Client, acks *ackLog) {
	t.Helper()
	ctx := context.Background()
	stored := map[string]string{} // message -> stream
	for _, stream := range crashStreams {
		var token *string
		for page := 0; ; page++ {
			out, err := client.GetLogEvents(ctx, &cloudwatchlogs.GetLogEventsInput{
				LogGroupName: aws.String(crashGroup), LogStreamName: aws.String(stream),
				StartFromHead: aws.Bool(true), NextToken: token,
			})
			if err != nil {
				t.Fatalf("after restart: GetLogEvents %s: %v", stream, err)
			}
			for _, e := range out.Events {
				if prev, dup := stored[*e.Message]; dup {
					t.Fatalf("after restart: %q stored twice (in %s and %s)", *e.Message, prev, stream)
				}
				stored[*e.Message] = stream
			}
			if token != nil && *out.NextForwardToken == *token {
				break
			}
			token = out.NextForwardToken
			if page > 10_000 {
				t.Fatalf("GetLogEvents %s never returned the end token", stream)
			}
		}
	}
	acks.mu.Lock()
	defer acks.mu.Unlock()
	missing := 0
	for msg, stream := range acks.acked {
		if stored[msg] != stream {
			if missing < 5 {
				t.Errorf("after restart: acknowledged event %q of stream %s is missing", msg, stream)
			}
			missing++
		}
	}
	if missing > 0 {
		t.Fatalf("after restart: %d of %d acknowledged events missing", missing, len(acks.acked))
	}

	filtered := 0
	p := cloudwatchlogs.NewFilterLogEventsPaginator(client, &cloudwatchlogs.FilterLogEventsInput{
		LogGroupName: aws.String(crashGroup), Limit: aws.Int32(10_000),
	})
	for p.HasMorePages() {
		out, err := p.NextPage(ctx)
		if err != nil {
			t.Fatalf("after restart: FilterLogEvents: %v", err)
		}
		filtered += len(out.Events)
	}
	if filtered != len(stored) {
		t.Fatalf("after restart: FilterLogEvents found %d events, GetLogEvents %d", filtered, len(stored))
	}
}
