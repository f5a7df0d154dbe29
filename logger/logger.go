package logger

import (
	"context"
	"log/slog"
	"math"
	"runtime"
	"time"
)

// Logger is a [*slog.Logger] on a [Handler] whose logging methods return at once, without
// calling into log/slog, when their level is disabled: a disabled call costs an inlined
// comparison instead of slog's interface call. Every other slog method is available through
// the embedded *slog.Logger, which is also what to pass to code that takes one.
type Logger struct {
	*slog.Logger
	floor slog.Level // records below floor are disabled, whatever the context
}

// newLogger returns a Logger on h.
func newLogger(h *Handler) *Logger {
	return &Logger{Logger: slog.New(h), floor: h.floor()}
}

// Enabled reports whether l writes (or buffers) records at level.
func (l *Logger) Enabled(ctx context.Context, level slog.Level) bool {
	return level >= l.floor && l.Logger.Enabled(ctx, level)
}

// With returns a Logger that includes the given attributes in each record.
func (l *Logger) With(args ...any) *Logger {
	return &Logger{Logger: l.Logger.With(args...), floor: l.floor}
}

// WithGroup returns a Logger that starts a group: later attributes are nested under name.
func (l *Logger) WithGroup(name string) *Logger {
	return &Logger{Logger: l.Logger.WithGroup(name), floor: l.floor}
}

// Debug logs at slog.LevelDebug.
func (l *Logger) Debug(msg string, args ...any) {
	if slog.LevelDebug >= l.floor {
		l.log(context.Background(), slog.LevelDebug, msg, args, nil)
	}
}

// DebugContext logs at slog.LevelDebug with the given context.
func (l *Logger) DebugContext(ctx context.Context, msg string, args ...any) {
	if slog.LevelDebug >= l.floor {
		l.log(ctx, slog.LevelDebug, msg, args, nil)
	}
}

// Info logs at slog.LevelInfo.
func (l *Logger) Info(msg string, args ...any) {
	if slog.LevelInfo >= l.floor {
		l.log(context.Background(), slog.LevelInfo, msg, args, nil)
	}
}

// InfoContext logs at slog.LevelInfo with the given context.
func (l *Logger) InfoContext(ctx context.Context, msg string, args ...any) {
	if slog.LevelInfo >= l.floor {
		l.log(ctx, slog.LevelInfo, msg, args, nil)
	}
}

// Warn logs at slog.LevelWarn.
func (l *Logger) Warn(msg string, args ...any) {
	if slog.LevelWarn >= l.floor {
		l.log(context.Background(), slog.LevelWarn, msg, args, nil)
	}
}

// WarnContext logs at slog.LevelWarn with the given context.
func (l *Logger) WarnContext(ctx context.Context, msg string, args ...any) {
	if slog.LevelWarn >= l.floor {
		l.log(ctx, slog.LevelWarn, msg, args, nil)
	}
}

// Error logs at slog.LevelError.
func (l *Logger) Error(msg string, args ...any) {
	if slog.LevelError >= l.floor {
		l.log(context.Background(), slog.LevelError, msg, args, nil)
	}
}

// ErrorContext logs at slog.LevelError with the given context.
func (l *Logger) ErrorContext(ctx context.Context, msg string, args ...any) {
	if slog.LevelError >= l.floor {
		l.log(ctx, slog.LevelError, msg, args, nil)
	}
}

// Log logs at level (for instance [LevelTrace] or [LevelFatal]) with the given context.
func (l *Logger) Log(ctx context.Context, level slog.Level, msg string, args ...any) {
	if level >= l.floor {
		l.log(ctx, level, msg, args, nil)
	}
}

// LogAttrs is a more efficient version of [Logger.Log] that accepts only Attrs.
func (l *Logger) LogAttrs(ctx context.Context, level slog.Level, msg string, attrs ...slog.Attr) {
	if level >= l.floor {
		l.log(ctx, level, msg, nil, attrs)
	}
}

// log does what slog.Logger's own methods do, recording the caller of the exported method
// that called it as the record's source.
func (l *Logger) log(ctx context.Context, level slog.Level, msg string, args []any, attrs []slog.Attr) {
	if ctx == nil {
		ctx = context.Background()
	}
	h := l.Handler()
	if !h.Enabled(ctx, level) {
		return
	}
	r := slog.NewRecord(time.Now(), level, msg, callerPC())
	r.Add(args...)
	r.AddAttrs(attrs...)
	_ = h.Handle(ctx, r)
}

// callerPC returns the pc of the code that called the Logger method calling log.
func callerPC() uintptr {
	var pcs [1]uintptr
	runtime.Callers(4, pcs[:]) // runtime.Callers, callerPC, log, the method
	return pcs[0]
}

// floor returns the level below which h accepts no record, whatever the context.
func (h *Handler) floor() slog.Level {
	switch {
	case h.bind != nil && h.bind.inv != nil:
		return h.min
	case h.c.mayLower: // sampling or buffering may lower the level within an invocation
		return math.MinInt
	default:
		return h.c.level
	}
}
