package lambdaemu

import (
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"strconv"
	"time"
)

// maxResponse is Lambda's synchronous response payload limit.
const maxResponse = 6 * 1024 * 1024

// Runtime API header names (2018-06-01).
const (
	hdrRequestID     = "Lambda-Runtime-Aws-Request-Id"
	hdrDeadline      = "Lambda-Runtime-Deadline-Ms"
	hdrFunctionARN   = "Lambda-Runtime-Invoked-Function-Arn"
	hdrTraceID       = "Lambda-Runtime-Trace-Id"
	hdrClientContext = "Lambda-Runtime-Client-Context"
	hdrErrorType     = "Lambda-Runtime-Function-Error-Type"
	hdrErrorBody     = "Lambda-Runtime-Function-Error-Body"
	// The X-Ray cause of a function error (aws-lambda-go's makeXRayError).
	hdrXRayErrorCause = "Lambda-Runtime-Function-XRay-Error-Cause"
)

// runtimeAPI serves the Runtime API of one execution environment.
func (e *environment) runtimeAPIHandler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /2018-06-01/runtime/invocation/next", e.handleNext)
	mux.HandleFunc("POST /2018-06-01/runtime/invocation/{id}/response", e.handleResult(false))
	mux.HandleFunc("POST /2018-06-01/runtime/invocation/{id}/error", e.handleResult(true))
	mux.HandleFunc("POST /2018-06-01/runtime/init/error", e.handleInitError)
	return mux
}

func runtimeError(w http.ResponseWriter, status int, typ, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]string{"errorType": typ, "errorMessage": msg})
}

func accepted(w http.ResponseWriter) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusAccepted)
	_, _ = io.WriteString(w, `{"status":"OK"}`+"\n")
}

func (e *environment) handleNext(w http.ResponseWriter, r *http.Request) {
	e.nextCalled()
	p := e.proc.Load()
	p.sample()
	p.readyOnce.Do(func() {
		p.readyAt = time.Now()
		close(p.ready)
	})
	var inv *invocation
	select {
	case inv = <-e.next:
	case <-r.Context().Done():
		return
	case <-e.stopped:
		return
	}
	h := w.Header()
	h.Set(hdrRequestID, inv.id)
	h.Set(hdrDeadline, strconv.FormatInt(inv.deadline.UnixMilli(), 10))
	h.Set(hdrFunctionARN, inv.functionARN)
	h.Set(hdrTraceID, inv.traceID)
	if inv.clientContext != "" {
		h.Set(hdrClientContext, inv.clientContext)
	}
	h.Set("Content-Type", "application/json")
	_, _ = w.Write(inv.payload)
}

func (e *environment) handleResult(isError bool) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		inv := e.current.Load()
		if inv == nil || inv.id != r.PathValue("id") {
			runtimeError(w, http.StatusBadRequest, "InvalidRequestID", "Invalid request ID")
			return
		}
		body, err := io.ReadAll(io.LimitReader(r.Body, maxResponse+1))
		if err != nil {
			runtimeError(w, http.StatusBadRequest, "InvalidRequest", "reading body: "+err.Error())
			return
		}
		res := result{payload: body}
		switch {
		case len(body) > maxResponse:
			res = result{errorType: "Function.ResponseSizeTooLarge", payload: mustJSON(map[string]string{
				"errorType":    "Function.ResponseSizeTooLarge",
				"errorMessage": "Response payload size exceeded maximum allowed payload size (6291556 bytes).",
			})}
			runtimeError(w, http.StatusRequestEntityTooLarge, "RequestEntityTooLarge", "response payload too large")
			inv.finish(res)
			return
		case isError:
			res.errorType = errorTypeOf(r.Header.Get(hdrErrorType), body)
			res.xrayCause = xrayCause(r.Header.Get(hdrXRayErrorCause))
		case r.Trailer.Get(hdrErrorType) != "":
			// A streamed response that failed midway (aws-lambda-go trailers).
			res.errorType = r.Trailer.Get(hdrErrorType)
			res.payload, _ = base64.StdEncoding.DecodeString(r.Trailer.Get(hdrErrorBody))
		}
		inv.finish(res)
		accepted(w)
	}
}

func (e *environment) handleInitError(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(io.LimitReader(r.Body, maxResponse))
	typ := errorTypeOf(r.Header.Get(hdrErrorType), body)
	p := e.proc.Load()
	p.sample()
	select {
	case p.initErr <- result{payload: body, errorType: typ}:
	default:
	}
	accepted(w)
}

func mustJSON(v any) []byte {
	b, _ := json.Marshal(v)
	return b
}

// errorTypeOf returns the error type a runtime reported: the
// Lambda-Runtime-Function-Error-Type header, else the errorType of the
// error document, else Runtime.Unknown.
func errorTypeOf(header string, body []byte) string {
	if header != "" {
		return header
	}
	var doc struct {
		ErrorType string `json:"errorType"`
	}
	if json.Unmarshal(body, &doc) == nil && doc.ErrorType != "" {
		return doc.ErrorType
	}
	return "Runtime.Unknown"
}
