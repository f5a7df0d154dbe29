package console_test

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/lambdalog/lambdalog/cmd/lambdalog/internal/server"
	"github.com/lambdalog/lambdalog/cmd/lambdalog/internal/store"
)

// Size of the benchmarks' log group: a million events in 100 streams
// whose times overlap, as concurrent Lambda environments write them.
const (
	benchGroup   = "/aws/lambda/big"
	benchStreams = 100
	benchEvents  = 1_000_000
)

var (
	benchOnce sync.Once
	benchSrv  *server.Server
	benchErr  error
)

// benchServer opens a server on disk holding the benchmarks' group, once
// per test process.
func benchServer(b *testing.B) *server.Server {
	b.Helper()
	benchOnce.Do(func() {
		benchSrv, benchErr = server.Open(server.Config{DataDir: filepath.Join(binDir, "bench-data"), Logger: slog.New(slog.DiscardHandler)})
		if benchErr != nil {
			return
		}
		benchErr = fillBenchGroup(benchSrv.Logs)
	})
	if benchErr != nil {
		b.Fatal(benchErr)
	}
	return benchSrv
}

func fillBenchGroup(st *store.Store) error {
	ctx := context.Background()
	if _, err := st.CreateGroup(ctx, "us-east-1", store.Group{Name: benchGroup}); err != nil {
		return err
	}
	base := time.Now().Add(-24 * time.Hour).UnixMilli()
	perStream := benchEvents / benchStreams
	for s := range benchStreams {
		name := fmt.Sprintf("2026/05/14/[$LATEST]%032x", s)
		if err := st.CreateStream(ctx, "us-east-1", benchGroup, name); err != nil {
			return err
		}
		batch := make([]store.Event, 0, 10_000)
		for i := range perStream {
			level := "INFO"
			if i%100 == 0 {
				level = "ERROR"
			}
			batch = append(batch, store.Event{Timestamp: base + int64(i)*80 + int64(s),
				Message: fmt.Appendf(nil, `{"level":"%s","message":"order placed","service":"orders","function_request_id":"%08x-0000-4000-8000-%012x","order_id":%d,"latency_ms":%d}`,
					level, s, i, i, i%250)})
			if len(batch) == cap(batch) {
				if _, err := st.PutEvents(ctx, "us-east-1", benchGroup, name, batch); err != nil {
					return err
				}
				batch = batch[:0]
			}
		}
		if len(batch) > 0 {
			if _, err := st.PutEvents(ctx, "us-east-1", benchGroup, name, batch); err != nil {
				return err
			}
		}
	}
	return nil
}

// benchGet runs one console request through the server's handler.
func benchGet(b *testing.B, h http.Handler, path string) []byte {
	r := httptest.NewRequest("GET", "http://127.0.0.1:4588/console/api/"+path, nil)
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	if w.Code != 200 {
		b.Fatalf("GET %s: %d %s", path, w.Code, w.Body)
	}
	return w.Body.Bytes()
}

// BenchmarkGroupPages measures the endpoints behind opening a log group of
// 1,000,000 events in 100 streams: the group page (streams), its events
// page (the newest 100 events of all streams), a page deep in the past,
// a filter pattern matching 1% of the events, and a stream's newest page.
func BenchmarkGroupPages(b *testing.B) {
	srv := benchServer(b)
	h := srv.Handler()
	group := url.QueryEscape(benchGroup)
	var mid struct{ Older string }
	// A cursor half way back: 5,000 pages of 100 events.
	if err := json.Unmarshal(benchGet(b, h, "events?limit=1000&group="+group), &mid); err != nil {
		b.Fatal(err)
	}
	deep := mid.Older
	for range 499 {
		if err := json.Unmarshal(benchGet(b, h, "events?limit=1000&group="+group+"&before="+deep), &mid); err != nil {
			b.Fatal(err)
		}
		deep = mid.Older
	}
	stream := url.QueryEscape(fmt.Sprintf("2026/05/14/[$LATEST]%032x", 42))
	for _, c := range []struct{ name, path string }{
		{"groups", "groups"},
		{"streams", "streams?group=" + group},
		{"events/newest", "events?group=" + group},
		{"events/half-way", "events?group=" + group + "&before=" + deep},
		{"events/pattern-1pct", "events?group=" + group + "&pattern=" + url.QueryEscape(`{ $.level = "ERROR" }`)},
		{"events/one-stream", "events?group=" + group + "&stream=" + stream},
	} {
		b.Run(c.name, func(b *testing.B) {
			for b.Loop() {
				benchGet(b, h, c.path)
			}
		})
	}
}
