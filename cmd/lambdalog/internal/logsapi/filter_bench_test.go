package logsapi_test

import (
	"bytes"
	"context"
	"fmt"
	"strconv"
	"testing"
	"time"

	"github.com/lambdalog/lambdalog/cmd/lambdalog/internal/awsapi"
	"github.com/lambdalog/lambdalog/cmd/lambdalog/internal/logsapi"
	"github.com/lambdalog/lambdalog/cmd/lambdalog/internal/store"
	"github.com/lambdalog/lambdalog/internal/filtercases"
)

// BenchmarkFilterLogEventsPatterns runs FilterLogEvents end to end (HTTP
// handler, store scan of all streams in parallel, matching, encoding,
// following nextToken) over a realistic Lambda log corpus of ~400,000
// events in 10 streams, one sub-benchmark per pattern kind. MB/s counts
// the message bytes scanned; B/op and allocs/op include the response.
func BenchmarkFilterLogEventsPatterns(b *testing.B) {
	ctx := context.Background()
	dir := b.TempDir()
	st, err := store.Open(dir, store.Options{SweepInterval: -1})
	if err != nil {
		b.Fatal(err)
	}
	if _, err := st.CreateGroup(ctx, "us-east-1", store.Group{Name: "corpus"}); err != nil {
		b.Fatal(err)
	}
	const streams = 10
	corpus := filtercases.LambdaCorpus(50_000)
	var size int64
	now := time.Now().UnixMilli()
	for s := range streams {
		name := fmt.Sprintf("2026/01/01/[$LATEST]%032d", s)
		if err := st.CreateStream(ctx, "us-east-1", "corpus", name); err != nil {
			b.Fatal(err)
		}
		var batch []store.Event
		for i := s; i < len(corpus); i += streams {
			batch = append(batch, store.Event{Timestamp: now - int64(len(corpus)-i), Message: []byte(corpus[i])})
			size += int64(len(corpus[i]))
			if len(batch) == 10_000 || i+streams >= len(corpus) {
				if _, err := st.PutEvents(ctx, "us-east-1", "corpus", name, batch); err != nil {
					b.Fatal(err)
				}
				batch = batch[:0]
			}
		}
	}
	// Reopen so that the loaded data is flushed and background compaction
	// of the load does not compete with the measured scans.
	if err := st.Close(); err != nil {
		b.Fatal(err)
	}
	if st, err = store.Open(dir, store.Options{SweepInterval: -1}); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { st.Close() })
	h := awsapi.NewRouter(awsapi.Options{}, logsapi.New(st, logsapi.Options{}))
	for _, bc := range []struct{ name, pattern string }{
		{"json", `{ $.level = "ERROR" && $.function_memory_size >= 1024 }`},
		{"json-nomatch", `{ $.level = "FATAL" || $.order.total > 100000 }`},
		{"term", `"Task timed out"`},
		{"space-delimited", `[ip, id, user, timestamp, request = *orders*, status_code = 5*, bytes]`},
		{"regex", `%Duration:\s8\d\d\.%`},
	} {
		b.Run(bc.name, func(b *testing.B) {
			body := []byte(`{"logGroupName":"corpus","filterPattern":` + strconv.Quote(bc.pattern))
			matched := 0
			b.SetBytes(size)
			b.ReportAllocs()
			start := time.Now()
			for b.Loop() {
				matched = 0
				tok := ""
				for {
					req := body
					if tok != "" {
						req = append(bytes.Clone(body), `,"nextToken":"`+tok+`"`...)
					}
					raw := serve(b, h, "FilterLogEvents", append(req, '}')).Body.Bytes()
					matched += bytes.Count(raw, []byte(`"ingestionTime"`))
					i := bytes.Index(raw, []byte(`"nextToken":"`))
					if i < 0 {
						break
					}
					i += len(`"nextToken":"`)
					tok = string(raw[i : i+bytes.IndexByte(raw[i:], '"')])
				}
			}
			if matched == 0 && bc.name != "json-nomatch" {
				b.Fatalf("%q matched nothing", bc.pattern)
			}
			b.ReportMetric(float64(b.N*len(corpus))/time.Since(start).Seconds(), "scanned-events/s")
			b.ReportMetric(float64(matched), "matched-events")
		})
	}
}
