package bench

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs/types"
	"github.com/lambdalog/lambdalog/internal/testserver"
)

// The workload of issue 3, the same for every server.
const (
	logsStreams         = 20     // streams written concurrently and in the corpus
	logsBatchSize       = 10_000 // events per PutLogEvents call
	logsCorpusPerStream = 50_000 // 20 × 50,000 = 1,000,000 events to read and filter
	logsCorpusGroup     = "/bench/corpus"
	logsIngestGroup     = "/bench/ingest"
	logsRareTerm        = "ZEBRAFISH"
	logsRareEvery       = 50_000 // one event in logsRareEvery of each stream carries logsRareTerm
	logsRegion          = "us-east-1"
	// logsMessageSize is the largest message that lets 10,000 events fit
	// one PutLogEvents call: AWS counts UTF-8 bytes + 26 per event against
	// 1,048,576 bytes, so "~100 bytes" is 78 + 26 = 104 counted bytes.
	logsMessageSize = 78
)

// logsMessage returns the i-th log line of a stream, logsMessageSize bytes long.
func logsMessage(stream, i int) string {
	status := 200
	if i%logsRareEvery == logsRareEvery/2 {
		status = 500
	}
	m := fmt.Sprintf("INFO done s=%02d seq=%08d path=/api/v1/items status=%d", stream, i, status)
	if status == 500 {
		m += " " + logsRareTerm
	}
	return m + strings.Repeat(".", max(logsMessageSize-len(m), 0))
}

// logsBatch returns events start..start+n-1 of a stream, timestamps 1 ms apart
// from base.
func logsBatch(stream, start, n int, base int64) []types.InputLogEvent {
	events := make([]types.InputLogEvent, n)
	for i := range events {
		events[i] = types.InputLogEvent{
			Message:   aws.String(logsMessage(stream, start+i)),
			Timestamp: aws.Int64(base + int64(start+i)),
		}
	}
	return events
}

// logsClient is the one aws-sdk-go-v2 client program driven against every
// server: default settings, enough idle connections for the writers, and
// request bodies the SDK cannot close under net/http (see testserver.HTTPClient).
func logsClient(endpoint string) *cloudwatchlogs.Client {
	return cloudwatchlogs.New(cloudwatchlogs.Options{
		Region:       logsRegion,
		BaseEndpoint: aws.String(endpoint),
		Credentials:  credentials.NewStaticCredentialsProvider("test", "test", ""),
		HTTPClient: testserver.HTTPClient(awshttp.NewBuildableClient().WithTransportOptions(func(tr *http.Transport) {
			tr.MaxIdleConnsPerHost = 2 * logsStreams
		})),
	})
}

// logsTarget is one server under benchmark with its client.
type logsTarget struct {
	srv    *logsServer
	client *cloudwatchlogs.Client

	loadTime time.Duration // to write the corpus
	rss, hwm float64       // server memory (MiB) right after the corpus was written
}

func newLogsTarget(srv *logsServer) *logsTarget {
	return &logsTarget{srv: srv, client: logsClient(srv.url)}
}

// createStreams creates group and streams s-00..s-19 (ignoring existing ones).
func (tg *logsTarget) createStreams(ctx context.Context, group string) error {
	c := tg.client
	if _, err := c.CreateLogGroup(ctx, &cloudwatchlogs.CreateLogGroupInput{LogGroupName: aws.String(group)}); err != nil {
		var exists *types.ResourceAlreadyExistsException
		if !errors.As(err, &exists) {
			return fmt.Errorf("create group %s on %s: %w", group, tg.srv.name, err)
		}
		return nil
	}
	for s := range logsStreams {
		if _, err := c.CreateLogStream(ctx, &cloudwatchlogs.CreateLogStreamInput{
			LogGroupName: aws.String(group), LogStreamName: aws.String(logsStreamName(s)),
		}); err != nil {
			return fmt.Errorf("create stream on %s: %w", tg.srv.name, err)
		}
	}
	return nil
}

func logsStreamName(s int) string { return fmt.Sprintf("s-%02d", s) }

// putConcurrently sends one PutLogEvents call per stream, all at once.
func (tg *logsTarget) putConcurrently(ctx context.Context, group string, events [][]types.InputLogEvent) error {
	errs := make([]error, len(events))
	var wg sync.WaitGroup
	for s := range events {
		wg.Go(func() {
			out, err := tg.client.PutLogEvents(ctx, &cloudwatchlogs.PutLogEventsInput{
				LogGroupName: aws.String(group), LogStreamName: aws.String(logsStreamName(s)), LogEvents: events[s],
			})
			if err == nil && out.RejectedLogEventsInfo != nil {
				err = fmt.Errorf("events rejected: %+v", *out.RejectedLogEventsInfo)
			}
			if err != nil {
				errs[s] = fmt.Errorf("PutLogEvents %s on %s: %w", logsStreamName(s), tg.srv.name, err)
			}
		})
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

// loadCorpus writes the 1,000,000-event corpus and records the server's
// memory right after.
func (tg *logsTarget) loadCorpus(ctx context.Context) error {
	start := time.Now()
	if err := tg.createStreams(ctx, logsCorpusGroup); err != nil {
		return err
	}
	base := time.Now().Add(-2 * time.Hour).UnixMilli()
	for off := 0; off < logsCorpusPerStream; off += logsBatchSize {
		events := make([][]types.InputLogEvent, logsStreams)
		for s := range events {
			events[s] = logsBatch(s, off, logsBatchSize, base)
		}
		if err := tg.putConcurrently(ctx, logsCorpusGroup, events); err != nil {
			return err
		}
	}
	tg.loadTime = time.Since(start)
	var err error
	tg.rss, tg.hwm, err = tg.srv.memoryMB()
	return err
}

// logsRates collects each sub-benchmark's rate to report ratios vs moto.
type logsRates struct {
	mu   sync.Mutex
	rate map[string]float64 // "op/impl" -> events/s
}

func (r *logsRates) report(b *testing.B, op, impl string, events int) {
	rate := float64(events) / b.Elapsed().Seconds()
	b.ReportMetric(rate, "events/s")
	r.mu.Lock()
	defer r.mu.Unlock()
	r.rate[op+"/"+impl] = rate
	if moto, ok := r.rate[op+"/moto"]; ok && impl != "moto" && moto > 0 {
		b.ReportMetric(rate/moto, "x-moto")
	}
	if null, ok := r.rate[op+"/null"]; ok && impl == "lambdalog" && null > 0 {
		b.ReportMetric(rate/null, "x-null")
	}
}

// BenchmarkLogsServer drives lambdalog serve (durable store on disk) and
// moto_server side by side with the same aws-sdk-go-v2 client program:
//
//   - ingest: 20 streams written concurrently, one PutLogEvents call of
//     10,000 events of 78 bytes (104 counted with AWS's 26-byte overhead)
//     per stream and iteration;
//   - read: GetLogEvents reading one whole 50,000-event stream of the corpus,
//     following nextForwardToken to the end;
//   - filter: FilterLogEvents with a plain term matching 20 of the 1,000,000
//     corpus events in 20 streams, following nextToken to the end.
//
// The corpus is written once per server before the sub-benchmarks; the
// filter benchmark reports the server's memory right after that (VmRSS as
// RSS-MiB, peak VmHWM as HWM-MiB). ingest and read also run against "null"
// (see startNull), the ceiling of the client program on this machine. The
// references run first in each group so that lambdalog can report its
// ratios to them (x-moto, x-null).
func BenchmarkLogsServer(b *testing.B) {
	ctx := context.Background()
	type namedTarget struct {
		name string
		tg   *logsTarget
	}
	servers := []namedTarget{
		{"moto", newLogsTarget(startMoto(b))},
		{"lambdalog", newLogsTarget(startLambdalog(b))},
	}
	withNull := append([]namedTarget{{"null", newLogsTarget(startNull(b))}}, servers...)
	for _, impl := range servers {
		if err := impl.tg.loadCorpus(ctx); err != nil {
			b.Fatal(err)
		}
		b.Logf("%s: corpus of %d events written in %v; then RSS %.0f MiB, peak %.0f MiB", impl.name,
			logsStreams*logsCorpusPerStream, impl.tg.loadTime.Round(time.Millisecond), impl.tg.rss, impl.tg.hwm)
	}
	rates := &logsRates{rate: map[string]float64{}}

	b.Run("ingest", func(b *testing.B) {
		for _, impl := range withNull {
			b.Run(impl.name, func(b *testing.B) {
				tg := impl.tg
				if err := tg.createStreams(ctx, logsIngestGroup); err != nil {
					b.Fatal(err)
				}
				base := time.Now().Add(-time.Hour).UnixMilli()
				for i := 0; b.Loop(); i++ {
					b.StopTimer()
					events := make([][]types.InputLogEvent, logsStreams)
					for s := range events {
						events[s] = logsBatch(s, i*logsBatchSize, logsBatchSize, base)
					}
					b.StartTimer()
					if err := tg.putConcurrently(ctx, logsIngestGroup, events); err != nil {
						b.Fatal(err)
					}
				}
				rates.report(b, "ingest", impl.name, b.N*logsStreams*logsBatchSize)
			})
		}
	})

	b.Run("read", func(b *testing.B) {
		for _, impl := range withNull {
			b.Run(impl.name, func(b *testing.B) {
				tg := impl.tg
				read := 0
				for i := 0; b.Loop(); i++ {
					n, err := logsReadStream(ctx, tg.client, logsStreamName(i%logsStreams))
					if err != nil {
						b.Fatalf("%s: %v", impl.name, err)
					}
					if n != logsCorpusPerStream {
						b.Fatalf("%s: read %d events of stream %s, want %d", impl.name, n, logsStreamName(i%logsStreams), logsCorpusPerStream)
					}
					read += n
				}
				rates.report(b, "read", impl.name, read)
			})
		}
	})

	b.Run("filter", func(b *testing.B) {
		for _, impl := range servers {
			b.Run(impl.name, func(b *testing.B) {
				tg := impl.tg
				for b.Loop() {
					n, err := logsFilterGroup(ctx, tg.client, logsRareTerm)
					if err != nil {
						b.Fatalf("%s: %v", impl.name, err)
					}
					if want := logsStreams * logsCorpusPerStream / logsRareEvery; n != want {
						b.Fatalf("%s: filter %q matched %d events, want %d", impl.name, logsRareTerm, n, want)
					}
				}
				rates.report(b, "filter", impl.name, b.N*logsStreams*logsCorpusPerStream)
				b.ReportMetric(tg.rss, "RSS-MiB")
				b.ReportMetric(tg.hwm, "HWM-MiB")
			})
		}
	})
}

// logsReadStream reads a whole stream from the head with GetLogEvents and
// returns the number of events.
func logsReadStream(ctx context.Context, c *cloudwatchlogs.Client, stream string) (int, error) {
	n := 0
	var token *string
	for {
		out, err := c.GetLogEvents(ctx, &cloudwatchlogs.GetLogEventsInput{
			LogGroupName: aws.String(logsCorpusGroup), LogStreamName: aws.String(stream),
			StartFromHead: aws.Bool(true), NextToken: token,
		})
		if err != nil {
			return n, fmt.Errorf("GetLogEvents %s: %w", stream, err)
		}
		n += len(out.Events)
		if out.NextForwardToken == nil || (token != nil && *out.NextForwardToken == *token) {
			return n, nil
		}
		token = out.NextForwardToken
	}
}

// logsFilterGroup runs FilterLogEvents over the corpus group to the last page and
// returns the number of matches.
func logsFilterGroup(ctx context.Context, c *cloudwatchlogs.Client, pattern string) (int, error) {
	n := 0
	p := cloudwatchlogs.NewFilterLogEventsPaginator(c, &cloudwatchlogs.FilterLogEventsInput{
		LogGroupName: aws.String(logsCorpusGroup), FilterPattern: aws.String(pattern),
	})
	for p.HasMorePages() {
		out, err := p.NextPage(ctx)
		if err != nil {
			return n, fmt.Errorf("FilterLogEvents %q: %w", pattern, err)
		}
		n += len(out.Events)
	}
	return n, nil
}
