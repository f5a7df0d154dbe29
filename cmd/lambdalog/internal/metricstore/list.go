package metricstore

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"

	"github.com/cockroachdb/pebble/v2"
)

// DimensionFilter matches metrics that have a dimension Name, with Value when
// HasValue is set.
type DimensionFilter struct {
	Name     string
	Value    string
	HasValue bool
}

// ListFilter selects metrics for List. Empty fields match everything.
type ListFilter struct {
	Namespace  string
	MetricName string
	Dimensions []DimensionFilter
}

// ErrInvalidToken is returned for a NextToken that List did not produce.
var ErrInvalidToken = errors.New("metricstore: invalid next token")

// List returns up to limit series matching f, in key order, starting after
// token (empty for the first page). next is empty when there are no more.
func (s *Store) List(ctx context.Context, f ListFilter, limit int, token string) (series []Series, next string, err error) {
	lower := []byte{prefixSeries}
	if f.Namespace != "" {
		lower = appendString(lower, f.Namespace)
		if f.MetricName != "" {
			lower = appendString(lower, f.MetricName)
		}
	}
	upper := prefixEnd(lower)
	start := lower
	if token != "" {
		after, err := base64.RawURLEncoding.DecodeString(token)
		if err != nil || len(after) == 0 || after[0] != prefixSeries {
			return nil, "", ErrInvalidToken
		}
		start = append(after, 0) // the smallest key after the last one returned
	}
	it, err := s.db.NewIterWithContext(ctx, &pebble.IterOptions{LowerBound: lower, UpperBound: upper})
	if err != nil {
		return nil, "", fmt.Errorf("metricstore: list: %w", err)
	}
	defer it.Close()
	for ok := it.SeekGE(start); ok; ok = it.Next() {
		sr, _, err := decodeSeries(it.Key()[1:])
		if err != nil {
			return nil, "", fmt.Errorf("metricstore: list: %w", err)
		}
		if !matches(sr, f) {
			continue
		}
		if len(series) == limit {
			return series, base64.RawURLEncoding.EncodeToString(appendSeries([]byte{prefixSeries}, series[len(series)-1])), nil
		}
		series = append(series, sr)
	}
	if err := it.Error(); err != nil {
		return nil, "", fmt.Errorf("metricstore: list: %w", err)
	}
	return series, "", nil
}

func matches(s Series, f ListFilter) bool {
	if (f.Namespace != "" && s.Namespace != f.Namespace) || (f.MetricName != "" && s.Name != f.MetricName) {
		return false
	}
	for _, df := range f.Dimensions {
		found := false
		for _, d := range s.Dimensions {
			if d.Name == df.Name && (!df.HasValue || d.Value == df.Value) {
				found = true
				break
			}
		}
		if !found {
			return false
		}
	}
	return true
}
