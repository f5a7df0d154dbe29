package logger

import (
	"context"
	"errors"
	"log/slog"
	"runtime"
	"strconv"
	"testing"
)

// callerLine returns the line it is called from.
func callerLine() int {
	_, _, line, _ := runtime.Caller(1)
	return line
}

// TestLoggerMethods checks that every Logger method writes its level, message and attributes
// and records the line that called it as location.
func TestLoggerMethods(t *testing.T) {
	ctx := context.Background()
	for _, c := range []struct {
		name, level string
		call        func(l *Logger) int
	}{
		{"Debug", "DEBUG", func(l *Logger) int { l.Debug("m", "k", 1); return callerLine() }},
		{"DebugContext", "DEBUG", func(l *Logger) int { l.DebugContext(ctx, "m", "k", 1); return callerLine() }},
		{"Info", "INFO", func(l *Logger) int { l.Info("m", "k", 1); return callerLine() }},
		{"InfoContext", "INFO", func(l *Logger) int { l.InfoContext(ctx, "m", "k", 1); return callerLine() }},
		{"Warn", "WARN", func(l *Logger) int { l.Warn("m", "k", 1); return callerLine() }},
		{"WarnContext", "WARN", func(l *Logger) int { l.WarnContext(ctx, "m", "k", 1); return callerLine() }},
		{"Error", "ERROR", func(l *Logger) int { l.Error("m", "k", 1); return callerLine() }},
		{"ErrorContext", "ERROR", func(l *Logger) int { l.ErrorContext(ctx, "m", "k", 1); return callerLine() }},
		{"Log", "TRACE", func(l *Logger) int { l.Log(ctx, LevelTrace, "m", "k", 1); return callerLine() }},
		{"LogAttrs", "FATAL", func(l *Logger) int { l.LogAttrs(ctx, LevelFatal, "m", slog.Int("k", 1)); return callerLine() }},
		{"LogAttrs nil context", "INFO", func(l *Logger) int {
			l.LogAttrs(nil, slog.LevelInfo, "m", slog.Int("k", 1)) //nolint:staticcheck // slog accepts a nil context
			return callerLine() - 1
		}},
		{"With", "INFO", func(l *Logger) int { l.With("k", 1).Info("m"); return callerLine() }},
		{"embedded slog.Logger", "INFO", func(l *Logger) int { l.Logger.Info("m", "k", 1); return callerLine() }},
	} {
		t.Run(c.name, func(t *testing.T) {
			var buf lineBuffer
			line := c.call(New(WithOutput(&buf), WithLevel(LevelTrace)))
			recs := buf.records(t)
			if len(recs) != 1 {
				t.Fatalf("%d records, want 1", len(recs))
			}
			r := recs[0]
			wantLoc := "logger/logger_test.go:" + strconv.Itoa(line)
			if r["level"] != c.level || r["message"] != "m" || r["k"] != 1.0 || r["location"] != wantLoc {
				t.Errorf("got %v, want level %s, message m, k 1, location %s", r, c.level, wantLoc)
			}
		})
	}
}

func TestLoggerWithGroup(t *testing.T) {
	var buf lineBuffer
	New(WithOutput(&buf)).WithGroup("g").With("a", 1).Info("m", "b", 2)
	g, ok := buf.records(t)[0]["g"].(map[string]any)
	if !ok || g["a"] != 1.0 || g["b"] != 2.0 {
		t.Errorf("group g is %v, want {a:1, b:2}", g)
	}
}

// TestLoggerDisabled checks that the Logger's own level check agrees with the handler's:
// it drops what the level excludes and keeps what sampling or buffering lets through.
func TestLoggerDisabled(t *testing.T) {
	ctx := context.Background()
	var buf lineBuffer
	l := New(WithOutput(&buf), WithLevel(slog.LevelWarn))
	l.Debug("no")
	l.InfoContext(ctx, "no")
	l.Log(ctx, LevelTrace, "no")
	l.LogAttrs(ctx, slog.LevelInfo, "no")
	l.With("k", 1).Info("no")
	l.WithGroup("g").Info("no")
	l.Warn("yes")
	if l.Enabled(ctx, slog.LevelInfo) || !l.Enabled(ctx, slog.LevelWarn) {
		t.Error("Enabled disagrees with the WARN level")
	}
	if recs := buf.records(t); len(recs) != 1 || recs[0]["message"] != "yes" {
		t.Errorf("records %v, want only the WARN one", recs)
	}

	// Debug sampling: every invocation is sampled, so DEBUG is written inside one only.
	buf = lineBuffer{}
	h := WrapAction(func(ctx context.Context, _ struct{}) error {
		FromContext(ctx).Debug("sampled")
		return nil
	}, WithOutput(&buf), WithLevel(slog.LevelInfo), WithSampleRate(1))
	if err := h(invokeCtx("r1", ""), struct{}{}); err != nil {
		t.Fatal(err)
	}
	New(WithOutput(&buf), WithLevel(slog.LevelInfo), WithSampleRate(1)).Debug("outside an invocation")
	if recs := buf.records(t); len(recs) != 1 || recs[0]["message"] != "sampled" {
		t.Errorf("records %v, want the sampled DEBUG one", recs)
	}

	// Buffering: DEBUG is kept and written when the invocation fails.
	buf = lineBuffer{}
	h = WrapAction(func(ctx context.Context, _ struct{}) error {
		FromContext(ctx).Debug("buffered")
		return errors.New("failed")
	}, WithOutput(&buf), WithLevel(slog.LevelInfo), WithBuffer(slog.LevelDebug, 1<<10))
	_ = h(invokeCtx("r2", ""), struct{}{})
	if recs := buf.records(t); len(recs) == 0 || recs[0]["message"] != "buffered" {
		t.Errorf("records %v, want the buffered DEBUG one first", recs)
	}
}
