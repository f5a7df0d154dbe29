package logger

import (
	"context"
	"log/slog"
	"sync"
	"sync/atomic"
)

// invocationState is the state of one Lambda invocation, shared by all its loggers.
type invocationState struct {
	lambda   []byte     // encoded cold_start ... function_request_id
	xray     []byte     // encoded xray_trace_id
	level    slog.Level // records below are dropped (DEBUG when sampled)
	minLevel slog.Level // records below are neither written nor buffered

	mu       sync.Mutex             // serializes AppendKeys
	keys     atomic.Pointer[[]byte] // encoded invocation keys
	buf      *recordBuffer          // nil unless buffering
	bufLevel slog.Level             // records at or below are buffered
	base     *Handler               // the middleware's handler
}

// binding is what a context carries: the invocation (nil outside one), the correlation id and
// a ready-made logger bound to both.
type binding struct {
	inv    *invocationState
	id     string
	corr   []byte // encoded correlation_id, empty if none
	logger *Logger
}

type bindingKey struct{}

func bindingFrom(ctx context.Context) *binding {
	b, _ := ctx.Value(bindingKey{}).(*binding)
	return b
}

// newBinding returns a context carrying a binding of base to inv and correlation id.
func newBinding(ctx context.Context, base *Handler, inv *invocationState, id string) context.Context {
	b := &binding{inv: inv, id: id}
	if id != "" {
		b.corr = append(b.corr, `,"correlation_id":`...)
		b.corr = appendString(b.corr, id)
	}
	h := *base
	h.bind = b
	if inv != nil {
		h.min = inv.minLevel
	}
	b.logger = newLogger(&h)
	return context.WithValue(ctx, bindingKey{}, b)
}

// defaultLogger is FromContext's logger outside an invocation.
var defaultLogger = sync.OnceValue(func() *Logger { return newLogger(newHandlerFromOptions(nil)) })

// FromContext returns the logger of the invocation ctx belongs to, carrying its Lambda keys,
// correlation id and invocation keys. Outside an invocation it returns a logger on os.Stdout
// configured from the environment (with the correlation id, if WithCorrelationID set one).
func FromContext(ctx context.Context) *Logger {
	if b := bindingFrom(ctx); b != nil {
		return b.logger
	}
	return defaultLogger()
}

// WithCorrelationID returns a context whose loggers (from FromContext, or any logger whose
// handler is a *Handler given this context) write correlation_id id.
func WithCorrelationID(ctx context.Context, id string) context.Context {
	base := defaultLogger().Handler().(*Handler)
	var inv *invocationState
	if b := bindingFrom(ctx); b != nil {
		inv = b.inv
		if inv != nil {
			base = inv.base
		} else if h, ok := b.logger.Handler().(*Handler); ok {
			base = h
		}
	}
	return newBinding(ctx, base, inv, id)
}

// CorrelationID returns the correlation id of ctx, or "" if it has none.
func CorrelationID(ctx context.Context) string {
	if b := bindingFrom(ctx); b != nil {
		return b.id
	}
	return ""
}

// AppendKeys adds invocation keys: attributes written by every logger of the invocation ctx
// belongs to, until it ends. Outside an invocation it does nothing and returns false.
func AppendKeys(ctx context.Context, attrs ...slog.Attr) bool {
	b := bindingFrom(ctx)
	if b == nil || b.inv == nil {
		return false
	}
	inv := b.inv
	inv.mu.Lock()
	defer inv.mu.Unlock()
	var keys []byte
	if old := inv.keys.Load(); old != nil {
		keys = append(keys, *old...)
	}
	for _, a := range attrs {
		keys = inv.base.c.appendAttr(keys, a)
	}
	inv.keys.Store(&keys)
	return true
}
