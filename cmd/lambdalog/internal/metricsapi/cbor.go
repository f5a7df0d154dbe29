package metricsapi

import (
	"errors"
	"fmt"
	"math"
	"time"

	"github.com/aws/smithy-go/encoding/cbor"

	"github.com/lambdalog/lambdalog/cmd/lambdalog/internal/awsquery"
)

// A request or response document is a tree of map[string]any, []any, string,
// float64, bool, time.Time and nil, independent of the wire encoding; a
// response's maps (as opposed to its structures) are awsquery.Maps, which
// awsQuery writes differently.

const maxDepth = 32

// decodeCBOR decodes a request body into a document. An empty body is an empty map.
func decodeCBOR(p []byte) (map[string]any, error) {
	if len(p) == 0 {
		return map[string]any{}, nil
	}
	v, err := cbor.Decode(p)
	if err != nil {
		return nil, fmt.Errorf("decode CBOR: %w", err)
	}
	doc, err := fromCBOR(v, 0)
	if err != nil {
		return nil, err
	}
	m, ok := doc.(map[string]any)
	if !ok {
		return nil, errors.New("the request body must be a CBOR map")
	}
	return m, nil
}

func fromCBOR(v cbor.Value, depth int) (any, error) {
	if depth > maxDepth {
		return nil, errors.New("the request body is nested too deeply")
	}
	switch v := v.(type) {
	case cbor.Map:
		m := make(map[string]any, len(v))
		for k, e := range v {
			x, err := fromCBOR(e, depth+1)
			if err != nil {
				return nil, err
			}
			if x != nil {
				m[k] = x
			}
		}
		return m, nil
	case cbor.List:
		l := make([]any, 0, len(v))
		for _, e := range v {
			x, err := fromCBOR(e, depth+1)
			if err != nil {
				return nil, err
			}
			l = append(l, x)
		}
		return l, nil
	case cbor.String:
		return string(v), nil
	case cbor.Uint:
		return float64(v), nil
	case cbor.NegInt:
		return -float64(v), nil
	case cbor.Float32:
		return float64(v), nil
	case cbor.Float64:
		return float64(v), nil
	case cbor.Bool:
		return bool(v), nil
	case *cbor.Nil, *cbor.Undefined:
		return nil, nil
	case *cbor.Tag:
		if v.ID != 1 {
			return nil, fmt.Errorf("unsupported CBOR tag %d", v.ID)
		}
		secs, err := fromCBOR(v.Value, depth+1)
		f, ok := secs.(float64)
		if err != nil || !ok || math.IsNaN(f) || math.IsInf(f, 0) || math.Abs(f) > 1e11 {
			return nil, errors.New("a timestamp (CBOR tag 1) must hold epoch seconds")
		}
		return time.UnixMilli(int64(math.Round(f * 1000))).UTC(), nil
	}
	return nil, fmt.Errorf("unsupported CBOR value %T", v)
}

// encodeCBOR encodes a response document.
func encodeCBOR(doc any) []byte { return cbor.Encode(toCBOR(doc)) }

func toCBOR(v any) cbor.Value {
	switch v := v.(type) {
	case awsquery.Map:
		return toCBOR(map[string]any(v))
	case map[string]any:
		m := make(cbor.Map, len(v))
		for k, e := range v {
			m[k] = toCBOR(e)
		}
		return m
	case []any:
		l := make(cbor.List, len(v))
		for i, e := range v {
			l[i] = toCBOR(e)
		}
		return l
	case string:
		return cbor.String(v)
	case float64:
		return cbor.Float64(v)
	case int:
		if v < 0 {
			return cbor.NegInt(-v)
		}
		return cbor.Uint(v)
	case bool:
		return cbor.Bool(v)
	case time.Time:
		return &cbor.Tag{ID: 1, Value: cbor.Float64(float64(v.UnixMilli()) / 1000)}
	}
	return &cbor.Nil{}
}
