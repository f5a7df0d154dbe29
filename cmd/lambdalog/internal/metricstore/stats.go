package metricstore

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/cockroachdb/pebble/v2"
)

// Query asks for statistics of one series (exact dimensions, as CloudWatch's
// GetMetricStatistics) over [Start, End) in buckets of Period.
type Query struct {
	Series
	// Unit, if set, keeps only data points recorded with that unit.
	Unit       string
	Start, End time.Time
	Period     time.Duration
	// Percentiles, e.g. 99 or 99.9, are computed when listed (nearest rank).
	Percentiles []float64
}

// Bucket holds the statistics of one period. Timestamp is the period's start;
// periods are aligned to multiples of Period since the Unix epoch, as
// CloudWatch rounds the start time down.
type Bucket struct {
	Timestamp   time.Time
	SampleCount float64
	Sum         float64
	Minimum     float64
	Maximum     float64
	Unit        string
	// Percentiles holds one value per Query.Percentiles entry.
	Percentiles []float64
}

// Average returns Sum / SampleCount.
func (b Bucket) Average() float64 { return b.Sum / b.SampleCount }

// Statistics returns one Bucket per period that has data, oldest first.
func (s *Store) Statistics(ctx context.Context, q Query) ([]Bucket, error) {
	if q.Period <= 0 {
		return nil, errors.New("metricstore: period must be positive")
	}
	dims := slices.Clone(q.Dimensions)
	slices.SortFunc(dims, func(a, b Dimension) int { return strings.Compare(a.Name, b.Name) })
	prefix := appendSeries([]byte{prefixData}, Series{q.Namespace, q.Name, dims})
	period := q.Period.Milliseconds()
	start := max(q.Start.UnixMilli(), 0)
	start -= start % period
	end := q.End.UnixMilli()
	if end <= start {
		return nil, nil
	}
	it, err := s.db.NewIterWithContext(ctx, &pebble.IterOptions{
		LowerBound: binary.BigEndian.AppendUint64(slices.Clone(prefix), uint64(start)),
		UpperBound: binary.BigEndian.AppendUint64(slices.Clone(prefix), uint64(end)),
	})
	if err != nil {
		return nil, fmt.Errorf("metricstore: statistics: %w", err)
	}
	defer it.Close()
	var out []Bucket
	var vals []float64    // values of the current bucket, for percentiles
	var pending []float64 // values of the current data point
	for ok := it.First(); ok; ok = it.Next() {
		k := it.Key()[len(prefix):]
		if len(k) != 16 {
			return nil, fmt.Errorf("metricstore: statistics: %w", errCorrupt)
		}
		ts := int64(binary.BigEndian.Uint64(k))
		bstart := ts - ts%period
		var b *Bucket
		if n := len(out); n > 0 && out[n-1].Timestamp.UnixMilli() == bstart {
			b = &out[n-1]
		}
		pending = pending[:0]
		unit, err := decodePoint(it.Value(), func(v float64) { pending = append(pending, v) })
		if err != nil {
			return nil, fmt.Errorf("metricstore: statistics: %w", err)
		}
		if q.Unit != "" && string(unit) != q.Unit {
			continue
		}
		if b == nil {
			if len(out) > 0 {
				finish(&out[len(out)-1], vals, q.Percentiles)
			}
			vals = vals[:0]
			out = append(out, Bucket{Timestamp: time.UnixMilli(bstart).UTC(), Minimum: math.Inf(1), Maximum: math.Inf(-1)})
			b = &out[len(out)-1]
		}
		if b.Unit != string(unit) {
			b.Unit = string(unit)
		}
		for _, v := range pending {
			b.SampleCount++
			b.Sum += v
			b.Minimum = min(b.Minimum, v)
			b.Maximum = max(b.Maximum, v)
		}
		if len(q.Percentiles) > 0 {
			vals = append(vals, pending...)
		}
	}
	if err := it.Error(); err != nil {
		return nil, fmt.Errorf("metricstore: statistics: %w", err)
	}
	if len(out) > 0 {
		finish(&out[len(out)-1], vals, q.Percentiles)
	}
	return out, nil
}

func finish(b *Bucket, vals []float64, percentiles []float64) {
	if len(percentiles) == 0 {
		return
	}
	slices.Sort(vals)
	b.Percentiles = make([]float64, len(percentiles))
	for i, p := range percentiles {
		rank := int(math.Ceil(p / 100 * float64(len(vals))))
		rank = min(max(rank, 1), len(vals))
		b.Percentiles[i] = vals[rank-1]
	}
}
