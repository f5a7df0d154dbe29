package metricsapi

import (
	"math"
	"strconv"
	"time"

	"github.com/lambdalog/lambdalog/cmd/lambdalog/internal/metricstore"
)

// params reads typed members of a request document; a member of the wrong type
// is an InvalidParameterValue error naming its path.
type params struct {
	m    map[string]any
	path string
	// text marks an awsQuery document, whose scalars are all strings: numbers,
	// booleans and timestamps (ISO 8601) are parsed from them, and an empty
	// string is an empty list.
	text bool
}

func (p params) name(k string) string {
	if p.path == "" {
		return k
	}
	return p.path + "." + k
}

func (p params) has(k string) bool { _, ok := p.m[k]; return ok }

func (p params) str(k string) (string, error) {
	v, ok := p.m[k]
	if !ok {
		return "", nil
	}
	s, ok := v.(string)
	if !ok {
		return "", invalidValue("The parameter %s must be a string.", p.name(k))
	}
	return s, nil
}

func (p params) requiredStr(k string) (string, error) {
	s, err := p.str(k)
	if err == nil && s == "" {
		return "", missing(p.name(k))
	}
	return s, err
}

func (p params) num(k string) (float64, bool, error) {
	v, ok := p.m[k]
	if !ok {
		return 0, false, nil
	}
	f, ok := p.float(v)
	if !ok {
		return 0, false, invalidValue("The parameter %s must be a finite number.", p.name(k))
	}
	return f, true, nil
}

// float reads a finite number, written as text in an awsQuery document.
func (p params) float(v any) (float64, bool) {
	f, ok := v.(float64)
	if s, isStr := v.(string); isStr && p.text {
		var err error
		f, err = strconv.ParseFloat(s, 64)
		ok = err == nil
	}
	return f, ok && !math.IsNaN(f) && !math.IsInf(f, 0)
}

func (p params) integer(k string) (int, bool, error) {
	f, ok, err := p.num(k)
	if err == nil && ok && (f != math.Trunc(f) || math.Abs(f) > 1<<31) {
		return 0, false, invalidValue("The parameter %s must be an integer.", p.name(k))
	}
	return int(f), ok, err
}

func (p params) boolean(k string) (bool, error) {
	v, ok := p.m[k]
	if !ok {
		return false, nil
	}
	b, ok := v.(bool)
	if s, isStr := v.(string); isStr && p.text {
		b, ok = s == "true", s == "true" || s == "false"
	}
	if !ok {
		return false, invalidValue("The parameter %s must be a boolean.", p.name(k))
	}
	return b, nil
}

// timestamp reads a time between 1970 and the year 5138 (epoch seconds
// below 1e11).
func (p params) timestamp(k string) (time.Time, error) {
	v, ok := p.m[k]
	if !ok {
		return time.Time{}, missing(p.name(k))
	}
	var ts time.Time
	switch t := v.(type) {
	case time.Time:
		ts = t
	case float64: // awsJson1_0 sends epoch seconds
		if !math.IsNaN(t) && math.Abs(t) < 1e11 {
			ts = time.UnixMilli(int64(math.Round(t * 1000)))
		}
	case string: // awsQuery sends ISO 8601
		if p.text {
			ts, _ = time.Parse(time.RFC3339Nano, t)
		}
	}
	if s := ts.Unix(); s < 0 || s >= 1e11 {
		return time.Time{}, invalidValue("The parameter %s must be a timestamp after 1970.", p.name(k))
	}
	return ts.UTC(), nil
}

func (p params) list(k string) ([]any, error) {
	v, ok := p.m[k]
	if !ok {
		return nil, nil
	}
	l, ok := v.([]any)
	if s, isStr := v.(string); isStr && s == "" && p.text {
		ok = true // awsQuery's empty list: Name=
	}
	if !ok {
		return nil, invalidValue("The parameter %s must be a list.", p.name(k))
	}
	return l, nil
}

func (p params) object(k string) (params, bool, error) {
	v, ok := p.m[k]
	if !ok {
		return params{}, false, nil
	}
	m, ok := v.(map[string]any)
	if !ok {
		return params{}, false, invalidValue("The parameter %s must be a structure.", p.name(k))
	}
	return params{m, p.name(k), p.text}, true, nil
}

// objects reads a list of structures.
func (p params) objects(k string) ([]params, error) {
	l, err := p.list(k)
	if err != nil {
		return nil, err
	}
	out := make([]params, len(l))
	for i, e := range l {
		m, ok := e.(map[string]any)
		if !ok {
			return nil, invalidValue("The parameter %s.member.%d must be a structure.", p.name(k), i+1)
		}
		out[i] = params{m, p.name(k) + ".member." + strconv.Itoa(i+1), p.text}
	}
	return out, nil
}

func (p params) strings(k string) ([]string, error) {
	l, err := p.list(k)
	if err != nil {
		return nil, err
	}
	out := make([]string, len(l))
	for i, e := range l {
		s, ok := e.(string)
		if !ok {
			return nil, invalidValue("The parameter %s.member.%d must be a string.", p.name(k), i+1)
		}
		out[i] = s
	}
	return out, nil
}

func (p params) floats(k string) ([]float64, error) {
	l, err := p.list(k)
	if err != nil {
		return nil, err
	}
	out := make([]float64, len(l))
	for i, e := range l {
		f, ok := p.float(e)
		if !ok {
			return nil, invalidValue("The parameter %s.member.%d must be a finite number.", p.name(k), i+1)
		}
		out[i] = f
	}
	return out, nil
}

// dimensions reads a list of Dimension structures (Name and Value required).
func (p params) dimensions(k string) ([]metricstore.Dimension, error) {
	ds, err := p.objects(k)
	if err != nil {
		return nil, err
	}
	if len(ds) > 30 {
		return nil, invalidValue("The collection %s must not have more than 30 members.", p.name(k))
	}
	out := make([]metricstore.Dimension, len(ds))
	for i, d := range ds {
		if out[i].Name, err = d.requiredStr("Name"); err != nil {
			return nil, err
		}
		if out[i].Value, err = d.requiredStr("Value"); err != nil {
			return nil, err
		}
		if len(out[i].Name) > 255 || len(out[i].Value) > 1024 {
			return nil, invalidValue("The parameter %s must have a Name of at most 255 and a Value of at most 1024 characters.", d.path)
		}
	}
	return out, nil
}
