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
	redact := newRedactor(DefaultRedactKeys(), DefaultRedactAllowKeys())
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
		if want := redactedString(redact, msg); rec["message"] != want {
			t.Errorf("message = %q, want %q", rec["message"], want)
		}
		wantS := redactedString(redact, s)
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

// redactedString is what a record holds for s: s with its secrets masked, invalid UTF-8 replaced.
func redactedString(r redactor, s string) string {
	var out string
	if err := json.Unmarshal(r.appendString(nil, s), &out); err != nil {
		panic(err)
	}
	return out
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
	redact := newRedactor(DefaultRedactKeys(), DefaultRedactAllowKeys())
	none := newRedactor(nil, nil)
	f.Fuzz(func(t *testing.T, doc []byte) {
		out := redact.appendAny([]byte("x"), json.RawMessage(doc))[1:]
		if !json.Valid(out) {
			t.Fatalf("invalid JSON %q from %q", out, doc)
		}
		if !json.Valid(doc) {
			return
		}
		plain := none.appendAny(nil, json.RawMessage(doc))
		want, err := decodeEvent(doc) // numbers as json.Number: 1e700 is valid JSON
		if err != nil {
			t.Fatal(err)
		}
		got, err := decodeEvent(plain)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(want, got) && !hasAWSSecret(none, want) {
			t.Fatalf("re-encoding changed the document: %q -> %q", doc, plain)
		}
	})
}

// hasAWSSecret reports whether a decoded JSON document holds a string in which the redactor
// finds something to mask.
func hasAWSSecret(r redactor, v any) bool {
	switch v := v.(type) {
	case string:
		return len(r.secrets(v, nil)) > 0
	case []any:
		for _, e := range v {
			if hasAWSSecret(r, e) {
				return true
			}
		}
	case map[string]any:
		for k, e := range v {
			if hasAWSSecret(r, k) || hasAWSSecret(r, e) {
				return true
			}
		}
	}
	return false
}

// FuzzRedactString checks the masking of secrets inside strings on any input: it never panics,
// its output is a valid JSON string, equal to the input when nothing is found, and masking the
// masked text again changes nothing.
func FuzzRedactString(f *testing.F) {
	for _, s := range []string{
		"DB_PASSWORD=hunter2 user=app", `{"password": "x", "a": [1]}`, `{\"secret\":\"y\"}`,
		"Authorization: Bearer abc\r\nHost: x", "postgres://u:p@h/db", "map[password:x user:y]",
		"key " + awsKeyID + " secret " + awsSecret, "tok " + awsToken, "credentials: {a [b] (c)",
		"api key: k", "arn:aws:secretsmanager:r:1:secret:n", "password=\"unterminated", "\xffpassword=\xfe",
	} {
		f.Add(s)
	}
	r := newRedactor(DefaultRedactKeys(), DefaultRedactAllowKeys())
	f.Fuzz(func(t *testing.T, s string) {
		out := r.appendString(nil, s)
		var got string
		if err := json.Unmarshal(out, &got); err != nil {
			t.Fatalf("%q: invalid JSON string %q: %v", s, out, err)
		}
		if len(r.secrets(s, nil)) == 0 && got != string([]rune(s)) {
			t.Fatalf("%q changed to %q with nothing to mask", s, got)
		}
		if again := redactedString(r, got); again != got {
			t.Fatalf("masking is not stable: %q -> %q -> %q", s, got, again)
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

// FuzzSensitiveKey checks that the quick filter never rejects a key that the full comparison
// finds sensitive.
func FuzzSensitiveKey(f *testing.F) {
	for _, k := range []string{"DB_PASSWORD", "sessionToken", "x-api-key", "token_count", "APIKey", "\xffpwd"} {
		f.Add(k)
	}
	r := newRedactor(DefaultRedactKeys(), DefaultRedactAllowKeys())
	full := r
	full.rare, full.letters = ^uint32(0), make([]uint32, len(r.letters)) // every key may match
	f.Fuzz(func(t *testing.T, key string) {
		if got, want := r.sensitive(key), full.sensitive(key); got != want {
			t.Fatalf("sensitive(%q) = %v with the filter, %v without", key, got, want)
		}
	})
}
