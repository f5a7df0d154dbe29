package logger

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
)

// Built-in correlation id paths for WithCorrelationPath, as Powertools defines them.
const (
	CorrelationAPIGatewayREST = "requestContext.requestId"
	CorrelationAPIGatewayHTTP = "requestContext.requestId"
	CorrelationFunctionURL    = "requestContext.requestId"
	CorrelationALB            = `headers."x-amzn-trace-id"`
	CorrelationVPCLattice     = `headers."x-amzn-trace-id"`
	CorrelationEventBridge    = "id"
	CorrelationS3ObjectLambda = "xAmzRequestId"
	CorrelationAppSync        = `request.headers."x-amzn-trace-id"`
)

// parsePath splits a correlation path into its segments: a.b."c.d" is [a b c.d].
func parsePath(path string) ([]string, error) {
	var segs []string
	for rest := path; ; {
		var seg string
		if strings.HasPrefix(rest, `"`) {
			end := strings.IndexByte(rest[1:], '"')
			if end < 0 {
				return nil, fmt.Errorf("correlation path %q: unterminated quote", path)
			}
			seg, rest = rest[1:end+1], rest[end+2:]
			if rest != "" && rest[0] != '.' {
				return nil, fmt.Errorf("correlation path %q: want '.' after a quoted segment", path)
			}
		} else {
			end := strings.IndexByte(rest, '.')
			if end < 0 {
				end = len(rest)
			}
			seg, rest = rest[:end], rest[end:]
			if strings.ContainsRune(seg, '"') {
				return nil, fmt.Errorf("correlation path %q: quote inside a segment", path)
			}
		}
		if seg == "" {
			return nil, fmt.Errorf("correlation path %q: empty segment", path)
		}
		segs = append(segs, seg)
		if rest == "" {
			return segs, nil
		}
		rest = rest[1:]
		if rest == "" {
			return nil, fmt.Errorf("correlation path %q: trailing '.'", path)
		}
	}
}

// lookupPath returns the string or number at path in a decoded JSON tree, or "".
func lookupPath(tree any, path []string) string {
	for _, seg := range path {
		m, ok := tree.(map[string]any)
		if !ok {
			return ""
		}
		tree = lookupKey(m, seg)
	}
	switch v := tree.(type) {
	case string:
		return v
	case json.Number:
		return v.String()
	}
	return ""
}

// lookupKey finds key exactly, else case-insensitively (HTTP header names).
func lookupKey(m map[string]any, key string) any {
	if v, ok := m[key]; ok {
		return v
	}
	for k, v := range m {
		if strings.EqualFold(k, key) {
			return v
		}
	}
	return nil
}

// decodeEvent decodes a JSON event into a tree, numbers kept as json.Number.
func decodeEvent(raw []byte) (any, error) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var tree any
	if err := dec.Decode(&tree); err != nil {
		return nil, err
	}
	return tree, nil
}

// eventJSON returns the JSON form of a handler's event.
func eventJSON(event any) ([]byte, error) {
	switch e := event.(type) {
	case json.RawMessage:
		return e, nil
	case []byte:
		if json.Valid(e) {
			return e, nil
		}
		return nil, errors.New("event is not valid JSON")
	}
	return safeMarshal(event)
}
