package metrics

import (
	"strconv"

	"github.com/lambdalog/lambdalog/internal/jsonstr"
)

// encode writes the recorded metrics as EMF objects through write, splitting them
// so that no object has more than 100 metrics or more than 100 values per metric.
// Round k carries values [100k, 100k+100) of every metric that has them; the
// metrics of a round are cut into groups of 100. r.mu is held.
func (r *Recorder) encode(ts int64, write func([]byte) error) error {
	primary := r.primary()
	for from := 0; ; from += maxValuesPerMetric {
		wrote := false
		for start := 0; start < len(r.s.metrics); {
			var b []byte
			if b, start = r.appendObject(r.s.buf[:0], ts, primary, from, start); b == nil {
				break
			}
			if err := write(b); err != nil {
				return err
			}
			wrote = true
		}
		if !wrote {
			return nil
		}
	}
}

// appendObject appends one EMF object, newline-terminated, for up to 100 metrics
// from position start on that have values from index from on, and returns it with
// the position after the last metric it holds. It returns nil when no metric from
// start on has such values. The buffer is kept in r.s.buf for reuse.
func (r *Recorder) appendObject(b []byte, ts int64, primary []Dimension, from, start int) ([]byte, int) {
	// The object holds the metrics in [start, end) with more than from values.
	end, n := start, 0
	for ; end < len(r.s.metrics) && n < maxMetricsPerObject; end++ {
		if len(r.s.metrics[end].values) > from {
			n++
		}
	}
	if n == 0 {
		return nil, end
	}
	group := r.s.metrics[start:end]

	b = append(b, `{"_aws":{"Timestamp":`...)
	b = strconv.AppendInt(b, ts, 10)
	b = append(b, `,"CloudWatchMetrics":[{"Namespace":`...)
	b = appendString(b, r.m.namespace)
	b = append(b, `,"Dimensions":[`...)
	if len(primary) > 0 || len(r.s.sets) == 0 {
		b = appendNames(b, primary)
	}
	for i, set := range r.s.sets {
		if i > 0 || len(primary) > 0 {
			b = append(b, ',')
		}
		b = appendNames(b, set)
	}
	b = append(b, `],"Metrics":[`...)
	first := true
	for i := range group {
		mt := &group[i]
		if len(mt.values) <= from {
			continue
		}
		if !first {
			b = append(b, ',')
		}
		first = false
		b = append(b, `{"Name":`...)
		b = appendString(b, mt.name)
		b = append(b, `,"Unit":`...)
		b = appendString(b, string(mt.unit))
		if mt.res == High {
			b = append(b, `,"StorageResolution":1`...)
		}
		b = append(b, '}')
	}
	b = append(b, "]}]}"...)

	// Root members: dimension values (each name once), metadata, metric values.
	for _, d := range primary {
		b = appendMember(b, d.Name)
		b = appendString(b, d.Value)
	}
	for i, set := range r.s.sets {
		for _, d := range set {
			if hasDimension(primary, d.Name) || inSets(r.s.sets[:i], d.Name) {
				continue
			}
			b = appendMember(b, d.Name)
			b = appendString(b, d.Value)
		}
	}
	for _, md := range r.s.meta {
		b = appendMember(b, md.key)
		b = append(b, md.raw...)
	}
	for i := range group {
		mt := &group[i]
		if len(mt.values) <= from {
			continue
		}
		b = appendMember(b, mt.name)
		b = append(b, '[')
		for j, v := range mt.values[from:min(from+maxValuesPerMetric, len(mt.values))] {
			if j > 0 {
				b = append(b, ',')
			}
			b = jsonstr.AppendFloat(b, v)
		}
		b = append(b, ']')
	}
	b = append(b, "}\n"...)
	r.s.buf = b
	return b, end
}

func inSets(sets [][]Dimension, name string) bool {
	for _, set := range sets {
		if hasDimension(set, name) {
			return true
		}
	}
	return false
}

func appendNames(b []byte, set []Dimension) []byte {
	b = append(b, '[')
	for i, d := range set {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendString(b, d.Name)
	}
	return append(b, ']')
}

func appendMember(b []byte, key string) []byte {
	b = append(b, ',')
	b = appendString(b, key)
	return append(b, ':')
}

// appendString appends s as a JSON string; see package jsonstr for the escaping rules.
func appendString(b []byte, s string) []byte { return jsonstr.Append(b, s) }
