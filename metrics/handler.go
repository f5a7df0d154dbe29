package metrics

import (
	"context"
	"errors"

	"github.com/lambdalog/lambdalog/internal/invocation"
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
	if m.coldStart && !m.disabled && m.cold.Next() {
		var dims []Dimension
		if name := m.function(ctx); name != "" {
			dims = []Dimension{{"function_name", name}}
		}
		if err := m.Single("ColdStart", Count, Standard, 1, dims...); err != nil {
			m.log.Warn("metrics: cold start metric not written", "error", err)
		}
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

// function returns the function name: from the environment, else from the invoked function ARN.
func (m *Metrics) function(ctx context.Context) string {
	if m.functionName != "" {
		return m.functionName
	}
	arn, _ := invocation.ParseFunctionARN(invocation.FromContext(ctx).FunctionARN)
	return arn.Name
}
