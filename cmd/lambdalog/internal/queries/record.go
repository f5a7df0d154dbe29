package queries

import (
	"bytes"
	"context"
	"errors"

	"github.com/lambdalog/lambdalog/cmd/lambdalog/internal/store"
	"github.com/lambdalog/lambdalog/insights"
)

// ErrNoRecord is Record's error when the event a pointer names is not
// stored (any more).
var ErrNoRecord = errors.New("the log record does not exist")

// Record returns the event behind a result row's @ptr (GetLogRecord), read
// from st in region for account, and its position in its stream.
func Record(ctx context.Context, st *store.Store, account, region, ptr string) (insights.Event, store.Position, error) {
	ref, err := DecodePointer(ptr)
	if err != nil || ref.Region != region {
		return insights.Event{}, store.Position{}, ErrBadPointer
	}
	it, err := st.Events(ctx, ref.Region, ref.LogGroup, ref.LogStream, store.Range{Start: ref.Timestamp, End: ref.Timestamp + 1})
	if err != nil {
		return insights.Event{}, store.Position{}, err
	}
	defer it.Close()
	for it.Next() {
		v := it.Event()
		if v.Seq == ref.ID {
			return insights.Event{Timestamp: v.Timestamp, IngestionTime: v.IngestionTime, Account: account, Region: ref.Region,
				LogGroup: ref.LogGroup, LogStream: ref.LogStream, Message: bytes.Clone(v.Message), ID: v.Seq, Flat: v.Flat}, v.Position(), nil
		}
	}
	if err := it.Close(); err != nil {
		return insights.Event{}, store.Position{}, err
	}
	return insights.Event{}, store.Position{}, ErrNoRecord
}
