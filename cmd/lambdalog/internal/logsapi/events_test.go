package logsapi_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cwl "github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs/types"
)

// putEvents stores one event per message, all at timestamp ts.
func putEvents(t *testing.T, c *cwl.Client, group, stream string, ts int64, msgs ...string) *cwl.PutLogEventsOutput {
	t.Helper()
	var evs []types.InputLogEvent
	for _, m := range msgs {
		evs = append(evs, types.InputLogEvent{Timestamp: aws.Int64(ts), Message: aws.String(m)})
	}
	out, err := c.PutLogEvents(context.Background(), &cwl.PutLogEventsInput{LogGroupName: aws.String(group), LogStreamName: aws.String(stream), LogEvents: evs})
	if err != nil {
		t.Fatalf("PutLogEvents: %v", err)
	}
	return out
}

func events(ts ...int64) []types.InputLogEvent {
	var evs []types.InputLogEvent
	for i, t := range ts {
		evs = append(evs, types.InputLogEvent{Timestamp: aws.Int64(t), Message: aws.String(fmt.Sprintf("m%d", i))})
	}
	return evs
}

func TestPutLogEventsRules(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t, envConfig{})
	mustCreateGroup(t, e.client, "g")
	mustCreateStream(t, e.client, "g", "s")
	now := e.clock.Now().UnixMilli()
	const day = 86_400_000
	put := func(evs []types.InputLogEvent) (*cwl.PutLogEventsOutput, error) {
		return e.client.PutLogEvents(ctx, &cwl.PutLogEventsInput{LogGroupName: aws.String("g"), LogStreamName: aws.String("s"), LogEvents: evs})
	}
	invalid := func(name string, evs []types.InputLogEvent, want string) {
		t.Helper()
		_, err := put(evs)
		ip, ok := errors.AsType[*types.InvalidParameterException](err)
		if !ok || !strings.Contains(ip.ErrorMessage(), want) {
			t.Errorf("%s: got %v, want InvalidParameterException containing %q", name, err, want)
		}
	}

	// Too old (15 days) and too new (3 h ahead) are rejected, the rest stored.
	out, err := put(events(now-15*day, now-15*day, now, now+1, now+3*3600_000))
	if err != nil {
		t.Fatal(err)
	}
	ri := out.RejectedLogEventsInfo
	if ri == nil || aws.ToInt32(ri.TooOldLogEventEndIndex) != 2 || aws.ToInt32(ri.TooNewLogEventStartIndex) != 4 || ri.ExpiredLogEventEndIndex != nil {
		t.Fatalf("rejectedLogEventsInfo = %+v", ri)
	}
	if out.NextSequenceToken == nil {
		t.Error("no nextSequenceToken")
	}
	got, _ := e.client.GetLogEvents(ctx, &cwl.GetLogEventsInput{LogGroupName: aws.String("g"), LogStreamName: aws.String("s"), StartFromHead: aws.Bool(true)})
	if len(got.Events) != 2 || *got.Events[0].Message != "m2" || *got.Events[1].Message != "m3" {
		t.Fatalf("stored events = %+v", got.Events)
	}

	// With a 1-day retention, 2-day-old events are expired.
	if _, err := e.client.PutRetentionPolicy(ctx, &cwl.PutRetentionPolicyInput{LogGroupName: aws.String("g"), RetentionInDays: aws.Int32(1)}); err != nil {
		t.Fatal(err)
	}
	out, err = put(events(now-2*day, now))
	if err != nil || aws.ToInt32(out.RejectedLogEventsInfo.ExpiredLogEventEndIndex) != 1 {
		t.Fatalf("expired: %+v, %v", out, err)
	}

	invalid("order", events(now, now-1), "Log events in a single PutLogEvents request must be in chronological order.")
	invalid("span", events(now-23*3600_000, now+3600_000+1), "cannot span more than 24 hours")
	invalid("empty message", []types.InputLogEvent{{Timestamp: aws.Int64(now), Message: aws.String("")}},
		"1 validation error detected: Value '' at 'logEvents.1.member.message' failed to satisfy constraint: Member must have length greater than or equal to 1")
	invalid("no events", []types.InputLogEvent{}, "at 'logEvents' failed to satisfy constraint: Member must have length greater than or equal to 1")
	invalid("too many", events(slices.Repeat([]int64{now}, 10_001)...), "Member must have length less than or equal to 10000")
	big := strings.Repeat("x", 1_048_576-26+1)
	invalid("event too large", []types.InputLogEvent{{Timestamp: aws.Int64(now), Message: aws.String(big)}}, "Log event too large: 1048577 bytes exceeds limit of 1048576")
	half := strings.Repeat("y", 600_000)
	invalid("batch too large", []types.InputLogEvent{{Timestamp: aws.Int64(now), Message: aws.String(half)}, {Timestamp: aws.Int64(now), Message: aws.String(half)}}, "Upload too large: 1200052 bytes exceeds limit of 1048576")

	// Exactly at the limit is accepted.
	exact := strings.Repeat("z", 1_048_576-26)
	if _, err := put([]types.InputLogEvent{{Timestamp: aws.Int64(now), Message: aws.String(exact)}}); err != nil {
		t.Errorf("event of exactly 1 MiB with overhead: %v", err)
	}

	_, err = e.client.PutLogEvents(ctx, &cwl.PutLogEventsInput{LogGroupName: aws.String("g"), LogStreamName: aws.String("nope"), LogEvents: events(now)})
	if nf, ok := errors.AsType[*types.ResourceNotFoundException](err); !ok || nf.ErrorMessage() != "The specified log stream does not exist." {
		t.Errorf("missing stream: %v", err)
	}
	// A stale sequence token is ignored, as AWS has done since 2023.
	if _, err := e.client.PutLogEvents(ctx, &cwl.PutLogEventsInput{LogGroupName: aws.String("g"), LogStreamName: aws.String("s"), LogEvents: events(now), SequenceToken: aws.String("123")}); err != nil {
		t.Errorf("sequence token: %v", err)
	}
}

func TestGetLogEventsTokens(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t, envConfig{})
	mustCreateGroup(t, e.client, "g")
	mustCreateStream(t, e.client, "g", "s")
	now := e.clock.Now().UnixMilli()
	var all []string
	for i := range 25 {
		m := fmt.Sprintf("event %02d \"quoted\" ünïcode\n", i)
		all = append(all, m)
		putEvents(t, e.client, "g", "s", now-25+int64(i), m)
	}
	in := &cwl.GetLogEventsInput{LogGroupName: aws.String("g"), LogStreamName: aws.String("s"), Limit: aws.Int32(10)}

	// Forward from the head with the SDK's paginator, which stops when the token repeats.
	head := *in
	head.StartFromHead = aws.Bool(true)
	var got []string
	pages := 0
	p := cwl.NewGetLogEventsPaginator(e.client, &head, func(o *cwl.GetLogEventsPaginatorOptions) { o.StopOnDuplicateToken = true })
	for p.HasMorePages() {
		out, err := p.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		pages++
		for _, ev := range out.Events {
			got = append(got, *ev.Message)
			if *ev.IngestionTime != now {
				t.Errorf("ingestionTime = %d, want %d", *ev.IngestionTime, now)
			}
		}
	}
	if !slices.Equal(got, all) || pages != 4 {
		t.Fatalf("forward read %d events in %d pages, want 25 in 4 (3 + the empty end page)", len(got), pages)
	}

	// Default (newest first): the last page, then backward to the head.
	out, err := e.client.GetLogEvents(ctx, in)
	if err != nil || len(out.Events) != 10 || *out.Events[0].Message != all[15] || *out.Events[9].Message != all[24] {
		t.Fatalf("newest page: %d events, err %v", len(out.Events), err)
	}
	var back [][]string
	tok := out.NextBackwardToken
	for range 5 {
		page, err := e.client.GetLogEvents(ctx, &cwl.GetLogEventsInput{LogGroupName: aws.String("g"), LogStreamName: aws.String("s"), Limit: aws.Int32(10), NextToken: tok})
		if err != nil {
			t.Fatal(err)
		}
		var msgs []string
		for _, ev := range page.Events {
			msgs = append(msgs, *ev.Message)
		}
		back = append(back, msgs)
		if *page.NextBackwardToken == *tok {
			if len(page.Events) != 0 {
				t.Fatal("repeated backward token with events")
			}
			break
		}
		tok = page.NextBackwardToken
	}
	if len(back) != 3 || !slices.Equal(back[0], all[5:15]) || !slices.Equal(back[1], all[:5]) || len(back[2]) != 0 {
		t.Fatalf("backward pages = %q", back)
	}

	// At the end, the forward token comes back unchanged; new events then appear.
	end, _ := e.client.GetLogEvents(ctx, &cwl.GetLogEventsInput{LogGroupName: aws.String("g"), LogStreamName: aws.String("s"), NextToken: out.NextForwardToken})
	if len(end.Events) != 0 || *end.NextForwardToken != *out.NextForwardToken {
		t.Fatalf("end page: %d events, token %s vs %s", len(end.Events), *end.NextForwardToken, *out.NextForwardToken)
	}
	putEvents(t, e.client, "g", "s", now, "late")
	more, _ := e.client.GetLogEvents(ctx, &cwl.GetLogEventsInput{LogGroupName: aws.String("g"), LogStreamName: aws.String("s"), NextToken: end.NextForwardToken})
	if len(more.Events) != 1 || *more.Events[0].Message != "late" {
		t.Fatalf("follow: %+v", more.Events)
	}

	// Time range: startTime inclusive, endTime exclusive.
	tr, _ := e.client.GetLogEvents(ctx, &cwl.GetLogEventsInput{LogGroupName: aws.String("g"), LogStreamName: aws.String("s"), StartTime: aws.Int64(now - 20), EndTime: aws.Int64(now - 15), StartFromHead: aws.Bool(true)})
	if len(tr.Events) != 5 || *tr.Events[0].Message != all[5] {
		t.Fatalf("time range: %d events", len(tr.Events))
	}

	_, err = e.client.GetLogEvents(ctx, &cwl.GetLogEventsInput{LogGroupName: aws.String("g"), LogStreamName: aws.String("s"), NextToken: aws.String("garbage")})
	if _, ok := errors.AsType[*types.InvalidParameterException](err); !ok {
		t.Errorf("bad token: %v", err)
	}
}

func TestGetLogEventsPageIsAtMostOneMiB(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t, envConfig{})
	mustCreateGroup(t, e.client, "g")
	mustCreateStream(t, e.client, "g", "s")
	now := e.clock.Now().UnixMilli()
	msg := strings.Repeat("a", 200_000)
	for range 3 {
		putEvents(t, e.client, "g", "s", now, msg, msg)
	}
	out, err := e.client.GetLogEvents(ctx, &cwl.GetLogEventsInput{LogGroupName: aws.String("g"), LogStreamName: aws.String("s"), StartFromHead: aws.Bool(true)})
	if err != nil || len(out.Events) != 5 {
		t.Fatalf("got %d events (want 5 = 1 MiB / (200000+26)), err %v", len(out.Events), err)
	}
}

func TestFilterLogEventsInterleaved(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t, envConfig{})
	mustCreateGroup(t, e.client, "g")
	now := e.clock.Now().UnixMilli()
	// Streams a, b, c hold timestamps i ≡ 0, 1, 2 (mod 3); odd i say ERROR.
	for si, s := range []string{"a", "b", "c"} {
		mustCreateStream(t, e.client, "g", s)
		var evs []types.InputLogEvent
		for i := si; i < 30; i += 3 {
			level := "INFO"
			if i%2 == 1 {
				level = "ERROR"
			}
			evs = append(evs, types.InputLogEvent{Timestamp: aws.Int64(now - 100 + int64(i)), Message: aws.String(fmt.Sprintf("%s request %d", level, i))})
		}
		if _, err := e.client.PutLogEvents(ctx, &cwl.PutLogEventsInput{LogGroupName: aws.String("g"), LogStreamName: aws.String(s), LogEvents: evs}); err != nil {
			t.Fatal(err)
		}
	}
	mustCreateStream(t, e.client, "g", "empty")

	filter := func(in *cwl.FilterLogEventsInput) (msgs []string, pages int) {
		t.Helper()
		ids := map[string]bool{}
		p := cwl.NewFilterLogEventsPaginator(e.client, in)
		for p.HasMorePages() {
			out, err := p.NextPage(ctx)
			if err != nil {
				t.Fatal(err)
			}
			pages++
			for _, ev := range out.Events {
				msgs = append(msgs, *ev.LogStreamName+":"+*ev.Message)
				if ids[*ev.EventId] {
					t.Errorf("duplicate eventId %s", *ev.EventId)
				}
				ids[*ev.EventId] = true
				if *ev.IngestionTime != now {
					t.Errorf("ingestionTime %d", *ev.IngestionTime)
				}
			}
		}
		return msgs, pages
	}
	var want []string
	for i := 1; i < 30; i += 2 {
		want = append(want, fmt.Sprintf("%c:ERROR request %d", "abc"[i%3], i))
	}
	got, pages := filter(&cwl.FilterLogEventsInput{LogGroupName: aws.String("g"), FilterPattern: aws.String("ERROR"), Limit: aws.Int32(4)})
	if !slices.Equal(got, want) || pages != 4 {
		t.Fatalf("filter ERROR: %d pages %q\nwant %q", pages, got, want)
	}
	got, _ = filter(&cwl.FilterLogEventsInput{LogGroupName: aws.String("g"), LogStreamNames: []string{"a", "c"}, FilterPattern: aws.String(`"request 2"`)})
	if !slices.Equal(got, []string{"c:INFO request 2", "c:INFO request 20", "a:ERROR request 21", "c:ERROR request 23", "a:INFO request 24", "c:INFO request 26", "a:ERROR request 27", "c:ERROR request 29"}) {
		t.Fatalf("names + phrase: %q", got)
	}
	got, _ = filter(&cwl.FilterLogEventsInput{LogGroupName: aws.String("g"), LogStreamNamePrefix: aws.String("b"), StartTime: aws.Int64(now - 100 + 4), EndTime: aws.Int64(now - 100 + 10)})
	if !slices.Equal(got, []string{"b:INFO request 4", "b:ERROR request 7", "b:INFO request 10"}) {
		t.Fatalf("prefix + inclusive time range: %q", got)
	}
	got, _ = filter(&cwl.FilterLogEventsInput{LogGroupIdentifier: aws.String("g")})
	if len(got) != 30 {
		t.Fatalf("all: %d events", len(got))
	}
	out, err := e.client.FilterLogEvents(ctx, &cwl.FilterLogEventsInput{LogGroupName: aws.String("g"), FilterPattern: aws.String("nomatch")})
	if err != nil || len(out.Events) != 0 || out.NextToken != nil || out.SearchedLogStreams == nil {
		t.Fatalf("no match: %+v %v", out, err)
	}
	_, err = e.client.FilterLogEvents(ctx, &cwl.FilterLogEventsInput{LogGroupName: aws.String("g"), LogStreamNames: []string{"a"}, LogStreamNamePrefix: aws.String("a")})
	if _, ok := errors.AsType[*types.InvalidParameterException](err); !ok {
		t.Errorf("names and prefix: %v", err)
	}
	_, err = e.client.FilterLogEvents(ctx, &cwl.FilterLogEventsInput{LogGroupName: aws.String("missing")})
	if _, ok := errors.AsType[*types.ResourceNotFoundException](err); !ok {
		t.Errorf("missing group: %v", err)
	}
}

func TestRetentionExpiresEvents(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t, envConfig{})
	mustCreateGroup(t, e.client, "g")
	mustCreateStream(t, e.client, "g", "s")
	now := e.clock.Now().UnixMilli()
	putEvents(t, e.client, "g", "s", now-36*3600_000, "old")
	putEvents(t, e.client, "g", "s", now, "new")
	if _, err := e.client.PutRetentionPolicy(ctx, &cwl.PutRetentionPolicyInput{LogGroupName: aws.String("g"), RetentionInDays: aws.Int32(1)}); err != nil {
		t.Fatal(err)
	}
	read := func() (msgs []string) {
		out, err := e.client.FilterLogEvents(ctx, &cwl.FilterLogEventsInput{LogGroupName: aws.String("g")})
		if err != nil {
			t.Fatal(err)
		}
		for _, ev := range out.Events {
			msgs = append(msgs, *ev.Message)
		}
		return msgs
	}
	if got := read(); !slices.Equal(got, []string{"new"}) {
		t.Fatalf("after retention: %q", got)
	}
	g, _ := e.client.DescribeLogGroups(ctx, &cwl.DescribeLogGroupsInput{})
	if aws.ToInt32(g.LogGroups[0].RetentionInDays) != 1 {
		t.Errorf("retentionInDays = %v", g.LogGroups[0].RetentionInDays)
	}
	e.clock.Advance(25 * time.Hour)
	if err := e.store.Sweep(ctx); err != nil {
		t.Fatal(err)
	}
	if got := read(); len(got) != 0 {
		t.Fatalf("after 25 h: %q", got)
	}
	// Removing the policy does not resurrect swept events.
	if _, err := e.client.DeleteRetentionPolicy(ctx, &cwl.DeleteRetentionPolicyInput{LogGroupName: aws.String("g")}); err != nil {
		t.Fatal(err)
	}
	if got := read(); len(got) != 0 {
		t.Fatalf("after DeleteRetentionPolicy: %q", got)
	}
}

func TestConcurrentWritersAndReaders(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t, envConfig{dir: t.TempDir()})
	mustCreateGroup(t, e.client, "g")
	mustCreateStream(t, e.client, "g", "s")
	now := e.clock.Now().UnixMilli()
	const writers, batches, perBatch = 8, 10, 100
	var wg sync.WaitGroup
	for w := range writers {
		wg.Go(func() {
			for b := range batches {
				msgs := make([]string, perBatch)
				for i := range msgs {
					msgs[i] = fmt.Sprintf("w%d b%d i%d", w, b, i)
				}
				putEvents(t, e.client, "g", "s", now, msgs...)
			}
		})
	}
	stop := make(chan struct{})
	var rg sync.WaitGroup
	rg.Go(func() {
		for {
			select {
			case <-stop:
				return
			default:
			}
			if _, err := e.client.FilterLogEvents(ctx, &cwl.FilterLogEventsInput{LogGroupName: aws.String("g"), FilterPattern: aws.String("w3")}); err != nil {
				t.Error(err)
				return
			}
		}
	})
	wg.Wait()
	close(stop)
	rg.Wait()
	n := 0
	p := cwl.NewGetLogEventsPaginator(e.client, &cwl.GetLogEventsInput{LogGroupName: aws.String("g"), LogStreamName: aws.String("s"), StartFromHead: aws.Bool(true)}, func(o *cwl.GetLogEventsPaginatorOptions) { o.StopOnDuplicateToken = true })
	for p.HasMorePages() {
		out, err := p.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		n += len(out.Events)
	}
	if n != writers*batches*perBatch {
		t.Fatalf("read %d events, want %d", n, writers*batches*perBatch)
	}
	s, _ := e.client.DescribeLogStreams(ctx, &cwl.DescribeLogStreamsInput{LogGroupName: aws.String("g")})
	if got := aws.ToInt64(s.LogStreams[0].StoredBytes); got != int64(writers*batches*perBatch*len("w0 b0 i00"))-int64(writers*batches*10) {
		t.Errorf("storedBytes = %d", got)
	}
}
