// Command applog simulates cooperating Lambda functions that write one
// application-wide log stream through cwlogs:
//
//	go run ./examples/applog -endpoint URL -group G -stream S -functions N -events M
//
// It starts N workers, each logging M events with its own function_name and
// function_request_id, and with a correlation_id shared by every function
// taking part in the same simulated transaction. It then flushes, prints one
// summary line
//
//	sent=N retried=N dropped=N rejected=N seconds=S
//
// (events that may have been stored twice, because a request's outcome was
// unknown and it was retried, are reported on stderr) and exits 0 only if
// nothing was dropped or rejected.
package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsconfig "github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"

	"github.com/lambdalog/lambdalog/cwlogs"
	"github.com/lambdalog/lambdalog/logger"
)

func main() {
	endpoint := flag.String("endpoint", "", "CloudWatch Logs endpoint URL, e.g. the one `lambdalog serve` prints (default: AWS)")
	group := flag.String("group", "/lambdalog/applog", "log group")
	stream := flag.String("stream", "application", "log stream shared by all functions")
	functions := flag.Int("functions", 3, "number of cooperating functions (workers)")
	events := flag.Int("events", 1000, "events logged by each function")
	flag.Parse()
	if *functions < 1 || *events < 0 {
		fmt.Fprintln(os.Stderr, "applog: -functions must be >= 1 and -events >= 0")
		os.Exit(2)
	}
	os.Exit(run(*endpoint, *group, *stream, *functions, *events))
}

func run(endpoint, group, stream string, functions, events int) int {
	ctx := context.Background()
	api, err := newAPI(ctx, endpoint)
	if err != nil {
		fmt.Fprintln(os.Stderr, "applog:", err)
		return 1
	}
	client, err := cwlogs.New(api, cwlogs.Options{
		Group: group, Stream: stream,
		OnError: func(err error) { fmt.Fprintln(os.Stderr, "applog:", err) },
		OnRejected: func(e cwlogs.RejectedEvent) {
			fmt.Fprintf(os.Stderr, "applog: rejected (%s): %s\n", e.Reason, e.Message)
		},
	})
	if err != nil {
		fmt.Fprintln(os.Stderr, "applog:", err)
		return 1
	}
	start := time.Now()
	base := logger.NewHandler(client, logger.WithService("applog"), logger.WithWarnings(os.Stderr))
	var wg sync.WaitGroup
	for f := range functions {
		wg.Add(1)
		go func() {
			defer wg.Done()
			worker(ctx, base, fmt.Sprintf("applog-fn-%d", f+1), events)
		}()
	}
	wg.Wait()
	cctx, cancel := context.WithTimeout(ctx, 60*time.Second)
	defer cancel()
	closeErr := client.Close(cctx)
	st := client.Stats()
	fmt.Printf("sent=%d retried=%d dropped=%d rejected=%d seconds=%.3f\n",
		st.Sent, st.Retried, st.Dropped, st.Rejected, time.Since(start).Seconds())
	if st.PossibleDuplicates > 0 {
		fmt.Fprintf(os.Stderr, "applog: %d events may be stored twice (a request's outcome was unknown and it was retried)\n", st.PossibleDuplicates)
	}
	if closeErr != nil {
		fmt.Fprintln(os.Stderr, "applog:", closeErr)
	}
	if st.Dropped != 0 || st.Rejected != 0 || closeErr != nil {
		return 1
	}
	return 0
}

// worker is one simulated function: event i belongs to transaction i, whose
// correlation id every function shares.
func worker(ctx context.Context, base slog.Handler, name string, events int) {
	log := slog.New(base).With("function_name", name)
	for i := range events {
		tctx := logger.WithCorrelationID(ctx, fmt.Sprintf("tx-%06d", i))
		log.InfoContext(tctx, "step done",
			"function_request_id", fmt.Sprintf("%s-req-%06d", name, i),
			"seq", i)
	}
}

// newAPI makes a CloudWatch Logs client; for a custom endpoint without AWS
// credentials in the environment it signs with placeholder credentials,
// which a local server accepts.
func newAPI(ctx context.Context, endpoint string) (*cloudwatchlogs.Client, error) {
	var opts []func(*awsconfig.LoadOptions) error
	if endpoint != "" {
		if os.Getenv("AWS_REGION") == "" && os.Getenv("AWS_DEFAULT_REGION") == "" {
			opts = append(opts, awsconfig.WithRegion("us-east-1"))
		}
		if os.Getenv("AWS_ACCESS_KEY_ID") == "" && os.Getenv("AWS_PROFILE") == "" {
			opts = append(opts, awsconfig.WithCredentialsProvider(credentials.NewStaticCredentialsProvider("local", "local", "")))
		}
	}
	cfg, err := awsconfig.LoadDefaultConfig(ctx, opts...)
	if err != nil {
		return nil, fmt.Errorf("loading AWS configuration: %w", err)
	}
	return cloudwatchlogs.NewFromConfig(cfg, func(o *cloudwatchlogs.Options) {
		if endpoint != "" {
			o.BaseEndpoint = aws.String(endpoint)
		}
	}), nil
}
