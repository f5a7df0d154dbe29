package insights

import (
	"strconv"
	"testing"
)

// powertools returns a Powertools-shaped JSON log line.
func powertools(level string, latency int) []byte {
	return []byte(`{"level":"` + level + `","location":"handler:120","message":"order processed","timestamp":"2024-01-15 10:30:00,123+0000","service":"payment","cold_start":false,"function_name":"checkout","function_request_id":"0a1b2c3d-1234-4abc-a123-0123456789ab","latency_ms":` + strconv.Itoa(latency) + `,"xray_trace_id":"1-65a4f2b0-0123456789abcdef"}`)
}

// TestFeedAllocs checks that feeding events allocates nothing once the
// evaluator's buffers and groups exist, on the paths of the benchmark
// queries.
func TestFeedAllocs(t *testing.T) {
	if testing.Short() {
		t.Skip("AllocsPerRun")
	}
	for _, c := range []struct {
		name, query string
		warm        []*Event // fed first, to create groups and fill buffers
		events      []*Event // then each must be fed without allocating
		advance     bool     // each feed is a millisecond later than the one before
	}{
		{"filter-term: no match", `filter @message like "ERROR"`,
			nil, []*Event{{Timestamp: base, Message: powertools("INFO", 10)}}, false},
		{"filter-term: a match older than the kept rows", `filter @message like "ERROR" | limit 2`,
			[]*Event{{Timestamp: base + 10, Message: powertools("ERROR", 10)}, {Timestamp: base + 11, Message: powertools("ERROR", 10)}},
			[]*Event{{Timestamp: base, Message: powertools("ERROR", 10)}}, false},
		{"filter-term: a newer match replaces a kept row", `filter @message like "ERROR" | limit 2`,
			[]*Event{{Timestamp: base, Message: powertools("ERROR", 10)}, {Timestamp: base + 1, Message: powertools("ERROR", 10)}},
			[]*Event{{Timestamp: base + 100, Message: powertools("ERROR", 20)}}, true},
		{"filter-json", `filter level = "ERROR" and latency_ms > 500 | stats count(*)`,
			[]*Event{{Timestamp: base, Message: powertools("ERROR", 600)}},
			[]*Event{{Timestamp: base, Message: powertools("ERROR", 600)}, {Timestamp: base, Message: powertools("ERROR", 100)}, {Timestamp: base, Message: powertools("INFO", 900)}}, false},
		{"stats-bin without pct", `stats count(*), avg(latency_ms) by bin(5m)`,
			[]*Event{{Timestamp: base, Message: powertools("INFO", 10)}},
			[]*Event{{Timestamp: base + 1000, Message: powertools("INFO", 20)}}, false},
		{"parse-stats", `parse @message '"service":"*"' as svc | stats count(*) by svc`,
			[]*Event{{Timestamp: base, Message: powertools("INFO", 10)}},
			[]*Event{{Timestamp: base, Message: powertools("WARN", 10)}}, false},
		{"sort-limit: not in the top", `sort latency_ms desc | limit 2`,
			[]*Event{{Timestamp: base, Message: powertools("INFO", 500)}, {Timestamp: base, Message: powertools("INFO", 600)}},
			[]*Event{{Timestamp: base, Message: powertools("INFO", 100)}}, false},
		{"Lambda REPORT lines", `filter @type = "REPORT" | stats avg(@duration), max(@maxMemoryUsed) by bin(5m)`,
			[]*Event{{Timestamp: base, Message: []byte("REPORT RequestId: a\tDuration: 1.5 ms\tBilled Duration: 2 ms\tMemory Size: 128 MB\tMax Memory Used: 64 MB\t")}},
			[]*Event{{Timestamp: base, Message: []byte("REPORT RequestId: b\tDuration: 2.5 ms\tBilled Duration: 3 ms\tMemory Size: 128 MB\tMax Memory Used: 65 MB\t")}}, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			e, err := mustParse(t, c.query).NewEvaluator(Options{})
			if err != nil {
				t.Fatal(err)
			}
			for _, ev := range c.warm {
				e.Feed(ev)
			}
			for _, ev := range c.events {
				ev.LogGroup, ev.LogStream = "/aws/lambda/checkout", "s"
				if n := testing.AllocsPerRun(100, func() {
					if c.advance {
						ev.Timestamp++
					}
					e.Feed(ev)
				}); n != 0 {
					t.Errorf("Feed(%s) allocates %v times", ev.Message, n)
				}
			}
		})
	}
}
