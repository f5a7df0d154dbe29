package httpadapter

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/lambdalog/lambdalog/logger"
)

// invokeLogged runs the adapter inside logger.Wrap, as a function would,
// and returns the JSON log records written.
func invokeLogged(t *testing.T, h http.Handler, payload string) []map[string]any {
	t.Helper()
	var buf bytes.Buffer
	fn := logger.Wrap(func(ctx context.Context, ev json.RawMessage) (json.RawMessage, error) {
		return New(h).Invoke(ctx, ev)
	}, logger.WithOutput(&buf), logger.WithService("test"))
	if _, err := fn(context.Background(), json.RawMessage(payload)); err != nil {
		t.Fatal(err)
	}
	var records []map[string]any
	for _, line := range strings.Split(strings.TrimSpace(buf.String()), "\n") {
		if line == "" {
			continue
		}
		var rec map[string]any
		if err := json.Unmarshal([]byte(line), &rec); err != nil {
			t.Fatalf("log line is not JSON: %q", line)
		}
		records = append(records, rec)
	}
	return records
}

func TestRequestIDBecomesCorrelationID(t *testing.T) {
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		logger.FromContext(r.Context()).Info("handling")
	})
	for name, c := range map[string]struct{ event, want string }{
		"REST v1":     {v1Event, "r1"},
		"HTTP API v2": {v2Event, "r2"},
		"ALB":         {albEvent, "Root=1-abc"},
	} {
		recs := invokeLogged(t, h, c.event)
		if len(recs) != 1 || recs[0]["correlation_id"] != c.want || recs[0]["message"] != "handling" {
			t.Errorf("%s: records %v, want correlation_id %q", name, recs, c.want)
		}
	}
}

func TestPanicIsLoggedThroughLogger(t *testing.T) {
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { panic("boom") })
	recs := invokeLogged(t, h, v2Event)
	if len(recs) != 1 {
		t.Fatalf("records %v", recs)
	}
	rec := recs[0]
	if rec["level"] != "ERROR" || rec["correlation_id"] != "r2" || !strings.Contains(fmt.Sprint(rec["exception"]), "boom") ||
		!strings.Contains(fmt.Sprint(rec["stack_trace"]), "logging_test.go") || !strings.Contains(fmt.Sprint(rec["message"]), "panic serving GET /") {
		t.Errorf("panic record %v", rec)
	}
}
