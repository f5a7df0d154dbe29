package logsapi

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/lambdalog/lambdalog/cmd/lambdalog/internal/awsapi"
	"github.com/lambdalog/lambdalog/cmd/lambdalog/internal/queries"
	"github.com/lambdalog/lambdalog/cmd/lambdalog/internal/store"
)

const (
	contentType    = "application/x-amz-json-1.1"
	targetPrefix   = "Logs_20140328."
	defaultAccount = "123456789012"
	// DefaultMaxBodyBytes caps request bodies. A maximal PutLogEvents
	// batch is 1 MiB of messages; JSON escaping can grow it several times.
	DefaultMaxBodyBytes = 8 << 20
)

// Options configure a Handler.
type Options struct {
	// AccountID appears in ARNs; default 123456789012.
	AccountID string
	// Now is the clock for PutLogEvents' age rules; nil means time.Now.
	Now func() time.Time
	// MaxBodyBytes caps request bodies; 0 means DefaultMaxBodyBytes.
	MaxBodyBytes int64
	// Logger receives server-side failures; nil means slog.Default().
	Logger *slog.Logger
	// Queries runs Logs Insights queries; nil means a manager of the
	// handler's own, with default options, that is never closed.
	Queries *queries.Manager
	// LiveTail holds the Live Tail sessions that StartLiveTail opens; the
	// log store's AfterPut must hand it the events (LiveTail.Offer). Nil
	// means StartLiveTail answers InvalidOperationException.
	LiveTail *LiveTail
}

// Handler serves the CloudWatch Logs API; it is an awsapi.API.
type Handler struct {
	store    *store.Store
	account  string
	now      func() time.Time
	maxBody  int64
	logger   *slog.Logger
	queries  *queries.Manager
	liveTail *LiveTail
	bufs     sync.Pool // *bytes.Buffer for responses
}

// New returns a Handler serving st.
func New(st *store.Store, opts Options) *Handler {
	h := &Handler{store: st, account: opts.AccountID, now: opts.Now, maxBody: opts.MaxBodyBytes, logger: opts.Logger, queries: opts.Queries, liveTail: opts.LiveTail}
	if h.account == "" {
		h.account = defaultAccount
	}
	if h.now == nil {
		h.now = time.Now
	}
	if h.maxBody <= 0 {
		h.maxBody = DefaultMaxBodyBytes
	}
	if h.logger == nil {
		h.logger = slog.Default()
	}
	if h.queries == nil {
		h.queries = queries.New(st, queries.Options{Logger: h.logger})
	}
	h.bufs.New = func() any { return new(bytes.Buffer) }
	return h
}

// call is one API request being served.
type call struct {
	ctx       context.Context
	region    string
	requestID string
	body      []byte
	out       []byte // response body, appended to by the operation
	// stream, when the operation sets it, answers instead of out: it
	// writes a streamed response (StartLiveTail's event stream).
	stream func(http.ResponseWriter)
}

// operation is an operation's handler: it decodes c.body, and appends its
// response to c.out (nothing means {}).
type operation func(h *Handler, c *call) error

// request is an operation's decoded input; validate adds the model
// constraints it violates to v.
type request interface{ validate(v *validationErrors) }

// op makes an operation of fn, which takes its input decoded with
// encoding/json and validated, and returns the response to encode as JSON
// (nil for {}) or an error; store errors become their API errors. fn may
// instead append its response to c.out itself and return nil.
func op[In any, PIn interface {
	*In
	request
}](fn func(h *Handler, c *call, in *In) (any, error)) operation {
	return func(h *Handler, c *call) error {
		in := new(In)
		if err := decode(c.body, in); err != nil {
			return err
		}
		var v validationErrors
		PIn(in).validate(&v)
		if err := v.err(); err != nil {
			return err
		}
		out, err := fn(h, c, in)
		if err != nil {
			return storeError(err)
		}
		if out == nil {
			return nil
		}
		return c.writeJSON(out)
	}
}

var operations = requireUTF8(map[string]operation{
	"CreateLogGroup":        op((*Handler).createLogGroup),
	"DeleteLogGroup":        op((*Handler).deleteLogGroup),
	"DescribeLogGroups":     op((*Handler).describeLogGroups),
	"CreateLogStream":       op((*Handler).createLogStream),
	"DeleteLogStream":       op((*Handler).deleteLogStream),
	"DescribeLogStreams":    op((*Handler).describeLogStreams),
	"PutLogEvents":          (*Handler).putLogEvents,
	"GetLogEvents":          op((*Handler).getLogEvents),
	"FilterLogEvents":       op((*Handler).filterLogEvents),
	"PutRetentionPolicy":    op((*Handler).putRetentionPolicy),
	"DeleteRetentionPolicy": op((*Handler).deleteRetentionPolicy),
	"TagResource":           op((*Handler).tagResource),
	"UntagResource":         op((*Handler).untagResource),
	"ListTagsForResource":   op((*Handler).listTagsForResource),
	"TagLogGroup":           op((*Handler).tagLogGroup),
	"UntagLogGroup":         op((*Handler).untagLogGroup),
	"ListTagsLogGroup":      op((*Handler).listTagsLogGroup),

	"TestMetricFilter":            op((*Handler).testMetricFilter),
	"PutMetricFilter":             op((*Handler).putMetricFilter),
	"DescribeMetricFilters":       op((*Handler).describeMetricFilters),
	"DeleteMetricFilter":          op((*Handler).deleteMetricFilter),
	"PutSubscriptionFilter":       op((*Handler).putSubscriptionFilter),
	"DescribeSubscriptionFilters": op((*Handler).describeSubscriptionFilters),
	"DeleteSubscriptionFilter":    op((*Handler).deleteSubscriptionFilter),

	"StartQuery":               op((*Handler).startQuery),
	"GetQueryResults":          op((*Handler).getQueryResults),
	"StopQuery":                op((*Handler).stopQuery),
	"DescribeQueries":          op((*Handler).describeQueries),
	"GetLogRecord":             op((*Handler).getLogRecord),
	"GetLogGroupFields":        op((*Handler).getLogGroupFields),
	"PutQueryDefinition":       op((*Handler).putQueryDefinition),
	"DescribeQueryDefinitions": op((*Handler).describeQueryDefinitions),
	"DeleteQueryDefinition":    op((*Handler).deleteQueryDefinition),

	"StartLiveTail": op((*Handler).startLiveTail),
})

// Spec implements awsapi.API.
func (h *Handler) Spec() awsapi.Spec {
	return awsapi.Spec{Name: "CloudWatch Logs", SigningName: "logs", MaxBody: h.maxBody}
}

// Match implements awsapi.API: CloudWatch Logs requests carry X-Amz-Target
// Logs_20140328.<Operation>.
func (h *Handler) Match(r *http.Request) bool {
	return strings.HasPrefix(r.Header.Get("X-Amz-Target"), targetPrefix)
}

// WriteError implements awsapi.API, in the JSON 1.1 shape. The router's
// body-size and internal errors take the shapes this API uses for them.
func (h *Handler) WriteError(w http.ResponseWriter, _ *awsapi.Request, e *awsapi.Error) {
	switch e.Code {
	case awsapi.CodeTooLarge:
		e = &awsapi.Error{Status: http.StatusBadRequest, Code: "InvalidParameterException", Message: e.Message}
	case awsapi.CodeInternal:
		e = errInternal
	}
	awsapi.WriteJSONError(w, contentType, e)
}

// Serve implements awsapi.API.
func (h *Handler) Serve(w http.ResponseWriter, r *awsapi.Request) {
	target := r.Header.Get("X-Amz-Target")
	name := strings.TrimPrefix(target, targetPrefix)
	op := operations[name]
	if r.Method != http.MethodPost || op == nil {
		msg := "Unknown operation " + target
		if r.Method != http.MethodPost {
			msg = "Unsupported method " + r.Method + "; CloudWatch Logs requests are POST / with X-Amz-Target"
		}
		h.WriteError(w, r, clientError("UnknownOperationException", "%s", msg))
		return
	}
	out := h.bufs.Get().(*bytes.Buffer)
	c := &call{ctx: r.Context(), region: r.Region, requestID: r.ID, body: r.Payload, out: out.AvailableBuffer()}
	defer func() { h.putBuf(bytes.NewBuffer(c.out[:0])) }()
	if err := storeError(op(h, c)); err != nil {
		if mq, ok := errors.AsType[*malformedQuery](err); ok {
			writeMalformedQuery(w, mq)
			return
		}
		ae, ok := errors.AsType[*awsapi.Error](err)
		if !ok {
			h.logger.Error("logsapi: operation failed", "op", name, "requestId", r.ID, "err", err)
			ae = errInternal
		}
		h.WriteError(w, r, ae)
		return
	}
	if c.stream != nil {
		c.stream(w)
		return
	}
	if len(c.out) == 0 {
		c.out = append(c.out, '{', '}')
	}
	w.Header().Set("Content-Type", contentType)
	_, _ = w.Write(c.out)
}

// putBuf returns an emptied buffer to the pool unless it grew huge.
func (h *Handler) putBuf(b *bytes.Buffer) {
	b.Reset()
	if b.Cap() <= 16<<20 {
		h.bufs.Put(b)
	}
}

// decode unmarshals a non-hot-path request body into v.
func decode(body []byte, v any) error {
	if len(bytes.TrimSpace(body)) == 0 {
		return nil // botocore sends {} but an empty body means no parameters
	}
	if err := json.Unmarshal(body, v); err != nil {
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) {
			return serializationError("Unexpected JSON type for field %s: %s", te.Field, te.Value)
		}
		return serializationError("Request body is not valid JSON: %v", err)
	}
	return nil
}

// writeJSON encodes a non-hot-path response into c.out.
func (c *call) writeJSON(v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("encode response: %w", err)
	}
	c.out = append(c.out, b...)
	return nil
}
