package metrics

import (
	"fmt"
	"math"
	"strings"
	"unicode/utf8"
)

// CloudWatch limits (CloudWatch API model and the EMF specification).
const (
	maxMetricsPerObject = 100  // metric definitions in one EMF object
	maxValuesPerMetric  = 100  // values of one metric in one EMF object
	maxDimensions       = 30   // dimension keys in one dimension set
	maxNameLen          = 255  // namespace, metric name, dimension name
	maxDimensionValue   = 1024 // dimension value
)

// reservedKey is the EMF metadata member; no metric, dimension or metadata may use it.
const reservedKey = "_aws"

func validNamespace(ns string) error {
	switch {
	case ns == "":
		return fmt.Errorf("%w: no namespace: set %s or use metrics.WithNamespace", ErrInvalid, EnvNamespace)
	case utf8.RuneCountInString(ns) > maxNameLen:
		return fmt.Errorf("%w: namespace %q is longer than %d characters", ErrInvalid, ns, maxNameLen)
	case ns[0] == ':':
		return fmt.Errorf("%w: namespace %q starts with a colon", ErrInvalid, ns)
	case !utf8.ValidString(ns):
		return fmt.Errorf("%w: namespace %q is not valid UTF-8", ErrInvalid, ns)
	}
	return nil
}

func validMetric(name string, unit Unit, res Resolution) error {
	switch {
	case name == "":
		return fmt.Errorf("%w: empty metric name", ErrInvalid)
	case len(name) > maxNameLen && utf8.RuneCountInString(name) > maxNameLen:
		return fmt.Errorf("%w: metric name %q is longer than %d characters", ErrInvalid, name, maxNameLen)
	case !utf8.ValidString(name):
		return fmt.Errorf("%w: metric name %q is not valid UTF-8", ErrInvalid, name)
	case name == reservedKey:
		return fmt.Errorf("%w: metric name %q is reserved by EMF", ErrInvalid, name)
	case !unit.Valid():
		return fmt.Errorf("%w: metric %q: unknown unit %q (use a metrics.Unit constant such as metrics.Count)", ErrInvalid, name, unit)
	case !res.Valid():
		return fmt.Errorf("%w: metric %q: resolution %d is neither 60 (Standard) nor 1 (High)", ErrInvalid, name, res)
	}
	return nil
}

func validValue(name string, v float64) error {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return fmt.Errorf("%w: metric %q: value %v is not a finite number", ErrInvalid, name, v)
	}
	return nil
}

// validDimension applies the CloudWatch rules: name 1-255 and value 1-1024 ASCII
// characters without control characters, each with a non-space character; the
// name does not start with a colon.
func validDimension(d Dimension) error {
	if err := validASCII("dimension name", d.Name, maxNameLen); err != nil {
		return err
	}
	if d.Name[0] == ':' {
		return fmt.Errorf("%w: dimension name %q starts with a colon", ErrInvalid, d.Name)
	}
	if d.Name == reservedKey {
		return fmt.Errorf("%w: dimension name %q is reserved by EMF", ErrInvalid, d.Name)
	}
	if err := validASCII("dimension "+d.Name+" value", d.Value, maxDimensionValue); err != nil {
		return err
	}
	return nil
}

func validASCII(what, s string, max int) error {
	if s == "" {
		return fmt.Errorf("%w: empty %s", ErrInvalid, what)
	}
	if len(s) > max {
		return fmt.Errorf("%w: %s %.40q... is longer than %d characters", ErrInvalid, what, s, max)
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c >= 0x7f {
			return fmt.Errorf("%w: %s %q has a character that is not printable ASCII at byte %d", ErrInvalid, what, s, i)
		}
	}
	if strings.TrimSpace(s) == "" {
		return fmt.Errorf("%w: %s %q has only spaces", ErrInvalid, what, s)
	}
	return nil
}
