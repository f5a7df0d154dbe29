package metricsapi

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/lambdalog/lambdalog/cmd/lambdalog/internal/awsquery"
)

// decodeJSON decodes an awsJson1_0 request body into a document (timestamps
// stay numbers of epoch seconds; params.timestamp accepts them).
func decodeJSON(p []byte) (map[string]any, error) {
	if len(bytes.TrimSpace(p)) == 0 {
		return map[string]any{}, nil
	}
	var m map[string]any
	if err := json.Unmarshal(p, &m); err != nil {
		return nil, fmt.Errorf("decode JSON: %w", err)
	}
	if m == nil {
		return nil, errors.New("the request body must be a JSON object")
	}
	dropNulls(m)
	return m, nil
}

// dropNulls removes null members, as absent and null mean the same to AWS.
func dropNulls(m map[string]any) {
	for k, v := range m {
		switch v := v.(type) {
		case nil:
			delete(m, k)
		case map[string]any:
			dropNulls(v)
		case []any:
			for _, e := range v {
				if em, ok := e.(map[string]any); ok {
					dropNulls(em)
				}
			}
		}
	}
}

// encodeJSON encodes a response document, timestamps as epoch seconds.
func encodeJSON(doc any) ([]byte, error) {
	return json.Marshal(toJSON(doc))
}

func toJSON(v any) any {
	switch v := v.(type) {
	case awsquery.Map:
		return toJSON(map[string]any(v))
	case map[string]any:
		m := make(map[string]any, len(v))
		for k, e := range v {
			m[k] = toJSON(e)
		}
		return m
	case []any:
		l := make([]any, len(v))
		for i, e := range v {
			l[i] = toJSON(e)
		}
		return l
	case time.Time:
		return float64(v.UnixMilli()) / 1000
	}
	return v
}
