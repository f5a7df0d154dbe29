package logsapi_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"runtime"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/lambdalog/lambdalog/cmd/lambdalog/internal/awsapi"
	"github.com/lambdalog/lambdalog/cmd/lambdalog/internal/logsapi"
	"github.com/lambdalog/lambdalog/cmd/lambdalog/internal/store"
)

// benchMessage is a 78-byte JSON log line: the largest size for which
// 10,000 events fit AWS's 1,048,576-byte batch limit (message + 26 bytes each).
func benchMessage(i int) string {
	return fmt.Sprintf(`{"level":"INFO","msg":"request handled","path":"/api/items/%06d","ms":12.50}`, i)
}

func putBody(group, stream string, now int64, n int) []byte {
	var b bytes.Buffer
	fmt.Fprintf(&b, `{"logGroupName":%q,"logStreamName":%q,"logEvents":[`, group, stream)
	for i := range n {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, `{"timestamp":%d,"message":%s}`, now, strconv.Quote(benchMessage(i)))
	}
	b.WriteString("]}")
	return b.Bytes()
}

func serve(b *testing.B, h http.Handler, target string, body []byte) *httptest.ResponseRecorder {
	req := httptest.NewRequest(http.MethodPost, "/", bytes.NewReader(body))
	req.Header.Set("X-Amz-Target", "Logs_20140328."+target)
	w := httptest.NewRecorder()
	h.ServeHTTP(w, req)
	if w.Code != 200 {
		b.Fatalf("%s: %d %s", target, w.Code, w.Body.Bytes())
	}
	return w
}

func openBenchStore(b *testing.B) *store.Store {
	st, err := store.Open(b.TempDir(), store.Options{SweepInterval: -1})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { st.Close() })
	return st
}

// BenchmarkPutLogEvents measures durable ingest through the handler:
// 10,000 ~100-byte events per call, 20 streams written concurrently.
func BenchmarkPutLogEvents(b *testing.B) {
	ctx := context.Background()
	st := openBenchStore(b)
	h := awsapi.NewRouter(awsapi.Options{}, logsapi.New(st, logsapi.Options{}))
	const streams, perCall = 20, 10_000
	if _, err := st.CreateGroup(ctx, "us-east-1", store.Group{Name: "bench"}); err != nil {
		b.Fatal(err)
	}
	now := time.Now().UnixMilli()
	bodies := make([][]byte, streams)
	for i := range bodies {
		name := fmt.Sprintf("s%02d", i)
		if err := st.CreateStream(ctx, "us-east-1", "bench", name); err != nil {
			b.Fatal(err)
		}
		bodies[i] = putBody("bench", name, now, perCall)
	}
	var next atomic.Int64
	b.SetParallelism((streams + runtime.GOMAXPROCS(0) - 1) / runtime.GOMAXPROCS(0))
	b.SetBytes(int64(len(bodies[0])))
	b.ResetTimer()
	start := time.Now()
	b.RunParallel(func(pb *testing.PB) {
		body := bodies[int(next.Add(1)-1)%streams]
		for pb.Next() {
			serve(b, h, "PutLogEvents", body)
		}
	})
	b.ReportMetric(float64(b.N*perCall)/time.Since(start).Seconds(), "events/s")
}

// loadStreams writes n events spread over streams directly through the store.
func loadStreams(b *testing.B, st *store.Store, streams, n int) {
	ctx := context.Background()
	if _, err := st.CreateGroup(ctx, "us-east-1", store.Group{Name: "bench"}); err != nil {
		b.Fatal(err)
	}
	now := time.Now().UnixMilli()
	per := n / streams
	for s := range streams {
		name := fmt.Sprintf("s%02d", s)
		if err := st.CreateStream(ctx, "us-east-1", "bench", name); err != nil {
			b.Fatal(err)
		}
		for off := 0; off < per; off += 10_000 {
			batch := make([]store.Event, min(10_000, per-off))
			for i := range batch {
				batch[i] = store.Event{Timestamp: now - int64(per-off-i), Message: []byte(benchMessage(off + i))}
			}
			if _, err := st.PutEvents(ctx, "us-east-1", "bench", name, batch); err != nil {
				b.Fatal(err)
			}
		}
	}
}

// BenchmarkGetLogEvents reads a whole 100,000-event stream page by page.
func BenchmarkGetLogEvents(b *testing.B) {
	st := openBenchStore(b)
	const n = 100_000
	loadStreams(b, st, 1, n)
	h := awsapi.NewRouter(awsapi.Options{}, logsapi.New(st, logsapi.Options{}))
	b.ResetTimer()
	start := time.Now()
	for range b.N {
		tok, read := "", 0
		for {
			body := `{"logGroupName":"bench","logStreamName":"s00","startFromHead":true`
			if tok != "" {
				body += `,"nextToken":"` + tok + `"`
			}
			raw := serve(b, h, "GetLogEvents", []byte(body+"}")).Body.Bytes()
			// Count events and find the token without a full decode, as the
			// client's cost is not what this benchmark measures.
			read += bytes.Count(raw, []byte(`"ingestionTime"`))
			i := bytes.LastIndex(raw, []byte(`"nextForwardToken":"`)) + len(`"nextForwardToken":"`)
			next := string(raw[i : i+bytes.IndexByte(raw[i:], '"')])
			if next == tok {
				break
			}
			tok = next
		}
		if read != n {
			b.Fatalf("read %d events, want %d", read, n)
		}
	}
	b.ReportMetric(float64(b.N*n)/time.Since(start).Seconds(), "events/s")
}

// BenchmarkFilterLogEvents scans 1,000,000 events in 20 streams for a
// plain term that matches 1 event in 10,000.
func BenchmarkFilterLogEvents(b *testing.B) {
	st := openBenchStore(b)
	const n = 1_000_000
	loadStreams(b, st, 20, n)
	runtime.GC()
	rss := rssBytes()
	h := awsapi.NewRouter(awsapi.Options{}, logsapi.New(st, logsapi.Options{}))
	b.ResetTimer()
	start := time.Now()
	for range b.N {
		matched, tok := 0, ""
		for {
			body := `{"logGroupName":"bench","filterPattern":"\"items/0001\""`
			if tok != "" {
				body += `,"nextToken":"` + tok + `"`
			}
			w := serve(b, h, "FilterLogEvents", []byte(body+"}"))
			var out struct {
				Events    []json.RawMessage
				NextToken string
			}
			if err := json.Unmarshal(w.Body.Bytes(), &out); err != nil {
				b.Fatal(err)
			}
			matched += len(out.Events)
			if out.NextToken == "" {
				break
			}
			tok = out.NextToken
		}
		if matched != 20*100 {
			b.Fatalf("matched %d, want %d", matched, 20*100)
		}
	}
	b.ReportMetric(float64(b.N*n)/time.Since(start).Seconds(), "scanned-events/s")
	b.ReportMetric(float64(rss)/(1<<20), "RSS-MiB-after-load")
}

// rssBytes returns the process's resident set size (Linux), or 0.
func rssBytes() int64 {
	status, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for line := range strings.Lines(string(status)) {
		if kb, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			v, _ := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(kb), "kB")), 10, 64)
			return v << 10
		}
	}
	return 0
}
