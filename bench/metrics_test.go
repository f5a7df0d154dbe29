package bench

import (
	"io"
	"strconv"
	"testing"
	"time"

	"github.com/prozz/aws-embedded-metrics-golang/emf"

	"github.com/lambdalog/lambdalog/metrics"
)

// metricsResetEvery bounds the memory of the add case: every metricsResetEvery adds the recorded
// values are dropped with the timer stopped (lambdalog flushes, prozz starts a new
// logger), as an invocation's end would.
const metricsResetEvery = 4096

var benchMetricNames = func() []string {
	names := make([]string, 100)
	for i := range names {
		names[i] = "Metric" + strconv.Itoa(i)
	}
	return names
}()

func newBenchMetrics(b *testing.B) *metrics.Metrics {
	m, err := metrics.New(metrics.WithNamespace("Bench"), metrics.WithService("bench"), metrics.WithWriter(io.Discard))
	if err != nil {
		b.Fatal(err)
	}
	return m
}

func newProzzLogger() *emf.Logger {
	return emf.New(emf.WithWriter(io.Discard), emf.WithoutDimensions()).Namespace("Bench").Dimension("service", "bench")
}

// BenchmarkMetrics compares lambdalog's metrics package with
// prozz/aws-embedded-metrics-golang doing the same work:
//
//   - add: add one value to a metric that already exists (the hot path of a handler).
//   - flush100: one invocation's worth, as metrics.Handler does it: a new
//     recorder/logger, 100 metrics with one value each and the service dimension,
//     written as EMF to io.Discard (lambdalog: Close, which flushes and recycles the
//     recorder's storage; prozz: Log).
//
// The prozz sub-benchmark reports "x-slower": its ns/op divided by lambdalog's.
func BenchmarkMetrics(b *testing.B) {
	b.Run("add", func(b *testing.B) {
		var base float64
		b.Run("lambdalog", func(b *testing.B) {
			r := newBenchMetrics(b).NewRecorder()
			if err := r.Add("Latency", metrics.Milliseconds, 1); err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			c := startMetricsCPU(b)
			for i := range b.N {
				if err := r.Add("Latency", metrics.Milliseconds, float64(i)); err != nil {
					b.Fatal(err)
				}
				if i%metricsResetEvery == metricsResetEvery-1 {
					c.stop()
					if err := r.Flush(); err != nil {
						b.Fatal(err)
					}
					_ = r.Add("Latency", metrics.Milliseconds, 1)
					c.start()
				}
			}
			base = c.report()
		})
		b.Run("prozz", func(b *testing.B) {
			l := newProzzLogger().MetricFloatAs("Latency", 1, emf.Milliseconds)
			b.ReportAllocs()
			c := startMetricsCPU(b)
			for i := range b.N {
				l.MetricFloatAs("Latency", float64(i), emf.Milliseconds)
				if i%metricsResetEvery == metricsResetEvery-1 {
					c.stop()
					l = newProzzLogger().MetricFloatAs("Latency", 1, emf.Milliseconds)
					c.start()
				}
			}
			c.reportRatio(base)
		})
	})
	b.Run("flush100", func(b *testing.B) {
		var base float64
		b.Run("lambdalog", func(b *testing.B) {
			m := newBenchMetrics(b)
			b.ReportAllocs()
			c := startMetricsCPU(b)
			for i := range b.N {
				r := m.NewRecorder()
				for _, name := range benchMetricNames {
					if err := r.Add(name, metrics.Count, float64(i)); err != nil {
						b.Fatal(err)
					}
				}
				if err := r.Close(); err != nil {
					b.Fatal(err)
				}
			}
			base = c.report()
		})
		b.Run("prozz", func(b *testing.B) {
			b.ReportAllocs()
			c := startMetricsCPU(b)
			for i := range b.N {
				l := newProzzLogger()
				for _, name := range benchMetricNames {
					l.MetricFloatAs(name, float64(i), emf.Count)
				}
				l.Log()
			}
			c.reportRatio(base)
		})
	})
}

// metricsCPUClock measures the CPU time of the process (all threads, so the garbage
// collector's work counts) during the timed part of a benchmark. On a machine
// shared with other work, CPU time per op is far steadier than wall time, so the
// ratio between implementations is computed from it.
type metricsCPUClock struct {
	b      *testing.B
	begin  time.Duration
	paused time.Duration
	stopAt time.Duration
}

func startMetricsCPU(b *testing.B) *metricsCPUClock {
	b.ResetTimer()
	return &metricsCPUClock{b: b, begin: processCPU()}
}

func (c *metricsCPUClock) stop() {
	c.stopAt = processCPU()
	c.b.StopTimer()
}

func (c *metricsCPUClock) start() {
	c.b.StartTimer()
	c.paused += processCPU() - c.stopAt
}

// report reports and returns the CPU nanoseconds per op.
func (c *metricsCPUClock) report() float64 {
	ns := float64(processCPU()-c.begin-c.paused) / float64(c.b.N)
	c.b.ReportMetric(ns, "cpu-ns/op")
	return ns
}

// reportRatio reports the CPU time per op and its ratio to base (lambdalog's).
func (c *metricsCPUClock) reportRatio(base float64) {
	if ns := c.report(); base > 0 {
		c.b.ReportMetric(ns/base, "x-slower")
	}
}

// nsPerOp and reportRatio (wall-clock ratio) are used by other benchmarks of this
// package (httpadapter_test.go).
func nsPerOp(b *testing.B) float64 { return float64(b.Elapsed().Nanoseconds()) / float64(b.N) }

func reportRatio(b *testing.B, base float64) {
	if base > 0 {
		b.ReportMetric(nsPerOp(b)/base, "x-slower")
	}
}
