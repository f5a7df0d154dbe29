package metrics

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"sort"
	"strings"
	"testing"
)

// emfObject is an EMF object as a consumer (CloudWatch) reads it.
type emfObject struct {
	Timestamp  int64
	Namespace  string
	Dimensions [][]string
	Units      map[string]string
	Resolution map[string]int
	Values     map[string][]float64 // metric name -> values
	Root       map[string]any
}

// parseEMF checks one line against the EMF specification and the CloudWatch limits
// and returns what CloudWatch would extract from it.
func parseEMF(line []byte) (*emfObject, error) {
	var root map[string]any
	dec := json.NewDecoder(bytes.NewReader(line))
	dec.UseNumber()
	if err := dec.Decode(&root); err != nil {
		return nil, fmt.Errorf("not a JSON object: %w", err)
	}
	if dec.More() {
		return nil, fmt.Errorf("data after the object")
	}
	aws, ok := root["_aws"].(map[string]any)
	if !ok {
		return nil, fmt.Errorf("no _aws object")
	}
	ts, ok := aws["Timestamp"].(json.Number)
	if !ok {
		return nil, fmt.Errorf("no Timestamp")
	}
	ms, err := ts.Int64()
	if err != nil || ms < 1e12 || ms > 1e13 {
		return nil, fmt.Errorf("Timestamp %v is not epoch milliseconds", ts)
	}
	dirs, ok := aws["CloudWatchMetrics"].([]any)
	if !ok || len(dirs) != 1 {
		return nil, fmt.Errorf("want one metric directive, got %v", aws["CloudWatchMetrics"])
	}
	dir := dirs[0].(map[string]any)
	o := &emfObject{Timestamp: ms, Units: map[string]string{}, Resolution: map[string]int{}, Values: map[string][]float64{}, Root: root}
	if o.Namespace, _ = dir["Namespace"].(string); o.Namespace == "" || len(o.Namespace) > 255 {
		return nil, fmt.Errorf("bad Namespace %v", dir["Namespace"])
	}
	sets, ok := dir["Dimensions"].([]any)
	if !ok || len(sets) == 0 {
		return nil, fmt.Errorf("bad Dimensions %v", dir["Dimensions"])
	}
	for _, s := range sets {
		keys, ok := s.([]any)
		if !ok || len(keys) > 30 {
			return nil, fmt.Errorf("bad dimension set %v", s)
		}
		var names []string
		for _, k := range keys {
			name, _ := k.(string)
			if v, ok := root[name].(string); !ok || v == "" {
				return nil, fmt.Errorf("dimension %q has no string value in the root", name)
			}
			names = append(names, name)
		}
		o.Dimensions = append(o.Dimensions, names)
	}
	defs, ok := dir["Metrics"].([]any)
	if !ok || len(defs) == 0 || len(defs) > 100 {
		return nil, fmt.Errorf("want 1-100 metric definitions, got %d", len(defs))
	}
	for _, d := range defs {
		def := d.(map[string]any)
		name, _ := def["Name"].(string)
		if name == "" || len(name) > 1020 {
			return nil, fmt.Errorf("bad metric name %v", def["Name"])
		}
		if _, dup := o.Values[name]; dup {
			return nil, fmt.Errorf("metric %q defined twice", name)
		}
		unit, _ := def["Unit"].(string)
		if !Unit(unit).Valid() {
			return nil, fmt.Errorf("metric %q: bad unit %v", name, def["Unit"])
		}
		o.Units[name] = unit
		o.Resolution[name] = 60
		if sr, ok := def["StorageResolution"]; ok {
			if sr.(json.Number).String() != "1" {
				return nil, fmt.Errorf("metric %q: StorageResolution %v; only 1 is written", name, sr)
			}
			o.Resolution[name] = 1
		}
		vals, ok := root[name].([]any)
		if !ok || len(vals) == 0 || len(vals) > 100 {
			return nil, fmt.Errorf("metric %q: want 1-100 values, got %v", name, root[name])
		}
		for _, v := range vals {
			f, err := v.(json.Number).Float64()
			if err != nil || math.IsInf(f, 0) {
				return nil, fmt.Errorf("metric %q: bad value %v", name, v)
			}
			o.Values[name] = append(o.Values[name], f)
		}
	}
	return o, nil
}

// parseLines parses every line of out.
func parseLines(t *testing.T, out []byte) []*emfObject {
	t.Helper()
	var objs []*emfObject
	for _, line := range bytes.Split(bytes.TrimSuffix(out, []byte("\n")), []byte("\n")) {
		if len(line) == 0 {
			continue
		}
		o, err := parseEMF(line)
		if err != nil {
			t.Fatalf("invalid EMF: %v\n%s", err, line)
		}
		objs = append(objs, o)
	}
	return objs
}

// seriesKey identifies a series a consumer extracts from o: namespace, metric and
// the dimension set with its values.
func seriesKey(o *emfObject, metric string, set []string) string {
	dims := make([]Dimension, len(set))
	for i, k := range set {
		dims[i] = Dimension{k, o.Root[k].(string)}
	}
	return wantKey(o.Namespace, metric, dims)
}

func wantKey(namespace, metric string, set []Dimension) string {
	s := append([]Dimension(nil), set...)
	sort.Slice(s, func(i, j int) bool { return s[i].Name < s[j].Name })
	var b strings.Builder
	b.WriteString(namespace + "|" + metric)
	for _, d := range s {
		b.WriteString("|" + d.Name + "=" + d.Value)
	}
	return b.String()
}
