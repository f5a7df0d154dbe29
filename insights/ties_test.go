package insights

import (
	"slices"
	"testing"
)

// TestTiesFollowTheSortDirection: events of one millisecond come newest
// first by default and after a descending sort, and in the order they were
// written after an ascending one (START before the function's lines).
func TestTiesFollowTheSortDirection(t *testing.T) {
	msgs := []string{"START RequestId: r1 Version: $LATEST", `{"level":"INFO","message":"work"}`, "END RequestId: r1"}
	for _, tc := range []struct {
		query string
		want  []string
	}{
		{"fields @message", []string{msgs[2], msgs[1], msgs[0]}},
		{"fields @message | sort @timestamp desc", []string{msgs[2], msgs[1], msgs[0]}},
		{"fields @message | sort @timestamp asc", msgs},
	} {
		q, err := Parse(tc.query)
		if err != nil {
			t.Fatal(err)
		}
		ev, err := q.NewEvaluator(Options{})
		if err != nil {
			t.Fatal(err)
		}
		for i, m := range msgs {
			ev.Feed(&Event{Timestamp: 1000, LogGroup: "/aws/lambda/f", LogStream: "s", Message: []byte(m), ID: uint64(i + 1)})
		}
		var got []string
		for _, row := range ev.Results().Rows {
			got = append(got, row[0].Value)
		}
		if !slices.Equal(got, tc.want) {
			t.Errorf("%s: %q, want %q", tc.query, got, tc.want)
		}
	}
}
