package cwlogs

import (
	"errors"
	"strconv"
	"time"
)

// FullPolicy says what Write does when the buffer is full.
type FullPolicy int

const (
	// Block makes Write wait for buffer space up to Options.BlockTimeout;
	// if none frees up, the record is dropped and Write returns ErrBufferFull.
	Block FullPolicy = iota
	// DropOldest discards the oldest buffered batch that is not being sent
	// (a whole batch, counted in Stats.Dropped and reported to
	// Options.OnError) to make room, so writers do not wait unless every
	// batch is being sent.
	DropOldest
)

// String returns "block" or "drop-oldest".
func (p FullPolicy) String() string {
	switch p {
	case Block:
		return "block"
	case DropOldest:
		return "drop-oldest"
	}
	return "FullPolicy(" + strconv.Itoa(int(p)) + ")"
}

// Errors returned by Write.
var (
	ErrClosed     = errors.New("cwlogs: client is closed")
	ErrBufferFull = errors.New("cwlogs: buffer full, record dropped")
)

// RejectReason says why CloudWatch rejected an event.
type RejectReason int

// Reasons reported in rejectedLogEventsInfo.
const (
	TooOld RejectReason = iota + 1
	TooNew
	Expired
)

// String returns "too old", "too new" or "expired".
func (r RejectReason) String() string {
	switch r {
	case TooOld:
		return "too old"
	case TooNew:
		return "too new"
	case Expired:
		return "expired"
	}
	return "RejectReason(" + strconv.Itoa(int(r)) + ")"
}

// RejectedEvent is an event CloudWatch did not store. Message is only valid
// during the Options.OnRejected call; copy it to keep it.
type RejectedEvent struct {
	Reason    RejectReason
	Timestamp time.Time
	Message   []byte
}

// Options configure a Client. Group and Stream are required; zero values of
// the other fields select the documented defaults.
type Options struct {
	Group  string // log group name
	Stream string // log stream name

	// FlushInterval is the longest a record waits before it is sent
	// (default 1s).
	FlushInterval time.Duration
	// BufferBytes bounds the arena memory (default 8 MiB). It is rounded up
	// to whole 1 MiB batches, at least 2.
	BufferBytes int
	// FullPolicy chooses Block (default) or DropOldest when the buffer is full.
	FullPolicy FullPolicy
	// BlockTimeout is how long Write may wait under Block (default 1s).
	BlockTimeout time.Duration
	// Senders is the number of concurrent PutLogEvents requests (default 4).
	Senders int
	// RequestTimeout bounds one PutLogEvents attempt (default 15s).
	RequestTimeout time.Duration
	// RetryBase and RetryMax shape the full-jitter exponential backoff
	// between attempts (defaults 50ms and 5s). Retries continue until the
	// request succeeds, fails with a non-retryable error, or Close's
	// deadline expires.
	RetryBase, RetryMax time.Duration
	// OnRejected, if set, is called (from a sender goroutine) for each
	// event CloudWatch rejected as too old, too new or expired.
	OnRejected func(RejectedEvent)
	// OnError, if set, is called when events are dropped because of a
	// non-retryable error or the DropOldest policy. It may run on a sender
	// goroutine or inside Write with the client locked, so it must be quick
	// and must not call the Client.
	OnError func(error)
}

// Stats are the client's event counters. All counts are events, not requests.
type Stats struct {
	Enqueued           uint64 // records accepted by Write
	Sent               uint64 // events CloudWatch accepted
	Retried            uint64 // events re-sent after a failed attempt
	Dropped            uint64 // events given up: full buffer, non-retryable error, Close deadline
	Rejected           uint64 // events CloudWatch rejected (too old, too new, expired)
	Truncated          uint64 // records cut to the 1 MB event limit
	PossibleDuplicates uint64 // extra copies that may be stored: events × attempts whose outcome was unknown (a network error after sending) before the batch was accepted
	Requests           uint64 // PutLogEvents attempts
}

func (o Options) withDefaults() Options {
	if o.FlushInterval <= 0 {
		o.FlushInterval = time.Second
	}
	if o.BufferBytes <= 0 {
		o.BufferBytes = 8 << 20
	}
	if o.BlockTimeout <= 0 {
		o.BlockTimeout = time.Second
	}
	if o.Senders <= 0 {
		o.Senders = 4
	}
	if o.RequestTimeout <= 0 {
		o.RequestTimeout = 15 * time.Second
	}
	if o.RetryBase <= 0 {
		o.RetryBase = 50 * time.Millisecond
	}
	if o.RetryMax <= 0 {
		o.RetryMax = 5 * time.Second
	}
	return o
}
