package logsapi_test

import (
	"context"
	"errors"
	"maps"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	cwl "github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs/types"

	"github.com/lambdalog/lambdalog/internal/filtercases"
)

// TestTestMetricFilterCaseTable runs every case of the shared filter
// pattern table through TestMetricFilter over HTTP, grouping a pattern's
// events into one call as a user would.
func TestTestMetricFilterCaseTable(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t, envConfig{})
	patterns, byPattern := casesByPattern()
	checked := 0
	for _, p := range patterns {
		cases := byPattern[p]
		var msgs []string
		for _, c := range cases {
			msgs = append(msgs, c.Event)
		}
		out, err := e.client.TestMetricFilter(ctx, &cwl.TestMetricFilterInput{FilterPattern: aws.String(p), LogEventMessages: msgs})
		if err != nil {
			t.Fatalf("TestMetricFilter(%q): %v", p, err)
		}
		matched := map[int64]types.MetricFilterMatchRecord{}
		for _, m := range out.Matches {
			matched[m.EventNumber] = m
		}
		for i, c := range cases {
			m, ok := matched[int64(i+1)]
			if ok != c.Want {
				t.Errorf("%s: TestMetricFilter %q on %q matched = %v, want %v", c.Src, p, c.Event, ok, c.Want)
				continue
			}
			checked++
			if !ok {
				continue
			}
			if *m.EventMessage != c.Event {
				t.Errorf("%s: eventNumber %d message %q, want %q", c.Src, i+1, *m.EventMessage, c.Event)
			}
			if m.ExtractedValues == nil || !strings.HasPrefix(strings.TrimSpace(p), "[") && len(m.ExtractedValues) != 0 {
				t.Errorf("%s: %q extractedValues = %v, want {}", c.Src, p, m.ExtractedValues)
			}
		}
	}
	if checked < 250 {
		t.Fatalf("only %d cases checked", checked)
	}

	for _, c := range filtercases.ExtractCases {
		out, err := e.client.TestMetricFilter(ctx, &cwl.TestMetricFilterInput{FilterPattern: aws.String(c.Pattern), LogEventMessages: []string{c.Event}})
		if err != nil {
			t.Fatalf("TestMetricFilter(%q): %v", c.Pattern, err)
		}
		if len(out.Matches) != 1 || out.Matches[0].EventNumber != 1 || !maps.Equal(out.Matches[0].ExtractedValues, c.Want) {
			t.Errorf("%s: %q on %q = %+v, want event 1 with %v", c.Src, c.Pattern, c.Event, out.Matches, c.Want)
		}
	}

	for _, c := range filtercases.ErrorCases {
		_, err := e.client.TestMetricFilter(ctx, &cwl.TestMetricFilterInput{FilterPattern: aws.String(c.Pattern), LogEventMessages: []string{"x"}})
		wantInvalidPattern(t, "TestMetricFilter", c, err)
	}
}

func TestTestMetricFilterValidation(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t, envConfig{})
	out, err := e.client.TestMetricFilter(ctx, &cwl.TestMetricFilterInput{FilterPattern: aws.String(""), LogEventMessages: []string{"a", "b"}})
	if err != nil || len(out.Matches) != 2 || out.Matches[1].EventNumber != 2 {
		t.Errorf("empty pattern = %+v, %v; want both events", out, err)
	}
	out, err = e.client.TestMetricFilter(ctx, &cwl.TestMetricFilterInput{FilterPattern: aws.String("nomatch"), LogEventMessages: []string{"a"}})
	if err != nil || out.Matches == nil || len(out.Matches) != 0 {
		t.Errorf("no match = %+v, %v; want an empty list", out, err)
	}
	for name, in := range map[string]*cwl.TestMetricFilterInput{
		"have length between 1 and 50":      {FilterPattern: aws.String("x"), LogEventMessages: make([]string, 51)},
		"length greater than or equal to 1": {FilterPattern: aws.String("x"), LogEventMessages: []string{""}},
	} {
		_, err := e.client.TestMetricFilter(ctx, in)
		if ipe, ok := errors.AsType[*types.InvalidParameterException](err); !ok || !strings.Contains(ipe.ErrorMessage(), name) {
			t.Errorf("%s: %v", name, err)
		}
	}
}
