package logger_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"strings"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambda"

	"github.com/lambdalog/lambdalog/logger"
)

// printKeys prints some keys of each JSON line in buf (timestamps and locations vary).
func printKeys(buf *bytes.Buffer, keys ...string) {
	dec := json.NewDecoder(buf)
	for dec.More() {
		var rec map[string]any
		if err := dec.Decode(&rec); err != nil {
			fmt.Println(err)
			return
		}
		var parts []string
		for _, k := range keys {
			parts = append(parts, fmt.Sprintf("%s=%v", k, rec[k]))
		}
		fmt.Println(strings.Join(parts, " "))
	}
}

func ExampleNewHandler() {
	var buf bytes.Buffer
	log := slog.New(logger.NewHandler(&buf, logger.WithService("payment")))
	log.Info("card charged", "amount", 12.5, "password", "hunter2")
	printKeys(&buf, "level", "message", "service", "amount", "password")
	// Output:
	// level=INFO message=card charged service=payment amount=12.5 password=***
}

func ExampleLogger() {
	var buf bytes.Buffer
	log := logger.New(logger.WithOutput(&buf), logger.WithLevel(slog.LevelInfo))
	log.Debug("not written: returns before reaching slog")
	log.Info("written", "attempt", 1)

	// Code that takes a *slog.Logger gets the embedded one, e.g. slog.SetDefault(log.Logger).
	log.Logger.Warn("through slog")
	printKeys(&buf, "level", "message")
	// Output:
	// level=INFO message=written
	// level=WARN message=through slog
}

func ExampleWrap() {
	var buf bytes.Buffer
	handler := logger.Wrap(func(ctx context.Context, req events.APIGatewayProxyRequest) (events.APIGatewayProxyResponse, error) {
		logger.FromContext(ctx).Info("hello", "path", req.Path)
		return events.APIGatewayProxyResponse{StatusCode: 200}, nil
	}, logger.WithOutput(&buf), logger.WithService("hello"), logger.WithCorrelationPath(logger.CorrelationAPIGatewayREST))

	// In a real function: lambda.Start(handler). Here one invocation is made directly.
	event := []byte(`{"path":"/hello","requestContext":{"requestId":"c6af9ac6"}}`)
	if _, err := lambda.NewHandler(handler).Invoke(context.Background(), event); err != nil {
		fmt.Println(err)
	}
	printKeys(&buf, "message", "service", "cold_start", "correlation_id", "path")
	// Output:
	// message=hello service=hello cold_start=true correlation_id=c6af9ac6 path=/hello
}

func ExampleWithInvocationEnd() {
	handler := logger.WrapAction(func(ctx context.Context, _ json.RawMessage) error {
		logger.FromContext(ctx).Info("working")
		return nil
	}, logger.WithOutput(&bytes.Buffer{}), logger.WithInvocationEnd(func(ctx context.Context, err error) {
		fmt.Println("invocation ended, error:", err)
	}))
	_ = handler(context.Background(), nil)
	// Output:
	// invocation ended, error: <nil>
}

func ExampleWithBuffer() {
	var buf bytes.Buffer
	handler := logger.WrapAction(func(ctx context.Context, _ json.RawMessage) error {
		log := logger.FromContext(ctx)
		log.Debug("fetched config") // held back
		log.Error("payment failed") // writes the held DEBUG record first
		return nil
	}, logger.WithOutput(&buf), logger.WithBuffer(slog.LevelDebug, 0))
	_ = handler(context.Background(), nil)
	printKeys(&buf, "level", "message")
	// Output:
	// level=DEBUG message=fetched config
	// level=ERROR message=payment failed
}

func ExampleTransport() {
	ctx := logger.WithCorrelationID(context.Background(), "txn-1")
	client := &http.Client{Transport: logger.Transport(nil)}
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, "http://orders.internal/", nil)
	_ = req // client.Do(req) sends X-Correlation-Id: txn-1
	_ = client
	fmt.Println(logger.CorrelationID(ctx))
	// Output:
	// txn-1
}
