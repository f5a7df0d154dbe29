package main

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"math"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	cwl "github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	lambdatypes "github.com/aws/aws-sdk-go-v2/service/lambda/types"
	"github.com/lambdalog/lambdalog/internal/testserver"
)

// The dev tests run the real lambdalog binary from the repository root, as
// a user would, and talk to it with real clients.

// repoRoot is the repository root, relative to this package.
const repoRoot = "../.."

func TestMain(m *testing.M) { os.Exit(testserver.Main(m)) }

// devServer is a running `lambdalog dev`.
type devServer struct {
	*testserver.Server
	logsURL, apiURL string
}

func (d *devServer) output() string { return d.Output() }

// startDev runs `lambdalog dev args...` in dir and waits until it is ready.
// It is stopped with SIGINT when the test ends and must then exit cleanly,
// saying so.
func startDev(t *testing.T, dir string, args ...string) *devServer {
	t.Helper()
	d := &devServer{}
	t.Cleanup(func() { // runs after testserver.Dev's own cleanup has stopped it
		if d.Server != nil && !strings.Contains(d.output(), "lambdalog: stopped") {
			t.Errorf("dev did not report stopping:\n%s", d.output())
		}
	})
	d.Server = testserver.Dev(t, dir, nil, args...)
	d.logsURL, d.apiURL = d.URLs["api"], d.URLs["apiGateway"]
	for _, u := range []string{d.logsURL, d.apiURL} {
		if u == "" || strings.HasSuffix(u, ":0") {
			t.Fatalf("dev wrote the unresolved address %q", u)
		}
	}
	return d
}

func testCreds() aws.CredentialsProvider {
	return credentials.NewStaticCredentialsProvider("AKIDEXAMPLE", "secret", "")
}

// getJSON performs a GET and decodes a JSON object body.
func getJSON(t *testing.T, method, url string) (int, map[string]any) {
	t.Helper()
	req, err := http.NewRequest(method, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		t.Errorf("%s %s: Content-Type %q", method, url, ct)
	}
	var v map[string]any
	if err := json.Unmarshal(body, &v); err != nil {
		t.Fatalf("%s %s: body %q is not a JSON object: %v", method, url, body, err)
	}
	return resp.StatusCode, v
}

// helloEvent is an API Gateway REST proxy event for GET path.
func helloEvent(t *testing.T, path string) []byte {
	t.Helper()
	ev := events.APIGatewayProxyRequest{
		Resource: "/hello/{name}", Path: path, HTTPMethod: http.MethodGet,
		PathParameters: map[string]string{"name": strings.TrimPrefix(path, "/hello/")},
		RequestContext: events.APIGatewayProxyRequestContext{RequestID: "req-" + path, Stage: "dev", HTTPMethod: http.MethodGet, ResourcePath: "/hello/{name}"},
	}
	b, err := json.Marshal(ev)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// checkHelloResponse checks a function response (API Gateway proxy result).
func checkHelloResponse(t *testing.T, who string, payload []byte, name string) {
	t.Helper()
	var res events.APIGatewayProxyResponse
	if err := json.Unmarshal(payload, &res); err != nil {
		t.Fatalf("%s: payload %q: %v", who, payload, err)
	}
	want := `{"message":"hello ` + name + `!"}`
	if res.StatusCode != 200 || strings.TrimSpace(res.Body) != want {
		t.Errorf("%s: status %d body %q, want 200 %s", who, res.StatusCode, res.Body, want)
	}
}

// checkTail checks an X-Amz-Log-Result: the invocation's log, START to REPORT.
func checkTail(t *testing.T, who, b64, requestID string) {
	t.Helper()
	raw, err := base64.StdEncoding.DecodeString(b64)
	if err != nil {
		t.Fatalf("%s: LogResult %q: %v", who, b64, err)
	}
	log := string(raw)
	if !strings.HasPrefix(log, "START RequestId: "+requestID+" Version: $LATEST\n") ||
		!strings.Contains(log, "\nEND RequestId: "+requestID+"\n") ||
		!strings.Contains(log, "\nREPORT RequestId: "+requestID+"\t") {
		t.Errorf("%s: tail log for %s:\n%s", who, requestID, log)
	}
}

var (
	reportLine = regexp.MustCompile(`^REPORT RequestId: ([0-9a-f-]{36})\tDuration: (\d+\.\d\d) ms\tBilled Duration: (\d+) ms\tMemory Size: (\d+) MB\tMax Memory Used: (\d+) MB\t(?:Init Duration: (\d+\.\d\d) ms\t)?(?:\nXRAY TraceId: 1-[0-9a-f]{8}-[0-9a-f]{24}\tSegmentId: [0-9a-f]{16}\tSampled: (?:true|false)\t)?\n$`)
	startLine  = regexp.MustCompile(`^START RequestId: ([0-9a-f-]{36}) Version: \$LATEST\n$`)
	initLine   = regexp.MustCompile(`^INIT_START Runtime Version: provided:al2023\.v\d+\tRuntime Version ARN: arn:aws:lambda:us-east-1::runtime:[0-9a-f]{64}\n$`)
)

// invocationLog is one START..REPORT span read back from a log stream.
type invocationLog struct {
	requestID string
	appLines  []string
	report    []string // REPORT submatches
}

// parseStream checks a Text-format log stream line by line and returns its
// invocations. Function output lines must be JSON objects (logger records
// or EMF metrics); logger records must carry the invocation's request id.
func parseStream(t *testing.T, msgs []string, memoryMB int) []invocationLog {
	t.Helper()
	if len(msgs) == 0 || !initLine.MatchString(msgs[0]) {
		t.Fatalf("stream does not begin with INIT_START: %q", msgs)
	}
	var invs []invocationLog
	var cur *invocationLog
	for i, m := range msgs[1:] {
		switch {
		case startLine.MatchString(m):
			if cur != nil {
				t.Fatalf("line %d: START before REPORT of %s", i+1, cur.requestID)
			}
			invs = append(invs, invocationLog{requestID: startLine.FindStringSubmatch(m)[1]})
			cur = &invs[len(invs)-1]
		case strings.HasPrefix(m, "END RequestId: "):
			if cur == nil || m != "END RequestId: "+cur.requestID+"\n" {
				t.Fatalf("line %d: unexpected %q", i+1, m)
			}
		case strings.HasPrefix(m, "REPORT "):
			sub := reportLine.FindStringSubmatch(m)
			if cur == nil || sub == nil || sub[1] != cur.requestID {
				t.Fatalf("line %d: bad REPORT %q", i+1, m)
			}
			cur.report = sub
			cur = nil
		default:
			var rec map[string]any
			if !strings.HasSuffix(m, "\n") || json.Unmarshal([]byte(m), &rec) != nil {
				t.Fatalf("line %d: function output %q is not one JSON object with Lambda's trailing newline", i+1, m)
			}
			if cur == nil {
				continue // printed during init
			}
			if id, ok := rec["function_request_id"]; ok && id != cur.requestID {
				t.Errorf("line %d: record of request %v inside invocation %s", i+1, id, cur.requestID)
			}
			cur.appLines = append(cur.appLines, m)
		}
	}
	if cur != nil {
		t.Fatalf("invocation %s has no REPORT", cur.requestID)
	}
	for i, inv := range invs {
		r := inv.report
		dur, _ := strconv.ParseFloat(r[2], 64)
		billed, _ := strconv.Atoi(r[3])
		mem, _ := strconv.Atoi(r[4])
		used, _ := strconv.Atoi(r[5])
		initMS, _ := strconv.ParseFloat(r[6], 64)
		if (i == 0) != (r[6] != "") {
			t.Errorf("invocation %d: Init Duration %q: want it on the first invocation only", i, r[6])
		}
		if dur <= 0 || dur > 3000 || initMS < 0 || initMS > 10000 {
			t.Errorf("invocation %d: implausible Duration %v ms / Init Duration %v ms", i, dur, initMS)
		}
		// Billed Duration: Duration (plus Init Duration, as for custom
		// runtimes) rounded up to the millisecond; both are rounded to 0.01 ms.
		if want := math.Ceil(dur + initMS); math.Abs(float64(billed)-want) > 1 {
			t.Errorf("invocation %d: Billed Duration %d ms for Duration %v + Init %v", i, billed, dur, initMS)
		}
		if mem != memoryMB || used < 1 || used > memoryMB {
			t.Errorf("invocation %d: Memory Size %d MB, Max Memory Used %d MB (want %d, 1..%d)", i, mem, used, memoryMB, memoryMB)
		}
		if len(inv.appLines) == 0 {
			t.Errorf("invocation %d (%s) logged nothing", i, inv.requestID)
		}
	}
	return invs
}

// readStreams returns every event message of every stream in a log group of d,
// read through aws-sdk-go-v2.
func (d *devServer) readStreams(t *testing.T, ctx context.Context, group string) map[string][]string {
	t.Helper()
	c := cwl.New(cwl.Options{Region: "us-east-1", BaseEndpoint: aws.String(d.logsURL), Credentials: testCreds(), RetryMaxAttempts: 1, HTTPClient: testserver.HTTPClient(nil)})
	ds, err := c.DescribeLogStreams(ctx, &cwl.DescribeLogStreamsInput{LogGroupName: aws.String(group)})
	if err != nil {
		t.Fatalf("DescribeLogStreams %s: %v", group, err)
	}
	streamName := regexp.MustCompile(`^\d{4}/\d{2}/\d{2}/\[\$LATEST\][0-9a-f]{32}$`)
	all := map[string][]string{}
	for _, s := range ds.LogStreams {
		name := aws.ToString(s.LogStreamName)
		if !streamName.MatchString(name) {
			t.Errorf("log stream name %q is not YYYY/MM/DD/[$LATEST]<32 hex>", name)
		}
		in := &cwl.GetLogEventsInput{LogGroupName: aws.String(group), LogStreamName: s.LogStreamName, StartFromHead: aws.Bool(true)}
		var msgs []string
		for {
			out, err := c.GetLogEvents(ctx, in)
			if err != nil {
				t.Fatalf("GetLogEvents %s: %v", name, err)
			}
			for _, e := range out.Events {
				msgs = append(msgs, aws.ToString(e.Message))
			}
			if len(out.Events) == 0 || aws.ToString(out.NextForwardToken) == aws.ToString(in.NextToken) {
				break
			}
			in.NextToken = out.NextForwardToken
		}
		all[name] = msgs
	}
	return all
}

// TestDevRunsExamplesHello is the README's main command: `lambdalog dev`
// from the repository root, with no template, serves examples/hello.
func TestDevRunsExamplesHello(t *testing.T) {
	ctx := context.Background()
	d := startDev(t, repoRoot, "--addr", "127.0.0.1:0", "--api-addr", "127.0.0.1:0", "--memory")
	out := d.output()
	for _, want := range []string{
		"lambdalog: function hello (128 MB, 3s, logs in /aws/lambda/hello)",
		"lambdalog:   Api GET " + d.apiURL + "/hello\n",
		"lambdalog:   Api GET " + d.apiURL + "/hello/{name}\n",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("dev output lacks %q:\n%s", want, out)
		}
	}

	// The API Gateway front, as curl would use it.
	var want []string // request ids are not visible here; count invocations
	for _, c := range []struct {
		method, path string
		status       int
		message      string
	}{
		{"GET", "/hello", 200, "hello unknown!"},
		{"GET", "/hello/ana", 200, "hello ana!"},
		{"GET", "/hello/J%C3%BCrgen", 200, "hello Jürgen!"},
		{"POST", "/hello", 403, "Missing Authentication Token"}, // no such route: API Gateway answers
		{"GET", "/nowhere", 403, "Missing Authentication Token"},
	} {
		status, body := getJSON(t, c.method, d.apiURL+c.path)
		if status != c.status || body["message"] != c.message {
			t.Errorf("%s %s: %d %v, want %d message %q", c.method, c.path, status, body, c.status, c.message)
		}
		if status == 200 {
			want = append(want, c.path)
		}
	}

	// The Invoke API through aws-sdk-go-v2's lambda client.
	lc := lambda.New(lambda.Options{Region: "us-east-1", BaseEndpoint: aws.String(d.logsURL), Credentials: testCreds(), RetryMaxAttempts: 1, HTTPClient: testserver.HTTPClient(nil)})
	inv, err := lc.Invoke(ctx, &lambda.InvokeInput{FunctionName: aws.String("hello"), Payload: helloEvent(t, "/hello/sdk"), LogType: lambdatypes.LogTypeTail})
	if err != nil {
		t.Fatalf("lambda Invoke: %v", err)
	}
	if inv.StatusCode != 200 || inv.FunctionError != nil || aws.ToString(inv.ExecutedVersion) != "$LATEST" {
		t.Errorf("Invoke: status %d, function error %v, version %v", inv.StatusCode, aws.ToString(inv.FunctionError), aws.ToString(inv.ExecutedVersion))
	}
	checkHelloResponse(t, "sdk Invoke", inv.Payload, "sdk")
	sdkTail, _ := base64.StdEncoding.DecodeString(aws.ToString(inv.LogResult))
	sdkID := startLine.FindStringSubmatch(strings.SplitAfter(string(sdkTail), "\n")[0])
	if sdkID == nil {
		t.Fatalf("sdk Invoke tail does not begin with START:\n%s", sdkTail)
	}
	checkTail(t, "sdk Invoke", aws.ToString(inv.LogResult), sdkID[1])
	want = append(want, "sdk")

	_, err = lc.Invoke(ctx, &lambda.InvokeInput{FunctionName: aws.String("nosuch"), Payload: []byte(`{}`)})
	var nf *lambdatypes.ResourceNotFoundException
	if !errors.As(err, &nf) || !strings.Contains(err.Error(), "nosuch") {
		t.Errorf("Invoke of an unknown function: %v, want ResourceNotFoundException naming it", err)
	}

	// The Invoke API through the aws CLI, unchanged.
	if cliID := invokeWithCLI(t, d.logsURL); cliID != "" {
		want = append(want, "cli")
	}

	// The function's log stream, read back through the Logs API.
	streams := d.readStreams(t, ctx, "/aws/lambda/hello")
	if len(streams) != 1 {
		t.Fatalf("%d log streams for sequential invocations, want 1 (one warm environment)", len(streams))
	}
	for name, msgs := range streams {
		invs := parseStream(t, msgs, 128)
		if len(invs) != len(want) {
			t.Fatalf("stream %s holds %d invocations, want %d (%v):\n%s", name, len(invs), len(want), want, strings.Join(msgs, ""))
		}
		if invs[3].requestID != sdkID[1] {
			t.Errorf("4th invocation is %s, want the sdk's %s", invs[3].requestID, sdkID[1])
		}
		// The terminal shows the same lines.
		if !strings.Contains(d.output(), "START RequestId: "+sdkID[1]+" Version: $LATEST\n") {
			t.Errorf("dev did not echo the invocation's log:\n%s", d.output())
		}
	}
}

// invokeWithCLI runs `aws lambda invoke --log-type Tail` against url and
// returns the request id, or "" when the aws CLI is not installed (a
// failure when CI=true).
func invokeWithCLI(t *testing.T, url string) string {
	t.Helper()
	awsCLI, err := exec.LookPath("aws")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("the aws CLI is required in CI: ", err)
		}
		t.Log("aws CLI not installed; skipping its invoke")
		return ""
	}
	outFile := filepath.Join(t.TempDir(), "response.json")
	cmd := exec.Command(awsCLI, "lambda", "invoke", "--endpoint-url", url, "--function-name", "hello",
		"--log-type", "Tail", "--payload", string(helloEvent(t, "/hello/cli")), "--output", "json", outFile)
	cmd.Env = append(os.Environ(), "AWS_ACCESS_KEY_ID=AKIDEXAMPLE", "AWS_SECRET_ACCESS_KEY=secret",
		"AWS_DEFAULT_REGION=us-east-1", "AWS_CONFIG_FILE=/dev/null", "AWS_SHARED_CREDENTIALS_FILE=/dev/null")
	stdout, err := cmd.Output()
	if err != nil {
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			t.Fatalf("aws lambda invoke: %v\n%s", err, ee.Stderr)
		}
		t.Fatalf("aws lambda invoke: %v", err)
	}
	var res struct {
		StatusCode      int
		LogResult       string
		ExecutedVersion string
		FunctionError   string
	}
	if err := json.Unmarshal(stdout, &res); err != nil {
		t.Fatalf("aws lambda invoke printed %q: %v", stdout, err)
	}
	if res.StatusCode != 200 || res.FunctionError != "" || res.ExecutedVersion != "$LATEST" {
		t.Errorf("aws lambda invoke: %s", stdout)
	}
	payload, err := os.ReadFile(outFile)
	if err != nil {
		t.Fatal(err)
	}
	checkHelloResponse(t, "aws lambda invoke", payload, "cli")
	tail, _ := base64.StdEncoding.DecodeString(res.LogResult)
	m := startLine.FindStringSubmatch(strings.SplitAfter(string(tail), "\n")[0])
	if m == nil {
		t.Fatalf("aws lambda invoke: LogResult does not begin with START:\n%s", tail)
	}
	checkTail(t, "aws lambda invoke", res.LogResult, m[1])
	return m[1]
}

// TestDevTemplate runs a SAM template's function through `dev --template`:
// Globals, MemorySize, Environment, LoggingConfig.LogGroup and Api events.
func TestDevTemplate(t *testing.T) {
	ctx := context.Background()
	hello, err := filepath.Abs(filepath.Join(repoRoot, "examples", "hello"))
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	tmpl := `AWSTemplateFormatVersion: '2010-09-09'
Transform: AWS::Serverless-2016-10-31
Globals:
  Function:
    Runtime: provided.al2023
    Handler: bootstrap
    MemorySize: 256
    Timeout: 5
Resources:
  Greeter:
    Type: AWS::Serverless::Function
    Properties:
      FunctionName: greeter
      CodeUri: ` + hello + `
      Environment:
        Variables:
          POWERTOOLS_SERVICE_NAME: greeter-svc
      LoggingConfig:
        LogGroup: /team/greeter
      Events:
        Greet:
          Type: Api
          Properties:
            Path: /hello/{name}
            Method: get
  Bucket:
    Type: AWS::S3::Bucket
`
	path := filepath.Join(dir, "template.yaml")
	if err := os.WriteFile(path, []byte(tmpl), 0o644); err != nil {
		t.Fatal(err)
	}
	d := startDev(t, dir, "--template", path, "--addr", "127.0.0.1:0", "--api-addr", "127.0.0.1:0", "--data", filepath.Join(dir, "data"))
	if !strings.Contains(d.output(), "lambdalog: function greeter (256 MB, 5s, logs in /team/greeter)") {
		t.Errorf("dev output:\n%s", d.output())
	}
	status, body := getJSON(t, "GET", d.apiURL+"/hello/tmpl")
	if status != 200 || body["message"] != "hello tmpl!" {
		t.Fatalf("GET /hello/tmpl: %d %v", status, body)
	}
	streams := d.readStreams(t, ctx, "/team/greeter")
	if len(streams) != 1 {
		t.Fatalf("%d streams in /team/greeter, want 1", len(streams))
	}
	for _, msgs := range streams {
		invs := parseStream(t, msgs, 256)
		if len(invs) != 1 {
			t.Fatalf("%d invocations, want 1", len(invs))
		}
		// The template's environment reaches the function.
		if !strings.Contains(strings.Join(invs[0].appLines, ""), `"service":"greeter-svc"`) {
			t.Errorf("no record with service greeter-svc: %q", invs[0].appLines)
		}
	}
}

// TestDevBadInput checks that bad templates and flags fail with a clear
// message naming the problem and the exit code of their kind.
func TestDevBadInput(t *testing.T) {
	bin := testserver.Binary(t)
	dir := t.TempDir()
	write := func(name, content string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	fn := func(props string) string {
		return "Resources:\n  Fn:\n    Type: AWS::Serverless::Function\n    Properties:\n" + props
	}
	for _, c := range []struct {
		name string
		args []string
		code int
		want string
	}{
		{"missing file", []string{"--template", filepath.Join(dir, "absent.yaml")}, 1, "absent.yaml: no such file"},
		{"not YAML", []string{"--template", write("bad.yaml", "Resources: [unclosed\n")}, 1, "bad.yaml: template: yaml"},
		{"no functions", []string{"--template", write("none.yaml", "Resources:\n  B:\n    Type: AWS::S3::Bucket\n")}, 1, "no AWS::Serverless::Function resources"},
		{"no CodeUri", []string{"--template", write("nocode.yaml", fn("      Handler: bootstrap\n"))}, 1, "Fn: CodeUri is required"},
		{"bad runtime", []string{"--template", write("rt.yaml", fn("      CodeUri: .\n      Runtime: python3.12\n"))}, 1, `runtime "python3.12" not supported`},
		{"s3 code", []string{"--template", write("s3.yaml", fn("      CodeUri: s3://bucket/key.zip\n"))}, 1, "only local directories are supported"},
		{"event without path", []string{"--template", write("ev.yaml", fn("      CodeUri: .\n      Events:\n        E:\n          Type: Api\n          Properties:\n            Method: get\n"))}, 1, "event E: Path is required"},
		{"code that does not build", []string{"--template", write("nogo.yaml", fn("      CodeUri: ./empty\n"))}, 1, "no Go files and no executable bootstrap"},
		{"template and function", []string{"--template", "t.yaml", "--function", "a=b"}, 1, "pass --template or --function, not both"},
		{"public address", []string{"--addr", "0.0.0.0:4588"}, 1, "not a loopback address"},
		{"unknown flag", []string{"--bogus"}, 2, "flag provided but not defined: -bogus"},
		{"extra argument", []string{"extra"}, 2, `unexpected argument "extra"`},
	} {
		t.Run(c.name, func(t *testing.T) {
			if err := os.MkdirAll(filepath.Join(dir, "empty"), 0o755); err != nil {
				t.Fatal(err)
			}
			cmd := exec.Command(bin, append([]string{"dev", "--memory", "--addr", "127.0.0.1:0", "--api-addr", "127.0.0.1:0"}, c.args...)...)
			cmd.Dir = dir
			var stderr bytes.Buffer
			cmd.Stderr = &stderr
			done := make(chan error, 1)
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			go func() { done <- cmd.Wait() }()
			var err error
			select {
			case err = <-done:
			case <-time.After(time.Minute):
				_ = cmd.Process.Kill()
				t.Fatal("dev kept running on bad input")
			}
			var ee *exec.ExitError
			if !errors.As(err, &ee) || ee.ExitCode() != c.code {
				t.Fatalf("exit %v, want code %d; stderr:\n%s", err, c.code, stderr.String())
			}
			if !strings.Contains(stderr.String(), c.want) {
				t.Errorf("stderr does not say %q:\n%s", c.want, stderr.String())
			}
		})
	}
}
