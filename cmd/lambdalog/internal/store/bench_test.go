package store

import (
	"context"
	"fmt"
	"sync"
	"syscall"
	"testing"
	"time"
)

// benchMessages returns n distinct 78-byte messages of stream s.
func benchMessages(s, n int) [][]byte {
	msgs := make([][]byte, n)
	for i := range msgs {
		m := fmt.Sprintf("INFO done s=%02d seq=%08d path=/api/v1/items status=200 ....................", s, i)
		msgs[i] = []byte(m[:78])
	}
	return msgs
}

// waitIdle waits until Pebble runs no flush or compaction, so that the
// background work the benchmark caused is counted in its CPU time.
func waitIdle(st *Store) {
	for idle := 0; idle < 5; {
		m := st.db.Metrics()
		if m.Flush.NumInProgress == 0 && m.Compact.NumInProgress == 0 {
			idle++
		} else {
			idle = 0
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// processCPU returns the user+system CPU time of the whole process, which
// includes Pebble's background flushes and compactions.
func processCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkPutEvents measures durable ingest straight into the store, the
// way the server's PutLogEvents does it: 20 streams written concurrently,
// 10,000 events of 78 bytes per call. Each op writes 200,000 events, after a
// 1,000,000-event corpus so that flushes and compactions are in steady
// state. It reports events/s, process CPU-seconds per million events
// (foreground work, Pebble's background flushes and compactions, and
// building the batches, a small part) and the write amplification
// (bytes flushed and compacted per byte written to the WAL).
func BenchmarkPutEvents(b *testing.B) {
	ctx := context.Background()
	st, err := Open(b.TempDir(), Options{SweepInterval: -1})
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	const streams, perCall, corpus = 20, 10_000, 1_000_000
	if _, err := st.CreateGroup(ctx, "r", Group{Name: "g"}); err != nil {
		b.Fatal(err)
	}
	for s := range streams {
		if err := st.CreateStream(ctx, "r", "g", fmt.Sprintf("s%02d", s)); err != nil {
			b.Fatal(err)
		}
	}
	msgs := make([][][]byte, streams)
	for s := range msgs {
		msgs[s] = benchMessages(s, perCall)
	}
	ts := time.Now().Add(-time.Hour).UnixMilli()
	next := func() [][]Event {
		batches := make([][]Event, streams)
		for s := range batches {
			batches[s] = make([]Event, perCall)
			for i, m := range msgs[s] {
				batches[s][i] = Event{Timestamp: ts + int64(i), Message: m}
			}
		}
		ts += perCall
		return batches
	}
	put := func(batches [][]Event) {
		var wg sync.WaitGroup
		for s := range batches {
			wg.Go(func() {
				if _, err := st.PutEvents(ctx, "r", "g", fmt.Sprintf("s%02d", s), batches[s]); err != nil {
					b.Error(err)
				}
			})
		}
		wg.Wait()
	}
	for range corpus / (streams * perCall) {
		put(next())
	}
	m0 := st.db.Metrics()
	events := 0
	c0 := processCPU()
	for b.Loop() {
		put(next())
		events += streams * perCall
	}
	b.StopTimer()
	waitIdle(st)
	cpu := processCPU() - c0
	m1 := st.db.Metrics()
	b.ReportMetric(float64(events)/b.Elapsed().Seconds(), "events/s")
	b.ReportMetric(cpu.Seconds()*1e6/float64(events), "CPU-s/Mevents")
	wal := float64(m1.WAL.BytesWritten - m0.WAL.BytesWritten)
	var flushed, compacted float64
	for l := range m1.Levels {
		flushed += float64(m1.Levels[l].TableBytesFlushed - m0.Levels[l].TableBytesFlushed)
		compacted += float64(m1.Levels[l].TableBytesCompacted - m0.Levels[l].TableBytesCompacted)
	}
	b.ReportMetric(flushed/wal, "flushed/WAL")
	b.ReportMetric(compacted/wal, "compacted/WAL")
}
