package cwlogs

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsconfig "github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"

	"github.com/lambdalog/lambdalog/logger"
)

// App is a configured application logger: an *slog.Logger, the writer it
// writes to, and the CloudWatch client behind it (nil unless the
// destination is cloudwatch).
type App struct {
	Logger *slog.Logger
	Client *Client
	Output io.Writer // where records go: the client, stdout, both, or io.Discard
	level  slog.Level
	stream string
}

// Open validates c and builds the App. api may be nil: for the cloudwatch
// destination a client is then made with the default AWS configuration
// (credentials chain, AWS_REGION) and c.Region/c.Endpoint.
func (c Config) Open(ctx context.Context, api API) (*App, error) {
	r, err := c.resolve(time.Now())
	if err != nil {
		return nil, err
	}
	app := &App{level: r.level, stream: r.stream}
	switch r.dest {
	case DestDiscard:
		app.Output = io.Discard
	case DestStdout:
		app.Output = os.Stdout
	case DestCloudWatch:
		if api == nil {
			if api, err = c.newAPI(ctx); err != nil {
				return nil, err
			}
		}
		app.Client, err = New(api, Options{
			Group: c.Group, Stream: r.stream, FlushInterval: r.flush,
			BufferBytes: c.BufferBytes, FullPolicy: r.policy,
			OnError: func(err error) { fmt.Fprintln(os.Stderr, err) },
			OnRejected: func(e RejectedEvent) {
				fmt.Fprintf(os.Stderr, "cwlogs: CloudWatch rejected an event (%s, %s): %s\n", e.Reason, e.Timestamp.Format(time.RFC3339), e.Message)
			},
		})
		if err != nil {
			return nil, err
		}
		app.Output = app.Client
		if c.Stdout {
			app.Output = io.MultiWriter(os.Stdout, app.Client)
		}
	}
	var h slog.Handler
	if r.format == nil {
		h = logger.NewHandler(app.Output, logger.WithLevel(r.level))
	} else {
		h = &textHandler{w: &lockedWriter{w: app.Output}, format: r.format, level: r.level, function: r.function}
	}
	app.Logger = slog.New(h)
	return app, nil
}

func (c Config) newAPI(ctx context.Context) (API, error) {
	var opts []func(*awsconfig.LoadOptions) error
	if c.Region != "" {
		opts = append(opts, awsconfig.WithRegion(c.Region))
	}
	cfg, err := awsconfig.LoadDefaultConfig(ctx, opts...)
	if err != nil {
		return nil, fmt.Errorf("cwlogs: loading AWS configuration: %w", err)
	}
	return cloudwatchlogs.NewFromConfig(cfg, func(o *cloudwatchlogs.Options) {
		if c.Endpoint != "" {
			o.BaseEndpoint = aws.String(c.Endpoint)
		}
	}), nil
}

// Stream is the expanded log stream name ("" unless the destination is
// cloudwatch).
func (a *App) Stream() string { return a.stream }

// LoggerOptions returns the options that make the logger package's
// middleware (logger.Wrap) write to this App's output at its level and flush
// it at the end of every invocation, waiting at most flushTimeout. The
// middleware always writes JSON, whatever Config.Format says.
func (a *App) LoggerOptions(flushTimeout time.Duration) []logger.Option {
	opts := []logger.Option{logger.WithOutput(a.Output), logger.WithLevel(a.level)}
	if a.Client != nil {
		opts = append(opts, logger.WithInvocationEnd(a.Client.InvocationEnd(flushTimeout)))
	}
	return opts
}

// Flush sends buffered records; a no-op without a CloudWatch client.
func (a *App) Flush(ctx context.Context) error {
	if a.Client == nil {
		return nil
	}
	return a.Client.Flush(ctx)
}

// Close flushes and stops the CloudWatch client, if any.
func (a *App) Close(ctx context.Context) error {
	if a.Client == nil {
		return nil
	}
	if err := a.Client.Close(ctx); err != nil && !errors.Is(err, ErrClosed) {
		return err
	}
	return nil
}
