package filterpattern

import (
	"errors"
	"maps"
	"strings"
	"sync"
	"testing"
)

func TestMatchTable(t *testing.T) {
	if len(matchCases)+len(extractCases)+len(errorCases) < 150 {
		t.Fatalf("only %d cases", len(matchCases)+len(extractCases)+len(errorCases))
	}
	for _, c := range matchCases {
		p, err := Parse(c.pattern)
		if err != nil {
			t.Errorf("%s: Parse(%q): %v", c.src, c.pattern, err)
			continue
		}
		if got := p.Match(c.event); got != c.want {
			t.Errorf("%s: %q matching %q = %v, want %v", c.src, c.pattern, c.event, got, c.want)
		}
		if got := p.MatchBytes([]byte(c.event)); got != c.want {
			t.Errorf("%s: %q MatchBytes %q = %v, want %v", c.src, c.pattern, c.event, got, c.want)
		}
		if _, got := p.Extract(c.event); got != c.want {
			t.Errorf("%s: %q Extract %q matched = %v, want %v", c.src, c.pattern, c.event, got, c.want)
		}
	}
}

func TestExtract(t *testing.T) {
	for _, c := range extractCases {
		p, err := Parse(c.pattern)
		if err != nil {
			t.Fatalf("%s: Parse(%q): %v", c.src, c.pattern, err)
		}
		got, ok := p.Extract(c.event)
		if !ok {
			t.Errorf("%s: %q does not match %q", c.src, c.pattern, c.event)
			continue
		}
		if !maps.Equal(got, c.want) {
			t.Errorf("%s: %q on %q extracted\n%v\nwant\n%v", c.src, c.pattern, c.event, got, c.want)
		}
	}
}

func TestExtractNonDelimited(t *testing.T) {
	p := MustParse(`{ $.level = "ERROR" }`)
	if v, ok := p.Extract(ptError); !ok || v != nil {
		t.Errorf("JSON pattern Extract = %v, %v; want nil, true", v, ok)
	}
	d := MustParse(`[a, b]`)
	if v, ok := d.Extract("one two three"); ok || v != nil {
		t.Errorf("non-matching Extract = %v, %v; want nil, false", v, ok)
	}
}

func TestSyntaxErrors(t *testing.T) {
	for _, c := range errorCases {
		p, err := Parse(c.pattern)
		if err == nil {
			t.Errorf("%s: Parse(%q) = %v, want an error", c.src, c.pattern, p)
			continue
		}
		var se *SyntaxError
		if !errors.As(err, &se) {
			t.Errorf("%s: Parse(%q) error %T, want *SyntaxError", c.src, c.pattern, err)
			continue
		}
		if se.Offset != c.offset {
			t.Errorf("%s: Parse(%q) error at %d, want %d: %v", c.src, c.pattern, se.Offset, c.offset, err)
		}
		if c.aws != "" && se.AWSMessage() != c.aws {
			t.Errorf("%s: Parse(%q) AWSMessage %q, want %q", c.src, c.pattern, se.AWSMessage(), c.aws)
		}
		if !strings.Contains(err.Error(), "column ") || se.Msg == "" {
			t.Errorf("%s: Parse(%q) error %q does not say where", c.src, c.pattern, err)
		}
	}
}

func TestErrorColumnCountsCharacters(t *testing.T) {
	_, err := Parse(`"héllo" wörld`)
	var se *SyntaxError
	if !errors.As(err, &se) {
		t.Fatalf("Parse error %v, want *SyntaxError", err)
	}
	if se.Offset != 10 || !strings.Contains(err.Error(), "column 10:") {
		t.Errorf("error at offset %d: %v; want offset 10, column 10", se.Offset, err)
	}
}

func TestAWSMessageDefault(t *testing.T) {
	_, err := Parse(`{ $ = 1 }`)
	var se *SyntaxError
	if !errors.As(err, &se) {
		t.Fatalf("Parse error %v, want *SyntaxError", err)
	}
	if want := InvalidPatternMessage + ": " + se.Msg; se.AWSMessage() != want {
		t.Errorf("AWSMessage = %q, want %q", se.AWSMessage(), want)
	}
}

func TestKindAndRegexCount(t *testing.T) {
	for _, c := range []struct {
		pattern string
		kind    Kind
		regexes int
	}{
		{"", Terms, 0},
		{"ERROR -WARN", Terms, 0},
		{" %ab+c% ", Regex, 1},
		{`{ $.a = %x% || $.b = %y% }`, JSON, 2},
		{`[a = %x%, b]`, SpaceDelimited, 1},
		{`[a = "%x%", b]`, SpaceDelimited, 0},
	} {
		p, err := Parse(c.pattern)
		if err != nil {
			t.Fatalf("Parse(%q): %v", c.pattern, err)
		}
		if p.Kind() != c.kind || p.RegexCount() != c.regexes {
			t.Errorf("%q: Kind %v RegexCount %d, want %v %d", c.pattern, p.Kind(), p.RegexCount(), c.kind, c.regexes)
		}
		if p.String() != c.pattern {
			t.Errorf("String() = %q, want %q", p.String(), c.pattern)
		}
	}
}

func TestMustParsePanics(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Error("MustParse of an invalid pattern did not panic")
		}
	}()
	MustParse("{")
}

// TestNoAllocOnMismatch checks that an event that does not match costs no
// allocation, for every kind of pattern.
func TestNoAllocOnMismatch(t *testing.T) {
	if raceEnabled {
		t.Skip("the race detector makes sync.Pool drop buffers")
	}
	events := []string{lambdaStart, lambdaReport, ptInfo, docApache1, docU400, `{"level": "INFO", "msg": "esc\"aped"}`}
	for _, pattern := range []string{
		`FATAL`,
		`"INTERNAL SERVER ERROR"`,
		`?FATAL ?CRITICAL`,
		`ERROR -ARGUMENTS`,
		`%FATAL|CRIT%`,
		`{ $.level = "ERROR" || $.level = "WARN" }`,
		`{ $.function_memory_size > 4096 }`,
		`{ $.msg = %never% && $.xray_trace_id NOT EXISTS }`,
		`[ip, user, username, timestamp, request, status_code = 5*, bytes]`,
		`[..., status_code = 5*, bytes > 100000]`,
	} {
		p := MustParse(pattern)
		for _, e := range events {
			if p.Match(e) {
				continue
			}
			b := []byte(e)
			if n := testing.AllocsPerRun(100, func() { p.MatchBytes(b) }); n != 0 {
				t.Errorf("%q on %q: %v allocs, want 0", pattern, e, n)
			}
		}
	}
}

// TestAdversarialInputs matches inputs built to make backtracking matchers
// explode. Matching them must simply give the right answer; that the cost
// stays linear is shown by BenchmarkAdversarial, whose MB/s does not drop
// as the input grows.
func TestAdversarialInputs(t *testing.T) {
	for _, c := range adversarialCases(1 << 16) {
		p, err := Parse(c.pattern)
		if err != nil {
			t.Fatalf("Parse(%q): %v", c.pattern, err)
		}
		if got := p.Match(c.event); got != c.want {
			t.Errorf("%s: got %v, want %v", c.name, got, c.want)
		}
	}
}

type adversarialCase struct {
	name, pattern, event string
	want                 bool
}

// adversarialCases returns worst cases of about n bytes for each matcher.
func adversarialCases(n int) []adversarialCase {
	as := strings.Repeat("a", n)
	return []adversarialCase{
		{"regex-nested-star", `%a*a*a*a*a*a*b%`, as, false},
		{"regex-alternation", `%aaab|aab|ab|b%`, as + "c", false},
		{"term-near-miss", `"aaaaaaaaaaaaaaab"`, as, false},
		{"json-deep-nesting", `{ $.b = 1 }`, `{"a":` + strings.Repeat("[", n/2) + strings.Repeat("]", n/2) + `,"b":1}`, true},
		{"json-escaped-quotes", `{ $.b = 1 }`, `{"a":"` + strings.Repeat(`\"`, n/2) + `x","b":1}`, true},
		{"space-delimited-many-fields", `[a, ..., y = x, z]`, strings.Repeat("a ", n/2), false},
	}
}

// TestConcurrentMatch uses one pattern from several goroutines, as a server
// does; run with -race it checks that matching shares no unsynchronized
// state.
func TestConcurrentMatch(t *testing.T) {
	p := MustParse(`{ $.msg = "say \"hi\"" || $.level = "ERROR" }`)
	events := []string{`{"msg": "say \"hi\""}`, `{"msg": "say \"ho\""}`, ptError, ptInfo}
	want := []bool{true, false, true, false}
	var wg sync.WaitGroup
	errs := make(chan string, 8)
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 500; i++ {
				k := i % len(events)
				if p.Match(events[k]) != want[k] {
					errs <- events[k]
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Errorf("concurrent Match(%q) gave the wrong answer", e)
	}
}
