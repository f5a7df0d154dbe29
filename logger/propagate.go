package logger

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
)

// CorrelationHeader is the HTTP header carrying the correlation id between services. The
// middleware takes the correlation id from it when an event has it among its headers.
const CorrelationHeader = "X-Correlation-Id"

// ClientContextKey is the key of the correlation id in the custom map of a Lambda Invoke
// client context. The middleware takes the correlation id from it before anything else.
const ClientContextKey = "correlation_id"

// Transport returns an http.RoundTripper that adds the X-Correlation-Id header, from the
// request's context (see CorrelationID), to requests that do not already have one.
// A nil base means http.DefaultTransport.
func Transport(base http.RoundTripper) http.RoundTripper {
	if base == nil {
		base = http.DefaultTransport
	}
	return correlationTransport{base: base}
}

type correlationTransport struct{ base http.RoundTripper }

// RoundTrip implements http.RoundTripper; it never modifies the caller's request.
func (t correlationTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	id := CorrelationID(req.Context())
	if id == "" || req.Header.Get(CorrelationHeader) != "" {
		return t.base.RoundTrip(req)
	}
	req = req.Clone(req.Context())
	req.Header.Set(CorrelationHeader, id)
	return t.base.RoundTrip(req)
}

// SetCorrelationHeader sets the X-Correlation-Id header in h to the correlation id of ctx,
// if it has one.
func SetCorrelationHeader(ctx context.Context, h http.Header) {
	if id := CorrelationID(ctx); id != "" {
		h.Set(CorrelationHeader, id)
	}
}

// ClientContext returns clientContext, a Lambda Invoke ClientContext (base64-encoded JSON,
// possibly empty), with the correlation id of ctx added to its custom map, ready for
// lambda.InvokeInput.ClientContext. The called function's middleware picks the id up.
func ClientContext(ctx context.Context, clientContext string) (string, error) {
	id := CorrelationID(ctx)
	if id == "" {
		return clientContext, nil
	}
	doc := map[string]any{}
	if clientContext != "" {
		raw, err := base64.StdEncoding.DecodeString(clientContext)
		if err != nil {
			return "", fmt.Errorf("decoding client context: %w", err)
		}
		if err := json.Unmarshal(raw, &doc); err != nil {
			return "", fmt.Errorf("decoding client context JSON: %w", err)
		}
	}
	custom, _ := doc["custom"].(map[string]any)
	if custom == nil {
		custom = map[string]any{}
	}
	custom[ClientContextKey] = id
	doc["custom"] = custom
	raw, err := json.Marshal(doc)
	if err != nil {
		return "", fmt.Errorf("encoding client context: %w", err)
	}
	return base64.StdEncoding.EncodeToString(raw), nil
}
