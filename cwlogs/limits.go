package cwlogs

import "time"

// AWS PutLogEvents limits (botocore model and the PutLogEvents API reference).
const (
	// MaxBatchEvents is the maximum number of events in one PutLogEvents call.
	MaxBatchEvents = 10000
	// MaxBatchBytes is the maximum size of one PutLogEvents batch, counted as
	// the sum of the UTF-8 message bytes plus EventOverhead per event.
	MaxBatchBytes = 1048576
	// EventOverhead is the number of bytes CloudWatch adds to each event when
	// it measures a batch.
	EventOverhead = 26
	// MaxMessageBytes is the largest message cwlogs sends: one event must fit
	// in one batch together with its overhead. Longer records are truncated.
	MaxMessageBytes = MaxBatchBytes - EventOverhead
	// MaxBatchSpan is the longest time span a batch may cover.
	MaxBatchSpan = 24 * time.Hour
)
