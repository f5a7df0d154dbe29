package logger

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"runtime"
	"strings"
	"testing"
	"time"
)

// BenchmarkHandle measures the handler alone on a record with five attributes, inside an
// invocation (the end-to-end comparison with other loggers is in the bench module).
func BenchmarkHandle(b *testing.B) {
	benchmarkHandle(b, "request handled", slog.String("path", "/hello/world"), slog.Int("status", 200),
		slog.Float64("latency_ms", 12.5), slog.Bool("cached", true),
		slog.Time("started", time.Date(2024, 5, 1, 12, 0, 0, 0, time.UTC)))
}

// BenchmarkHandleMasking is BenchmarkHandle with secrets to mask: in the message, under a
// sensitive key and in a string holding fmt's %+v of credentials.
func BenchmarkHandleMasking(b *testing.B) {
	benchmarkHandle(b, "login failed: DB_PASSWORD=hunter2 for "+awsKeyID, slog.String("path", "/hello/world"),
		slog.Int("status", 200), slog.String("SecretAccessKey", awsSecret),
		slog.String("creds", fmt.Sprintf("%+v", testCredentials)),
		slog.Time("started", time.Date(2024, 5, 1, 12, 0, 0, 0, time.UTC)))
}

// benchmarkHandle measures handling one record inside an invocation.
func benchmarkHandle(b *testing.B, msg string, attrs ...slog.Attr) {
	h := WrapAction(func(ctx context.Context, _ struct{}) error {
		handler := FromContext(ctx).Handler()
		var pcs [1]uintptr
		runtime.Callers(1, pcs[:])
		r := slog.NewRecord(time.Now(), slog.LevelInfo, msg, pcs[0])
		r.AddAttrs(attrs...)
		b.ReportAllocs()
		for b.Loop() {
			_ = handler.Handle(ctx, r)
		}
		return nil
	}, WithOutput(io.Discard))
	_ = h(context.Background(), struct{}{})
}

// BenchmarkRedactString measures looking for secrets in strings that hold none and one that
// holds some, per string; SetBytes makes the rate per byte visible.
func BenchmarkRedactString(b *testing.B) {
	r := newRedactor(DefaultRedactKeys(), DefaultRedactAllowKeys())
	line := "2024-05-01T12:00:00Z handled GET /orders/42 for user ann in 12ms, cache: hit, retries=0; "
	for _, c := range []struct{ name, s string }{
		{"short", "request handled"},
		{"1KiB-plain", strings.Repeat(line, 1024/len(line))},
		{"1KiB-secrets", strings.Repeat(line, 1024/len(line)-3) + fmt.Sprintf("%+v", testCredentials)},
	} {
		b.Run(c.name, func(b *testing.B) {
			buf := make([]byte, 0, 4096)
			b.SetBytes(int64(len(c.s)))
			b.ReportAllocs()
			for b.Loop() {
				buf = r.appendString(buf[:0], c.s)
			}
		})
	}
}
