package lambdaemu

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"slices"
	"testing"
	"time"

	"github.com/lambdalog/lambdalog/cmd/lambdalog/internal/awsapi"
	"github.com/lambdalog/lambdalog/cmd/lambdalog/internal/store"
)

// reportLatency reports p50 and p99 of samples as custom metrics.
func reportLatency(b *testing.B, samples []time.Duration, unit time.Duration, suffix string) {
	if len(samples) == 0 {
		return
	}
	slices.Sort(samples)
	p := func(q float64) float64 {
		return float64(samples[int(q*float64(len(samples)-1))]) / float64(unit)
	}
	b.ReportMetric(p(0.50), "p50-"+suffix)
	b.ReportMetric(p(0.99), "p99-"+suffix)
}

func benchEmulator(b *testing.B, st *store.Store, fn Function) *Emulator {
	emu, err := New(Options{Sink: StoreSink(st, "us-east-1")})
	if err != nil {
		b.Fatal(err)
	}
	if err := emu.AddFunction(fn); err != nil {
		b.Fatal(err)
	}
	return emu
}

// BenchmarkInvoke measures a warm invocation of examples/hello: Invoke ->
// Runtime API next -> handler -> response -> START/END/REPORT handed to the
// log store. The handler takes a few microseconds, so the figure is the
// emulator's overhead. memory: the in-memory store; durable: the store on
// disk, which syncs the events after Invoke returns; durable+read: an
// invocation, then a read of its events (MergedEvents), which waits until
// they are synced; InvokeAPI: the durable store, invoked over HTTP. bench/
// (BenchmarkInvoke there) runs the real binary side by side with the AWS
// Runtime Interface Emulator.
func BenchmarkInvoke(b *testing.B) {
	hello := Function{Name: "hello", Command: []string{bin(b, "hello")}}
	payload := []byte(`{"httpMethod":"GET","path":"/hello/bench","pathParameters":{"name":"bench"}}`)
	// run measures each call of invoke on a warm hello over st.
	run := func(b *testing.B, memory bool, invoke func(emu *Emulator, st *store.Store)) {
		st, err := store.Open(b.TempDir(), store.Options{InMemory: memory})
		if err != nil {
			b.Fatal(err)
		}
		defer st.Close()
		emu := benchEmulator(b, st, hello)
		defer emu.Close()
		invoke(emu, st)
		samples := make([]time.Duration, 0, b.N)
		b.ResetTimer()
		for b.Loop() {
			t0 := time.Now()
			invoke(emu, st)
			samples = append(samples, time.Since(t0))
		}
		reportLatency(b, samples, time.Microsecond, "µs")
	}
	ctx := context.Background()
	invoke := func(emu *Emulator, _ *store.Store) {
		out, err := emu.Invoke(ctx, "hello", InvokeInput{Payload: payload})
		if err != nil || out.ErrorType != "" {
			b.Fatal(err, out.ErrorType)
		}
	}
	b.Run("memory", func(b *testing.B) { run(b, true, invoke) })
	b.Run("durable", func(b *testing.B) { run(b, false, invoke) })
	b.Run("durable+read", func(b *testing.B) {
		run(b, false, func(emu *Emulator, st *store.Store) {
			start := time.Now().UnixMilli()
			invoke(emu, st)
			it, err := st.MergedEvents(ctx, "us-east-1", "/aws/lambda/hello", store.StreamSelector{}, store.Range{Start: start}, nil)
			if err != nil {
				b.Fatal(err)
			}
			report := false
			for it.Next() {
				report = bytes.HasPrefix(it.Event().Message, []byte("REPORT "))
			}
			if err := it.Close(); err != nil || !report {
				b.Fatal("the invocation's REPORT was not read back", err)
			}
		})
	})
	b.Run("InvokeAPI", func(b *testing.B) {
		var url string
		run(b, false, func(emu *Emulator, _ *store.Store) {
			if url == "" {
				srv := httptest.NewServer(awsapi.NewRouter(awsapi.Options{}, emu.InvokeAPI()))
				b.Cleanup(srv.Close)
				url = srv.URL + "/2015-03-31/functions/hello/invocations"
			}
			resp, err := http.Post(url, "application/json", bytes.NewReader(payload))
			if err != nil || resp.StatusCode != 200 {
				b.Fatal(err, resp)
			}
			resp.Body.Close()
		})
	})
}

// BenchmarkColdStart measures a cold invocation of examples/hello: a new
// process, its init up to the first Runtime API next, and the invocation.
func BenchmarkColdStart(b *testing.B) {
	hello := Function{Name: "hello", Command: []string{bin(b, "hello")}}
	payload := []byte(`{"httpMethod":"GET","path":"/hello"}`)
	st, err := store.Open(b.TempDir(), store.Options{InMemory: true})
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	samples := make([]time.Duration, 0, b.N)
	for b.Loop() {
		b.StopTimer()
		emu := benchEmulator(b, st, hello)
		b.StartTimer()
		t0 := time.Now()
		out, err := emu.Invoke(context.Background(), "hello", InvokeInput{Payload: payload})
		samples = append(samples, time.Since(t0))
		b.StopTimer()
		if err != nil || out.ErrorType != "" {
			b.Fatal(err, out.ErrorType)
		}
		emu.Close()
		b.StartTimer()
	}
	reportLatency(b, samples, time.Millisecond, "ms")
}
