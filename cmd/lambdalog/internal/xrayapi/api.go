package xrayapi

import (
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"net/http"
	"reflect"
	"strconv"
	"strings"
	"time"

	"github.com/lambdalog/lambdalog/cmd/lambdalog/internal/awsapi"
	"github.com/lambdalog/lambdalog/cmd/lambdalog/internal/tracestore"
)

// maxBody is the largest X-Ray API request body.
const maxBody = 8 << 20

// Options configure the APIs.
type Options struct {
	// AccountID appears in ARNs; default 123456789012.
	AccountID string
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// Logger receives server-side failures; nil means slog.Default().
	Logger *slog.Logger
}

func (o *Options) defaults() {
	if o.AccountID == "" {
		o.AccountID = "123456789012"
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
}

// API is the X-Ray API over a trace store.
type API struct {
	store   *tracestore.Store
	opts    Options
	started time.Time
}

// New returns the X-Ray API over store.
func New(store *tracestore.Store, opts Options) *API {
	opts.defaults()
	return &API{store: store, opts: opts, started: opts.Now()}
}

// Spec implements awsapi.API.
func (*API) Spec() awsapi.Spec {
	return awsapi.Spec{Name: "X-Ray", SigningName: "xray", MaxBody: maxBody}
}

// operation is one X-Ray operation: POST <path>.
type operation struct {
	name  string
	serve func(a *API, w http.ResponseWriter, r *awsapi.Request) *awsapi.Error
}

var operations = map[string]operation{
	"/TraceSegments":    {"PutTraceSegments", (*API).putTraceSegments},
	"/TelemetryRecords": {"PutTelemetryRecords", (*API).putTelemetryRecords},
	"/TraceSummaries":   {"GetTraceSummaries", (*API).getTraceSummaries},
	"/Traces":           {"BatchGetTraces", (*API).batchGetTraces},
	"/ServiceGraph":     {"GetServiceGraph", (*API).getServiceGraph},
	"/TraceGraph":       {"GetTraceGraph", (*API).getTraceGraph},
	"/GetSamplingRules": {"GetSamplingRules", (*API).getSamplingRules},
	"/SamplingTargets":  {"GetSamplingTargets", (*API).getSamplingTargets},
}

// Match implements awsapi.API: POST to an operation's path, or any request
// signed for X-Ray (so that an operation lambdalog does not emulate gets an
// X-Ray error that names it).
func (*API) Match(r *http.Request) bool {
	if _, ok := operations[r.URL.Path]; ok && r.Method == http.MethodPost {
		return true
	}
	return strings.Contains(r.Header.Get("Authorization"), "/xray/aws4_request")
}

// Serve implements awsapi.API.
func (a *API) Serve(w http.ResponseWriter, r *awsapi.Request) {
	op, ok := operations[r.URL.Path]
	if !ok || r.Method != http.MethodPost {
		a.WriteError(w, r, &awsapi.Error{Status: http.StatusNotFound, Code: awsapi.CodeUnknownOperation,
			Message: fmt.Sprintf("lambdalog does not emulate the X-Ray operation at %s %s; it serves PutTraceSegments, PutTelemetryRecords, GetTraceSummaries, BatchGetTraces, GetServiceGraph, GetTraceGraph, GetSamplingRules and GetSamplingTargets", r.Method, r.URL.Path)})
		return
	}
	if e := op.serve(a, w, r); e != nil {
		a.WriteError(w, r, e)
	}
}

// WriteError implements awsapi.API: restJson, the shape name in
// X-Amzn-ErrorType. The Router's throttling is X-Ray's ThrottledException.
func (*API) WriteError(w http.ResponseWriter, r *awsapi.Request, e *awsapi.Error) {
	if e.Code == awsapi.CodeThrottling {
		e = &awsapi.Error{Status: http.StatusTooManyRequests, Code: "ThrottledException", Message: e.Message}
	}
	awsapi.WriteJSONError(w, "application/json", e)
}

func invalid(format string, args ...any) *awsapi.Error {
	return &awsapi.Error{Status: http.StatusBadRequest, Code: "InvalidRequestException", Message: fmt.Sprintf(format, args...)}
}

// storeError turns a store failure into the error a client sees.
func (a *API) storeError(r *awsapi.Request, op string, err error) *awsapi.Error {
	if errors.Is(err, tracestore.ErrDiskFull) || errors.Is(err, tracestore.ErrFailed) {
		return &awsapi.Error{Status: http.StatusServiceUnavailable, Code: "ServiceUnavailableException", Message: err.Error()}
	}
	a.opts.Logger.Error("xrayapi: "+op, "requestId", r.ID, "err", err)
	return &awsapi.Error{Status: http.StatusInternalServerError, Code: awsapi.CodeInternal, Message: "The service cannot complete the request."}
}

// decode reads the JSON request body into v.
func decode(r *awsapi.Request, v any) *awsapi.Error {
	body := r.Payload
	if len(strings.TrimSpace(string(body))) == 0 {
		body = []byte("{}")
	}
	if err := json.Unmarshal(body, v); err != nil {
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) && te.Field != "" {
			return invalid("%s: expected %s, got %s", te.Field, jsonType(te.Type.String()), te.Value)
		}
		return &awsapi.Error{Status: http.StatusBadRequest, Code: awsapi.CodeSerialization, Message: "The request body is not valid JSON: " + err.Error()}
	}
	return nil
}

func jsonType(goType string) string {
	switch {
	case strings.HasPrefix(goType, "[]"):
		return "a list"
	case goType == "string", goType == "*string":
		return "a string"
	case strings.Contains(goType, "Timestamp"):
		return "a timestamp (epoch seconds)"
	case strings.Contains(goType, "int"), strings.Contains(goType, "float"):
		return "a number"
	case strings.Contains(goType, "bool"):
		return "a boolean"
	}
	return "an object"
}

// writeJSON answers 200 with v as JSON.
func writeJSON(w http.ResponseWriter, v any) *awsapi.Error {
	b, err := json.Marshal(v)
	if err != nil {
		return &awsapi.Error{Status: http.StatusInternalServerError, Code: awsapi.CodeInternal, Message: err.Error()}
	}
	w.Header().Set("Content-Type", "application/json")
	_, _ = w.Write(b)
	return nil
}

// Timestamp is an X-Ray timestamp: epoch seconds on the wire (a number;
// an ISO 8601 string is accepted too).
type Timestamp struct {
	time.Time
	set bool
}

// UnmarshalJSON implements json.Unmarshaler.
func (t *Timestamp) UnmarshalJSON(b []byte) error {
	s := string(b)
	if s == "null" {
		return nil
	}
	if uq, err := strconv.Unquote(s); err == nil {
		for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05", "2006-01-02"} {
			if tm, err := time.Parse(layout, uq); err == nil {
				t.Time, t.set = tm, true
				return nil
			}
		}
		s = uq
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsNaN(f) || math.IsInf(f, 0) || math.Abs(f) > 1e12 {
		return &json.UnmarshalTypeError{Value: clip(string(b)), Type: reflect.TypeFor[Timestamp]()}
	}
	sec, frac := math.Modf(f)
	t.Time, t.set = time.Unix(int64(sec), int64(math.Round(frac*1e9))), true
	return nil
}

// epoch writes a time as X-Ray does: epoch seconds.
func epoch(t time.Time) float64 { return float64(t.UnixMilli()) / 1000 }

func clip(s string) string {
	if len(s) > 40 {
		return s[:40] + "..."
	}
	return s
}
