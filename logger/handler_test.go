package logger

import (
	"context"
	"encoding/json"
	"log/slog"
	"strings"
	"testing"
	"testing/slogtest"

	"github.com/lambdalog/lambdalog/internal/testserver"
)

// lineBuffer is an io.Writer collecting records, safe for concurrent use.
type lineBuffer struct{ testserver.Buffer }

// records decodes every line, failing the test on a line that is not one JSON object.
func (b *lineBuffer) records(t testing.TB) []map[string]any {
	t.Helper()
	var out []map[string]any
	for _, line := range strings.Split(strings.TrimSuffix(b.String(), "\n"), "\n") {
		if line == "" {
			continue
		}
		var m map[string]any
		if err := json.Unmarshal([]byte(line), &m); err != nil {
			t.Fatalf("line is not a JSON object: %v\n%s", err, line)
		}
		out = append(out, m)
	}
	return out
}

// keysInOrder returns the top-level keys of one JSON object line, in order.
func keysInOrder(t testing.TB, line string) []string {
	t.Helper()
	dec := json.NewDecoder(strings.NewReader(line))
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		t.Fatalf("not an object: %q", line)
	}
	var keys []string
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			t.Fatal(err)
		}
		keys = append(keys, tok.(string))
		var skip json.RawMessage
		if err := dec.Decode(&skip); err != nil {
			t.Fatal(err)
		}
	}
	return keys
}

func TestSlogtest(t *testing.T) {
	var buf lineBuffer
	h := NewHandler(&buf, WithLevel(slog.LevelDebug))
	results := func() []map[string]any {
		recs := buf.records(t)
		for _, m := range recs {
			// slogtest expects slog's built-in key names.
			if v, ok := m["message"]; ok {
				m[slog.MessageKey] = v
				delete(m, "message")
			}
			if v, ok := m["timestamp"]; ok {
				m[slog.TimeKey] = v
				delete(m, "timestamp")
			}
		}
		return recs
	}
	if err := slogtest.TestHandler(h, results); err != nil {
		t.Fatal(err)
	}
}

func TestLevelsUseLambdaNames(t *testing.T) {
	var buf lineBuffer
	l := slog.New(NewHandler(&buf, WithLevel(LevelTrace)))
	ctx := context.Background()
	for _, lv := range []slog.Level{LevelTrace, slog.LevelDebug, slog.LevelInfo, slog.LevelInfo + 2, slog.LevelWarn, slog.LevelError, LevelFatal} {
		l.Log(ctx, lv, "m")
	}
	var got []string
	for _, r := range buf.records(t) {
		got = append(got, r["level"].(string))
	}
	want := "TRACE DEBUG INFO INFO WARN ERROR FATAL"
	if strings.Join(got, " ") != want {
		t.Fatalf("levels = %v, want %s", got, want)
	}
}

func TestWithGroupNestsAttributes(t *testing.T) {
	var buf lineBuffer
	l := slog.New(NewHandler(&buf)).With("a", 1).WithGroup("req").With("id", "r1").WithGroup("empty")
	l.Info("m", "k", "v")
	l.Info("no attrs")
	lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
	if !strings.Contains(lines[0], `"a":1,"req":{"id":"r1","empty":{"k":"v"}}`) {
		t.Errorf("grouped record: %s", lines[0])
	}
	if !strings.Contains(lines[1], `"a":1,"req":{"id":"r1"}}`) {
		t.Errorf("record without attrs should close only opened groups: %s", lines[1])
	}
	buf.records(t)
}

func TestOutputIsValidJSONForHostileValues(t *testing.T) {
	var buf lineBuffer
	l := slog.New(NewHandler(&buf))
	huge := strings.Repeat("x\x00\u2028", 100_000)
	l.Info("bad \xff utf8 \x01\n", "s", "\xc3\x28", "huge", huge, "nan", 0.0/zero(), "fail", failingMarshaler{},
		"panic", panickingMarshaler{}, "valuer", panickingValuer{}, "ch", make(chan int), "dur", 1500)
	recs := buf.records(t)
	if len(recs) != 1 {
		t.Fatalf("got %d records", len(recs))
	}
	r := recs[0]
	if r["message"] != "bad \uFFFD utf8 \x01\n" {
		t.Errorf("message = %q", r["message"])
	}
	if r["huge"] != huge {
		t.Error("huge string did not round-trip")
	}
	if r["nan"] != "NaN" {
		t.Errorf("nan = %v", r["nan"])
	}
	for _, k := range []string{"fail", "panic", "ch"} {
		if s, _ := r[k].(string); !strings.HasPrefix(s, "!ERROR") {
			t.Errorf("%s = %v, want an !ERROR string", k, r[k])
		}
	}
	if s, _ := r["valuer"].(string); !strings.Contains(s, "LogValue panicked") {
		t.Errorf("valuer = %v", r["valuer"])
	}
}

func zero() float64 { return 0 }

type failingMarshaler struct{}

func (failingMarshaler) MarshalJSON() ([]byte, error) { return nil, errTest }

type panickingMarshaler struct{}

func (panickingMarshaler) MarshalJSON() ([]byte, error) { panic("boom") }

type panickingValuer struct{}

func (panickingValuer) LogValue() slog.Value { panic("boom") }

var errTest = &testError{"test failure"}

type testError struct{ msg string }

func (e *testError) Error() string { return e.msg }
