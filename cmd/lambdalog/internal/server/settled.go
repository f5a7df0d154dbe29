package server

import (
	"net/http"

	"github.com/lambdalog/lambdalog/cmd/lambdalog/internal/awsapi"
	"github.com/lambdalog/lambdalog/cmd/lambdalog/internal/store"
)

// afterQueuedLogs is an API that answers once the log events queued before
// the request (store.PutEventsAsync: the output of functions under dev) are
// stored with what the log store's AfterPut derives from them. The metrics
// API is wrapped in it, so that the EMF metrics and metric filter data
// points of an invocation are there as soon as Invoke has returned, as its
// log events are.
type afterQueuedLogs struct {
	awsapi.API
	logs *store.Store
}

// Serve waits for the log store's queue, at most until the client goes away
// or the store fails, then serves the request.
func (a afterQueuedLogs) Serve(w http.ResponseWriter, req *awsapi.Request) {
	_ = a.logs.Settle(req.Context())
	a.API.Serve(w, req)
}
