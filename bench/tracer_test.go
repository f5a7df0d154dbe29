package bench

import (
	"context"
	"net"
	"runtime"
	"strings"
	"testing"

	"github.com/aws/aws-lambda-go/lambdacontext"
	"go.opentelemetry.io/otel/attribute"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"

	"github.com/lambdalog/lambdalog/tracer"
)

// The trace header Lambda gives the benchmarked invocation, sampled.
const (
	benchTraceRoot   = "1-5759e988-bd862e3fe1be46a994272793"
	benchTraceParent = "53995c3f42cd8ad8"
	benchTraceHeader = "Root=" + benchTraceRoot + ";Parent=" + benchTraceParent + ";Sampled=1"
)

type benchOrder struct {
	User  string
	Items int
}

// BenchmarkTracer measures one traced Lambda invocation: the handler's subsegment (ColdStart and
// Service), three captured functions, two annotations (User, Items), everything delivered before
// the invocation returns, as Lambda requires (it freezes the environment afterwards).
//
//   - lambdalog: tracer.Wrap and tracer.CaptureMethod, results recorded as metadata (the
//     default), the invocation's document sent to a UDP socket of this process (which reads
//     nothing: in Lambda the daemon is another process) before the handler returns.
//   - otel: the plain OpenTelemetry SDK, a batch span processor and an in-memory exporter, the
//     same spans and attributes, and ForceFlush at the end of the invocation, which is what a
//     Lambda function must do with it (otellambda's WithFlusher); the parent span context is
//     made once, not parsed from the header each time.
//
// cpu-ns/op counts the CPU time of every goroutine of the process (the batch processor's
// included); the ratios are the otel figures over lambdalog's.
func BenchmarkTracer(b *testing.B) {
	ctx := lambdacontext.NewContext(context.Background(), &lambdacontext.LambdaContext{
		AwsRequestID: benchRequest, InvokedFunctionArn: benchARN,
	})
	ctx = context.WithValue(ctx, "x-amzn-trace-id", benchTraceHeader) //nolint:staticcheck // aws-lambda-go's key
	in := benchOrder{User: "alice", Items: 3}
	type figures struct{ wall, cpu, allocs float64 }
	perOp := map[string]figures{}
	defer func() {
		ours, theirs := perOp["lambdalog"], perOp["otel"]
		if ours.cpu > 0 && theirs.cpu > 0 {
			b.Logf("lambdalog/otel: %.2fx the time (%.0f vs %.0f ns/op), %.2fx the CPU time (%.0f vs %.0f cpu-ns/op), %.2fx the allocations (%.1f vs %.1f allocs/op)",
				ours.wall/theirs.wall, ours.wall, theirs.wall, ours.cpu/theirs.cpu, ours.cpu, theirs.cpu,
				ours.allocs/theirs.allocs, ours.allocs, theirs.allocs)
		}
	}()
	measure := func(b *testing.B) func() {
		b.ReportAllocs()
		start, mallocs := processCPU(), readMallocs()
		return func() {
			n := float64(b.N)
			f := figures{float64(b.Elapsed()) / n, float64(processCPU()-start) / n, float64(readMallocs()-mallocs) / n}
			perOp[strings.TrimPrefix(b.Name(), "BenchmarkTracer/")] = f
			b.ReportMetric(f.cpu, "cpu-ns/op")
		}
	}

	b.Run("lambdalog", func(b *testing.B) {
		daemon, err := net.ListenUDP("udp", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
		if err != nil {
			b.Fatal(err)
		}
		defer daemon.Close()
		t, err := tracer.New(tracer.WithDisabled(false), tracer.WithService("bench"),
			tracer.WithDaemonAddress(daemon.LocalAddr().String()), tracer.WithCaptureResponse(true))
		if err != nil {
			b.Fatal(err)
		}
		defer t.Shutdown(context.Background())
		step := func(ctx context.Context) (int, error) { return 1, nil }
		h := tracer.Wrap(t, func(ctx context.Context, o benchOrder) (int, error) {
			tracer.PutAnnotation(ctx, "User", o.User)
			n, _ := tracer.CaptureMethod(ctx, "validate", step)
			m, _ := tracer.CaptureMethod(ctx, "reserve", func(ctx context.Context) (int, error) {
				tracer.PutAnnotation(ctx, "Items", o.Items)
				return o.Items, nil
			})
			k, _ := tracer.CaptureMethod(ctx, "charge", step)
			return n + m + k, nil
		})
		done := measure(b)
		for b.Loop() {
			if _, err := h(ctx, in); err != nil {
				b.Fatal(err)
			}
		}
		done()
	})

	b.Run("otel", func(b *testing.B) {
		exp := tracetest.NewInMemoryExporter()
		tp := sdktrace.NewTracerProvider(sdktrace.WithBatcher(exp))
		defer tp.Shutdown(context.Background())
		tr := tp.Tracer("bench")
		tid, _ := trace.TraceIDFromHex(strings.ReplaceAll(strings.TrimPrefix(benchTraceRoot, "1-"), "-", ""))
		sid, _ := trace.SpanIDFromHex(benchTraceParent)
		parent := trace.NewSpanContext(trace.SpanContextConfig{TraceID: tid, SpanID: sid, TraceFlags: trace.FlagsSampled, Remote: true})
		coldStart := true
		step := func(ctx context.Context, name string) (int, error) {
			_, span := tr.Start(ctx, name)
			defer span.End()
			return 1, nil
		}
		h := func(ctx context.Context, o benchOrder) (int, error) {
			ctx, span := tr.Start(trace.ContextWithRemoteSpanContext(ctx, parent), "## handler", trace.WithSpanKind(trace.SpanKindServer),
				trace.WithAttributes(attribute.Bool("ColdStart", coldStart), attribute.String("Service", "bench")))
			coldStart = false
			span.SetAttributes(attribute.String("User", o.User))
			n, _ := step(ctx, "## validate")
			rctx, reserve := tr.Start(ctx, "## reserve")
			reserve.SetAttributes(attribute.Int("Items", o.Items))
			_ = rctx
			reserve.End()
			k, _ := step(ctx, "## charge")
			span.End()
			return n + o.Items + k, tp.ForceFlush(ctx)
		}
		done := measure(b)
		for i := 0; b.Loop(); i++ {
			if _, err := h(ctx, in); err != nil {
				b.Fatal(err)
			}
			if i%1024 == 0 {
				exp.Reset()
			}
		}
		done()
	})
}

// readMallocs returns the number of heap allocations the process has made.
func readMallocs() uint64 {
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return ms.Mallocs
}
