package emf

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/lambdalog/lambdalog/metrics"
)

// Limits from the EMF specification and the CloudWatch API.
const (
	MaxMetricsPerDirective = 100  // metric definitions in one MetricDirective
	MaxValuesPerMetric     = 100  // values in one metric's array
	MaxDimensionsPerSet    = 30   // dimension keys in one DimensionSet
	MaxNameLength          = 255  // namespace, metric and dimension names
	MaxDimensionValueLen   = 1024 // dimension values
	MaxPast                = 14 * 24 * time.Hour
	MaxFuture              = 2 * time.Hour
)

var (
	// ErrNotEMF is returned for messages that are not EMF documents (no "_aws" member).
	ErrNotEMF = errors.New("emf: not an EMF document")
	// ErrInvalid is wrapped by every error about a document that claims to be EMF
	// (has "_aws") but breaks the specification.
	ErrInvalid = errors.New("emf: invalid EMF document")
)

// Dimension is one dimension of a data point.
type Dimension struct {
	Name, Value string
}

// DataPoint is one metric extracted from an EMF document: a metric definition
// combined with one dimension set. Values holds every value of the metric's member
// (a number or an array of numbers).
type DataPoint struct {
	Namespace  string
	Name       string
	Dimensions []Dimension // sorted by Name
	Unit       string      // a CloudWatch StandardUnit; "None" when absent
	Values     []float64
	Timestamp  int64 // epoch milliseconds
	// StorageResolution is 1 (high resolution) or 60 (standard).
	StorageResolution int
}

var awsKey = []byte(`"_aws"`)

// IsCandidate reports, without allocating, whether message may be an EMF
// document: a JSON object (after leading white space) containing "_aws".
func IsCandidate(message []byte) bool {
	m := bytes.TrimLeft(message, " \t\r\n")
	return len(m) > 0 && m[0] == '{' && bytes.Contains(m, awsKey)
}

type metadata struct {
	Timestamp         *json.Number      `json:"Timestamp"`
	CloudWatchMetrics []json.RawMessage `json:"CloudWatchMetrics"`
}

type directive struct {
	Namespace  *string            `json:"Namespace"`
	Dimensions *[][]string        `json:"Dimensions"`
	Metrics    *[]json.RawMessage `json:"Metrics"`
}

type definition struct {
	Name              *string      `json:"Name"`
	Unit              *string      `json:"Unit"`
	StorageResolution *json.Number `json:"StorageResolution"`
}

// Extract returns the data points of the EMF document in message. ingest is the
// time the event was received; Timestamps more than 14 days before it or 2 hours
// after it are rejected as CloudWatch does. Messages that are not EMF documents
// return ErrNotEMF without allocating; invalid documents return an error wrapping
// ErrInvalid that says what is wrong.
func Extract(message []byte, ingest time.Time) ([]DataPoint, error) {
	if !IsCandidate(message) {
		return nil, ErrNotEMF
	}
	var root map[string]json.RawMessage
	if err := json.Unmarshal(message, &root); err != nil {
		// Not a JSON object: an ordinary log line that happens to contain "_aws".
		return nil, ErrNotEMF
	}
	rawMeta, ok := root["_aws"]
	if !ok {
		return nil, ErrNotEMF
	}
	var meta metadata
	if err := decodeObject(rawMeta, &meta); err != nil {
		return nil, invalid("_aws must be an object with CloudWatchMetrics and Timestamp: %v", err)
	}
	ts, err := timestamp(meta.Timestamp, ingest)
	if err != nil {
		return nil, err
	}
	if meta.CloudWatchMetrics == nil {
		return nil, invalid("_aws.CloudWatchMetrics is required")
	}
	var points []DataPoint
	for i, raw := range meta.CloudWatchMetrics {
		points, err = appendDirective(points, root, raw, ts)
		if err != nil {
			return nil, fmt.Errorf("CloudWatchMetrics[%d]: %w", i, err)
		}
	}
	return points, nil
}

func timestamp(n *json.Number, ingest time.Time) (int64, error) {
	if n == nil {
		return 0, invalid("_aws.Timestamp is required")
	}
	ts, err := n.Int64()
	if err != nil {
		f, ferr := n.Float64()
		if ferr != nil || f != math.Trunc(f) || math.Abs(f) > 1<<53 {
			return 0, invalid("_aws.Timestamp %s is not an integer number of epoch milliseconds", n.String())
		}
		ts = int64(f)
	}
	t := time.UnixMilli(ts)
	if !ingest.IsZero() {
		if t.Before(ingest.Add(-MaxPast)) {
			return 0, invalid("_aws.Timestamp %d is more than 14 days in the past", ts)
		}
		if t.After(ingest.Add(MaxFuture)) {
			return 0, invalid("_aws.Timestamp %d is more than 2 hours in the future", ts)
		}
	}
	return ts, nil
}

func appendDirective(points []DataPoint, root map[string]json.RawMessage, raw json.RawMessage, ts int64) ([]DataPoint, error) {
	var d directive
	if err := decodeObject(raw, &d); err != nil {
		return nil, invalid("MetricDirective must be an object with Namespace, Dimensions and Metrics: %v", err)
	}
	if d.Namespace == nil {
		return nil, invalid("Namespace is required")
	}
	if err := checkNamespace(*d.Namespace); err != nil {
		return nil, err
	}
	if d.Dimensions == nil {
		return nil, invalid("Dimensions is required")
	}
	if d.Metrics == nil {
		return nil, invalid("Metrics is required")
	}
	if len(*d.Metrics) > MaxMetricsPerDirective {
		return nil, invalid("Metrics has %d definitions, more than %d", len(*d.Metrics), MaxMetricsPerDirective)
	}
	sets, err := dimensionSets(root, *d.Dimensions)
	if err != nil {
		return nil, err
	}
	for j, rawDef := range *d.Metrics {
		var def definition
		if err := decodeObject(rawDef, &def); err != nil {
			return nil, invalid("Metrics[%d] must be an object with Name: %v", j, err)
		}
		p, err := metricPoint(root, def, j)
		if err != nil {
			return nil, err
		}
		p.Namespace, p.Timestamp = *d.Namespace, ts
		for _, dims := range sets {
			q := p
			q.Dimensions = dims
			points = append(points, q)
		}
	}
	return points, nil
}

func checkNamespace(ns string) error {
	if ns == "" || len(ns) > MaxNameLength {
		return invalid("Namespace %q must be 1 to %d characters", ns, MaxNameLength)
	}
	if strings.HasPrefix(ns, "AWS/") {
		return invalid("Namespace %q: the AWS/ prefix is reserved for AWS services", ns)
	}
	return nil
}

// dimensionSets resolves every DimensionSet against the root members. An empty
// Dimensions list publishes the metrics without dimensions.
func dimensionSets(root map[string]json.RawMessage, sets [][]string) ([][]Dimension, error) {
	if len(sets) == 0 {
		return [][]Dimension{nil}, nil
	}
	out := make([][]Dimension, 0, len(sets))
	for i, set := range sets {
		if len(set) > MaxDimensionsPerSet {
			return nil, invalid("Dimensions[%d] has %d keys, more than %d", i, len(set), MaxDimensionsPerSet)
		}
		dims := make([]Dimension, 0, len(set))
		for _, key := range set {
			if key == "" || len(key) > MaxNameLength {
				return nil, invalid("Dimensions[%d]: dimension name %q must be 1 to %d characters", i, key, MaxNameLength)
			}
			raw, ok := root[key]
			if !ok {
				return nil, invalid("Dimensions[%d]: dimension %q has no member in the root object", i, key)
			}
			var v string
			if err := json.Unmarshal(raw, &v); err != nil {
				return nil, invalid("Dimensions[%d]: the value of dimension %q must be a string", i, key)
			}
			if v == "" || len(v) > MaxDimensionValueLen {
				return nil, invalid("Dimensions[%d]: the value of dimension %q must be 1 to %d characters", i, key, MaxDimensionValueLen)
			}
			dims = append(dims, Dimension{key, v})
		}
		slices.SortFunc(dims, func(a, b Dimension) int { return strings.Compare(a.Name, b.Name) })
		for k := 1; k < len(dims); k++ {
			if dims[k].Name == dims[k-1].Name {
				return nil, invalid("Dimensions[%d]: dimension %q appears twice", i, dims[k].Name)
			}
		}
		out = append(out, dims)
	}
	return out, nil
}

func metricPoint(root map[string]json.RawMessage, def definition, j int) (DataPoint, error) {
	if def.Name == nil || *def.Name == "" || len(*def.Name) > MaxNameLength {
		return DataPoint{}, invalid("Metrics[%d].Name is required and must be 1 to %d characters", j, MaxNameLength)
	}
	p := DataPoint{Name: *def.Name, Unit: string(metrics.None), StorageResolution: 60}
	if def.Unit != nil {
		if !metrics.Unit(*def.Unit).Valid() {
			return DataPoint{}, invalid("metric %q: unknown unit %q", p.Name, *def.Unit)
		}
		p.Unit = *def.Unit
	}
	if def.StorageResolution != nil {
		switch def.StorageResolution.String() {
		case "1":
			p.StorageResolution = 1
		case "60":
		default:
			return DataPoint{}, invalid("metric %q: StorageResolution %s must be 1 or 60", p.Name, def.StorageResolution.String())
		}
	}
	raw, ok := root[p.Name]
	if !ok {
		return DataPoint{}, invalid("metric %q has no member in the root object", p.Name)
	}
	vals, err := values(raw)
	if err != nil {
		return DataPoint{}, invalid("metric %q: %v", p.Name, err)
	}
	p.Values = vals
	return p, nil
}

// values decodes a metric member: a number or an array of 1 to 100 numbers.
func values(raw json.RawMessage) ([]float64, error) {
	raw = bytes.TrimLeft(raw, " \t\r\n")
	if len(raw) > 0 && raw[0] == '[' {
		var vs []float64
		if err := json.Unmarshal(raw, &vs); err != nil {
			return nil, errors.New("the value must be a number or an array of numbers")
		}
		if len(vs) == 0 || len(vs) > MaxValuesPerMetric {
			return nil, fmt.Errorf("an array of values must hold 1 to %d numbers, not %d", MaxValuesPerMetric, len(vs))
		}
		return vs, nil
	}
	var v float64
	if err := json.Unmarshal(raw, &v); err != nil {
		return nil, errors.New("the value must be a number or an array of numbers")
	}
	return []float64{v}, nil
}

// decodeObject decodes a JSON object (not null); members
// it does not know are ignored, as the specification requires.
func decodeObject(raw json.RawMessage, v any) error {
	if raw = bytes.TrimSpace(raw); len(raw) == 0 || raw[0] != '{' {
		return errors.New("not a JSON object")
	}
	return json.Unmarshal(raw, v) // json.Number fields keep numbers exact
}

func invalid(format string, args ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{ErrInvalid}, args...)...)
}
