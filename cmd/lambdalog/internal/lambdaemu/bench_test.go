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

// BenchmarkWarmInvoke measures the round trip of an invocation of an
// already initialised examples/hello environment: Invoke -> Runtime API
// next -> handler -> response -> START/END/REPORT stored. The handler
// itself takes a few microseconds, so the figure is the emulator's
// overhead. "disk" includes the synced write of the log events.
func BenchmarkWarmInvoke(b *testing.B) {
	hello := Function{Name: "hello", Command: []string{bin(b, "hello")}}
	payload := []byte(`{"httpMethod":"GET","path":"/hello/bench","pathParameters":{"name":"bench"}}`)
	for _, mode := range []string{"memory", "disk"} {
		b.Run("store="+mode, func(b *testing.B) {
			st, err := store.Open(b.TempDir(), store.Options{InMemory: mode == "memory"})
			if err != nil {
				b.Fatal(err)
			}
			defer st.Close()
			emu := benchEmulator(b, st, hello)
			defer emu.Close()
			ctx := context.Background()
			if _, err := emu.Invoke(ctx, "hello", InvokeInput{Payload: payload}); err != nil {
				b.Fatal(err)
			}
			samples := make([]time.Duration, 0, b.N)
			b.ResetTimer()
			for b.Loop() {
				t0 := time.Now()
				out, err := emu.Invoke(ctx, "hello", InvokeInput{Payload: payload})
				if err != nil || out.ErrorType != "" {
					b.Fatal(err, out.ErrorType)
				}
				samples = append(samples, time.Since(t0))
			}
			reportLatency(b, samples, time.Microsecond, "µs")
		})
	}
	b.Run("via=InvokeAPI", func(b *testing.B) {
		st, err := store.Open(b.TempDir(), store.Options{InMemory: true})
		if err != nil {
			b.Fatal(err)
		}
		defer st.Close()
		emu := benchEmulator(b, st, hello)
		defer emu.Close()
		srv := httptest.NewServer(awsapi.NewRouter(awsapi.Options{}, emu.InvokeAPI()))
		defer srv.Close()
		url := srv.URL + "/2015-03-31/functions/hello/invocations"
		call := func() {
			resp, err := http.Post(url, "application/json", bytes.NewReader(payload))
			if err != nil || resp.StatusCode != 200 {
				b.Fatal(err, resp)
			}
			resp.Body.Close()
		}
		call()
		samples := make([]time.Duration, 0, b.N)
		b.ResetTimer()
		for b.Loop() {
			t0 := time.Now()
			call()
			samples = append(samples, time.Since(t0))
		}
		reportLatency(b, samples, time.Microsecond, "µs")
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
