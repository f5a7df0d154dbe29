package lambdaemu

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
)

// Invoke payload limits (Lambda quotas).
const (
	maxSyncPayload  = 6 * 1024 * 1024
	maxAsyncPayload = 1024 * 1024
	tailBytes       = 4096
)

// InvokeAPI returns the Lambda Invoke API as an http.Handler:
// POST /2015-03-31/functions/{FunctionName}/invocations, with the
// RequestResponse, Event and DryRun invocation types, X-Amz-Log-Type Tail
// and Lambda's restJson error shapes. Requests are not authenticated.
func (e *Emulator) InvokeAPI() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("POST /2015-03-31/functions/{name}/invocations", e.serveInvoke)
	return mux
}

// lambdaError writes a Lambda (restJson) error.
func lambdaError(w http.ResponseWriter, reqID string, status int, typ, msg string) {
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("X-Amzn-Errortype", typ)
	h.Set("X-Amzn-Requestid", reqID)
	w.WriteHeader(status)
	key := "message"
	if typ == "ResourceNotFoundException" {
		key = "Message" // as in the botocore model
	}
	_ = json.NewEncoder(w).Encode(map[string]string{"Type": "User", key: msg})
}

// resolveName turns a FunctionName (name, partial or full ARN, with an
// optional qualifier) into a registered function name.
func (e *Emulator) resolveName(raw, qualifier string) (string, error) {
	name := raw
	if rest, ok := strings.CutPrefix(name, "arn:aws:lambda:"); ok {
		// region:account:function:name[:qualifier]
		parts := strings.SplitN(rest, ":", 3)
		if len(parts) != 3 || parts[0] != e.opts.Region {
			return "", errUnknownFunction
		}
		name = parts[1] + ":" + parts[2]
	}
	if acct, rest, ok := strings.Cut(name, ":function:"); ok {
		if acct != e.opts.AccountID {
			return "", errUnknownFunction
		}
		name = rest
	}
	if n, q, ok := strings.Cut(name, ":"); ok {
		if qualifier != "" && qualifier != q {
			return "", fmt.Errorf("the derived qualifier from the function name does not match the specified qualifier")
		}
		name, qualifier = n, q
	}
	if qualifier != "" && qualifier != "$LATEST" {
		return "", errUnknownFunction
	}
	e.mu.Lock()
	_, ok := e.pools[name]
	e.mu.Unlock()
	if !ok {
		return "", errUnknownFunction
	}
	return name, nil
}

func (e *Emulator) serveInvoke(w http.ResponseWriter, r *http.Request) {
	reqID := newRequestID()
	raw := r.PathValue("name")
	qualifier := r.URL.Query().Get("Qualifier")
	name, err := e.resolveName(raw, qualifier)
	if errors.Is(err, errUnknownFunction) {
		arn := raw
		if !strings.HasPrefix(arn, "arn:") {
			arn = e.FunctionARN(raw)
			if qualifier != "" {
				arn += ":" + qualifier
			}
		}
		lambdaError(w, reqID, http.StatusNotFound, "ResourceNotFoundException", "Function not found: "+arn)
		return
	}
	if err != nil {
		lambdaError(w, reqID, http.StatusBadRequest, "InvalidParameterValueException", err.Error())
		return
	}
	typ := r.Header.Get("X-Amz-Invocation-Type")
	limit := maxSyncPayload
	switch typ {
	case "", "RequestResponse":
		typ = "RequestResponse"
	case "Event":
		limit = maxAsyncPayload
	case "DryRun":
	default:
		lambdaError(w, reqID, http.StatusBadRequest, "InvalidParameterValueException",
			fmt.Sprintf("1 validation error detected: Value '%s' at 'invocationType' failed to satisfy constraint: Member must satisfy enum value set: [Event, RequestResponse, DryRun]", typ))
		return
	}
	logType := r.Header.Get("X-Amz-Log-Type")
	if logType != "" && logType != "None" && logType != "Tail" {
		lambdaError(w, reqID, http.StatusBadRequest, "InvalidParameterValueException",
			fmt.Sprintf("1 validation error detected: Value '%s' at 'logType' failed to satisfy constraint: Member must satisfy enum value set: [Tail, None]", logType))
		return
	}
	payload, err := io.ReadAll(io.LimitReader(r.Body, int64(limit)+1))
	if err != nil {
		lambdaError(w, reqID, http.StatusBadRequest, "InvalidRequestContentException", "Could not read request body: "+err.Error())
		return
	}
	if len(payload) > limit {
		op := "InvokeFunction"
		if typ == "Event" {
			op = "InvokeAsync"
		}
		lambdaError(w, reqID, http.StatusRequestEntityTooLarge, "RequestTooLargeException",
			fmt.Sprintf("Request must be smaller than %d bytes for the %s operation", limit, op))
		return
	}
	if len(payload) > 0 && !json.Valid(payload) {
		var v any
		err := json.Unmarshal(payload, &v)
		lambdaError(w, reqID, http.StatusBadRequest, "InvalidRequestContentException", "Could not parse request body into json: "+err.Error())
		return
	}
	in := InvokeInput{Payload: payload, TraceID: r.Header.Get("X-Amzn-Trace-Id"), ClientContext: decodeClientContext(r.Header.Get("X-Amz-Client-Context"))}
	h := w.Header()
	switch typ {
	case "DryRun":
		h.Set("X-Amzn-Requestid", reqID)
		w.WriteHeader(http.StatusNoContent)
		return
	case "Event":
		id, err := e.InvokeAsync(name, in)
		if err != nil {
			lambdaError(w, reqID, http.StatusInternalServerError, "ServiceException", err.Error())
			return
		}
		h.Set("X-Amzn-Requestid", id)
		w.WriteHeader(http.StatusAccepted)
		return
	}
	out, err := e.Invoke(r.Context(), name, in)
	if out == nil {
		lambdaError(w, reqID, http.StatusInternalServerError, "ServiceException", err.Error())
		return
	}
	h.Set("Content-Type", "application/json")
	h.Set("X-Amzn-Requestid", out.RequestID)
	h.Set("X-Amz-Executed-Version", "$LATEST")
	if out.ErrorType != "" {
		h.Set("X-Amz-Function-Error", "Unhandled")
	}
	if logType == "Tail" {
		l := out.Log
		if len(l) > tailBytes {
			l = l[len(l)-tailBytes:]
		}
		h.Set("X-Amz-Log-Result", base64.StdEncoding.EncodeToString([]byte(l)))
	}
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(out.Payload)
}

// decodeClientContext turns the base64 X-Amz-Client-Context header into
// the JSON the Runtime API passes on; invalid input is passed through.
func decodeClientContext(h string) string {
	if h == "" {
		return ""
	}
	b, err := base64.StdEncoding.DecodeString(h)
	if err != nil {
		return h
	}
	return string(b)
}
