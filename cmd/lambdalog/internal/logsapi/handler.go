package logsapi

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/lambdalog/lambdalog/cmd/lambdalog/internal/store"
)

const (
	contentType    = "application/x-amz-json-1.1"
	targetPrefix   = "Logs_20140328."
	defaultRegion  = "us-east-1"
	defaultAccount = "123456789012"
	// DefaultMaxBodyBytes caps request bodies. A maximal PutLogEvents
	// batch is 1 MiB of messages; JSON escaping can grow it several times.
	DefaultMaxBodyBytes = 8 << 20
)

// Options configure a Handler.
type Options struct {
	// AccountID appears in ARNs; default 123456789012.
	AccountID string
	// AccessKeyID and SecretAccessKey, when both set, make the handler
	// verify every request's SigV4 signature against them.
	AccessKeyID, SecretAccessKey string
	// Now is the clock for PutLogEvents' age rules; nil means time.Now.
	Now func() time.Time
	// MaxBodyBytes caps request bodies; 0 means DefaultMaxBodyBytes.
	MaxBodyBytes int64
	// Logger receives server-side failures; nil means slog.Default().
	Logger *slog.Logger
}

// Handler is an http.Handler serving the CloudWatch Logs API.
type Handler struct {
	store   *store.Store
	account string
	creds   *credentials
	now     func() time.Time
	maxBody int64
	logger  *slog.Logger
	bufs    sync.Pool // *bytes.Buffer for request bodies and responses
}

// New returns a Handler serving st.
func New(st *store.Store, opts Options) *Handler {
	h := &Handler{store: st, account: opts.AccountID, now: opts.Now, maxBody: opts.MaxBodyBytes, logger: opts.Logger}
	if h.account == "" {
		h.account = defaultAccount
	}
	if opts.AccessKeyID != "" && opts.SecretAccessKey != "" {
		h.creds = &credentials{accessKeyID: opts.AccessKeyID, secret: opts.SecretAccessKey}
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
	h.bufs.New = func() any { return new(bytes.Buffer) }
	return h
}

// call is one API request being served.
type call struct {
	ctx    context.Context
	region string
	body   []byte
	out    []byte // response body, appended to by the operation
}

type operation func(h *Handler, c *call) error

var operations = map[string]operation{
	"CreateLogGroup":        (*Handler).createLogGroup,
	"DeleteLogGroup":        (*Handler).deleteLogGroup,
	"DescribeLogGroups":     (*Handler).describeLogGroups,
	"CreateLogStream":       (*Handler).createLogStream,
	"DeleteLogStream":       (*Handler).deleteLogStream,
	"DescribeLogStreams":    (*Handler).describeLogStreams,
	"PutLogEvents":          (*Handler).putLogEvents,
	"GetLogEvents":          (*Handler).getLogEvents,
	"FilterLogEvents":       (*Handler).filterLogEvents,
	"PutRetentionPolicy":    (*Handler).putRetentionPolicy,
	"DeleteRetentionPolicy": (*Handler).deleteRetentionPolicy,
	"TagResource":           (*Handler).tagResource,
	"UntagResource":         (*Handler).untagResource,
	"ListTagsForResource":   (*Handler).listTagsForResource,
	"TagLogGroup":           (*Handler).tagLogGroup,
	"UntagLogGroup":         (*Handler).untagLogGroup,
	"ListTagsLogGroup":      (*Handler).listTagsLogGroup,

	"TestMetricFilter":            (*Handler).testMetricFilter,
	"PutMetricFilter":             (*Handler).putMetricFilter,
	"DescribeMetricFilters":       (*Handler).describeMetricFilters,
	"DeleteMetricFilter":          (*Handler).deleteMetricFilter,
	"PutSubscriptionFilter":       (*Handler).putSubscriptionFilter,
	"DescribeSubscriptionFilters": (*Handler).describeSubscriptionFilters,
	"DeleteSubscriptionFilter":    (*Handler).deleteSubscriptionFilter,
}

// ServeHTTP implements http.Handler.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("x-amzn-RequestId", newRequestID())
	defer func() {
		if p := recover(); p != nil {
			if p == http.ErrAbortHandler {
				panic(p)
			}
			h.logger.Error("logsapi: panic serving request", "target", r.Header.Get("X-Amz-Target"), "panic", p)
			writeError(w, errInternal)
		}
	}()
	if e := h.serve(w, r); e != nil {
		writeError(w, e)
	}
}

func (h *Handler) serve(w http.ResponseWriter, r *http.Request) *apiError {
	target := r.Header.Get("X-Amz-Target")
	name, ok := strings.CutPrefix(target, targetPrefix)
	op := operations[name]
	if r.Method != http.MethodPost || !ok || op == nil {
		msg := "Unknown operation " + target
		if r.Method != http.MethodPost {
			msg = "Unsupported method " + r.Method + "; CloudWatch Logs requests are POST / with X-Amz-Target"
		}
		return clientError("UnknownOperationException", "%s", msg)
	}
	buf := h.bufs.Get().(*bytes.Buffer)
	defer h.putBuf(buf)
	if n := r.ContentLength; n > 0 && n <= h.maxBody {
		buf.Grow(int(n) + bytes.MinRead) // read the body without regrowing
	}
	if _, err := buf.ReadFrom(http.MaxBytesReader(w, r.Body, h.maxBody)); err != nil {
		if mbe := (*http.MaxBytesError)(nil); errors.As(err, &mbe) {
			return invalidParameter("Request body too large: exceeds limit of %d bytes", h.maxBody)
		}
		return serializationError("Cannot read request body: %v", err)
	}
	region, e := h.authenticate(r, buf.Bytes())
	if e != nil {
		return e
	}
	out := h.bufs.Get().(*bytes.Buffer)
	c := &call{ctx: r.Context(), region: region, body: buf.Bytes(), out: out.AvailableBuffer()}
	defer func() { h.putBuf(bytes.NewBuffer(c.out[:0])) }()
	if err := op(h, c); err != nil {
		if ae := (*apiError)(nil); errors.As(err, &ae) {
			return ae
		}
		h.logger.Error("logsapi: operation failed", "op", name, "err", err)
		return errInternal
	}
	if len(c.out) == 0 {
		c.out = append(c.out, '{', '}')
	}
	w.Header().Set("Content-Type", contentType)
	_, _ = w.Write(c.out)
	return nil
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

func newRequestID() string {
	var b [16]byte
	_, _ = io.ReadFull(rand.Reader, b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	var s [36]byte
	hex.Encode(s[0:8], b[0:4])
	s[8] = '-'
	hex.Encode(s[9:13], b[4:6])
	s[13] = '-'
	hex.Encode(s[14:18], b[6:8])
	s[18] = '-'
	hex.Encode(s[19:23], b[8:10])
	s[23] = '-'
	hex.Encode(s[24:], b[10:])
	return string(s[:])
}
