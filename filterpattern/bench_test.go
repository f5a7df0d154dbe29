package filterpattern

import (
	"fmt"
	"runtime"
	"testing"
)

// benchPatterns are the patterns measured, one or more per kind.
var benchPatterns = []struct{ name, pattern string }{
	{"term", `ERROR`},
	{"phrase", `"Task timed out"`},
	{"or", `?ERROR ?WARN ?timed`},
	{"exclusion", `RequestId -START -END`},
	{"json", `{ $.level = "ERROR" || $.level = "WARN" }`},
	{"json-late-key", `{ $.sampling_rate > 0.5 || $.order.total > 499 }`},
	{"json-nested", `{ $.order.items[0].qty >= 3 && $.cold_start IS TRUE }`},
	{"space-delimited", `[ip, user, username, timestamp, request, status_code = 5*, bytes > 1000]`},
	{"regex", `%RequestId:\s[0-9a-f]{8}-%`},
}

// BenchmarkMatch measures match throughput per pattern kind over a
// realistic Lambda log corpus (all events) and, for JSON patterns, over its
// JSON events alone. MB/s counts event bytes; allocs/event is measured with
// runtime.MemStats.
func BenchmarkMatch(b *testing.B) {
	all := lambdaCorpus(2000)
	corpora := []struct {
		name   string
		events [][]byte
	}{{"mixed", toBytes(all)}, {"jsononly", toBytes(onlyJSON(all))}}
	for _, bp := range benchPatterns {
		p := MustParse(bp.pattern)
		for _, c := range corpora {
			if c.name == "jsononly" && p.Kind() != JSON {
				continue
			}
			b.Run(bp.name+"/"+c.name, func(b *testing.B) {
				size := 0
				for _, e := range c.events {
					size += len(e)
				}
				b.SetBytes(int64(size))
				var ms0, ms1 runtime.MemStats
				runtime.ReadMemStats(&ms0)
				matched := 0
				for b.Loop() {
					matched = 0
					for _, e := range c.events {
						if p.MatchBytes(e) {
							matched++
						}
					}
				}
				runtime.ReadMemStats(&ms1)
				b.ReportMetric(float64(ms1.Mallocs-ms0.Mallocs)/float64(b.N)/float64(len(c.events)), "allocs/event")
				b.ReportMetric(float64(matched)/float64(len(c.events))*100, "%matched")
			})
		}
	}
}

// BenchmarkParse measures compiling each benchmark pattern.
func BenchmarkParse(b *testing.B) {
	for _, bp := range benchPatterns {
		b.Run(bp.name, func(b *testing.B) {
			for b.Loop() {
				if _, err := Parse(bp.pattern); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func toBytes(events []string) [][]byte {
	out := make([][]byte, len(events))
	for i, e := range events {
		out[i] = []byte(e)
	}
	return out
}

// BenchmarkAdversarial runs the worst cases of TestAdversarialInputs at two
// sizes: equal MB/s at both sizes shows matching is linear in the input.
func BenchmarkAdversarial(b *testing.B) {
	for _, size := range []int{1 << 14, 1 << 18} {
		for _, c := range adversarialCases(size) {
			p := MustParse(c.pattern)
			b.Run(fmt.Sprintf("%s/%dKiB", c.name, size>>10), func(b *testing.B) {
				b.SetBytes(int64(len(c.event)))
				for b.Loop() {
					p.Match(c.event)
				}
			})
		}
	}
}
