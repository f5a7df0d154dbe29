package bench

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"runtime"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

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
//     default), the invocation's document sent over UDP before the handler returns, to an
//     X-Ray daemon that is another process, as in Lambda (startXRayDaemon): its socket is read
//     as fast as datagrams come, so every send delivers to a live reader, and its CPU time is
//     not the function's. The benchmark fails unless the daemon received one well-formed
//     datagram per invocation.
//   - otel: the plain OpenTelemetry SDK, a batch span processor and an in-memory exporter, the
//     same spans and attributes, and ForceFlush at the end of the invocation, which is what a
//     Lambda function must do with it (otellambda's WithFlusher); the parent span context is
//     made once, not parsed from the header each time.
//   - udp-send-only: the lambdalog run's one datagram alone, written to the same kind of daemon
//     process: what this machine's kernel costs every traced invocation, whatever the tracer.
//
// cpu-ns/op counts the CPU time of every goroutine of the process (the batch processor's and
// the garbage collector's included, the daemon's not); the ratios logged are lambdalog's
// figures over otel's.
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
		daemon := startXRayDaemon(b)
		t, err := tracer.New(tracer.WithDisabled(false), tracer.WithService("bench"),
			tracer.WithDaemonAddress(daemon.addr), tracer.WithCaptureResponse(true))
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
		invocations := 0
		done := measure(b)
		for b.Loop() {
			if _, err := h(ctx, in); err != nil {
				b.Fatal(err)
			}
			invocations++
		}
		done()
		daemon.check(b, invocations)
	})

	// What the lambdalog run's one datagram costs by itself: a connected UDP socket writing a
	// daemon header and a 1.3 KB document, about the size of the invocation's, to the same kind
	// of daemon process. Not a contender: the floor of the lambdalog run on this machine.
	b.Run("udp-send-only", func(b *testing.B) {
		daemon := startXRayDaemon(b)
		conn, err := net.Dial("udp", daemon.addr)
		if err != nil {
			b.Fatal(err)
		}
		defer conn.Close()
		doc := []byte(`{"format": "json", "version": 1}` + "\n{\"pad\":\"" + strings.Repeat("x", 1300) + "\"}")
		sent := 0
		done := measure(b)
		for b.Loop() {
			if _, err := conn.Write(doc); err != nil {
				b.Fatal(err)
			}
			sent++
		}
		done()
		daemon.check(b, sent)
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

// xrayDaemonEnv makes the test binary an X-Ray daemon for BenchmarkTracer (TestXRayDaemonProcess).
const xrayDaemonEnv = "LAMBDALOG_BENCH_XRAY_DAEMON"

// xrayDaemon is the X-Ray daemon process of BenchmarkTracer.
type xrayDaemon struct {
	addr  string
	cmd   *exec.Cmd
	stdin io.Closer
	out   *bufio.Reader
}

// startXRayDaemon runs this test binary as an X-Ray daemon (TestXRayDaemonProcess) and returns
// once its socket is open.
func startXRayDaemon(b *testing.B) *xrayDaemon {
	b.Helper()
	cmd := exec.Command(os.Args[0], "-test.run", "^TestXRayDaemonProcess$", "-test.bench", "^$")
	cmd.Env = append(os.Environ(), xrayDaemonEnv+"=1")
	cmd.Stderr = os.Stderr
	stdin, err := cmd.StdinPipe()
	if err != nil {
		b.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		b.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		b.Fatal(err)
	}
	d := &xrayDaemon{cmd: cmd, stdin: stdin, out: bufio.NewReader(stdout)}
	b.Cleanup(func() {
		d.stdin.Close()
		d.cmd.Wait()
	})
	line, err := d.out.ReadString('\n')
	if err != nil {
		b.Fatalf("X-Ray daemon process: %v", err)
	}
	d.addr = strings.TrimSpace(line)
	return d
}

// check stops the daemon and fails b unless it received one well-formed datagram per
// invocation.
func (d *xrayDaemon) check(b *testing.B, invocations int) {
	b.Helper()
	d.stdin.Close()
	var received, malformed int
	if _, err := fmt.Fscan(d.out, &received, &malformed); err != nil {
		b.Fatalf("X-Ray daemon process: %v", err)
	}
	if received != invocations || malformed != 0 {
		b.Fatalf("the X-Ray daemon received %d datagrams (%d malformed) for %d invocations", received, malformed, invocations)
	}
}

// TestXRayDaemonProcess is the X-Ray daemon of BenchmarkTracer when the test binary runs with
// LAMBDALOG_BENCH_XRAY_DAEMON=1: it prints its UDP address, reads datagrams until its standard
// input closes, then prints how many it received and how many were not a daemon header line
// followed by a segment document.
func TestXRayDaemonProcess(t *testing.T) {
	if os.Getenv(xrayDaemonEnv) == "" {
		t.Skip("run by BenchmarkTracer")
	}
	conn, err := net.ListenUDP("udp", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Fatal(err)
	}
	// A queue deep enough that the daemon, which shares the CPUs with the benchmark, may fall
	// behind without losing datagrams: beyond net.core.rmem_max where allowed (as root).
	raw, err := conn.SyscallConn()
	if err != nil {
		t.Fatal(err)
	}
	const soRcvBufForce = 33 // SO_RCVBUFFORCE on Linux; elsewhere the call fails
	raw.Control(func(fd uintptr) {
		err = syscall.SetsockoptInt(int(fd), syscall.SOL_SOCKET, soRcvBufForce, 256<<20)
	})
	if err != nil {
		if err := conn.SetReadBuffer(256 << 20); err != nil {
			t.Fatal(err)
		}
	}
	fmt.Println(conn.LocalAddr())
	var stopped atomic.Bool
	go func() {
		io.Copy(io.Discard, os.Stdin)
		stopped.Store(true)
		conn.SetReadDeadline(time.Now()) // wake the reader, which then drains what is queued
	}()
	header := []byte(`{"format": "json", "version": 1}` + "\n{")
	received, malformed := 0, 0
	buf := make([]byte, 1<<16)
	for {
		n, err := conn.Read(buf)
		if err != nil {
			if !stopped.Load() || !errors.Is(err, os.ErrDeadlineExceeded) {
				t.Fatal(err)
			}
			// The sender has stopped: what it sent is in the socket's queue by now.
			conn.SetReadDeadline(time.Now().Add(100 * time.Millisecond))
			if n, err = conn.Read(buf); err != nil {
				fmt.Println(received, malformed)
				return
			}
		}
		received++
		if !bytes.HasPrefix(buf[:n], header) || buf[n-1] != '}' {
			malformed++
		}
	}
}
