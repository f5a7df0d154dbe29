package metricsapi

import (
	"bytes"
	"compress/gzip"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"

	"github.com/lambdalog/lambdalog/cmd/lambdalog/internal/metricstore"
)

// Wire constants of the two protocols served.
const (
	// PathPrefix starts the path of every Smithy RPC v2 CBOR request.
	PathPrefix = "/service/GraniteServiceVersion20100801/operation/"
	// TargetPrefix starts the X-Amz-Target header of every awsJson1_0 request.
	TargetPrefix = "GraniteServiceVersion20100801."
)

const (
	maxBody    = 1 << 20 // PutMetricData's 1 MB request limit
	maxDecoded = 4 << 20 // a gzip body may expand to this much
)

// Options configure a Handler.
type Options struct {
	// Logger receives server-side failures; nil discards them.
	Logger *slog.Logger
	// Authenticate, if set, verifies each request (for example its SigV4
	// signature) given the body exactly as received; an error is returned
	// to the client as an AccessDeniedException. Nil accepts every request,
	// which is right only for a server on a loopback address.
	Authenticate func(r *http.Request, body []byte) error
}

// Handler serves the CloudWatch metrics API. Mount it next to the logs API and
// route with Match.
type Handler struct {
	store *metricstore.Store
	opts  Options
}

// New returns a Handler over store.
func New(store *metricstore.Store, opts Options) *Handler {
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	return &Handler{store: store, opts: opts}
}

// Match reports whether r is a CloudWatch metrics API request (either
// protocol), so a server shared with the logs API routes with one line:
//
//	if metrics.Match(r) { metrics.ServeHTTP(w, r); return }
func (h *Handler) Match(r *http.Request) bool {
	return strings.HasPrefix(r.URL.Path, PathPrefix) || strings.HasPrefix(r.Header.Get("X-Amz-Target"), TargetPrefix)
}

type operation func(h *Handler, ctx context.Context, in params) (map[string]any, error)

var operations = map[string]operation{
	"ListMetrics":         (*Handler).listMetrics,
	"GetMetricStatistics": (*Handler).getMetricStatistics,
	"GetMetricData":       (*Handler).getMetricData,
	"PutMetricData":       (*Handler).putMetricData,
}

// codec is one wire protocol.
type codec struct {
	contentType string
	decode      func([]byte) (map[string]any, error)
	encode      func(any) ([]byte, error)
}

var (
	cborCodec = codec{"application/cbor", decodeCBOR, func(doc any) ([]byte, error) { return encodeCBOR(doc), nil }}
	jsonCodec = codec{"application/x-amz-json-1.0", decodeJSON, encodeJSON}
)

// ServeHTTP decodes the request, runs the operation and writes the response or
// an AWS-shaped error in the request's protocol.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	reqID := requestID()
	w.Header().Set("x-amzn-RequestId", reqID)
	c, name := jsonCodec, strings.TrimPrefix(r.Header.Get("X-Amz-Target"), TargetPrefix)
	if strings.HasPrefix(r.URL.Path, PathPrefix) {
		c, name = cborCodec, strings.TrimPrefix(r.URL.Path, PathPrefix)
		w.Header().Set("Smithy-Protocol", "rpc-v2-cbor")
	}
	defer func() {
		if p := recover(); p != nil {
			if p == http.ErrAbortHandler {
				panic(p)
			}
			h.writeError(w, r, c, reqID, fmt.Errorf("panic: %v", p))
		}
	}()
	out, err := h.serve(w, r, c, name)
	var body []byte
	if err == nil {
		body, err = c.encode(out)
	}
	if err != nil {
		h.writeError(w, r, c, reqID, err)
		return
	}
	w.Header().Set("Content-Type", c.contentType)
	w.WriteHeader(http.StatusOK)
	w.Write(body)
}

func (h *Handler) serve(w http.ResponseWriter, r *http.Request, c codec, name string) (map[string]any, error) {
	if r.Method != http.MethodPost {
		return nil, serialization(errors.New("requests must use POST"))
	}
	op, ok := operations[name]
	if !ok {
		return nil, unknownOperation(name)
	}
	raw, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBody))
	if err != nil {
		return nil, serialization(fmt.Errorf("read body: %w", err))
	}
	if h.opts.Authenticate != nil {
		if err := h.opts.Authenticate(r, raw); err != nil {
			return nil, accessDenied(err)
		}
	}
	body, err := decompress(raw, r.Header.Get("Content-Encoding"))
	if err != nil {
		return nil, serialization(err)
	}
	doc, err := c.decode(body)
	if err != nil {
		return nil, serialization(err)
	}
	return op(h, r.Context(), params{m: doc})
}

// decompress gunzips a body the client compressed (aws-sdk-go-v2 compresses
// PutMetricData).
func decompress(body []byte, enc string) ([]byte, error) {
	switch enc {
	case "", "identity":
		return body, nil
	case "gzip":
		zr, err := gzip.NewReader(bytes.NewReader(body))
		if err != nil {
			return nil, fmt.Errorf("gunzip body: %w", err)
		}
		body, err := io.ReadAll(io.LimitReader(zr, maxDecoded+1))
		if err != nil {
			return nil, fmt.Errorf("gunzip body: %w", err)
		}
		if len(body) > maxDecoded {
			return nil, fmt.Errorf("the decompressed body exceeds %d bytes", maxDecoded)
		}
		return body, nil
	default:
		return nil, fmt.Errorf("unsupported Content-Encoding %q", enc)
	}
}

func (h *Handler) writeError(w http.ResponseWriter, r *http.Request, c codec, reqID string, err error) {
	var ae *apiError
	if !errors.As(err, &ae) {
		h.opts.Logger.Error("metrics API request failed", "path", r.URL.Path, "requestId", reqID, "error", err)
		ae = internal(errors.New("an internal error occurred; see the server log"))
	}
	fault := "Sender"
	if ae.status >= 500 {
		fault = "Receiver"
	}
	doc := map[string]any{"__type": "com.amazonaws.cloudwatch#" + ae.shape, "message": ae.message}
	if ae.shape == "InternalServiceFault" {
		doc["Message"] = ae.message // the model spells this shape's member with a capital M
	}
	body, _ := c.encode(doc) // strings only: cannot fail
	w.Header().Set("x-amzn-query-error", ae.code+";"+fault)
	w.Header().Set("Content-Type", c.contentType)
	w.WriteHeader(ae.status)
	w.Write(body)
}

func requestID() string {
	var b [16]byte
	rand.Read(b[:])
	s := hex.EncodeToString(b[:])
	return s[:8] + "-" + s[8:12] + "-" + s[12:16] + "-" + s[16:20] + "-" + s[20:]
}
