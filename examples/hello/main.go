// Command hello is the Powertools tutorial's "hello" API as an AWS Lambda function, written as an
// ordinary net/http handler: GET /hello answers {"message":"hello unknown!"} and
// GET /hello/{name} answers {"message":"hello <name>!"}; an unknown path is a JSON 404 and a known
// path with another method a JSON 405.
//
// The same binary answers API Gateway REST (v1 proxy), HTTP API (payload 2.0), ALB and Function URL
// events (package httpadapter). It logs with lambdalog's logger: Powertools-shaped JSON on stdout,
// with the API Gateway request id as correlation_id, and the incoming event (secrets redacted) when
// POWERTOOLS_LOGGER_LOG_EVENT=true. It records the metric SuccessfulGreetings (Count) for every
// greeting and a ColdStart metric, in CloudWatch Embedded Metric Format, in the namespace
// POWERTOOLS_METRICS_NAMESPACE (default "hello"). With active tracing it sends X-Ray the
// tutorial's trace (package tracer): the subsegment "## handler" with the ColdStart and Service
// annotations and the response as metadata, and in it "## hello_name" (or "## hello") with the
// User annotation; its greeting log record carries that subsegment's id. Build it for the
// provided.al2023 runtime as:
//
//	GOOS=linux GOARCH=arm64 go build -tags lambda.norpc -o bootstrap ./examples/hello
package main

import (
	"context"
	"encoding/json"
	"log"
	"net/http"
	"os"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/lambdalog/lambdalog/httpadapter"
	"github.com/lambdalog/lambdalog/logger"
	"github.com/lambdalog/lambdalog/metrics"
	"github.com/lambdalog/lambdalog/tracer"
)

func main() {
	m, err := newMetrics()
	if err != nil {
		log.Fatalf("hello: %v", err)
	}
	t, err := tracer.New()
	if err != nil {
		log.Fatalf("hello: %v", err)
	}
	adapter := httpadapter.New(routes())
	invoke := func(ctx context.Context, event json.RawMessage) (json.RawMessage, error) {
		return adapter.Invoke(ctx, event)
	}
	lambda.Start(metrics.Handler(m, logger.Wrap(tracer.Wrap(t, invoke),
		logger.WithCorrelationPath(logger.CorrelationAPIGatewayREST))))
}

// newMetrics configures the EMF recorder from the environment, with a default namespace so the
// example also runs where POWERTOOLS_METRICS_NAMESPACE is not set.
func newMetrics() (*metrics.Metrics, error) {
	opts := []metrics.Option{metrics.WithColdStartMetric()}
	if os.Getenv(metrics.EnvNamespace) == "" {
		opts = append(opts, metrics.WithNamespace("hello"))
	}
	return metrics.New(opts...)
}

// routes is the application: plain net/http, the same behind Lambda, in tests and in a server.
func routes() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /hello", func(w http.ResponseWriter, r *http.Request) {
		greet(w, r, "hello", "unknown")
	})
	mux.HandleFunc("GET /hello/{name}", func(w http.ResponseWriter, r *http.Request) {
		greet(w, r, "hello_name", r.PathValue("name"))
	})
	return httpadapter.JSONErrors(mux)
}

// message is the body of every answer.
type message struct {
	Message string `json:"message"`
}

// greet answers {"message":"hello <name>!"}. The greeting is traced as the subsegment
// "## <method>" with the annotation User, as the tutorial's capture_method does; it is logged
// and counted there.
func greet(w http.ResponseWriter, r *http.Request, method, name string) {
	ctx := r.Context()
	answer, _ := tracer.CaptureMethod(ctx, method, func(ctx context.Context) (message, error) {
		tracer.PutAnnotation(ctx, "User", name)
		logger.FromContext(ctx).InfoContext(ctx, "greeting", "name", name)
		if err := metrics.FromContext(ctx).Add("SuccessfulGreetings", metrics.Count, 1); err != nil {
			logger.FromContext(ctx).ErrorContext(ctx, "recording a metric", "error", err)
		}
		return message{"hello " + name + "!"}, nil
	})
	w.Header().Set("Content-Type", "application/json")
	if err := json.NewEncoder(w).Encode(answer); err != nil {
		logger.FromContext(ctx).ErrorContext(ctx, "writing the response", "error", err)
	}
}
