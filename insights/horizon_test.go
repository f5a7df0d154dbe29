package insights

import (
	"fmt"
	"math"
	"slices"
	"sync"
	"testing"
)

func TestKeepsNewest(t *testing.T) {
	for _, c := range []struct {
		query       string
		want, first bool // KeepsNewest, NewestFirst
	}{
		{"fields @timestamp, @message | sort @timestamp desc | limit 20", true, true},
		{"fields @message", true, true},
		{"sort @timestamp desc", true, true},
		{"sort @timestamp desc, level asc | limit 3", true, true},
		{"fields @message, strlen(@message) as n | parse @message 'a*' as x | limit 5 | stats count(*)", true, true},
		{"display @message | limit 4 | sort @message asc", true, true},
		{"filter @message like 'x'", false, true},
		{"fields @message | filter level = 'ERROR' | limit 5", false, true},
		{"filter level = 'ERROR' | sort @timestamp desc | limit 5", false, true},
		{"fields jsonParse(@message) as j | unnest j.items into item", false, true},
		{"sort @timestamp asc | limit 5", false, false},
		{"sort @timestamp | limit 5", false, false},
		{"sort latency desc | limit 5", false, false},
		{"sort level desc, @timestamp desc | limit 5", false, false},
		{"fields now() as @timestamp | sort @timestamp desc | limit 5", false, false},
		{"stats count(*)", false, false},
		{"fields @message | tail 5", false, false},
		{"fields @message | dedup @logStream", false, false},
	} {
		q := mustParse(t, c.query)
		if got := q.KeepsNewest(); got != c.want {
			t.Errorf("%q: KeepsNewest %v, want %v", c.query, got, c.want)
		}
		if got := q.NewestFirst(); got != c.first {
			t.Errorf("%q: NewestFirst %v, want %v", c.query, got, c.first)
		}
	}
}

// TestHorizon runs a query that KeepsNewest as a parallel caller would:
// evaluators sharing a Horizon each read some streams newest first, stop a
// stream once its next event is older than the cutoff and count the rest
// with AddUnread. The merged result and statistics must be those of one
// evaluator fed every event.
func TestHorizon(t *testing.T) {
	const streams, perStream = 5, 200
	var all []*Event
	byStream := make([][]*Event, streams)
	for s := range streams {
		for i := range perStream {
			// Interleaved in time, with ties across streams.
			ts := base + int64((i*streams+s*3%streams)/2)*7
			ev := &Event{Timestamp: ts, Message: fmt.Appendf(nil, `{"s":%d,"i":%d}`, s, i), LogGroup: "g",
				LogStream: fmt.Sprintf("s%d", s), ID: uint64(s*perStream + i)}
			byStream[s] = append(byStream[s], ev)
			all = append(all, ev)
		}
	}
	for _, query := range []string{
		"fields @timestamp, @message | sort @timestamp desc | limit 25",
		"fields @message | limit 3",
		"fields s, i | limit 40 | stats count(*) as n, max(i) as top by s",
	} {
		q := mustParse(t, query)
		ref, _ := q.NewEvaluator(Options{})
		for _, ev := range all {
			ref.Feed(ev)
		}
		h := NewHorizon()
		master, _ := q.NewEvaluator(Options{Horizon: h})
		var wg sync.WaitGroup
		evs := make([]*Evaluator, 2)
		read := make([]int, 2)
		for w := range evs {
			evs[w], _ = q.NewEvaluator(Options{Horizon: h})
			wg.Go(func() {
				for s := w; s < streams; s += len(evs) {
					stream := byStream[s]
					for i := len(stream) - 1; i >= 0; i-- {
						if stream[i].Timestamp < h.Cutoff() {
							var bytes int64
							for _, ev := range stream[:i+1] {
								bytes += int64(len(ev.Message))
							}
							evs[w].AddUnread(int64(i+1), bytes)
							break
						}
						evs[w].Feed(stream[i])
						read[w]++
					}
				}
			})
		}
		wg.Wait()
		for _, e := range evs {
			if err := master.Merge(e); err != nil {
				t.Fatal(err)
			}
		}
		if got, want := formatRows(master.Results()), formatRows(ref.Results()); !slices.Equal(got, want) {
			t.Errorf("%q: with the horizon %v, reading everything %v", query, got, want)
		}
		if got, want := master.Statistics(), ref.Statistics(); got != want {
			t.Errorf("%q: statistics with the horizon %+v, reading everything %+v", query, got, want)
		}
		if n := read[0] + read[1]; n >= len(all) || h.Cutoff() == math.MinInt64 {
			t.Errorf("%q: %d of %d events read, cutoff %d", query, n, len(all), h.Cutoff())
		}
	}
}
