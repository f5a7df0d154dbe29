package logsapi_test

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cwl "github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"

	"github.com/lambdalog/lambdalog/cmd/lambdalog/internal/logsapi"
	"github.com/lambdalog/lambdalog/cmd/lambdalog/internal/store"
)

// boundEvent is an event as FilterLogEvents returns it.
type boundEvent struct {
	Stream    string `json:"logStreamName"`
	Timestamp int64  `json:"timestamp"`
	Message   string `json:"message"`
}

// loadBoundGroup fills group "big" with streams×rounds×perRound events whose
// timestamps collide within and across streams, written round by round so
// that the streams' events interleave. One event in missEvery does not
// contain "hit". It returns the events containing "hit" in the order
// FilterLogEvents must return them (by timestamp, then by write order) and
// the first and last timestamps of all the events.
func loadBoundGroup(t *testing.T, e *env, streams, rounds, perRound, missEvery int) (want []boundEvent, first, last int64) {
	t.Helper()
	ctx := context.Background()
	if _, err := e.store.CreateGroup(ctx, "us-east-1", store.Group{Name: "big"}); err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(1, 2))
	base := e.clock.Now().UnixMilli() - 3_600_000
	type written struct {
		boundEvent
		order int
	}
	var hits []written
	order := 0
	first, last = math.MaxInt64, math.MinInt64
	for r := range rounds {
		for s := range streams {
			name := fmt.Sprintf("stream-%d", s)
			if r == 0 {
				if err := e.store.CreateStream(ctx, "us-east-1", "big", name); err != nil {
					t.Fatal(err)
				}
			}
			batch := make([]store.Event, perRound)
			for i := range batch {
				word := "hit"
				if rng.IntN(missEvery) == 0 {
					word = "miss"
				}
				ts := base + int64(r)*20 + rng.Int64N(40) // overlaps the next round
				batch[i] = store.Event{Timestamp: ts, Message: []byte(fmt.Sprintf("%s r%d s%d i%d", word, r, s, i))}
			}
			// The store orders a batch by timestamp, keeping write order
			// among equal timestamps, and numbers it in that order.
			slices.SortStableFunc(batch, func(a, b store.Event) int { return cmp.Compare(a.Timestamp, b.Timestamp) })
			if _, err := e.store.PutEvents(ctx, "us-east-1", "big", name, batch); err != nil {
				t.Fatal(err)
			}
			for _, ev := range batch {
				first, last = min(first, ev.Timestamp), max(last, ev.Timestamp)
				if strings.HasPrefix(string(ev.Message), "hit") {
					hits = append(hits, written{boundEvent{name, ev.Timestamp, string(ev.Message)}, order})
				}
				order++
			}
		}
	}
	slices.SortFunc(hits, func(a, b written) int {
		return cmp.Or(cmp.Compare(a.Timestamp, b.Timestamp), cmp.Compare(a.order, b.order))
	})
	want = make([]boundEvent, len(hits))
	for i, h := range hits {
		want[i] = h.boundEvent
	}
	return want, first, last
}

// filterAll pages through FilterLogEvents for "hit" in group big with the
// SDK's paginator and returns the events, the number of pages and the
// number of empty pages that carried a nextToken.
func filterAll(t *testing.T, e *env, in *cwl.FilterLogEventsInput) (got []boundEvent, pages, empty int) {
	t.Helper()
	in.LogGroupName, in.FilterPattern = aws.String("big"), aws.String("hit")
	p := cwl.NewFilterLogEventsPaginator(e.client, in)
	lastID := ""
	for p.HasMorePages() {
		out, err := p.NextPage(context.Background())
		if err != nil {
			t.Fatalf("page %d: %v", pages+1, err)
		}
		pages++
		if len(out.Events) == 0 && out.NextToken != nil {
			empty++
		}
		for _, ev := range out.Events {
			if *ev.EventId <= lastID {
				t.Fatalf("page %d: eventId %s after %s", pages, *ev.EventId, lastID)
			}
			lastID = *ev.EventId
			got = append(got, boundEvent{*ev.LogStreamName, *ev.Timestamp, *ev.Message})
		}
	}
	return got, pages, empty
}

// sameEvents fails unless got is want, event for event.
func sameEvents(t *testing.T, got, want []boundEvent) {
	t.Helper()
	if len(got) != len(want) {
		t.Errorf("got %d events, want %d", len(got), len(want))
	}
	for i := range min(len(got), len(want)) {
		if got[i] != want[i] {
			t.Fatalf("event %d = %+v, want %+v", i, got[i], want[i])
		}
	}
}

// TestFilterLogEventsScanBoundPages gives every call no scan time and
// windows of the smallest width, so that each call scans exactly the next
// millisecond of the group: over streams scanned in parallel, the
// paginator must still return every matching event exactly once, in order,
// one page per millisecond, empty where a millisecond has no match.
func TestFilterLogEventsScanBoundPages(t *testing.T) {
	logsapi.SetFilterScanBound(t, 0, 1)
	e := newEnv(t, envConfig{})
	want, first, last := loadBoundGroup(t, e, 4, 5, 50, 3)
	got, pages, empty := filterAll(t, e, &cwl.FilterLogEventsInput{})
	sameEvents(t, got, want)
	hits := map[int64]bool{}
	for _, ev := range want {
		hits[ev.Timestamp] = true
	}
	wantEmpty := 0 // the last millisecond's page has no token
	for ts := first; ts < last; ts++ {
		if !hits[ts] {
			wantEmpty++
		}
	}
	if pages != int(last-first+1) || empty != wantEmpty || empty == 0 {
		t.Errorf("%d pages (%d empty with a token), want %d (%d, not 0)", pages, empty, last-first+1, wantEmpty)
	}

	// The bound and the page limit together, with a stream selection.
	got, _, _ = filterAll(t, e, &cwl.FilterLogEventsInput{Limit: aws.Int32(2), LogStreamNamePrefix: aws.String("stream-")})
	sameEvents(t, got, want)
}

// TestFilterLogEventsScanTimePages gives each call a short time, so that
// calls end after a number of windows, of widths adapted to their times,
// that depends on the machine's speed: paging must still return every
// matching event exactly once, in order. (The test checks only the events.)
func TestFilterLogEventsScanTimePages(t *testing.T) {
	logsapi.SetFilterScanBound(t, 2*time.Millisecond, 64<<10)
	e := newEnv(t, envConfig{})
	want, _, _ := loadBoundGroup(t, e, 8, 25, 500, 1) // only "miss" events...
	if len(want) != 0 {
		t.Fatalf("%d hits with missEvery 1", len(want))
	}
	ctx := context.Background()
	// ...and a few hits spread over the group.
	for i := range 40 {
		ts := e.clock.Now().UnixMilli() - 3_600_000 + int64(i)*25
		name := fmt.Sprintf("stream-%d", i%8)
		msg := fmt.Sprintf("hit %d", i)
		if _, err := e.store.PutEvents(ctx, "us-east-1", "big", name, []store.Event{{Timestamp: ts, Message: []byte(msg)}}); err != nil {
			t.Fatal(err)
		}
		want = append(want, boundEvent{name, ts, msg})
	}
	got, pages, _ := filterAll(t, e, &cwl.FilterLogEventsInput{})
	sameEvents(t, got, want)
	t.Logf("%d events in %d pages", len(got), pages)
}

// TestFilterLogEventsScanBoundAWSCLI runs aws logs filter-log-events (CLI
// v1, which follows nextToken itself) against calls that each scan one
// narrow window: it must print every matching event once, in order.
func TestFilterLogEventsScanBoundAWSCLI(t *testing.T) {
	if err := exec.Command("aws", "--version").Run(); err != nil {
		msg := fmt.Sprintf("aws --version: %v (install the aws CLI to run this test)", err)
		if os.Getenv("CI") == "true" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	logsapi.SetFilterScanBound(t, 0, 256)
	e := newEnv(t, envConfig{})
	want, _, _ := loadBoundGroup(t, e, 3, 4, 25, 6)
	dir := t.TempDir()
	cmd := exec.Command("aws", "--endpoint-url", e.url, "--region", "us-east-1", "--output", "json",
		"logs", "filter-log-events", "--log-group-name", "big", "--filter-pattern", "hit")
	cmd.Env = []string{
		"PATH=" + os.Getenv("PATH"), "HOME=" + dir,
		"AWS_ACCESS_KEY_ID=test", "AWS_SECRET_ACCESS_KEY=test",
		"AWS_CONFIG_FILE=" + filepath.Join(dir, "config"), "AWS_SHARED_CREDENTIALS_FILE=" + filepath.Join(dir, "credentials"),
		"AWS_EC2_METADATA_DISABLED=true", "AWS_PAGER=",
	}
	out, err := cmd.Output()
	if err != nil {
		var stderr []byte
		if ee, ok := err.(*exec.ExitError); ok {
			stderr = ee.Stderr
		}
		t.Fatalf("aws logs filter-log-events: %v\n%s", err, stderr)
	}
	var got struct{ Events []boundEvent }
	if err := json.Unmarshal(out, &got); err != nil {
		t.Fatalf("output is not JSON: %v\n%s", err, out)
	}
	sameEvents(t, got.Events, want)
}
