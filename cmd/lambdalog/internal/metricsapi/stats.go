package metricsapi

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"time"

	"github.com/lambdalog/lambdalog/cmd/lambdalog/internal/awsquery"
	"github.com/lambdalog/lambdalog/cmd/lambdalog/internal/metricstore"
	"github.com/lambdalog/lambdalog/metrics"
)

// maxDatapoints is GetMetricStatistics' limit on the datapoints one call may ask for.
const maxDatapoints = 1440

var (
	basicStats     = []string{"SampleCount", "Average", "Sum", "Minimum", "Maximum"}
	percentileStat = regexp.MustCompile(`^p(\d{1,2}(\.\d{1,2})?|100)$`)
)

// metric reads a Namespace, MetricName and Dimensions triple.
func metric(in params) (metricstore.Series, error) {
	var s metricstore.Series
	var err error
	if s.Namespace, err = in.requiredStr("Namespace"); err != nil {
		return s, err
	}
	if s.Name, err = in.requiredStr("MetricName"); err != nil {
		return s, err
	}
	if len(s.Namespace) > 255 || len(s.Name) > 255 {
		return s, invalidValue("The parameters Namespace and MetricName must be at most 255 characters.")
	}
	s.Dimensions, err = in.dimensions("Dimensions")
	return s, err
}

func unit(in params) (string, error) {
	u, err := in.str("Unit")
	if err == nil && u != "" && !metrics.Unit(u).Valid() {
		return "", invalidValue("The parameter Unit must be a CloudWatch StandardUnit, not %q.", u)
	}
	return u, err
}

// period reads a Period: 1, 5, 10, 20, 30 or a multiple of 60 seconds.
func period(in params, name string) (time.Duration, error) {
	p, ok, err := in.integer(name)
	if err != nil {
		return 0, err
	}
	if !ok {
		return 0, missing(in.name(name))
	}
	switch {
	case p < 1:
		return 0, invalidValue("The parameter %s must be greater than 0.", in.name(name))
	case p%60 != 0 && !slices.Contains([]int{1, 5, 10, 20, 30}, p):
		return 0, invalidValue("The parameter %s must be 1, 5, 10, 20, 30 or a multiple of 60.", in.name(name))
	}
	return time.Duration(p) * time.Second, nil
}

func timeRange(in params) (start, end time.Time, err error) {
	if start, err = in.timestamp("StartTime"); err != nil {
		return
	}
	if end, err = in.timestamp("EndTime"); err != nil {
		return
	}
	if !start.Before(end) {
		err = invalidValue("The parameter StartTime must be less than the parameter EndTime.")
	}
	return
}

func percentile(stat string) (float64, bool) {
	if !percentileStat.MatchString(stat) {
		return 0, false
	}
	p, err := strconv.ParseFloat(stat[1:], 64)
	return p, err == nil
}

func (h *Handler) getMetricStatistics(ctx context.Context, in params) (map[string]any, error) {
	s, err := metric(in)
	if err != nil {
		return nil, err
	}
	q := metricstore.Query{Series: s}
	if q.Start, q.End, err = timeRange(in); err != nil {
		return nil, err
	}
	if q.Period, err = period(in, "Period"); err != nil {
		return nil, err
	}
	if q.Unit, err = unit(in); err != nil {
		return nil, err
	}
	stats, err := in.strings("Statistics")
	if err != nil {
		return nil, err
	}
	ext, err := in.strings("ExtendedStatistics")
	if err != nil {
		return nil, err
	}
	switch {
	case len(stats) == 0 && len(ext) == 0:
		return nil, invalidCombination("Must specify either Statistics or ExtendedStatistics.")
	case len(stats) > 0 && len(ext) > 0:
		return nil, invalidCombination("Statistics and ExtendedStatistics cannot be specified together.")
	case len(stats) > 5 || len(ext) > 10:
		return nil, invalidValue("At most 5 Statistics or 10 ExtendedStatistics may be requested.")
	}
	for i, st := range stats {
		if !slices.Contains(basicStats, st) {
			return nil, invalidValue("The parameter Statistics.member.%d must be one of SampleCount, Average, Sum, Minimum, Maximum, not %q.", i+1, st)
		}
	}
	for i, st := range ext {
		p, ok := percentile(st)
		if !ok {
			return nil, invalidValue("The parameter ExtendedStatistics.member.%d must be a percentile such as p99 or p99.9, not %q.", i+1, st)
		}
		q.Percentiles = append(q.Percentiles, p)
	}
	if n := int64(q.End.Sub(q.Start) / q.Period); n > maxDatapoints {
		return nil, invalidCombination("You have requested up to %d datapoints, which exceeds the limit of 1,440. You may reduce the datapoints requested by increasing Period, or decreasing the time range.", n)
	}
	buckets, err := h.store.Statistics(ctx, q)
	if err != nil {
		return nil, err
	}
	points := make([]any, len(buckets))
	for i, b := range buckets {
		dp := map[string]any{"Timestamp": b.Timestamp, "Unit": b.Unit}
		for _, st := range stats {
			dp[st] = statValue(b, st)
		}
		if len(ext) > 0 {
			m := make(awsquery.Map, len(ext))
			for j, st := range ext {
				m[st] = b.Percentiles[j]
			}
			dp["ExtendedStatistics"] = m
		}
		points[i] = dp
	}
	return map[string]any{"Label": s.Name, "Datapoints": points}, nil
}

func statValue(b metricstore.Bucket, stat string) float64 {
	switch stat {
	case "SampleCount":
		return b.SampleCount
	case "Sum":
		return b.Sum
	case "Minimum":
		return b.Minimum
	case "Maximum":
		return b.Maximum
	case "Average":
		return b.Average()
	}
	return b.Percentiles[0]
}

var queryID = regexp.MustCompile(`^[a-z][a-zA-Z0-9_]*$`)

func (h *Handler) getMetricData(ctx context.Context, in params) (map[string]any, error) {
	start, end, err := timeRange(in)
	if err != nil {
		return nil, err
	}
	if tok, err := in.str("NextToken"); err != nil {
		return nil, err
	} else if tok != "" {
		return nil, invalidNextToken() // results always fit one page here
	}
	scanBy, err := in.str("ScanBy")
	if err != nil {
		return nil, err
	}
	if scanBy != "" && scanBy != "TimestampDescending" && scanBy != "TimestampAscending" {
		return nil, invalidValue("The parameter ScanBy must be TimestampDescending or TimestampAscending.")
	}
	queries, err := in.objects("MetricDataQueries")
	if err != nil {
		return nil, err
	}
	if len(queries) == 0 {
		return nil, missing("MetricDataQueries")
	}
	if len(queries) > 500 {
		return nil, invalidValue("The collection MetricDataQueries must not have more than 500 members.")
	}
	seen := map[string]bool{}
	results := make([]any, 0, len(queries))
	for _, mq := range queries {
		r, err := h.metricDataQuery(ctx, mq, start, end, scanBy == "TimestampAscending", seen)
		if err != nil {
			return nil, err
		}
		if r != nil {
			results = append(results, r)
		}
	}
	return map[string]any{"MetricDataResults": results, "Messages": []any{}}, nil
}

func (h *Handler) metricDataQuery(ctx context.Context, mq params, start, end time.Time, ascending bool, seen map[string]bool) (map[string]any, error) {
	id, err := mq.requiredStr("Id")
	if err != nil {
		return nil, err
	}
	if !queryID.MatchString(id) || len(id) > 255 {
		return nil, invalidValue("The value %q for parameter %s is invalid: it must start with a lowercase letter and hold only letters, digits and underscores.", id, mq.name("Id"))
	}
	if seen[id] {
		return nil, invalidValue("The value %q for parameter MetricDataQueries.Id is not unique.", id)
	}
	seen[id] = true
	if mq.has("Expression") {
		return nil, invalidValue("%s: metric math expressions are not supported by the local server; use MetricStat queries.", mq.name("Expression"))
	}
	ms, ok, err := mq.object("MetricStat")
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, invalidCombination("Exactly one of MetricStat and Expression must be given in %s.", mq.path)
	}
	m, ok, err := ms.object("Metric")
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, missing(ms.name("Metric"))
	}
	q := metricstore.Query{Start: start, End: end}
	if q.Series, err = metric(m); err != nil {
		return nil, err
	}
	if q.Period, err = period(ms, "Period"); err != nil {
		return nil, err
	}
	if q.Unit, err = unit(ms); err != nil {
		return nil, err
	}
	stat, err := ms.requiredStr("Stat")
	if err != nil {
		return nil, err
	}
	if p, ok := percentile(stat); ok {
		q.Percentiles = []float64{p}
	} else if !slices.Contains(basicStats, stat) {
		return nil, invalidValue("The parameter %s %q is not supported locally: use SampleCount, Average, Sum, Minimum, Maximum or a percentile pNN.", ms.name("Stat"), stat)
	}
	if mq.has("ReturnData") {
		if rd, err := mq.boolean("ReturnData"); err != nil || !rd {
			return nil, err
		}
	}
	label, err := mq.str("Label")
	if err != nil {
		return nil, err
	}
	if label == "" {
		label = q.Name
	}
	buckets, err := h.store.Statistics(ctx, q)
	if err != nil {
		return nil, fmt.Errorf("query %s: %w", id, err)
	}
	if !ascending {
		slices.Reverse(buckets)
	}
	ts := make([]any, len(buckets))
	vals := make([]any, len(buckets))
	for i, b := range buckets {
		ts[i] = b.Timestamp
		vals[i] = statValue(b, stat)
	}
	return map[string]any{"Id": id, "Label": label, "Timestamps": ts, "Values": vals, "StatusCode": "Complete", "Messages": []any{}}, nil
}
