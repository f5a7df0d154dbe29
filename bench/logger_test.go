package bench

import (
	"context"
	"io"
	"log/slog"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/lambdacontext"
	"github.com/rs/zerolog"
	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"

	"github.com/lambdalog/lambdalog/logger"
)

// The Lambda keys every implementation binds once, before the measured loop.
const (
	benchFunction = "bench-function"
	benchMemory   = 128
	benchARN      = "arn:aws:lambda:us-east-1:123456789012:function:bench-function"
	benchRequest  = "8f507cfc-1111-4697-b07a-ac58fc914c95"
)

var benchTime = time.Date(2024, 5, 1, 12, 0, 0, 0, time.UTC)

// BenchmarkLogger measures the same Info call — a message plus five attributes (string, int,
// float, bool, time), Lambda keys bound, call site recorded — across loggers.
func BenchmarkLogger(b *testing.B) {
	ctx := lambdacontext.NewContext(context.Background(), &lambdacontext.LambdaContext{
		AwsRequestID: benchRequest, InvokedFunctionArn: benchARN,
	})
	b.Setenv("AWS_LAMBDA_FUNCTION_NAME", benchFunction)
	b.Setenv("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "128")
	cpuPerOp := map[string]float64{}
	defer reportRatios(b, cpuPerOp)
	// measure starts counting the process's CPU time; the function it returns reports it
	// per operation as cpu-ns/op, which, unlike ns/op, other processes on a shared machine
	// hardly disturb.
	measure := func(b *testing.B) func() {
		b.ReportAllocs()
		start := processCPU()
		return func() {
			perOp := float64(processCPU()-start) / float64(b.N)
			b.ReportMetric(perOp, "cpu-ns/op")
			cpuPerOp[strings.TrimPrefix(b.Name(), "BenchmarkLogger/")] = perOp
		}
	}

	b.Run("lambdalog", func(b *testing.B) {
		runInInvocation(b, ctx, func(ctx context.Context) {
			l := logger.FromContext(ctx)
			done := measure(b)
			for b.Loop() {
				l.LogAttrs(ctx, slog.LevelInfo, "request handled",
					slog.String("path", "/hello/world"), slog.Int("status", 200),
					slog.Float64("latency_ms", 12.5), slog.Bool("cached", true),
					slog.Time("started", benchTime))
			}
			done()
		})
	})

	b.Run("slog", func(b *testing.B) {
		l := slog.New(slog.NewJSONHandler(io.Discard, &slog.HandlerOptions{AddSource: true})).With(
			slog.Bool("cold_start", true), slog.String("function_name", benchFunction),
			slog.Int("function_memory_size", benchMemory), slog.String("function_arn", benchARN),
			slog.String("function_request_id", benchRequest))
		done := measure(b)
		for b.Loop() {
			l.LogAttrs(ctx, slog.LevelInfo, "request handled",
				slog.String("path", "/hello/world"), slog.Int("status", 200),
				slog.Float64("latency_ms", 12.5), slog.Bool("cached", true),
				slog.Time("started", benchTime))
		}
		done()
	})

	b.Run("zap", func(b *testing.B) {
		enc := zap.NewProductionEncoderConfig()
		core := zapcore.NewCore(zapcore.NewJSONEncoder(enc), zapcore.AddSync(io.Discard), zapcore.InfoLevel)
		l := zap.New(core, zap.AddCaller()).With(
			zap.Bool("cold_start", true), zap.String("function_name", benchFunction),
			zap.Int("function_memory_size", benchMemory), zap.String("function_arn", benchARN),
			zap.String("function_request_id", benchRequest))
		done := measure(b)
		for b.Loop() {
			l.Info("request handled",
				zap.String("path", "/hello/world"), zap.Int("status", 200),
				zap.Float64("latency_ms", 12.5), zap.Bool("cached", true),
				zap.Time("started", benchTime))
		}
		done()
	})

	b.Run("zerolog", func(b *testing.B) {
		l := zerolog.New(io.Discard).With().Timestamp().Caller().
			Bool("cold_start", true).Str("function_name", benchFunction).
			Int("function_memory_size", benchMemory).Str("function_arn", benchARN).
			Str("function_request_id", benchRequest).Logger()
		done := measure(b)
		for b.Loop() {
			l.Info().Str("path", "/hello/world").Int("status", 200).
				Float64("latency_ms", 12.5).Bool("cached", true).
				Time("started", benchTime).Msg("request handled")
		}
		done()
	})

	// A record below the level: the cost of a disabled DEBUG call, message only (the cost of
	// building attributes is the caller's and is the same for every slog handler).
	b.Run("disabled/lambdalog", func(b *testing.B) {
		runInInvocation(b, ctx, func(ctx context.Context) {
			l := logger.FromContext(ctx)
			done := measure(b)
			for b.Loop() {
				l.DebugContext(ctx, "request handled")
			}
			done()
		})
	})
	b.Run("disabled/slog", func(b *testing.B) {
		l := slog.New(slog.NewJSONHandler(io.Discard, &slog.HandlerOptions{AddSource: true}))
		done := measure(b)
		for b.Loop() {
			l.DebugContext(ctx, "request handled")
		}
		done()
	})
	b.Run("disabled/zap", func(b *testing.B) {
		core := zapcore.NewCore(zapcore.NewJSONEncoder(zap.NewProductionEncoderConfig()), zapcore.AddSync(io.Discard), zapcore.InfoLevel)
		l := zap.New(core, zap.AddCaller())
		done := measure(b)
		for b.Loop() {
			l.Debug("request handled")
		}
		done()
	})
	b.Run("disabled/zerolog", func(b *testing.B) {
		l := zerolog.New(io.Discard).Level(zerolog.InfoLevel).With().Timestamp().Caller().Logger()
		done := measure(b)
		for b.Loop() {
			l.Debug().Msg("request handled")
		}
		done()
	})

	b.Run("lambdacontext", func(b *testing.B) {
		// aws-lambda-go's handler always writes to os.Stdout and cannot record the call site.
		devNull, err := os.OpenFile(os.DevNull, os.O_WRONLY, 0)
		if err != nil {
			b.Fatal(err)
		}
		defer devNull.Close()
		stdout := os.Stdout
		os.Stdout = devNull
		l := lambdacontext.NewLogger(lambdacontext.WithFunctionARN())
		os.Stdout = stdout
		done := measure(b)
		for b.Loop() {
			l.LogAttrs(ctx, slog.LevelInfo, "request handled",
				slog.String("path", "/hello/world"), slog.Int("status", 200),
				slog.Float64("latency_ms", 12.5), slog.Bool("cached", true),
				slog.Time("started", benchTime))
		}
		done()
	})
}

// runInInvocation runs body inside one invocation of a handler wrapped by the lambdalog
// middleware, writing to io.Discard, as a function would.
func runInInvocation(b *testing.B, ctx context.Context, body func(ctx context.Context)) {
	h := logger.WrapAction(func(ctx context.Context, _ struct{}) error {
		body(ctx)
		return nil
	}, logger.WithOutput(io.Discard), logger.WithService("bench"), logger.WithLevel(slog.LevelInfo))
	if err := h(ctx, struct{}{}); err != nil {
		b.Fatal(err)
	}
}

// reportRatios logs how lambdalog compares with each other logger measured in the same run.
func reportRatios(b *testing.B, cpuPerOp map[string]float64) {
	ours, ok := cpuPerOp["lambdalog"]
	if !ok || ours == 0 {
		return
	}
	for _, impl := range []string{"slog", "zap", "zerolog", "lambdacontext"} {
		if theirs, ok := cpuPerOp[impl]; ok {
			b.Logf("%s is %.2fx lambdalog's CPU time (lambdalog %.0f cpu-ns/op, %s %.0f cpu-ns/op)", impl, theirs/ours, ours, impl, theirs)
		}
	}
}
