package logger

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"testing"
)

// runBuffered runs one invocation that logs three DEBUG records and one INFO, then calls end.
func runBuffered(t *testing.T, maxBytes int, end func(ctx context.Context) error) []map[string]any {
	t.Helper()
	setLambdaEnv(t)
	var buf lineBuffer
	h := WrapAction(func(ctx context.Context, _ struct{}) error {
		l := FromContext(ctx)
		for i := range 3 {
			l.Debug(fmt.Sprint("debug ", i))
		}
		l.Info("info")
		return end(ctx)
	}, WithOutput(&buf), WithBuffer(slog.LevelDebug, maxBytes))
	func() {
		defer func() { recover() }()
		_ = h(invokeCtx("r", ""), struct{}{})
	}()
	return buf.records(t)
}

func messages(recs []map[string]any) string {
	var m []string
	for _, r := range recs {
		m = append(m, fmt.Sprint(r["message"]))
	}
	return strings.Join(m, "|")
}

func TestBufferDiscardedOnSuccess(t *testing.T) {
	recs := runBuffered(t, 0, func(context.Context) error { return nil })
	if got := messages(recs); got != "info" {
		t.Errorf("records = %s, want only info", got)
	}
}

func TestBufferFlushedInOrderOnError(t *testing.T) {
	recs := runBuffered(t, 0, func(ctx context.Context) error {
		FromContext(ctx).Error("failed")
		FromContext(ctx).Debug("after")
		return nil
	})
	if got := messages(recs); got != "info|debug 0|debug 1|debug 2|failed" {
		t.Errorf("records = %s", got)
	}
	for _, r := range recs {
		if r["function_request_id"] != "r" {
			t.Errorf("buffered record lost its keys: %v", r)
		}
	}
}

func TestBufferFlushedWhenHandlerFails(t *testing.T) {
	recs := runBuffered(t, 0, func(context.Context) error { return errors.New("nope") })
	if got := messages(recs); got != "info|debug 0|debug 1|debug 2" {
		t.Errorf("records = %s", got)
	}
}

func TestBufferFlushedOnPanic(t *testing.T) {
	recs := runBuffered(t, 0, func(context.Context) error { panic("boom") })
	if got := messages(recs); got != "info|debug 0|debug 1|debug 2|handler panicked" {
		t.Errorf("records = %s", got)
	}
}

func TestBufferDropsOldestAndCounts(t *testing.T) {
	// Each DEBUG record is about 330 bytes: room for two.
	recs := runBuffered(t, 700, func(context.Context) error { return errors.New("nope") })
	if got := messages(recs); got != "info|log buffer full: oldest buffered records were dropped|debug 1|debug 2" {
		t.Errorf("records = %s", got)
	}
	if recs[1]["dropped_records"] != 1.0 {
		t.Errorf("dropped_records = %v", recs[1]["dropped_records"])
	}
}
