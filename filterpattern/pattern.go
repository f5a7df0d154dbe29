package filterpattern

import (
	"regexp"
	"strings"
	"sync"
	"unicode/utf8"
	"unsafe"
)

// Kind is the form of a filter pattern.
type Kind int

const (
	// Terms is a pattern of words and quoted phrases (with ? and -), and
	// the empty pattern, which matches every event.
	Terms Kind = iota
	// Regex is a pattern that is one regular expression, %...%.
	Regex
	// JSON is a pattern in braces that tests properties of JSON events:
	// { $.level = "ERROR" }.
	JSON
	// SpaceDelimited is a pattern in square brackets that splits events
	// into fields: [ip, user, ..., status = 5*, bytes].
	SpaceDelimited
)

// String returns the kind's name as the CloudWatch documentation calls it.
func (k Kind) String() string {
	switch k {
	case Terms:
		return "terms"
	case Regex:
		return "regex"
	case JSON:
		return "json"
	case SpaceDelimited:
		return "space-delimited"
	}
	return "unknown"
}

// Pattern is a compiled filter pattern. It is safe for concurrent use.
type Pattern struct {
	src     string
	kind    Kind
	regexes int

	terms []termGroup    // Terms; nil matches everything
	re    *regexp.Regexp // Regex
	json  *jsonPattern   // JSON
	bufs  sync.Pool      // JSON: *[]byte buffers for decoding escaped strings
	delim *delimited     // SpaceDelimited
}

// Parse compiles a filter pattern. A pattern that is empty or only white
// space matches every event. Errors are of type *SyntaxError.
//
// Parse enforces the limit of MaxRegexes regular expressions per pattern but
// not MaxPatternLength, which the API checks before parsing.
func Parse(pattern string) (*Pattern, error) {
	const space = " \t\n\r"
	src := strings.Trim(pattern, space)
	off := len(pattern) - len(strings.TrimLeft(pattern, space))
	if src == "" {
		return &Pattern{src: pattern, kind: Terms}, nil
	}
	p := &parser{src: src}
	pat := &Pattern{src: pattern}
	var err error
	switch src[0] {
	case '{':
		pat.kind = JSON
		pat.json, err = parseJSON(p)
	case '[':
		pat.kind = SpaceDelimited
		pat.delim, err = parseDelimited(p)
	case '%':
		pat.kind = Regex
		pat.re, err = p.parseRegex()
		p.skipSpace()
		if err == nil && p.pos != len(src) {
			err = errorf(p.pos, "unexpected %s after the regular expression: a regular expression must be the whole pattern", p.what())
		}
	default:
		pat.kind = Terms
		pat.terms, err = parseTerms(p)
	}
	if err != nil {
		if se, ok := err.(*SyntaxError); ok {
			se.Offset += off
			se.col = utf8.RuneCountInString(pattern[:min(se.Offset, len(pattern))]) + 1
		}
		return nil, err
	}
	pat.regexes = p.regexes
	return pat, nil
}

// MustParse is like Parse but panics if the pattern cannot be parsed. It is
// meant for patterns written in the program, such as package variables.
func MustParse(pattern string) *Pattern {
	p, err := Parse(pattern)
	if err != nil {
		panic(err)
	}
	return p
}

// String returns the pattern as it was given to Parse.
func (p *Pattern) String() string { return p.src }

// Kind returns the form of the pattern.
func (p *Pattern) Kind() Kind { return p.kind }

// RegexCount returns how many regular expressions (%...%) the pattern
// contains; CloudWatch Logs allows at most 5 metric or subscription filters
// with regular expressions per log group.
func (p *Pattern) RegexCount() int { return p.regexes }

// Match reports whether the log event message matches the pattern.
func (p *Pattern) Match(message string) bool {
	switch p.kind {
	case Regex:
		return p.re.MatchString(message)
	case JSON:
		return looksLikeJSON(message) && p.json.match(message, &p.bufs)
	case SpaceDelimited:
		return p.delim.match(message)
	}
	return p.terms == nil || matchTerms(p.terms, message)
}

// MatchBytes is like Match for a message held in a byte slice. It does not
// copy the message and does not keep a reference to it.
func (p *Pattern) MatchBytes(message []byte) bool {
	return p.Match(unsafe.String(unsafe.SliceData(message), len(message)))
}

// Extract reports whether message matches the pattern and, for a matching
// space-delimited pattern, returns the event's fields keyed as the
// TestMetricFilter API reports them in extractedValues: "$name" for a named
// field and "$N" (N counting the event's fields from 1) for unnamed fields
// and those covered by "...". The brackets or quotes around a field are not
// part of its value. For other kinds of pattern, and when the message does
// not match, the map is nil (TestMetricFilter reports an empty object).
func (p *Pattern) Extract(message string) (map[string]string, bool) {
	if !p.Match(message) {
		return nil, false
	}
	if p.kind != SpaceDelimited {
		return nil, true
	}
	return p.delim.extract(message), true
}
