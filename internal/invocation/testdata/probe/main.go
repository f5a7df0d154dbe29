// Command probe is a Lambda function, run by the invocation tests under aws-lambda-go's real
// runtime loop, that answers every invocation with what package invocation reads in it.
package main

import (
	"context"
	"encoding/json"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/lambdalog/lambdalog/internal/invocation"
)

// Result is what the probe answers.
type Result struct {
	Cold       bool
	Request    invocation.Request
	Trace      string // Request.Trace.String()
	Background string // the trace header read from a context that is not the handler's
	Env        invocation.Environment
}

func main() {
	cold := invocation.NewColdStart()
	lambda.Start(func(ctx context.Context, _ json.RawMessage) (Result, error) {
		req := invocation.FromContext(ctx)
		return Result{
			Cold:       cold.Next(),
			Request:    req,
			Trace:      req.Trace.String(),
			Background: invocation.FromContext(context.Background()).Trace.String(),
			Env:        invocation.LoadEnvironment(),
		}, nil
	})
}
