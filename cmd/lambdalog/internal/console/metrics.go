package console

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/lambdalog/lambdalog/cmd/lambdalog/internal/metricstore"
)

// Bounds of the metrics page.
const (
	// maxSeries is how many metric series the page lists.
	maxSeries = 10_000
	// maxPoints is how many periods one graph has at most.
	maxPoints = 10_000
)

// metricsPage lists metrics (from EMF log lines, metric filters and PutMetricData) and
// graphs one statistic of a metric over time.
func (c *Console) metricsPage() Page {
	return Page{Name: "metrics", Title: "Metrics", Routes: map[string]Endpoint{
		"GET metrics":      c.listMetrics,
		"GET metrics/data": c.metricData,
	}}
}

type seriesOut struct {
	Namespace  string                  `json:"namespace"`
	Name       string                  `json:"name"`
	Dimensions []metricstore.Dimension `json:"dimensions"`
}

// listMetrics answers every namespace and the series of the namespace
// parameter (of all namespaces when it is empty), in name order.
func (c *Console) listMetrics(r *Request) (any, error) {
	ns := r.Query.Get("namespace")
	out := struct {
		Namespaces []string    `json:"namespaces"`
		Series     []seriesOut `json:"series"`
		Truncated  bool        `json:"truncated,omitempty"`
	}{Namespaces: []string{}, Series: []seriesOut{}}
	token, seen := "", 0
	for {
		page, next, err := c.opts.Metrics.List(r.Context(), metricstore.ListFilter{}, 1000, token)
		if err != nil {
			return nil, err
		}
		for _, s := range page {
			if n := len(out.Namespaces); n == 0 || out.Namespaces[n-1] != s.Namespace {
				out.Namespaces = append(out.Namespaces, s.Namespace)
			}
			if ns == "" || s.Namespace == ns {
				dims := s.Dimensions
				if dims == nil {
					dims = []metricstore.Dimension{}
				}
				out.Series = append(out.Series, seriesOut{s.Namespace, s.Name, dims})
			}
		}
		if seen += len(page); next == "" {
			return out, nil
		}
		if seen >= maxSeries {
			out.Truncated = true
			return out, nil
		}
		token = next
	}
}

// metricData answers one statistic of a series per period. Parameters:
// namespace, name, dim (repeatable, Name=Value), stat (SampleCount,
// Average, Sum, Minimum, Maximum or pNN), period in seconds, start and end
// in epoch milliseconds.
func (c *Console) metricData(r *Request) (any, error) {
	q := metricstore.Query{}
	var err error
	if q.Namespace, err = r.need("namespace"); err != nil {
		return nil, err
	}
	if q.Name, err = r.need("name"); err != nil {
		return nil, err
	}
	for _, d := range r.Query["dim"] {
		name, value, ok := strings.Cut(d, "=")
		if !ok {
			return nil, badRequest("dimension %q: want Name=Value", d)
		}
		q.Dimensions = append(q.Dimensions, metricstore.Dimension{Name: name, Value: value})
	}
	stat := r.Query.Get("stat")
	if stat == "" {
		stat = "Average"
	}
	pick, pct, err := statistic(stat)
	if err != nil {
		return nil, err
	}
	if pct > 0 {
		q.Percentiles = []float64{pct}
	}
	period, err := r.int("period", 60)
	if err != nil {
		return nil, err
	}
	now := time.Now().UnixMilli()
	start, err := r.int("start", now-3*3600_000)
	if err != nil {
		return nil, err
	}
	end, err := r.int("end", now)
	if err != nil {
		return nil, err
	}
	if period < 1 || (end-start)/(period*1000) > maxPoints {
		return nil, badRequest("The period must be at least 1 second and give at most %d points over the time range.", maxPoints)
	}
	q.Start, q.End, q.Period = time.UnixMilli(start), time.UnixMilli(end), time.Duration(period)*time.Second
	buckets, err := c.opts.Metrics.Statistics(r.Context(), q)
	if err != nil {
		return nil, err
	}
	out := struct {
		Timestamps []int64   `json:"timestamps"`
		Values     []float64 `json:"values"`
		Unit       string    `json:"unit"`
	}{Timestamps: make([]int64, len(buckets)), Values: make([]float64, len(buckets))}
	for i, b := range buckets {
		out.Timestamps[i], out.Values[i] = b.Timestamp.UnixMilli(), pick(b)
		if b.Unit != "" && b.Unit != "None" {
			out.Unit = b.Unit
		}
	}
	return out, nil
}

// statistic returns the function picking a statistic out of a bucket, and
// the percentile it needs computed (0 for none).
func statistic(name string) (func(metricstore.Bucket) float64, float64, error) {
	switch name {
	case "SampleCount":
		return func(b metricstore.Bucket) float64 { return b.SampleCount }, 0, nil
	case "Average":
		return metricstore.Bucket.Average, 0, nil
	case "Sum":
		return func(b metricstore.Bucket) float64 { return b.Sum }, 0, nil
	case "Minimum":
		return func(b metricstore.Bucket) float64 { return b.Minimum }, 0, nil
	case "Maximum":
		return func(b metricstore.Bucket) float64 { return b.Maximum }, 0, nil
	}
	if p, ok := strings.CutPrefix(name, "p"); ok {
		if v, err := strconv.ParseFloat(p, 64); err == nil && v > 0 && v <= 100 {
			return func(b metricstore.Bucket) float64 { return b.Percentiles[0] }, v, nil
		}
	}
	return nil, 0, &Error{Status: http.StatusBadRequest, Message: "statistic " + strconv.Quote(name) + ": want SampleCount, Average, Sum, Minimum, Maximum or a percentile such as p99"}
}
