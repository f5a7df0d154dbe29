package logsapi

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/lambdalog/lambdalog/cmd/lambdalog/internal/metricstore"
	"github.com/lambdalog/lambdalog/cmd/lambdalog/internal/store"
	"github.com/lambdalog/lambdalog/filterpattern"
	"github.com/lambdalog/lambdalog/internal/jsonscan"
)

// MetricPublisher turns the events a log group takes in into the data points
// of the group's metric filters (see the package documentation for the
// rules). It is safe for concurrent use.
//
// It caches each group's compiled filters (filterCache), so that a group
// without metric filters costs one map lookup per batch of events.
type MetricPublisher struct {
	filters *filterCache[*metricFilter]
}

// NewMetricPublisher returns a MetricPublisher over the metric filters of st.
func NewMetricPublisher(st *store.Store) *MetricPublisher {
	return &MetricPublisher{filters: newFilterCache(st, store.MetricFilter, "metric", compileMetricFilter)}
}

// metricFilter is a metric filter compiled for publishing.
type metricFilter struct {
	created   int64 // epoch ms; events ingested before count for nothing
	pat       *filterpattern.Pattern
	series    metricstore.Series // namespace and name; dimensions are added per event
	unit      string
	value     float64     // the literal metricValue, when valueRef is nil
	valueRef  *eventField // the field metricValue names
	defaulted *float64    // defaultValue
	dims      []dimension
}

// eventField is a field of a matching event that a metric transformation names:
// a JSON selector ($.a.b[0]) or a space-delimited pattern's field ($name).
type eventField struct {
	ref  string    // as written
	path []selStep // the selector's steps, for a JSON pattern
}

type dimension struct {
	name string
	at   eventField
}

// Points appends to dst the data points that in's events publish through the
// metric filters of in.Group and returns the extended slice. Each matching
// event adds its metricValue, each other event the filter's defaultValue when
// it has one; the values of one series and minute form one data point at the
// minute's start, as CloudWatch stores a standard-resolution metric. Filters
// created after in was ingested publish nothing for it.
func (p *MetricPublisher) Points(ctx context.Context, in *store.Ingested, dst []metricstore.Point) ([]metricstore.Point, error) {
	filters, err := p.filters.get(ctx, in.Region, in.Group)
	if len(filters) == 0 || err != nil {
		return dst, err
	}
	// index finds the point of a key: the filter's index, the minute and
	// each dimension's value (uvarint length+1, 0 for a dimension left out).
	index := map[string]int{}
	var key, buf []byte
	var dimAt [maxDimensions][2]int // where each dimension's value is in key
	var fields map[string]string    // the space-delimited fields of the current event
	for _, e := range in.Events {
		fields = nil
		minute := e.Timestamp - (e.Timestamp%60_000+60_000)%60_000
		for i, f := range filters {
			if f.created > in.Millis {
				continue
			}
			key = binary.BigEndian.AppendUint64(binary.AppendUvarint(key[:0], uint64(i)), uint64(minute))
			v := f.value
			matched := f.pat.MatchBytes(e.Message)
			if !matched {
				if f.defaulted == nil {
					continue
				}
				v = *f.defaulted
			} else {
				if fields == nil && f.pat.Kind() == filterpattern.SpaceDelimited && (f.valueRef != nil || len(f.dims) > 0) {
					fields, _ = f.pat.Extract(string(e.Message))
				}
				if f.valueRef != nil {
					var ok bool
					if buf, ok = f.valueRef.appendText(buf[:0], e.Message, fields); !ok {
						continue
					}
					if v, ok = number(buf); !ok {
						continue // a value that is not a number publishes nothing
					}
				}
				for j, d := range f.dims {
					if buf, ok := d.at.appendText(buf[:0], e.Message, fields); ok && len(buf) > 0 && len(buf) <= maxDimensionValue {
						key = binary.AppendUvarint(key, uint64(len(buf))+1)
						dimAt[j] = [2]int{len(key), len(key) + len(buf)}
						key = append(key, buf...)
					} else {
						key = append(key, 0) // published without the dimension
						dimAt[j] = [2]int{}
					}
				}
			}
			j, ok := index[string(key)]
			if !ok {
				j = len(dst)
				index[string(key)] = j
				pt := metricstore.Point{Series: f.series, Unit: f.unit, Timestamp: time.UnixMilli(minute).UTC(), StorageResolution: 60}
				for n, d := range f.dims {
					if at := dimAt[n]; matched && at[1] > 0 {
						pt.Dimensions = append(pt.Dimensions, metricstore.Dimension{Name: d.name, Value: string(key[at[0]:at[1]])})
					}
				}
				dst = append(dst, pt)
			}
			dst[j].Values = append(dst[j].Values, v)
		}
	}
	return dst, nil
}

// maxDimensionValue is CloudWatch's limit on a dimension value, in characters.
const maxDimensionValue = 1024

// number reads a field's text as a metric value: a finite decimal number.
func number(b []byte) (float64, bool) {
	v, err := strconv.ParseFloat(string(bytes.TrimSpace(b)), 64)
	return v, err == nil && !math.IsInf(v, 0) && !math.IsNaN(v)
}

// appendText appends the field's value in msg as text to dst: a JSON
// string's value, a number's token, true or false; a space-delimited field's
// text. Objects, arrays, null and fields the event lacks are not found.
func (f *eventField) appendText(dst, msg []byte, fields map[string]string) ([]byte, bool) {
	if f.path == nil {
		s, ok := fields[f.ref]
		return append(dst, s...), ok
	}
	return appendJSON(dst, msg, f.path)
}

func compileMetricFilter(sf store.Filter) (*metricFilter, error) {
	var spec metricFilterSpec
	if err := json.Unmarshal(sf.Spec, &spec); err != nil || len(spec.MetricTransformations) != 1 {
		return nil, fmt.Errorf("metric filter %q of %s: stored definition is unreadable (%v)", sf.Name, sf.Group, err)
	}
	pat, err := filterpattern.Parse(sf.Pattern)
	if err != nil {
		return nil, fmt.Errorf("metric filter %q of %s: %w", sf.Name, sf.Group, err)
	}
	t := spec.MetricTransformations[0]
	f := &metricFilter{created: sf.CreationTime, pat: pat, defaulted: t.DefaultValue,
		series: metricstore.Series{Namespace: deref(t.MetricNamespace), Name: deref(t.MetricName)}, unit: deref(t.Unit)}
	if v, err := strconv.ParseFloat(deref(t.MetricValue), 64); err == nil {
		f.value = v
	} else {
		f.valueRef = newField(deref(t.MetricValue))
	}
	for name, ref := range t.Dimensions {
		f.dims = append(f.dims, dimension{name, *newField(ref)})
	}
	if len(f.dims) > maxDimensions {
		return nil, fmt.Errorf("metric filter %q of %s: %d dimensions, at most %d", sf.Name, sf.Group, len(f.dims), maxDimensions)
	}
	slices.SortFunc(f.dims, func(a, b dimension) int { return strings.Compare(a.name, b.name) })
	return f, nil
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// newField compiles a field reference that checkFieldRef accepted.
func newField(ref string) *eventField {
	f := &eventField{ref: ref}
	if path, ok := parseSelector(ref); ok {
		f.path = path
	}
	return f
}

// selStep is one step of a JSON selector: .key or [index].
type selStep struct {
	key   string
	index int
	isIdx bool
}

// parseSelector parses a metric transformation's JSON selector, $ followed by
// .name steps (letters, digits, _ and -, as in filter patterns) and [index]
// steps: $.user.id, $.users[0].email.
func parseSelector(ref string) ([]selStep, bool) {
	if !strings.HasPrefix(ref, "$.") {
		return nil, false
	}
	var path []selStep
	for i := 1; i < len(ref); {
		switch ref[i] {
		case '.':
			j := i + 1
			for j < len(ref) && isNameByte(ref[j]) {
				j++
			}
			if j == i+1 {
				return nil, false
			}
			path = append(path, selStep{key: ref[i+1 : j]})
			i = j
		case '[':
			j := i + 1
			n := 0
			for j < len(ref) && ref[j] >= '0' && ref[j] <= '9' && j-i <= 9 {
				n = n*10 + int(ref[j]-'0')
				j++
			}
			if j == i+1 || j == len(ref) || ref[j] != ']' {
				return nil, false
			}
			path = append(path, selStep{index: n, isIdx: true})
			i = j + 1
		default:
			return nil, false
		}
	}
	return path, true
}

func isNameByte(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '-'
}

// appendJSON appends the text of the scalar at path in the JSON document
// msg to dst (see eventField.appendText). The first of duplicate keys wins
// and keys are compared decoded, as filter patterns read events.
func appendJSON(dst, msg []byte, path []selStep) ([]byte, bool) {
	s := jsonscan.New(msg)
	for _, st := range path {
		if !descend(&s, st) {
			return dst, false
		}
	}
	switch s.Peek() {
	case jsonscan.String:
		v, err := s.Str()
		if v.Plain {
			return append(dst, v.Raw...), err == nil
		}
		return jsonscan.AppendUnescaped(dst, v.Raw), err == nil
	case jsonscan.Number:
		v, err := s.Number()
		return append(dst, v...), err == nil
	case jsonscan.True, jsonscan.False:
		v, err := s.Bool()
		return strconv.AppendBool(dst, v), err == nil
	}
	return dst, false
}

// descend moves s from a container to the value st names in it.
func descend(s *jsonscan.Scanner[[]byte], st selStep) bool {
	if st.isIdx {
		if s.Array() != nil {
			return false
		}
		for i := 0; ; i++ {
			if more, err := s.Element(); err != nil || !more {
				return false
			}
			if i == st.index {
				return true
			}
			if s.Skip() != nil {
				return false
			}
		}
	}
	if s.Object() != nil {
		return false
	}
	for {
		k, more, err := s.Member()
		if err != nil || !more {
			return false
		}
		if k.Plain && string(k.Raw) == st.key || !k.Plain && bytes.Equal(k.Value(), []byte(st.key)) {
			return true
		}
		if s.Skip() != nil {
			return false
		}
	}
}
