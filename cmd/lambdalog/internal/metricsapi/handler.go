package metricsapi

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"

	"github.com/lambdalog/lambdalog/cmd/lambdalog/internal/awsapi"
	"github.com/lambdalog/lambdalog/cmd/lambdalog/internal/awsquery"
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
}

// Handler serves the CloudWatch metrics API; it is an awsapi.API.
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

// Spec implements awsapi.API.
func (h *Handler) Spec() awsapi.Spec {
	return awsapi.Spec{Name: "CloudWatch metrics", SigningName: "monitoring", MaxBody: maxBody}
}

// Match implements awsapi.API: a CloudWatch metrics API request in one of
// the protocols, told by its path (CBOR), its X-Amz-Target (JSON) or, for
// awsQuery, by being a form POST to / signed for "monitoring" (see isQuery).
func (h *Handler) Match(r *http.Request) bool {
	return strings.HasPrefix(r.URL.Path, PathPrefix) || strings.HasPrefix(r.Header.Get("X-Amz-Target"), TargetPrefix) || isQuery(r)
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

// protocol returns the request's codec and operation name.
func protocol(r *http.Request) (codec, string) {
	if name, ok := strings.CutPrefix(r.URL.Path, PathPrefix); ok {
		return cborCodec, name
	}
	return jsonCodec, strings.TrimPrefix(r.Header.Get("X-Amz-Target"), TargetPrefix)
}

// Serve implements awsapi.API: it decodes the request, runs the operation
// and writes the response or an AWS-shaped error in the request's protocol.
func (h *Handler) Serve(w http.ResponseWriter, r *awsapi.Request) {
	if isQuery(r.Request) {
		h.serveQuery(w, r)
		return
	}
	c, name := protocol(r.Request)
	out, err := h.serve(r, c, name)
	var body []byte
	if err == nil {
		body, err = c.encode(out)
	}
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	if c.contentType == cborCodec.contentType {
		w.Header().Set("Smithy-Protocol", "rpc-v2-cbor")
	}
	w.Header().Set("Content-Type", c.contentType)
	w.WriteHeader(http.StatusOK)
	w.Write(body)
}

func (h *Handler) serve(r *awsapi.Request, c codec, name string) (map[string]any, error) {
	if r.Method != http.MethodPost {
		return nil, serialization(errors.New("requests must use POST"))
	}
	op, ok := operations[name]
	if !ok {
		return nil, unknownOperation(name)
	}
	body, err := decompress(r.Payload, r.Header.Get("Content-Encoding"))
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

// WriteError implements awsapi.API for the errors the router raises.
func (h *Handler) WriteError(w http.ResponseWriter, r *awsapi.Request, e *awsapi.Error) {
	if e.Code == awsapi.CodeInternal {
		h.writeError(w, r, internal(errors.New(e.Message)))
		return
	}
	h.writeError(w, r, &apiError{e.Code, awsquery.RouterCode(e.Code), e.Status, e.Message})
}

func (h *Handler) writeError(w http.ResponseWriter, r *awsapi.Request, err error) {
	var ae *apiError
	if !errors.As(err, &ae) {
		h.opts.Logger.Error("metrics API request failed", "path", r.URL.Path, "requestId", r.ID, "error", err)
		ae = internal(errors.New("an internal error occurred; see the server log"))
	}
	fault := "Sender"
	if ae.status >= 500 {
		fault = "Receiver"
	}
	if isQuery(r.Request) {
		awsquery.WriteError(w, QueryNamespace, r.ID, ae.status, ae.code, ae.message)
		return
	}
	c, _ := protocol(r.Request)
	doc := map[string]any{"__type": "com.amazonaws.cloudwatch#" + ae.shape, "message": ae.message}
	if ae.shape == "InternalServiceFault" {
		doc["Message"] = ae.message // the model spells this shape's member with a capital M
	}
	body, _ := c.encode(doc) // strings only: cannot fail
	if c.contentType == cborCodec.contentType {
		w.Header().Set("Smithy-Protocol", "rpc-v2-cbor")
	}
	w.Header().Set("x-amzn-query-error", ae.code+";"+fault)
	w.Header().Set("Content-Type", c.contentType)
	w.WriteHeader(ae.status)
	w.Write(body)
}
