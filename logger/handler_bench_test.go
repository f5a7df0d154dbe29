package logger

import (
	"context"
	"io"
	"log/slog"
	"runtime"
	"testing"
	"time"
)

// BenchmarkHandle measures the handler alone on a record with five attributes, inside an
// invocation (the end-to-end comparison with other loggers is in the bench module).
func BenchmarkHandle(b *testing.B) {
	h := WrapAction(func(ctx context.Context, _ struct{}) error {
		handler := FromContext(ctx).Handler()
		var pcs [1]uintptr
		runtime.Callers(1, pcs[:])
		r := slog.NewRecord(time.Now(), slog.LevelInfo, "request handled", pcs[0])
		r.AddAttrs(slog.String("path", "/hello/world"), slog.Int("status", 200),
			slog.Float64("latency_ms", 12.5), slog.Bool("cached", true),
			slog.Time("started", time.Date(2024, 5, 1, 12, 0, 0, 0, time.UTC)))
		b.ReportAllocs()
		for b.Loop() {
			_ = handler.Handle(ctx, r)
		}
		return nil
	}, WithOutput(io.Discard))
	_ = h(context.Background(), struct{}{})
}
