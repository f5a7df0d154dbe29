package lambdaemu

import (
	"cmp"
	"slices"
	"sync"
	"time"

	lambdafacts "github.com/lambdalog/lambdalog/internal/invocation"
)

// historySize is how many recent invocations Invocations keeps per function.
const historySize = 100

// Invocation is a finished invocation, as its REPORT line describes it plus
// the error type the caller received.
type Invocation struct {
	RequestID string
	// Start is when the invoke phase started; Duration is the REPORT
	// line's Duration.
	Start    time.Time
	Duration time.Duration
	// InitDuration is the REPORT line's Init Duration: set on a cold
	// start, the first invocation of an environment whose init succeeded.
	InitDuration              time.Duration
	MemoryMB, MaxMemoryUsedMB int
	// Status is REPORT's status: success, error or timeout.
	Status string
	// ErrorType is the error the invocation returned ("" on success): the
	// function's own (a handler that returned an error reports status
	// success) or Lambda's (Runtime.ExitError, Sandbox.Timedout, ...).
	ErrorType string
	LogStream string
	// TraceID is the X-Ray trace id (Root) of the invocation.
	TraceID string
}

// history keeps the recent invocations of each function.
type history struct {
	mu   sync.Mutex
	byFn map[string][]Invocation // oldest first
}

// record adds an invocation to its function's history; it is called where
// an invocation is reported.
func (h *history) record(fn string, a *attempt, rep report, errorType, stream string) {
	inv := Invocation{RequestID: rep.requestID, Start: a.start, Duration: rep.duration,
		InitDuration: rep.init, MemoryMB: rep.memoryMB, MaxMemoryUsedMB: rep.maxUsedMB, Status: rep.status.String(),
		ErrorType: errorType, LogStream: stream,
		TraceID: cmp.Or(lambdafacts.ParseTraceHeader(a.inv.traceID).Root, a.inv.traceID)}
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.byFn == nil {
		h.byFn = map[string][]Invocation{}
	}
	invs := append(h.byFn[fn], inv)
	if len(invs) > historySize {
		invs = slices.Delete(invs, 0, len(invs)-historySize)
	}
	h.byFn[fn] = invs
}

// Invocations returns the function's most recent invocations (at most
// 100), newest first.
func (e *Emulator) Invocations(name string) []Invocation {
	e.history.mu.Lock()
	defer e.history.mu.Unlock()
	invs := slices.Clone(e.history.byFn[name])
	slices.Reverse(invs)
	return invs
}
