// Command greeter is the Lambda function of the console's browser tests: it
// greets the event's name with lambdalog's logger (Powertools JSON) and
// records EMF metrics (Greetings, GreetingLatency); an event with "fail"
// set returns that error, as a handler error.
package main

import (
	"context"
	"errors"
	"time"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/lambdalog/lambdalog/logger"
	"github.com/lambdalog/lambdalog/metrics"
)

type event struct {
	Name    string `json:"name"`
	Fail    string `json:"fail"`
	SleepMS int    `json:"sleep_ms"`
}

func main() {
	m, err := metrics.New(metrics.WithNamespace("greeter"), metrics.WithService("greeter"), metrics.WithColdStartMetric())
	if err != nil {
		panic(err)
	}
	lambda.Start(metrics.Handler(m, logger.Wrap(handle, logger.WithService("greeter"))))
}

func handle(ctx context.Context, ev event) (map[string]string, error) {
	start := time.Now()
	log := logger.FromContext(ctx)
	time.Sleep(time.Duration(ev.SleepMS) * time.Millisecond)
	if ev.Fail != "" {
		log.ErrorContext(ctx, "greeting failed", "name", ev.Name, "reason", ev.Fail)
		return nil, errors.New(ev.Fail)
	}
	log.InfoContext(ctx, "greeting", "name", ev.Name, "order", map[string]any{"id": 42, "items": []string{"tea", "cake"}})
	rec := metrics.FromContext(ctx)
	_ = rec.Add("Greetings", metrics.Count, 1)
	_ = rec.Add("GreetingLatency", metrics.Milliseconds, float64(time.Since(start).Microseconds())/1000)
	return map[string]string{"message": "hello " + ev.Name + "!"}, nil
}
