package lambdaemu

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/lambdalog/lambdalog/cmd/lambdalog/internal/store"
)

// LogEvent is one CloudWatch Logs event written by an execution environment.
type LogEvent struct {
	Time    time.Time
	Message string
}

// LogSink receives the log events of every execution environment.
type LogSink interface {
	// CreateStream creates the log stream, and its group when missing.
	CreateStream(ctx context.Context, group, stream string) error
	// PutEvents appends events, in order, to a stream made by CreateStream.
	// It is called when an invocation ends, before Invoke returns, so it
	// should not wait for the disk; the events must be readable by the
	// time it returns (a read may wait for them).
	PutEvents(ctx context.Context, group, stream string, events []LogEvent) error
}

// StoreSink returns a LogSink writing to st in region. Its PutEvents queues
// the events with st.PutEventsAsync: no fsync on the invocation's path,
// while every read of st waits for the events queued before it and returns
// only synced ones.
func StoreSink(st *store.Store, region string) LogSink {
	return &storeSink{st: st, region: region}
}

type storeSink struct {
	st     *store.Store
	region string
}

func (s *storeSink) CreateStream(ctx context.Context, group, stream string) error {
	_, err := s.st.CreateGroup(ctx, s.region, store.Group{Name: group})
	if err != nil && !errors.Is(err, store.ErrGroupExists) {
		return fmt.Errorf("create log group %s: %w", group, err)
	}
	if err := s.st.CreateStream(ctx, s.region, group, stream); err != nil && !errors.Is(err, store.ErrStreamExists) {
		return fmt.Errorf("create log stream %s: %w", stream, err)
	}
	return nil
}

func (s *storeSink) PutEvents(_ context.Context, group, stream string, events []LogEvent) error {
	evs := make([]store.Event, len(events))
	for i, e := range events {
		evs[i] = store.Event{Timestamp: e.Time.UnixMilli(), Message: []byte(e.Message)}
	}
	if err := s.st.PutEventsAsync(s.region, group, stream, evs); err != nil {
		return fmt.Errorf("queue log events for %s %s: %w", group, stream, err)
	}
	return nil
}
