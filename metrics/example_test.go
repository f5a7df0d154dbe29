package metrics_test

import (
	"context"
	"fmt"
	"os"
	"time"

	"github.com/lambdalog/lambdalog/metrics"
)

var fixedClock = func() time.Time { return time.UnixMilli(1700000000000) }

// A Lambda function records metrics through the Recorder on its context; the
// middleware flushes them after every invocation. In main: lambda.Start(handler).
func ExampleHandler() {
	m, err := metrics.New(
		metrics.WithNamespace("ServerlessAirline"),
		metrics.WithService("booking"),
		metrics.WithWriter(os.Stdout),
		metrics.WithClock(fixedClock),
	)
	if err != nil {
		panic(err)
	}
	handler := metrics.Handler(m, func(ctx context.Context, name string) (string, error) {
		if err := metrics.FromContext(ctx).Add("SuccessfulGreetings", metrics.Count, 1); err != nil {
			return "", err
		}
		return "hello " + name, nil
	})

	out, err := handler(context.Background(), "world")
	fmt.Println(out, err)
	// Output:
	// {"_aws":{"Timestamp":1700000000000,"CloudWatchMetrics":[{"Namespace":"ServerlessAirline","Dimensions":[["service"]],"Metrics":[{"Name":"SuccessfulGreetings","Unit":"Count"}]}]},"service":"booking","SuccessfulGreetings":[1]}
	// hello world <nil>
}

// Dimensions, metadata and high-resolution metrics on a Recorder used directly.
func ExampleRecorder() {
	m, err := metrics.New(
		metrics.WithNamespace("Shop"),
		metrics.WithDefaultDimensions(metrics.Dimension{Name: "environment", Value: "prod"}),
		metrics.WithClock(fixedClock),
	)
	if err != nil {
		panic(err)
	}
	r := m.NewRecorder()
	_ = r.AddDimension("operation", "checkout")
	_ = r.AddMetadata("order_id", "o-123")
	_ = r.AddWithResolution("Latency", metrics.Milliseconds, metrics.High, 42)
	_ = r.Add("CartValue", metrics.None, 99.5)
	if err := r.Flush(); err != nil {
		panic(err)
	}
	// Output:
	// {"_aws":{"Timestamp":1700000000000,"CloudWatchMetrics":[{"Namespace":"Shop","Dimensions":[["environment","operation"]],"Metrics":[{"Name":"Latency","Unit":"Milliseconds","StorageResolution":1},{"Name":"CartValue","Unit":"None"}]}]},"environment":"prod","operation":"checkout","order_id":"o-123","Latency":[42],"CartValue":[99.5]}
}

// Single writes a metric at once, in its own object with its own dimensions.
func ExampleMetrics_Single() {
	m, err := metrics.New(metrics.WithNamespace("Shop"), metrics.WithService("cart"), metrics.WithClock(fixedClock))
	if err != nil {
		panic(err)
	}
	_ = m.Single("PaymentDeclined", metrics.Count, metrics.Standard, 1, metrics.Dimension{Name: "provider", Value: "acme"})
	// Output:
	// {"_aws":{"Timestamp":1700000000000,"CloudWatchMetrics":[{"Namespace":"Shop","Dimensions":[["provider","service"]],"Metrics":[{"Name":"PaymentDeclined","Unit":"Count"}]}]},"provider":"acme","service":"cart","PaymentDeclined":[1]}
}
