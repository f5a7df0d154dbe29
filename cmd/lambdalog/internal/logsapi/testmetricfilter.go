package logsapi

import "fmt"

// metricFilterMatch is the model's MetricFilterMatchRecord shape.
type metricFilterMatch struct {
	EventNumber     int64             `json:"eventNumber"`
	EventMessage    string            `json:"eventMessage"`
	ExtractedValues map[string]string `json:"extractedValues"`
}

type testMetricFilterInput struct {
	FilterPattern    *string
	LogEventMessages []string
}

func (in *testMetricFilterInput) validate(v *validationErrors) {
	v.str("filterPattern", in.FilterPattern, true, ruleFilterPattern)
	switch n := len(in.LogEventMessages); {
	case in.LogEventMessages == nil:
		v.add("null", "logEventMessages", "not be null")
	case n < 1 || n > 50:
		v.add(fmt.Sprintf("'%d messages'", n), "logEventMessages", "have length between 1 and 50")
	}
	for i, m := range in.LogEventMessages {
		v.str("logEventMessages."+itoa(i+1)+".member", &m, true, ruleEventMessage)
	}
}

// testMetricFilter serves TestMetricFilter: which of 1 to 50 messages the
// pattern matches (eventNumber counts from 1) and, for space-delimited
// patterns, the fields it extracts ({} for other kinds).
func (h *Handler) testMetricFilter(c *call, in *testMetricFilterInput) (any, error) {
	pat, err := parsePattern(*in.FilterPattern)
	if err != nil {
		return nil, err
	}
	out := struct {
		Matches []metricFilterMatch `json:"matches"`
	}{Matches: []metricFilterMatch{}}
	for i, m := range in.LogEventMessages {
		values, ok := pat.Extract(m)
		if !ok {
			continue
		}
		if values == nil {
			values = map[string]string{}
		}
		out.Matches = append(out.Matches, metricFilterMatch{EventNumber: int64(i + 1), EventMessage: m, ExtractedValues: values})
	}
	return out, nil
}
