package logsapi

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
)

// BenchmarkDecodePutLogEvents compares the hand-written decoder with
// encoding/json on a 10,000-event body.
func BenchmarkDecodePutLogEvents(b *testing.B) {
	var sb strings.Builder
	sb.WriteString(`{"logGroupName":"g","logStreamName":"s","logEvents":[`)
	for i := range 10_000 {
		if i > 0 {
			sb.WriteByte(',')
		}
		fmt.Fprintf(&sb, `{"timestamp":1700000000000,"message":"{\"level\":\"INFO\",\"msg\":\"request handled\",\"path\":\"/api/items/%06d\",\"status\":200}"}`, i)
	}
	sb.WriteString("]}")
	body := []byte(sb.String())
	b.Run("handwritten", func(b *testing.B) {
		b.SetBytes(int64(len(body)))
		b.ReportAllocs()
		for range b.N {
			var in putLogEventsInput
			if err := decodePutLogEvents(body, &in); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("encoding-json", func(b *testing.B) {
		b.SetBytes(int64(len(body)))
		b.ReportAllocs()
		for range b.N {
			var in reference
			if err := json.Unmarshal(body, &in); err != nil {
				b.Fatal(err)
			}
		}
	})
}
