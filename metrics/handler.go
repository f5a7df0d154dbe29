package metrics

import (
	"context"
	"errors"
	"strings"

	"github.com/aws/aws-lambda-go/lambdacontext"
)

// Handler wraps an aws-lambda-go handler of the shape func(ctx, in) (out, error):
// each invocation gets its own [Recorder] on ctx (read it with [FromContext]), which
// is flushed when the handler returns, fails or panics (the panic continues after
// the flush). With [WithColdStartMetric] the first invocation also emits ColdStart.
// A flush error is joined to the handler's error.
//
//	lambda.Start(metrics.Handler(m, handle))
func Handler[TIn, TOut any](m *Metrics, h func(context.Context, TIn) (TOut, error)) func(context.Context, TIn) (TOut, error) {
	return func(ctx context.Context, in TIn) (out TOut, err error) {
		r := m.begin(ctx)
		defer func() { err = finish(r, err) }()
		return h(NewContext(ctx, r), in)
	}
}

// HandlerNoOutput is [Handler] for handlers of the shape func(ctx, in) error.
func HandlerNoOutput[TIn any](m *Metrics, h func(context.Context, TIn) error) func(context.Context, TIn) error {
	return func(ctx context.Context, in TIn) (err error) {
		r := m.begin(ctx)
		defer func() { err = finish(r, err) }()
		return h(NewContext(ctx, r), in)
	}
}

// begin emits the cold-start metric on the first invocation and returns the
// invocation's Recorder.
func (m *Metrics) begin(ctx context.Context) *Recorder {
	if m.coldStart && !m.disabled && !m.provisioned {
		m.coldStartDone.Do(func() {
			dims := []Dimension{{"function_name", m.function(ctx)}}
			if dims[0].Value == "" {
				dims = nil
			}
			if err := m.Single("ColdStart", Count, Standard, 1, dims...); err != nil {
				m.log.Warn("metrics: cold start metric not written", "error", err)
			}
		})
	}
	return m.NewRecorder()
}

// finish flushes and closes r, also while a panic unwinds (which then continues).
func finish(r *Recorder, err error) error {
	if ferr := r.Close(); ferr != nil {
		return errors.Join(err, ferr)
	}
	return err
}

// function returns the function name: lambdacontext.FunctionName, the environment
// or the invoked function ARN (arn:aws:lambda:region:account:function:name[:qualifier]).
func (m *Metrics) function(ctx context.Context) string {
	if lambdacontext.FunctionName != "" {
		return lambdacontext.FunctionName
	}
	if m.functionName != "" {
		return m.functionName
	}
	if lc, ok := lambdacontext.FromContext(ctx); ok {
		parts := strings.Split(lc.InvokedFunctionArn, ":")
		if len(parts) >= 7 && parts[5] == "function" {
			return parts[6]
		}
	}
	return ""
}
