package lambdaemu

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/lambdalog/lambdalog/cmd/lambdalog/internal/awsapi"
)

// Invoke payload limits (Lambda quotas).
const (
	maxSyncPayload  = 6 * 1024 * 1024
	maxAsyncPayload = 1024 * 1024
	tailBytes       = 4096
)

// invokePrefix starts the path of every Lambda API request this server
// answers: POST /2015-03-31/functions/{FunctionName}/invocations.
const invokePrefix = "/2015-03-31/functions/"

// InvokeAPI returns the Lambda Invoke API, to register with an awsapi.Router:
// POST /2015-03-31/functions/{FunctionName}/invocations, with the
// RequestResponse, Event and DryRun invocation types, X-Amz-Log-Type Tail
// and Lambda's restJson error shapes.
func (e *Emulator) InvokeAPI() awsapi.API { return invokeAPI{e} }

type invokeAPI struct{ e *Emulator }

// Spec implements awsapi.API.
func (invokeAPI) Spec() awsapi.Spec {
	return awsapi.Spec{Name: "Lambda Invoke", SigningName: "lambda", MaxBody: maxSyncPayload}
}

// Match implements awsapi.API: every request under /2015-03-31/functions,
// and any other request signed for Lambda (ListFunctions, GetFunction, ...),
// which Serve answers by naming the one operation it serves.
func (invokeAPI) Match(r *http.Request) bool {
	return strings.HasPrefix(r.URL.Path, strings.TrimSuffix(invokePrefix, "/")) ||
		strings.Contains(r.Header.Get("Authorization"), "/lambda/aws4_request")
}

// WriteError implements awsapi.API.
func (invokeAPI) WriteError(w http.ResponseWriter, r *awsapi.Request, e *awsapi.Error) {
	switch e.Code {
	case awsapi.CodeTooLarge:
		lambdaError(w, r.ID, http.StatusRequestEntityTooLarge, "RequestTooLargeException",
			fmt.Sprintf("Request must be smaller than %d bytes for the InvokeFunction operation", maxSyncPayload))
	case awsapi.CodeInternal:
		lambdaError(w, r.ID, http.StatusInternalServerError, "ServiceException", e.Message)
	default:
		lambdaError(w, r.ID, e.Status, e.Code, e.Message)
	}
}

// Serve implements awsapi.API.
func (a invokeAPI) Serve(w http.ResponseWriter, r *awsapi.Request) {
	name, ok := strings.CutSuffix(strings.TrimPrefix(r.URL.Path, invokePrefix), "/invocations")
	if r.Method != http.MethodPost || !ok || name == "" || strings.Contains(name, "/") {
		lambdaError(w, r.ID, http.StatusBadRequest, "UnknownOperationException",
			"lambdalog emulates only Lambda's Invoke operation (POST /2015-03-31/functions/{FunctionName}/invocations), not "+r.Method+" "+r.URL.Path)
		return
	}
	a.e.serveInvoke(w, r, name)
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

func (e *Emulator) serveInvoke(w http.ResponseWriter, r *awsapi.Request, raw string) {
	reqID := r.ID
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
	payload := r.Payload
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
	in := InvokeInput{Payload: bytes.Clone(payload), TraceID: r.Header.Get("X-Amzn-Trace-Id"), ClientContext: decodeClientContext(r.Header.Get("X-Amz-Client-Context"))}
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
