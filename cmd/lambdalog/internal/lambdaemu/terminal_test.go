package lambdaemu

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/lambdalog/lambdalog/internal/testserver"
)

// TestAPIGatewayExplainsErrors checks what the developer sees when the
// API Gateway front answers an error: the client gets API Gateway's answer,
// the terminal (Options.Messages) why, naming the function and the
// invocation's request id.
func TestAPIGatewayExplainsErrors(t *testing.T) {
	var notes testserver.Buffer
	emu, err := New(Options{Sink: StoreSink(newTestStore(t), "us-east-1"), Messages: &notes})
	if err != nil {
		t.Fatal(err)
	}
	defer emu.Close()
	rest := behave(t, "restfn")
	rest.Routes = []Route{{Kind: "Api", Method: "POST", Path: "/behave"}, {Kind: "Api", Method: "GET", Path: "/things/{id}"}}
	httpFn := behave(t, "httpfn")
	httpFn.Routes = []Route{{Kind: "HttpApi", Method: "POST", Path: "/v2"}}
	for _, fn := range []Function{rest, httpFn} {
		if err := emu.AddFunction(fn); err != nil {
			t.Fatal(err)
		}
	}
	srv := httptest.NewServer(emu.APIGateway())
	defer srv.Close()
	post := func(path, body string) (int, string) {
		t.Helper()
		resp, err := http.Post(srv.URL+path, "application/json", strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	id := `\(request id [0-9a-f-]{36}\)`
	for _, c := range []struct {
		path, body string
		status     int
		answer     string
		note       string // a regexp
	}{
		{"/behave", `{"fail":"boom"}`, 502, `{"message":"Internal server error"}`,
			`API Gateway answered POST /behave with 502 \{"message":"Internal server error"\}: function restfn ` + id + ` failed with errorString: boom`},
		{"/behave", `{}`, 502, `{"message":"Internal server error"}`,
			`function restfn ` + id + ` returned a response without a statusCode: \{"request_id":.*; API Gateway wants \{"statusCode": 200, "headers": \{...\}, "body": "..."\}`},
		{"/behave", `{"respond":{"statusCode":200,"body":5}}`, 502, `{"message":"Internal server error"}`,
			`function restfn ` + id + ` returned a response whose body is a JSON number, not a string`},
		{"/behave", `{"respond":"plain text"}`, 502, `{"message":"Internal server error"}`,
			`function restfn ` + id + ` returned "plain text", which is not a JSON object`},
		{"/behave", `{"respond":{"statusCode":200,"body":"%%","isBase64Encoded":true}}`, 502, `{"message":"Internal server error"}`,
			`function restfn ` + id + ` returned isBase64Encoded true with a body that is not base64`},
		{"/v2", `{"fail":"bad"}`, 500, `{"message":"Internal Server Error"}`,
			`API Gateway answered POST /v2 with 500 \{"message":"Internal Server Error"\}: function httpfn ` + id + ` failed with errorString: bad`},
		{"/v2", `{"respond":{"statusCode":"200"}}`, 500, `{"message":"Internal Server Error"}`,
			`function httpfn ` + id + ` returned a response whose statusCode is a JSON string, not a number`},
		{"/nowhere?x=1", `{}`, 403, `{"message":"Missing Authentication Token"}`,
			`API Gateway has no route for POST /nowhere, so it answered 403 \{"message":"Missing Authentication Token"\}, as API Gateway does. The routes are:
lambdalog:   HttpApi POST /v2 \(function httpfn\)
lambdalog:   Api POST /behave \(function restfn\)
lambdalog:   Api GET /things/\{id\} \(function restfn\)`},
		// A good answer says nothing.
		{"/behave", `{"respond":{"statusCode":201,"body":"made"}}`, 201, "made", ""},
	} {
		before := len(notes.String())
		status, answer := post(c.path, c.body)
		if status != c.status || strings.TrimSpace(answer) != c.answer {
			t.Errorf("POST %s %s: %d %s, want %d %s", c.path, c.body, status, answer, c.status, c.answer)
		}
		got := notes.String()[before:]
		if c.note == "" {
			if got != "" {
				t.Errorf("POST %s %s: the terminal was told %q", c.path, c.body, got)
			}
			continue
		}
		if !regexp.MustCompile(`^lambdalog: (?:.*)?` + c.note).MatchString(got) {
			t.Errorf("POST %s %s: the terminal was told\n%s\nwant it to match\n%s", c.path, c.body, got, c.note)
		}
	}
}

// TestEchoPrefixesFunctionNames: with more than one function each echoed
// line starts with its function's name, padded and (for a terminal)
// coloured; a single function's lines are left as they are.
func TestEchoPrefixesFunctionNames(t *testing.T) {
	for _, color := range []bool{false, true} {
		var echo testserver.Buffer
		emu, err := New(Options{Sink: StoreSink(newTestStore(t), "us-east-1"), Echo: &echo, EchoColor: color})
		if err != nil {
			t.Fatal(err)
		}
		if err := emu.AddFunction(behave(t, "a")); err != nil {
			t.Fatal(err)
		}
		invoke(t, emu, "a", `{"print":["alone"]}`)
		if err := emu.AddFunction(behave(t, "bravo")); err != nil {
			t.Fatal(err)
		}
		invoke(t, emu, "a", `{"print":["from a"]}`)
		invoke(t, emu, "bravo", `{"print":["from bravo"]}`)
		if err := emu.RemoveFunction("bravo"); err != nil {
			t.Fatal(err)
		}
		invoke(t, emu, "a", `{"print":["alone again"]}`)
		emu.Close()
		out := echo.String()
		pa, pb := "a     | ", "bravo | "
		if color {
			pa, pb = "\x1b[36ma     |\x1b[0m ", "\x1b[33mbravo |\x1b[0m "
		}
		for _, want := range []string{"\nalone\n", "\n" + pa + "from a\n", "\n" + pb + "from bravo\n", "\n" + pb + "START RequestId: ", "\nalone again\n"} {
			if !strings.Contains(out, want) {
				t.Errorf("color %v: echo lacks %q:\n%s", color, want, out)
			}
		}
		// Every line of a multi-line event (REPORT with its XRAY line) is prefixed.
		for line := range strings.SplitSeq(out, "\n") {
			if strings.HasPrefix(line, "XRAY ") {
				t.Errorf("an unprefixed XRAY line:\n%s", out)
			}
		}
	}
}

// TestReplaceFunctionFinishesRunningInvocations: after ReplaceFunction, new
// invocations use the new configuration while a running one finishes with
// the old, whose environment then stops; RemoveFunction ends the function.
func TestReplaceFunctionFinishesRunningInvocations(t *testing.T) {
	fn := behave(t, "fn")
	fn.Tracing = true
	fn.Env = map[string]string{"VERSION": "1"}
	emu, _ := newTestEmulator(t, fn)
	version := func(out *InvokeOutput) string {
		var resp struct {
			Env map[string]string `json:"env"`
		}
		if err := json.Unmarshal(out.Payload, &resp); err != nil {
			t.Fatalf("payload %s: %v", out.Payload, err)
		}
		return resp.Env["VERSION"]
	}
	if v := version(invoke(t, emu, "fn", `{}`)); v != "1" {
		t.Fatalf("VERSION %q", v)
	}
	var wg sync.WaitGroup
	var slow *InvokeOutput
	wg.Go(func() { slow = invoke(t, emu, "fn", `{"sleep_ms":1000}`) })
	waitFor(t, "the slow invocation to start", func() bool {
		emu.mu.Lock()
		defer emu.mu.Unlock()
		return len(emu.pools["fn"].busy) == 1
	})
	fn.Env = map[string]string{"VERSION": "2"}
	if err := emu.ReplaceFunction(fn); err != nil {
		t.Fatal(err)
	}
	fast := invoke(t, emu, "fn", `{}`)
	if v := version(fast); v != "2" {
		t.Errorf("after ReplaceFunction: VERSION %q, want 2", v)
	}
	wg.Wait()
	if slow.ErrorType != "" || version(slow) != "1" || slow.LogStream == fast.LogStream {
		t.Errorf("the running invocation: error %q, VERSION %q, stream %s (new %s)", slow.ErrorType, version(slow), slow.LogStream, fast.LogStream)
	}
	if n := emu.Environments("fn"); n != 1 {
		t.Errorf("%d environments after the old one finished, want 1", n)
	}
	if err := emu.ReplaceFunction(Function{Name: "other", Command: fn.Command}); err == nil {
		t.Error("ReplaceFunction of an unknown function succeeded")
	}
	if err := emu.RemoveFunction("fn"); err != nil {
		t.Fatal(err)
	}
	if _, err := emu.Invoke(context.Background(), "fn", InvokeInput{}); err == nil {
		t.Error("a removed function was invoked")
	}
	if err := emu.AddFunction(fn); err != nil {
		t.Errorf("adding it again: %v", err)
	}
}

// TestProfileReachesFunctions: AWS_PROFILE, AWS_CONFIG_FILE,
// AWS_SHARED_CREDENTIALS_FILE and HOME reach functions, so that their SDKs
// find a profile (and SSO) as on the host; then no placeholder keys hide
// it. Lambda's own variables still win over the host's.
func TestProfileReachesFunctions(t *testing.T) {
	home := t.TempDir()
	t.Setenv("AWS_ACCESS_KEY_ID", "")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "")
	t.Setenv("AWS_SESSION_TOKEN", "")
	t.Setenv("HOME", home)
	t.Setenv("AWS_PROFILE", "dev-sso")
	t.Setenv("AWS_CONFIG_FILE", filepath.Join(home, "config"))
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", "")
	t.Setenv("AWS_REGION", "eu-north-1")
	emu, _ := newTestEmulator(t, behave(t, "fn"))
	env := func() map[string]string {
		t.Helper()
		var resp struct {
			Env map[string]string `json:"env"`
		}
		if err := json.Unmarshal(invoke(t, emu, "fn", `{}`).Payload, &resp); err != nil {
			t.Fatal(err)
		}
		emu.mu.Lock() // the next call starts a new environment
		idle := emu.pools["fn"].idle
		emu.pools["fn"].idle = nil
		emu.mu.Unlock()
		stopAll(idle)
		return resp.Env
	}
	e := env()
	for k, want := range map[string]string{"HOME": home, "AWS_PROFILE": "dev-sso", "AWS_CONFIG_FILE": filepath.Join(home, "config"), "AWS_REGION": "us-east-1"} {
		if e[k] != want {
			t.Errorf("%s = %q, want %q", k, e[k], want)
		}
	}
	if k, ok := e["AWS_ACCESS_KEY_ID"]; ok && k != "" {
		t.Errorf("AWS_ACCESS_KEY_ID %q would hide the profile", k)
	}
	// Without a profile, a credentials file in HOME is found by the SDK too.
	t.Setenv("AWS_PROFILE", "")
	if e := env(); e["AWS_ACCESS_KEY_ID"] != placeholderKeyID {
		t.Errorf("no profile, no credentials file: AWS_ACCESS_KEY_ID %q, want the placeholder", e["AWS_ACCESS_KEY_ID"])
	}
	if err := os.MkdirAll(filepath.Join(home, ".aws"), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(home, ".aws", "credentials"), []byte("[default]\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if e := env(); e["AWS_ACCESS_KEY_ID"] != "" {
		t.Errorf("with ~/.aws/credentials: AWS_ACCESS_KEY_ID %q would hide it", e["AWS_ACCESS_KEY_ID"])
	}
}
