// Package app is what the three functions of examples/orders share: their
// logs, traces, metrics, the application-wide log stream and the Lambda
// client they call each other with.
//
// Each function logs with package logger to its own log group (standard
// output, which Lambda ships): Powertools keys, the invocation's
// correlation id and X-Ray trace id. The lines of the application's story
// are logged with Function.Story, which also writes them to one log
// stream that all three functions share, /app/orders all, through package
// cwlogs (the variables CWLOGS_GROUP, CWLOGS_STREAM and the other CWLOGS_*
// of cwlogs.Config.ApplyEnv override it); the stream is flushed at the end of
// every invocation, and then the function logs the shared stream's
// counters (cwlogs.Stats, cumulative for the execution environment) as
//
//	{"message":"shared log stream totals","cwlogs":{"enqueued":N,"sent":N,"dropped":N,"rejected":N,"possible_duplicates":N},...}
//
// Traces go to X-Ray through package tracer, and calls made with
// Function.Lambda are traced as subsegments that carry the trace header to
// the function called. Metrics are CloudWatch embedded metric format
// (package metrics) in the namespace POWERTOOLS_METRICS_NAMESPACE, "orders"
// by default.
//
// AWS clients take their configuration from the environment as usual: on
// AWS, the execution role and AWS's endpoints; under `lambdalog dev`, the
// AWS_ENDPOINT_URL_LAMBDA, AWS_ENDPOINT_URL_CLOUDWATCH_LOGS, ... variables
// that dev sets, so the same code reaches dev's APIs.
package app

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"time"

	awsconfig "github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/lambda"

	"github.com/lambdalog/lambdalog/cwlogs"
	"github.com/lambdalog/lambdalog/logger"
	"github.com/lambdalog/lambdalog/metrics"
	"github.com/lambdalog/lambdalog/tracer"
)

// The shared stream, unless CWLOGS_GROUP and CWLOGS_STREAM say otherwise.
const (
	SharedGroup  = "/app/orders"
	SharedStream = "all"
)

// DefaultNamespace is the metrics namespace when POWERTOOLS_METRICS_NAMESPACE
// is not set.
const DefaultNamespace = "orders"

// flushTimeout bounds the flush of the shared stream at the end of an
// invocation.
const flushTimeout = 2 * time.Second

// Function is one function's instrumentation, made once per execution
// environment by New.
type Function struct {
	// Story logs the application's story: each record goes to the
	// function's own log group and to the shared stream. Log with the
	// invocation's context, so that records carry its keys.
	Story *slog.Logger
	// Lambda invokes other functions; its calls are traced.
	Lambda *lambda.Client

	tracer  *tracer.Tracer
	metrics *metrics.Metrics
	shared  *cwlogs.App
}

// New sets up the instrumentation from the environment.
func New(ctx context.Context) (*Function, error) {
	cfg, err := awsconfig.LoadDefaultConfig(ctx)
	if err != nil {
		return nil, fmt.Errorf("loading the AWS configuration: %w", err)
	}
	t, err := tracer.New()
	if err != nil {
		return nil, err
	}
	var mopts []metrics.Option
	if os.Getenv(metrics.EnvNamespace) == "" {
		mopts = append(mopts, metrics.WithNamespace(DefaultNamespace))
	}
	m, err := metrics.New(mopts...)
	if err != nil {
		return nil, err
	}
	sc, err := cwlogs.Config{Destination: cwlogs.DestCloudWatch, Group: SharedGroup, Stream: SharedStream, Stdout: true}.ApplyEnv(os.LookupEnv)
	if err != nil {
		return nil, err
	}
	// The shared stream's client is not traced: its requests belong to no
	// invocation.
	shared, err := sc.Open(ctx, cloudwatchlogs.NewFromConfig(cfg))
	if err != nil {
		return nil, fmt.Errorf("the shared log stream: %w", err)
	}
	return &Function{
		Story:   shared.Logger,
		Lambda:  lambda.NewFromConfig(cfg, func(o *lambda.Options) { t.InstrumentAWS(&o.APIOptions) }),
		tracer:  t,
		metrics: m,
		shared:  shared,
	}, nil
}

// Wrap returns h, for lambda.Start, with the invocation's logger, trace and
// metrics recorder on its context (logger.FromContext, tracer.CaptureMethod,
// metrics.FromContext), and the shared stream flushed when it ends.
func Wrap[In, Out any](f *Function, h func(context.Context, In) (Out, error), opts ...logger.Option) func(context.Context, In) (Out, error) {
	if f.shared.Client != nil {
		opts = append(opts, logger.WithInvocationEnd(f.shared.Client.InvocationEnd(flushTimeout)), logger.WithInvocationEnd(f.sharedTotals))
	}
	return metrics.Handler(f.metrics, logger.Wrap(tracer.Wrap(f.tracer, h), opts...))
}

// sharedTotals logs the shared stream's counters, once it has been flushed.
func (f *Function) sharedTotals(ctx context.Context, _ error) {
	st := f.shared.Client.Stats()
	logger.FromContext(ctx).InfoContext(ctx, "shared log stream totals", slog.Group("cwlogs",
		"enqueued", st.Enqueued, "sent", st.Sent, "dropped", st.Dropped, "rejected", st.Rejected,
		"possible_duplicates", st.PossibleDuplicates))
}

// Count adds 1 to the Count metric name of the invocation, logging an error
// it cannot record.
func Count(ctx context.Context, name string) {
	if err := metrics.FromContext(ctx).Add(name, metrics.Count, 1); err != nil {
		logger.FromContext(ctx).ErrorContext(ctx, "recording a metric", "metric", name, "error", err)
	}
}

// Annotate puts the OrderId and Customer annotations (those that are not
// empty) on the trace's subsegment open on ctx.
func Annotate(ctx context.Context, orderID, customer string) {
	if orderID != "" {
		_ = tracer.PutAnnotation(ctx, "OrderId", orderID)
	}
	if customer != "" {
		_ = tracer.PutAnnotation(ctx, "Customer", customer)
	}
}
