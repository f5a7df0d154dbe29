package metricsapi

import (
	"context"
	"errors"
	"math"
	"strings"
	"time"

	"github.com/lambdalog/lambdalog/cmd/lambdalog/internal/metricstore"
)

// Limits of PutMetricData.
const (
	maxMetricData     = 1000
	maxValuesPerDatum = 150
	maxExpandedValues = 10000 // Values repeated by Counts, stored one by one here
)

func (h *Handler) putMetricData(ctx context.Context, in params) (map[string]any, error) {
	ns, err := in.requiredStr("Namespace")
	if err != nil {
		return nil, err
	}
	if len(ns) > 255 || strings.HasPrefix(ns, "AWS/") {
		return nil, invalidValue("The value %s for parameter Namespace is invalid: it must be 1 to 255 characters and must not start with AWS/.", ns)
	}
	data, err := in.objects("MetricData")
	if err != nil {
		return nil, err
	}
	if len(data) == 0 {
		return nil, missing("MetricData")
	}
	if len(data) > maxMetricData {
		return nil, invalidValue("The collection MetricData must not have more than %d members.", maxMetricData)
	}
	points := make([]metricstore.Point, len(data))
	now := time.Now()
	for i, d := range data {
		if points[i], err = datum(d, ns, now); err != nil {
			return nil, err
		}
	}
	err = h.store.Put(ctx, points)
	if errors.Is(err, metricstore.ErrDiskFull) || errors.Is(err, metricstore.ErrFailed) {
		return nil, internal(err) // the message says what to do
	}
	if err != nil {
		return nil, err
	}
	return map[string]any{}, nil
}

func datum(d params, ns string, now time.Time) (metricstore.Point, error) {
	p := metricstore.Point{Series: metricstore.Series{Namespace: ns}, Timestamp: now}
	var err error
	if p.Name, err = d.requiredStr("MetricName"); err != nil {
		return p, err
	}
	if p.Dimensions, err = d.dimensions("Dimensions"); err != nil {
		return p, err
	}
	if p.Unit, err = unit(d); err != nil {
		return p, err
	}
	if d.has("Timestamp") {
		if p.Timestamp, err = d.timestamp("Timestamp"); err != nil {
			return p, err
		}
	}
	res, ok, err := d.integer("StorageResolution")
	if err != nil {
		return p, err
	}
	switch {
	case !ok:
		p.StorageResolution = 60
	case res == 1 || res == 60:
		p.StorageResolution = res
	default:
		return p, invalidValue("The parameter %s must be 1 or 60.", d.name("StorageResolution"))
	}
	if d.has("StatisticValues") {
		return p, invalidValue("%s: pre-aggregated StatisticValues are not supported by the local server; send Value or Values.", d.name("StatisticValues"))
	}
	value, hasValue, err := d.num("Value")
	if err != nil {
		return p, err
	}
	values, err := d.floats("Values")
	if err != nil {
		return p, err
	}
	counts, err := d.floats("Counts")
	if err != nil {
		return p, err
	}
	switch {
	case hasValue && len(values) > 0:
		return p, invalidCombination("The parameters %s and %s are mutually exclusive.", d.name("Value"), d.name("Values"))
	case hasValue:
		p.Values = []float64{value}
	case len(values) == 0:
		return p, missing(d.name("Value"))
	case len(values) > maxValuesPerDatum:
		return p, invalidValue("The collection %s must not have more than %d members.", d.name("Values"), maxValuesPerDatum)
	case len(counts) > 0 && len(counts) != len(values):
		return p, invalidCombination("The parameters %s and %s must be of the same size.", d.name("Values"), d.name("Counts"))
	default:
		p.Values, err = expand(values, counts, d)
	}
	return p, err
}

// expand repeats each value by its count (Counts must be whole numbers here).
func expand(values, counts []float64, d params) ([]float64, error) {
	if len(counts) == 0 {
		return values, nil
	}
	var out []float64
	for i, v := range values {
		c := counts[i]
		if c < 0 || c != math.Trunc(c) || len(out)+int(c) > maxExpandedValues {
			return nil, invalidValue("The parameter %s.member.%d must be a whole number and the counts must add up to at most %d locally.", d.name("Counts"), i+1, maxExpandedValues)
		}
		for range int(c) {
			out = append(out, v)
		}
	}
	if len(out) == 0 {
		return nil, invalidValue("The parameter %s must count at least one value.", d.name("Counts"))
	}
	return out, nil
}
