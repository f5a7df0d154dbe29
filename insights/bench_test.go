package insights

import (
	"fmt"
	"math/rand/v2"
	"runtime"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"
)

// benchQueries are the queries of issue 12's performance section.
var benchQueries = []struct{ name, query string }{
	{"filter-term", `filter @message like "ERROR"`},
	{"filter-json", `filter level = "ERROR" and latency_ms > 500 | stats count(*)`},
	{"stats-bin", `stats count(*), avg(latency_ms), pct(latency_ms, 95) by bin(5m)`},
	{"parse-stats", `parse @message '"service":"*"' as svc | stats count(*) by svc`},
	{"sort-limit", `sort latency_ms desc | limit 20`},
}

const benchEvents = 1_000_000

var (
	benchOnce sync.Once
	benchEvs  []Event
)

// powertoolsEvents returns n events shaped like the logs of AWS Lambda
// Powertools' Logger (one JSON object per line), with a Lambda START, END
// and REPORT line for every invocation, spread over a day.
func powertoolsEvents(n int) []Event {
	rng := rand.New(rand.NewPCG(1, 2))
	services := []string{"payment", "orders", "users", "inventory", "shipping"}
	levels := []string{"INFO", "INFO", "INFO", "INFO", "INFO", "INFO", "INFO", "INFO", "INFO", "INFO", "INFO", "INFO", "INFO", "INFO", "INFO", "INFO", "WARN", "WARN", "DEBUG", "ERROR"}
	msgs := []string{"order processed", "payment accepted", "cache miss for key", "retrying downstream call", "request validated", "downstream timeout"}
	var buf []byte
	evs := make([]Event, 0, n)
	offs := make([]int, 0, n+1)
	start := int64(1705276800000) // 2024-01-15 00:00:00 UTC
	step := int64(86_400_000) / int64(n)
	reqID := ""
	for i := 0; i < n; i++ {
		ts := start + int64(i)*step
		offs = append(offs, len(buf))
		switch i % 20 {
		case 0:
			reqID = fmt.Sprintf("%08x-%04x-4%03x-a%03x-%012x", rng.Uint32(), rng.IntN(1<<16), rng.IntN(1<<12), rng.IntN(1<<12), rng.Uint64()&(1<<48-1))
			buf = append(buf, "START RequestId: "+reqID+" Version: $LATEST\n"...)
		case 18:
			buf = append(buf, "END RequestId: "+reqID+"\n"...)
		case 19:
			buf = fmt.Appendf(buf, "REPORT RequestId: %s\tDuration: %d.%02d ms\tBilled Duration: %d ms\tMemory Size: 256 MB\tMax Memory Used: %d MB\t\n",
				reqID, 20+rng.IntN(2000), rng.IntN(100), 21+rng.IntN(2000), 60+rng.IntN(100))
		default:
			lvl := levels[rng.IntN(len(levels))]
			lat := rng.IntN(300)
			if rng.IntN(10) == 0 {
				lat = 300 + rng.IntN(3000)
			}
			t := time.UnixMilli(ts).UTC()
			buf = append(buf, `{"level":"`...)
			buf = append(buf, lvl...)
			buf = append(buf, `","location":"handler:`...)
			buf = strconv.AppendInt(buf, int64(10+rng.IntN(200)), 10)
			buf = append(buf, `","message":"`...)
			buf = append(buf, msgs[rng.IntN(len(msgs))]...)
			buf = append(buf, `","timestamp":"`...)
			buf = t.AppendFormat(buf, "2006-01-02 15:04:05,000+0000")
			buf = append(buf, `","service":"`...)
			buf = append(buf, services[rng.IntN(len(services))]...)
			buf = append(buf, `","cold_start":`...)
			buf = strconv.AppendBool(buf, i%20 == 1 && rng.IntN(10) == 0)
			buf = append(buf, `,"function_name":"checkout","function_memory_size":256,"function_arn":"arn:aws:lambda:eu-west-1:123456789012:function:checkout","function_request_id":"`...)
			buf = append(buf, reqID...)
			buf = append(buf, `","latency_ms":`...)
			buf = strconv.AppendInt(buf, int64(lat), 10)
			buf = append(buf, `,"xray_trace_id":"1-65a4f2b0-`...)
			buf = strconv.AppendUint(buf, rng.Uint64(), 16)
			buf = append(buf, `"}`...)
		}
		evs = append(evs, Event{Timestamp: ts, IngestionTime: ts + 200, Account: "123456789012", Region: "eu-west-1",
			LogGroup: "/aws/lambda/checkout", LogStream: "2024/01/15/[$LATEST]" + strconv.Itoa(i/50_000), ID: uint64(i)})
	}
	offs = append(offs, len(buf))
	for i := range evs {
		evs[i].Message = buf[offs[i]:offs[i+1]:offs[i+1]]
	}
	return evs
}

func benchData() []Event {
	benchOnce.Do(func() { benchEvs = powertoolsEvents(benchEvents) })
	return benchEvs
}

// benchFlatData returns benchData's events marked Flat where FlatJSON says
// so, as the server's store marks them.
func benchFlatData() []Event {
	benchFlatOnce.Do(func() {
		benchFlatEvs = slices.Clone(benchData())
		for i := range benchFlatEvs {
			benchFlatEvs[i].Flat = FlatJSON(benchFlatEvs[i].Message)
		}
	})
	return benchFlatEvs
}

var (
	benchFlatOnce sync.Once
	benchFlatEvs  []Event
)

// BenchmarkQueries runs each query of issue 12's performance section over
// 1,000,000 Powertools-shaped events in process, and reports events/s:
// flat, with the events marked Event.Flat as the server's store marks them,
// and unmarked, as an Evaluator fed by another program reads them.
func BenchmarkQueries(b *testing.B) {
	for _, bq := range benchQueries {
		for _, mode := range []string{"flat", "unmarked"} {
			b.Run(bq.name+"/"+mode, func(b *testing.B) {
				evs := benchData()
				if mode == "flat" {
					evs = benchFlatData()
				}
				q, err := Parse(bq.query)
				if err != nil {
					b.Fatal(err)
				}
				b.ReportAllocs()
				b.ResetTimer()
				start, cpu := time.Now(), cpuTime()
				for range b.N {
					e, err := q.NewEvaluator(Options{})
					if err != nil {
						b.Fatal(err)
					}
					for i := range evs {
						e.Feed(&evs[i])
					}
					if len(e.Results().Rows) == 0 {
						b.Fatal("no rows")
					}
				}
				n := float64(b.N * len(evs))
				b.ReportMetric(n/time.Since(start).Seconds(), "events/s")
				if used := cpuTime() - cpu; used > 0 {
					// On a busy machine the wall clock overstates the
					// cost; this is what one core does.
					b.ReportMetric(n/used.Seconds(), "events/cpu-s")
				}
			})
		}
	}
}

// BenchmarkStatsMemory aggregates 10,000,000 events into 100,000 groups
// (issue 12's memory bound: under 500 MB) and reports the peak heap.
func BenchmarkStatsMemory(b *testing.B) {
	const events, groups = 10_000_000, 100_000
	q, err := Parse(`stats count(*), avg(latency_ms), pct(latency_ms, 95) by key`)
	if err != nil {
		b.Fatal(err)
	}
	var msg []byte
	var peak uint64
	var ms runtime.MemStats
	for range b.N {
		runtime.GC()
		e, _ := q.NewEvaluator(Options{})
		ev := &Event{LogGroup: "/aws/lambda/x", LogStream: "s"}
		for i := range events {
			msg = append(msg[:0], `{"key":"k`...)
			msg = strconv.AppendInt(msg, int64(i%groups), 10)
			msg = append(msg, `","latency_ms":`...)
			msg = strconv.AppendInt(msg, int64(i%1000), 10)
			msg = append(msg, '}')
			ev.Timestamp, ev.Message = base+int64(i), msg
			e.Feed(ev)
			if i%1_000_000 == 0 {
				runtime.ReadMemStats(&ms)
				peak = max(peak, ms.HeapAlloc)
			}
		}
		if n := len(e.Results().Rows); n != min(groups, DefaultLimit) {
			b.Fatalf("%d rows", n)
		}
		runtime.ReadMemStats(&ms)
		peak = max(peak, ms.HeapAlloc)
	}
	b.ReportMetric(float64(peak)/1e6, "peak-heap-MB")
}
