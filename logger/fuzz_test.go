package logger

import (
	"bytes"
	"encoding/json"
	"log/slog"
	"math"
	"reflect"
	"strings"
	"testing"
)

// FuzzRecord checks that every record is one line of valid JSON whose message and attribute
// values round-trip, whatever the input: invalid UTF-8, control characters, huge strings,
// invalid raw JSON, failing MarshalJSON and panicking LogValuer values.
func FuzzRecord(f *testing.F) {
	f.Add("hello", "user", "ann", int64(42), 1.5, true, []byte(`{"a":[1,2]}`))
	f.Add("bad \xff\xfe", "\x00key", "\u2028\x1f\"\\", int64(math.MinInt64), math.Inf(1), false, []byte(`{"password":"x"`))
	f.Add(strings.Repeat("é\n", 5000), "password", "AWS_SESSION_TOKEN=abc", int64(-1), math.NaN(), true, []byte("null"))
	f.Add("", "", "", int64(0), 1e-9, false, []byte{})
	redact := newRedactor(DefaultRedactKeys())
	f.Fuzz(func(t *testing.T, msg, key, s string, i int64, fl float64, b bool, raw []byte) {
		var out bytes.Buffer
		l := slog.New(NewHandler(&out, WithWarnings(&bytes.Buffer{})))
		l.Info(msg, "s", s, "i", i, "f", fl, "b", b, "raw", json.RawMessage(raw),
			"fail", failingMarshaler{}, "valuer", panickingValuer{}, slog.Group("g", slog.String(key, s)))
		line := out.Bytes()
		if bytes.Count(line, []byte("\n")) != 1 || line[len(line)-1] != '\n' {
			t.Fatalf("not exactly one line: %q", line)
		}
		if !json.Valid(line) {
			t.Fatalf("invalid JSON: %q", line)
		}
		dec := json.NewDecoder(bytes.NewReader(line))
		dec.UseNumber()
		var rec map[string]any
		if err := dec.Decode(&rec); err != nil {
			t.Fatal(err)
		}
		if want := string([]rune(msg)); rec["message"] != want {
			t.Errorf("message = %q, want %q", rec["message"], want)
		}
		wantS := string([]rune(s))
		if eq := strings.IndexByte(s, '='); eq > 0 && redact.sensitive(s[:eq]) {
			wantS = string([]rune(s[:eq])) + "=***"
		}
		if rec["s"] != wantS {
			t.Errorf("s = %q, want %q", rec["s"], wantS)
		}
		if n, _ := rec["i"].(json.Number); string(n) != jsonInt(i) {
			t.Errorf("i = %v, want %d", rec["i"], i)
		}
		switch {
		case math.IsNaN(fl):
			if rec["f"] != "NaN" {
				t.Errorf("f = %v, want NaN", rec["f"])
			}
		case math.IsInf(fl, 0):
			if s, _ := rec["f"].(string); !strings.HasSuffix(s, "Inf") {
				t.Errorf("f = %v, want an infinity", rec["f"])
			}
		default:
			if n, _ := rec["f"].(json.Number); n == "" {
				t.Errorf("f = %v", rec["f"])
			} else if got, _ := n.Float64(); got != fl {
				t.Errorf("f = %v, want %v", got, fl)
			}
		}
		if rec["b"] != b {
			t.Errorf("b = %v, want %v", rec["b"], b)
		}
		if !json.Valid(raw) {
			if s, _ := rec["raw"].(string); !strings.HasPrefix(s, "!ERROR") {
				t.Errorf("invalid raw JSON should become an !ERROR string, got %v", rec["raw"])
			}
		}
		if s, _ := rec["fail"].(string); !strings.HasPrefix(s, "!ERROR") {
			t.Errorf("fail = %v", rec["fail"])
		}
		g, _ := rec["g"].(map[string]any)
		wantG := wantS
		if redact.sensitive(key) {
			wantG = "***"
		}
		if g[string([]rune(key))] != wantG {
			t.Errorf("g = %v, want %q: %q", g, wantG, line)
		}
	})
}

func jsonInt(i int64) string {
	b, _ := json.Marshal(i)
	return string(b)
}

// FuzzRedactedJSON feeds arbitrary documents (such as an event or a MarshalJSON result) to the
// redacting re-encoder: the output is always valid JSON, equal to the input when no key is
// sensitive, and never contains a value under a sensitive key.
func FuzzRedactedJSON(f *testing.F) {
	f.Add([]byte(`{"headers":{"Authorization":"Bearer x","a":[1,{"token":{"x":1}},"s"]},"n":1.5e3}`))
	f.Add([]byte(`[{"password":null},true,"AWS_SESSION_TOKEN=abc"]`))
	f.Add([]byte(`{"a":`))
	redact := newRedactor(DefaultRedactKeys())
	none := newRedactor(nil)
	f.Fuzz(func(t *testing.T, doc []byte) {
		out := redact.appendAny([]byte("x"), json.RawMessage(doc))[1:]
		if !json.Valid(out) {
			t.Fatalf("invalid JSON %q from %q", out, doc)
		}
		if !json.Valid(doc) {
			return
		}
		var want, got any
		plain := none.appendAny(nil, json.RawMessage(doc))
		if err := json.Unmarshal(doc, &want); err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal(plain, &got); err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(want, got) {
			t.Fatalf("re-encoding changed the document: %q -> %q", doc, plain)
		}
	})
}

// FuzzCorrelationPath checks that any path expression either fails to parse with an error or
// is looked up in any event without panicking.
func FuzzCorrelationPath(f *testing.F) {
	f.Add(`headers."x-amzn-trace-id"`, []byte(`{"headers":{"X-Amzn-Trace-Id":"Root=1"}}`))
	f.Add(`a..b`, []byte(`{}`))
	f.Fuzz(func(t *testing.T, path string, event []byte) {
		segs, err := parsePath(path)
		if err != nil {
			return
		}
		if len(segs) == 0 {
			t.Fatalf("parsePath(%q) returned no segments and no error", path)
		}
		if tree, err := decodeEvent(event); err == nil {
			lookupPath(tree, segs)
		}
	})
}
