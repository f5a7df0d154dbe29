package console_test

import (
	"context"
	"log/slog"
	"net/http/httptest"
	"net/url"
	"testing"
	"time"

	"github.com/lambdalog/lambdalog/cmd/lambdalog/internal/server"
	"github.com/lambdalog/lambdalog/cmd/lambdalog/internal/store"
)

// FuzzEventsParameters: whatever the parameters of the events endpoint, it
// answers 200 or a 4xx with a message, never a 5xx or a panic.
func FuzzEventsParameters(f *testing.F) {
	srv, err := server.Open(server.Config{Memory: true, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		f.Fatal(err)
	}
	f.Cleanup(func() { srv.Close() })
	ctx := context.Background()
	now := time.Now().UnixMilli()
	if _, err := srv.Logs.CreateGroup(ctx, "us-east-1", store.Group{Name: "g"}); err != nil {
		f.Fatal(err)
	}
	for _, s := range []string{"a", "b"} {
		if err := srv.Logs.CreateStream(ctx, "us-east-1", "g", s); err != nil {
			f.Fatal(err)
		}
		var evs []store.Event
		for i := range 300 {
			evs = append(evs, store.Event{Timestamp: now - int64(i*7), Message: []byte(`{"level":"INFO","n":` + s + `}`)})
		}
		if _, err := srv.Logs.PutEvents(ctx, "us-east-1", "g", s, evs); err != nil {
			f.Fatal(err)
		}
	}
	h := srv.Handler()
	f.Add("g", "", "", "", "", "", "")
	f.Add("g", "a", `{ $.level = "INFO" }`, "1.2", "", "10", "0")
	f.Add("g", "", "ERROR", "", "-9223372036854775808.0", "-1", "99999999999999")
	f.Add("nope", "zz", "{", "x", "1.x", "abc", "")
	f.Fuzz(func(t *testing.T, group, stream, pattern, before, after, limit, start string) {
		q := url.Values{"group": {group}, "stream": {stream}, "pattern": {pattern}, "before": {before}, "after": {after}, "limit": {limit}, "start": {start}}
		if stream == "" {
			q.Del("stream")
		}
		r := httptest.NewRequest("GET", "http://127.0.0.1/console/api/events?"+q.Encode(), nil)
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		if w.Code >= 500 {
			t.Fatalf("%s: %d %s", q.Encode(), w.Code, w.Body)
		}
	})
}
