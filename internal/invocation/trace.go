package invocation

import "strings"

// TraceHeaderName is the HTTP header that carries the X-Ray trace context between services.
const TraceHeaderName = "X-Amzn-Trace-Id"

// EnvTraceHeader is the environment variable in which runtimes publish the current invocation's
// trace header.
const EnvTraceHeader = "_X_AMZN_TRACE_ID"

// Sampled is the sampling decision of a trace header.
type Sampled uint8

// The sampling decisions a trace header can carry.
const (
	SampledUnknown   Sampled = iota // no Sampled field
	SampledTrue                     // Sampled=1: the trace is recorded
	SampledFalse                    // Sampled=0: the trace is not recorded
	SampledRequested                // Sampled=?: the receiver is asked to decide
)

// String returns the value of the Sampled field: "1", "0", "?", or "" when unknown.
func (s Sampled) String() string {
	switch s {
	case SampledTrue:
		return "1"
	case SampledFalse:
		return "0"
	case SampledRequested:
		return "?"
	}
	return ""
}

// Field is one key=value field of a trace header.
type Field struct {
	Key, Value string
}

// TraceHeader is a parsed X-Amzn-Trace-Id value; see the package documentation for the rules.
type TraceHeader struct {
	Root    string  // the trace id, 1-<8 hex digits of epoch seconds>-<24 hex digits>
	Parent  string  // the id of the parent segment or subsegment, 16 hex digits
	Sampled Sampled // the sampling decision
	Lineage string  // passed on unchanged
	Other   []Field // every other field, in order
}

// ParseTraceHeader parses a trace header value. It accepts any string.
func ParseTraceHeader(s string) TraceHeader {
	var h TraceHeader
	for s != "" {
		var part string
		part, s, _ = strings.Cut(s, ";")
		key, value, ok := strings.Cut(strings.TrimSpace(part), "=")
		if !ok {
			continue
		}
		if !h.setKnown(key, value) {
			h.Other = append(h.Other, Field{key, value})
		}
	}
	return h
}

// setKnown sets the known field key to value if it is not set yet and reports whether it did, or
// whether there was nothing to keep (an empty value).
func (h *TraceHeader) setKnown(key, value string) bool {
	var dst *string
	switch key {
	case "Root":
		dst = &h.Root
	case "Parent":
		dst = &h.Parent
	case "Lineage":
		dst = &h.Lineage
	case "Sampled":
		if value == "" {
			return true
		}
		if h.Sampled != SampledUnknown {
			return false
		}
		switch value {
		case "1":
			h.Sampled = SampledTrue
		case "0":
			h.Sampled = SampledFalse
		case "?":
			h.Sampled = SampledRequested
		default:
			return false
		}
		return true
	default:
		return false
	}
	if value == "" {
		return true
	}
	if *dst != "" {
		return false
	}
	*dst = value
	return true
}

// String returns the header in canonical form: Root, Parent, Sampled, Lineage, then Other.
func (h TraceHeader) String() string {
	n := len(h.Root) + len(h.Parent) + len(h.Lineage) + 40
	for _, f := range h.Other {
		n += len(f.Key) + len(f.Value) + 2
	}
	b := make([]byte, 0, n)
	field := func(key, value string) {
		if len(b) > 0 {
			b = append(b, ';')
		}
		b = append(b, key...)
		b = append(b, '=')
		b = append(b, value...)
	}
	if h.Root != "" {
		field("Root", h.Root)
	}
	if h.Parent != "" {
		field("Parent", h.Parent)
	}
	if v := h.Sampled.String(); v != "" {
		field("Sampled", v)
	}
	if h.Lineage != "" {
		field("Lineage", h.Lineage)
	}
	for _, f := range h.Other {
		field(f.Key, f.Value)
	}
	return string(b)
}
