package httpadapter

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"testing"
	"unicode/utf8"
)

func addTestdataSeeds(f *testing.F) {
	files, _ := filepath.Glob(filepath.Join("testdata", "*.json"))
	for _, p := range files {
		b, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	for _, s := range []string{v1Event, v2Event, urlEvent, albEvent, albMultiEvent, latticeEvent, `{}`, `null`, `[`, `{"a":"\ud800"}`} {
		f.Add([]byte(s))
	}
}

// FuzzInvoke feeds arbitrary payloads to Invoke: it must never panic, and
// whenever it succeeds its output must be valid JSON with the handler's status.
func FuzzInvoke(f *testing.F) {
	addTestdataSeeds(f)
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		_ = r.URL.Query()
		_, _ = r.Cookie("x")
		_, _ = APIGatewayV1Event(r.Context())
		_, _ = VPCLatticeEvent(r.Context())
		w.Header().Set("X-Path", r.URL.Path)
		w.Header().Set("X-Header", r.Header.Get("Accept"))
		w.WriteHeader(299)
		w.Write(b)
		w.Write([]byte(r.URL.RawQuery))
	})
	a := New(h)
	f.Fuzz(func(t *testing.T, payload []byte) {
		out, err := a.Invoke(context.Background(), payload)
		if err != nil {
			return
		}
		var resp struct{ StatusCode int }
		if !json.Valid(out) || json.Unmarshal(out, &resp) != nil || resp.StatusCode != 299 {
			t.Fatalf("bad output %q for %q", out, payload)
		}
	})
}

// FuzzScanner checks the event decoder's JSON reader against encoding/json:
// both accept the same documents, and decode strings identically.
func FuzzScanner(f *testing.F) {
	addTestdataSeeds(f)
	for _, s := range []string{`"a\u00e9\n\"\\\/"`, `-0.5e+3`, `[1,{"a":[true,false,null]}]`, `01`, `"\ud83d\ude00"`, `{"a" 1}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		d := scanner{s: string(data)}
		err := d.skip()
		if err == nil {
			err = d.end()
		}
		if errors.Is(err, errTooDeep) {
			return
		}
		if ok := json.Valid(data); ok != (err == nil) {
			t.Fatalf("scanner err %v, json.Valid %v for %q", err, ok, data)
		}
		if err != nil || !utf8.Valid(data) {
			return
		}
		var want string
		if json.Unmarshal(data, &want) != nil {
			return // not a string
		}
		d = scanner{s: string(data)}
		got, err := d.str()
		if err != nil || got != want {
			t.Fatalf("str() = %q, %v; encoding/json %q", got, err, want)
		}
	})
}
