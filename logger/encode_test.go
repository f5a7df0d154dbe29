package logger

import (
	"encoding/json"
	"math/rand/v2"
	"testing"
	"time"
)

func TestAppendTimeMatchesRFC3339Nano(t *testing.T) {
	zones := []*time.Location{time.UTC, time.FixedZone("X", 5*3600+1800)}
	for i := range 2000 {
		tm := time.Unix(rand.Int64N(1<<36)-1<<35, rand.Int64N(1e9)).In(zones[i%2])
		if i%3 == 0 {
			tm = tm.Truncate(time.Millisecond)
		}
		if got, want := string(appendTime(nil, tm)), tm.Format(time.RFC3339Nano); got != want {
			t.Fatalf("appendTime(%v) = %s, want %s", tm, got, want)
		}
		var c timestampCache
		c.append(nil, tm.Add(-time.Second))
		if got, want := string(c.append(nil, tm.Add(time.Duration(i)*time.Millisecond))), tm.Add(time.Duration(i)*time.Millisecond).UTC().Format("2006-01-02T15:04:05.000Z07:00"); got != want {
			t.Fatalf("timestampCache.append(%v) = %s, want %s", tm, got, want)
		}
		if got, want := string(appendTimestamp(nil, tm)), tm.UTC().Format("2006-01-02T15:04:05.000Z07:00"); got != want {
			t.Fatalf("appendTimestamp(%v) = %s, want %s", tm, got, want)
		}
	}
}

func TestAppendStringMatchesEncodingJSONOnValidUTF8(t *testing.T) {
	for _, s := range []string{"plain", "quote\" back\\slash", "\n\r\t\x00\x1f\x7f", "é😀", "\u2028\u2029", "<&>"} {
		var got any
		if err := json.Unmarshal(appendString(nil, s), &got); err != nil || got != s {
			t.Errorf("appendString(%q) decodes to %q, %v", s, got, err)
		}
	}
}
