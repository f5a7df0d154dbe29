package logger

import (
	"context"
	"encoding/json"
	"log/slog"
	"math/rand/v2"
	"strconv"

	"github.com/lambdalog/lambdalog/internal/invocation"
)

// Wrap returns h wrapped in the logger middleware, for use with lambda.Start. For each
// invocation it puts on the context a logger (see FromContext) carrying cold_start, the
// function keys, function_request_id, correlation_id and xray_trace_id; optionally logs the
// event (WithLogEvent); rolls the debug sampling dice (WithSampleRate); buffers records
// (WithBuffer); logs a panic at ERROR with its stack and panics again; optionally logs a
// returned error (WithLogError); and finally runs the WithInvocationEnd hooks.
//
// The correlation id comes from the Invoke client context (ClientContextKey); else, when
// WithCorrelationPath is set (the event is decoded only then), from an X-Correlation-Id
// header of the event, else from the path.
//
// Invocations may run concurrently: all their state lives on their context.
func Wrap[In, Out any](h func(context.Context, In) (Out, error), opts ...Option) func(context.Context, In) (Out, error) {
	m := newMiddleware(opts)
	return func(ctx context.Context, in In) (out Out, err error) {
		ctx, inv := m.start(ctx, in, true)
		defer m.end(ctx, inv, &err)
		return h(ctx, in)
	}
}

// WrapAction is Wrap for handlers that return only an error.
func WrapAction[In any](h func(context.Context, In) error, opts ...Option) func(context.Context, In) error {
	m := newMiddleware(opts)
	return func(ctx context.Context, in In) (err error) {
		ctx, inv := m.start(ctx, in, true)
		defer m.end(ctx, inv, &err)
		return h(ctx, in)
	}
}

// WrapNoEvent is Wrap for handlers that take no event.
func WrapNoEvent[Out any](h func(context.Context) (Out, error), opts ...Option) func(context.Context) (Out, error) {
	m := newMiddleware(opts)
	return func(ctx context.Context) (out Out, err error) {
		ctx, inv := m.start(ctx, nil, false)
		defer m.end(ctx, inv, &err)
		return h(ctx)
	}
}

// middleware is the per-wrapped-handler state; everything per invocation is on the context.
type middleware struct {
	base     *Handler
	cfg      *config
	logEvent bool
	path     []string
	cold     *invocation.ColdStart
	function []byte // encoded function_name and function_memory_size
}

func newMiddleware(opts []Option) *middleware {
	base := newHandlerFromOptions(opts)
	m := &middleware{
		base:     base,
		cfg:      base.c.cfg,
		logEvent: base.c.settings.logEvent,
		cold:     invocation.NewColdStart(),
	}
	if p := m.cfg.correlationPath; p != "" {
		path, err := parsePath(p)
		if err != nil {
			m.cfg.warner().warn("WithCorrelationPath", "%v; correlation ids are not extracted", err)
		}
		m.path = path
	}
	env := invocation.LoadEnvironment()
	m.function = append(m.function, `,"function_name":`...)
	m.function = appendString(m.function, env.FunctionName)
	m.function = append(m.function, `,"function_memory_size":`...)
	m.function = strconv.AppendInt(m.function, int64(env.MemoryMB), 10)
	return m
}

// start sets up the invocation and returns its context.
func (m *middleware) start(ctx context.Context, event any, hasEvent bool) (context.Context, *invocationState) {
	c := m.base.c
	inv := &invocationState{base: m.base, level: c.level}
	if c.sampleRate > 0 && rand.Float64() < c.sampleRate {
		inv.level = min(inv.level, slog.LevelDebug)
	}
	inv.minLevel = inv.level
	if c.buffering {
		inv.buf, inv.bufLevel = &recordBuffer{max: c.bufMax}, c.bufLevel
		inv.minLevel = min(inv.minLevel, c.bufLevel)
	}

	req := invocation.FromContext(ctx)
	inv.lambda = append(inv.lambda, `,"cold_start":`...)
	inv.lambda = strconv.AppendBool(inv.lambda, m.cold.Next())
	inv.lambda = append(inv.lambda, m.function...)
	inv.lambda = append(inv.lambda, `,"function_arn":`...)
	inv.lambda = appendString(inv.lambda, req.FunctionARN)
	inv.lambda = append(inv.lambda, `,"function_request_id":`...)
	inv.lambda = appendString(inv.lambda, req.ID)
	if root := req.Trace.Root; root != "" {
		inv.xray = append(inv.xray, `,"xray_trace_id":`...)
		inv.xray = appendString(inv.xray, root)
	}

	id := req.ClientContext.Custom[ClientContextKey]
	var raw []byte
	var rawErr error
	if hasEvent && (m.logEvent || m.path != nil) {
		raw, rawErr = eventJSON(event)
	}
	if raw != nil && m.path != nil && id == "" {
		if tree, err := decodeEvent(raw); err == nil {
			if id = lookupPath(tree, []string{"headers", CorrelationHeader}); id == "" {
				id = lookupPath(tree, m.path)
			}
		}
	}
	ctx = newBinding(ctx, m.base, inv, id)
	if m.logEvent && hasEvent {
		l := bindingFrom(ctx).logger
		if rawErr != nil {
			l.LogAttrs(ctx, slog.LevelWarn, "Lambda event could not be logged", slog.String("reason", rawErr.Error()))
		} else {
			l.LogAttrs(ctx, slog.LevelInfo, "Lambda event", slog.Any("event", json.RawMessage(raw)))
		}
	}
	return ctx, inv
}

// end finishes the invocation; it must be deferred directly so that recover works.
func (m *middleware) end(ctx context.Context, inv *invocationState, errp *error) {
	if p := recover(); p != nil {
		pe := newPanicError(p)
		m.finish(ctx, inv, pe, true)
		panic(p)
	}
	m.finish(ctx, inv, *errp, false)
}

func (m *middleware) finish(ctx context.Context, inv *invocationState, err error, panicked bool) {
	l := bindingFrom(ctx).logger
	switch {
	case panicked:
		l.LogAttrs(ctx, slog.LevelError, "handler panicked", slog.Any("error", err))
	case err != nil && m.cfg.logError:
		l.LogAttrs(ctx, slog.LevelError, "handler returned an error", slog.Any("error", err))
	}
	if inv.buf != nil {
		if err != nil {
			m.base.flush(inv)
		} else {
			inv.buf.take()
		}
	}
	for _, fn := range m.cfg.onEnd {
		fn(ctx, err)
	}
}
