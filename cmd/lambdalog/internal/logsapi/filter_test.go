package logsapi_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	cwl "github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs/types"

	"github.com/lambdalog/lambdalog/internal/filtercases"
)

// TestFilterLogEventsCaseTable runs every match case of the shared filter
// pattern table through FilterLogEvents over HTTP: each distinct event is
// stored in a stream of its own, and each pattern must return exactly the
// streams whose events the table says it matches.
func TestFilterLogEventsCaseTable(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t, envConfig{})
	mustCreateGroup(t, e.client, "cases")
	streams := map[string]string{} // event -> stream name
	now := e.clock.Now().UnixMilli()
	patterns, byPattern := casesByPattern()
	for _, p := range patterns {
		for _, c := range byPattern[p] {
			if _, ok := streams[c.Event]; !ok {
				name := fmt.Sprintf("event-%03d", len(streams))
				streams[c.Event] = name
				mustCreateStream(t, e.client, "cases", name)
				putEvents(t, e.client, "cases", name, now, c.Event)
			}
		}
	}
	checked := 0
	for _, p := range patterns {
		got := map[string]bool{}
		pg := cwl.NewFilterLogEventsPaginator(e.client, &cwl.FilterLogEventsInput{LogGroupName: aws.String("cases"), FilterPattern: aws.String(p)})
		for pg.HasMorePages() {
			out, err := pg.NextPage(ctx)
			if err != nil {
				t.Fatalf("FilterLogEvents(%q): %v", p, err)
			}
			for _, ev := range out.Events {
				got[*ev.LogStreamName] = true
			}
		}
		for _, c := range byPattern[p] {
			if got[streams[c.Event]] != c.Want {
				t.Errorf("%s: FilterLogEvents %q returned %q = %v, want %v", c.Src, p, c.Event, got[streams[c.Event]], c.Want)
			}
			checked++
		}
	}
	if checked < 250 {
		t.Fatalf("only %d cases checked", checked)
	}
}

// wantInvalidPattern asserts err is an InvalidParameterException with AWS's
// message for the pattern, where the table knows it.
func wantInvalidPattern(t *testing.T, op string, c filtercases.ErrorCase, err error) {
	t.Helper()
	ipe, ok := errors.AsType[*types.InvalidParameterException](err)
	if !ok {
		t.Errorf("%s: %s(%q) = %v, want InvalidParameterException", c.Src, op, c.Pattern, err)
		return
	}
	msg := ipe.ErrorMessage()
	if c.AWS != "" && msg != c.AWS || msg == "" {
		t.Errorf("%s: %s(%q) message %q, want %q", c.Src, op, c.Pattern, msg, c.AWS)
	}
}

func TestFilterLogEventsInvalidPatterns(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t, envConfig{})
	mustCreateGroup(t, e.client, "g")
	for _, c := range filtercases.ErrorCases {
		_, err := e.client.FilterLogEvents(ctx, &cwl.FilterLogEventsInput{LogGroupName: aws.String("g"), FilterPattern: aws.String(c.Pattern)})
		wantInvalidPattern(t, "FilterLogEvents", c, err)
	}
	// The model's limit: 1024 characters (not bytes).
	long := strings.Repeat("é", 1024)
	if _, err := e.client.FilterLogEvents(ctx, &cwl.FilterLogEventsInput{LogGroupName: aws.String("g"), FilterPattern: aws.String(`"` + long[:len(long)-4] + `"`)}); err != nil {
		t.Errorf("1024-character pattern: %v", err)
	}
	_, err := e.client.FilterLogEvents(ctx, &cwl.FilterLogEventsInput{LogGroupName: aws.String("g"), FilterPattern: aws.String(long + "x")})
	ipe, ok := errors.AsType[*types.InvalidParameterException](err)
	if !ok || !strings.Contains(ipe.ErrorMessage(), "at 'filterPattern' failed to satisfy constraint: Member must have length less than or equal to 1024") {
		t.Errorf("1025-character pattern: %v", err)
	}
	_, err = e.client.FilterLogEvents(ctx, &cwl.FilterLogEventsInput{LogGroupName: aws.String("g"), FilterPattern: aws.String(`{ $.a = %a% || $.b = %b% || $.c = %c% }`)})
	if ipe, ok := errors.AsType[*types.InvalidParameterException](err); !ok || !strings.Contains(ipe.ErrorMessage(), "at most 2 regular expressions") {
		t.Errorf("3 regexes: %v", err)
	}
}

// TestFilterLogEventsJSONAcrossStreams checks a structured-log search as the
// seed article runs it: several streams scanned at once, results
// interleaved by time, paginated.
func TestFilterLogEventsJSONAcrossStreams(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t, envConfig{})
	mustCreateGroup(t, e.client, "/aws/lambda/pay")
	now := e.clock.Now().UnixMilli()
	levels := []string{"INFO", "WARNING", "ERROR", "DEBUG"}
	var want []string
	for s := range 4 {
		stream := fmt.Sprintf("2026/01/01/[$LATEST]%032d", s)
		mustCreateStream(t, e.client, "/aws/lambda/pay", stream)
		var msgs []string
		for i := range 50 {
			lvl := levels[(i+s)%4]
			msgs = append(msgs, fmt.Sprintf(`{"level":%q,"message":"event %d","stream":%d}`, lvl, i, s))
		}
		putEvents(t, e.client, "/aws/lambda/pay", stream, now, msgs...)
		for i, m := range msgs {
			if lvl := levels[(i+s)%4]; lvl == "WARNING" || lvl == "ERROR" {
				want = append(want, m)
			}
		}
	}
	got := 0
	pg := cwl.NewFilterLogEventsPaginator(e.client, &cwl.FilterLogEventsInput{
		LogGroupName: aws.String("/aws/lambda/pay"), FilterPattern: aws.String(`{$.level = "WARNING" || $.level = "ERROR"}`), Limit: aws.Int32(7),
	})
	seen := map[string]bool{}
	for pg.HasMorePages() {
		out, err := pg.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, ev := range out.Events {
			if !strings.Contains(*ev.Message, `"level":"WARNING"`) && !strings.Contains(*ev.Message, `"level":"ERROR"`) {
				t.Errorf("unexpected event %s", *ev.Message)
			}
			seen[*ev.Message] = true
			got++
		}
	}
	if got != len(want) || len(seen) != len(want) {
		t.Fatalf("got %d events (%d distinct), want %d", got, len(seen), len(want))
	}
}

// casesByPattern groups the shared table's match cases by pattern, in table order, leaving out
// empty events: the API requires messages of at least 1 character.
func casesByPattern() (patterns []string, byPattern map[string][]filtercases.MatchCase) {
	byPattern = map[string][]filtercases.MatchCase{}
	for _, c := range filtercases.MatchCases {
		if c.Event == "" {
			continue
		}
		if byPattern[c.Pattern] == nil {
			patterns = append(patterns, c.Pattern)
		}
		byPattern[c.Pattern] = append(byPattern[c.Pattern], c)
	}
	return patterns, byPattern
}
