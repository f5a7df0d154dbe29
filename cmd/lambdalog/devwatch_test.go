package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/lambdalog/lambdalog/internal/testserver"
)

// greetSource is a function speaking the Runtime API with the standard
// library alone, so that a test can build it from a temporary module: it
// answers {"version":VERSION,"greeting":$GREETING}.
const greetSource = `package main

import (
	"io"
	"net/http"
	"os"
	"strings"
)

const version = "VERSION"

func main() {
	api := "http://" + os.Getenv("AWS_LAMBDA_RUNTIME_API") + "/2018-06-01/runtime/invocation/"
	for {
		resp, err := http.Get(api + "next")
		if err != nil {
			os.Exit(1)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		body := ` + "`" + `{"version":"` + "`" + ` + version + ` + "`" + `","greeting":"` + "`" + ` + os.Getenv("GREETING") + ` + "`" + `"}` + "`" + `
		r, err := http.Post(api+resp.Header.Get("Lambda-Runtime-Aws-Request-Id")+"/response", "application/json", strings.NewReader(body))
		if err != nil {
			os.Exit(1)
		}
		r.Body.Close()
	}
}
`

// TestDevWatch edits a function's source and its template under
// `dev --watch`: a change rebuilds the function and the next invocation
// answers from the new build; a build that fails prints the compiler's error
// and keeps the previous build running; a changed template adds, updates
// and removes functions.
func TestDevWatch(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	code := filepath.Join(dir, "greet")
	write := func(path, content string) {
		t.Helper()
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write(filepath.Join(code, "go.mod"), "module greet\n\ngo 1.26\n")
	write(filepath.Join(code, "main.go"), strings.Replace(greetSource, "VERSION", "v1", 1))
	fn := func(id, name, greeting string) string {
		return "  " + id + ":\n    Type: AWS::Serverless::Function\n    Properties:\n      FunctionName: " + name +
			"\n      CodeUri: greet\n      Environment: {Variables: {GREETING: " + greeting + "}}\n"
	}
	tmpl := filepath.Join(dir, "template.yaml")
	write(tmpl, "Resources:\n"+fn("Greet", "greet", "hello"))

	d := &devServer{Server: testserver.Dev(t, dir, os.Environ(), "--watch", "--addr", "127.0.0.1:0", "--api-addr", "127.0.0.1:0", "--memory")}
	d.logsURL = d.URLs["api"]
	if !strings.Contains(d.output(), "lambdalog: watching the functions' sources and template.yaml; a change rebuilds\n") {
		t.Errorf("dev does not say it watches:\n%s", d.output())
	}
	answer := func(name string) (map[string]string, string) {
		t.Helper()
		stdout, stderr, code := lambdalogRun(t, "", "invoke", name, "--endpoint", d.logsURL)
		var v map[string]string
		if code != 0 || json.Unmarshal([]byte(stdout), &v) != nil {
			return nil, stderr
		}
		return v, stderr
	}
	// untilAnswer invokes the function until it answers want.
	untilAnswer := func(name, version, greeting string) {
		t.Helper()
		deadline := time.Now().Add(2 * time.Minute)
		for {
			v, stderr := answer(name)
			if v["version"] == version && v["greeting"] == greeting {
				return
			}
			if time.Now().After(deadline) {
				t.Fatalf("%s answers %v (%s), want version %s greeting %s; dev printed:\n%s", name, v, stderr, version, greeting, d.output())
			}
			time.Sleep(200 * time.Millisecond)
		}
	}
	untilAnswer("greet", "v1", "hello")

	// An edit rebuilds the function.
	write(filepath.Join(code, "main.go"), strings.Replace(greetSource, "VERSION", "v2", 1))
	waitOutput(t, d, `lambdalog: greet/main.go changed; rebuilding function greet\nlambdalog: rebuilt function greet in [0-9.]+m?s; new invocations run the new build\n`, 2*time.Minute)
	untilAnswer("greet", "v2", "hello")

	// A broken edit keeps the previous build running.
	write(filepath.Join(code, "main.go"), strings.Replace(greetSource, "const version", "var version int =", 1))
	waitOutput(t, d, `lambdalog: rebuilding function greet failed; the previous build keeps running:\n(?s:.*)main.go:\d+:\d+: `, 2*time.Minute)
	if v, stderr := answer("greet"); v["version"] != "v2" {
		t.Errorf("after a failed build: %v %s", v, stderr)
	}
	write(filepath.Join(code, "main.go"), strings.Replace(greetSource, "VERSION", "v3", 1))
	untilAnswer("greet", "v3", "hello")

	// A changed template: greet's environment changes, hi is added.
	write(tmpl, "Resources:\n"+fn("Greet", "greet", "bonjour")+fn("Hi", "hi", "hi"))
	waitOutput(t, d, `lambdalog: template.yaml changed; reloading\n`, time.Minute)
	waitOutput(t, d, `lambdalog: function greet updated\nlambdalog: function greet \(128 MB, 3s, logs in /aws/lambda/greet\)\n`, time.Minute)
	waitOutput(t, d, `lambdalog: function hi added\n`, 2*time.Minute)
	untilAnswer("greet", "v3", "bonjour")
	untilAnswer("hi", "v3", "hi")
	// Both now print their output under their names.
	waitOutput(t, d, `\nhi    \| START RequestId: `, 10*time.Second)

	// greet is removed.
	write(tmpl, "Resources:\n"+fn("Hi", "hi", "hi"))
	waitOutput(t, d, `lambdalog: function greet removed\n`, time.Minute)
	if _, stderr := answer("greet"); !strings.Contains(stderr, "ResourceNotFoundException") {
		t.Errorf("greet after its removal: %s", stderr)
	}
	// A template that does not parse leaves the functions running.
	write(tmpl, "Resources: [")
	waitOutput(t, d, `template.yaml: template: yaml: .*; the previous functions keep running\n`, time.Minute)
	untilAnswer("hi", "v3", "hi")
}
