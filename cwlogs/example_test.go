package cwlogs_test

import (
	"context"
	"fmt"
	"io"
	"log"
	"log/slog"
	"os"
	"time"

	"github.com/aws/aws-lambda-go/lambda"
	awsconfig "github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"

	"github.com/lambdalog/lambdalog/cwlogs"
	"github.com/lambdalog/lambdalog/logger"
)

// Ship the logger's JSON records to one shared stream and, fanned out, to
// stdout as well.
func ExampleNew() {
	ctx := context.Background()
	cfg, err := awsconfig.LoadDefaultConfig(ctx)
	if err != nil {
		log.Fatal(err)
	}
	client, err := cwlogs.New(cloudwatchlogs.NewFromConfig(cfg), cwlogs.Options{
		Group:  "/app/shop",
		Stream: "checkout-flow",
		OnRejected: func(e cwlogs.RejectedEvent) {
			fmt.Fprintf(os.Stderr, "rejected (%s): %s\n", e.Reason, e.Message)
		},
	})
	if err != nil {
		log.Fatal(err)
	}
	defer func() {
		ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
		defer cancel()
		if err := client.Close(ctx); err != nil {
			log.Print(err)
		}
	}()
	slogger := slog.New(logger.NewHandler(io.MultiWriter(os.Stdout, client)))
	slogger.Info("order placed", "order", 42)
}

// Inside Lambda: the logger middleware flushes cwlogs at the end of every
// invocation, and SIGTERM flushes whatever is left.
func ExampleApp_LoggerOptions() {
	app, err := cwlogs.Config{Group: "/app/shop", Stream: "{date}/shared"}.Open(context.Background(), nil)
	if err != nil {
		log.Fatal(err)
	}
	handler := func(ctx context.Context, order map[string]any) error {
		logger.FromContext(ctx).Info("payment accepted", "order", order["id"])
		return nil
	}
	lambda.StartWithOptions(
		logger.WrapAction(handler, app.LoggerOptions(time.Second)...),
		lambda.WithEnableSIGTERM(app.Client.FlushFunc(300*time.Millisecond)),
	)
}

// The seed's text formats, here on stdout.
func ExampleConfig_Open() {
	app, err := cwlogs.Config{Destination: "stdout", Format: "#mini", Function: "checkout"}.Open(context.Background(), nil)
	if err != nil {
		log.Fatal(err)
	}
	app.Logger.Info("order placed", "order", 42)
	app.Logger.Warn("card declined", "order", 43)
	// Output:
	// checkout: order placed order=42
	// WARNING: checkout: card declined order=43
}

// Configuration documents may be JSON or YAML; mistakes name the field and
// the allowed values.
func ExampleParseConfig() {
	cfg, err := cwlogs.ParseConfig([]byte(`
destination: cloudwatch
group: /app/shop
stream: "{date}/{function}"
function: checkout
format: json
level: debug
`))
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(cfg.Validate())
	cfg.Destination = "kafka"
	fmt.Println(cfg.Validate())
	// Output:
	// <nil>
	// cwlogs: config field "destination": invalid value "kafka"; allowed: "cloudwatch", "stdout" or "discard"
}
