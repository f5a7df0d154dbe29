package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cwl "github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/lambdalog/lambdalog/internal/testserver"
)

// behaveDir is the lambdaemu test function, which misbehaves on demand.
const behaveDir = "internal/lambdaemu/testdata/behave"

// lambdalogRun runs the lambdalog binary with args and stdin, and returns
// its stdout, stderr and exit code.
func lambdalogRun(t *testing.T, stdin string, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	cmd := exec.Command(testserver.Binary(t), args...)
	cmd.Stdin = strings.NewReader(stdin)
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err := cmd.Run()
	var ee *exec.ExitError
	switch {
	case errors.As(err, &ee):
		code = ee.ExitCode()
	case err != nil:
		t.Fatalf("lambdalog %v: %v", args, err)
	}
	return out.String(), errOut.String(), code
}

// waitOutput waits until dev's output matches re (at most limit) and
// returns the match.
func waitOutput(t *testing.T, d *devServer, re string, limit time.Duration) []string {
	t.Helper()
	pattern := regexp.MustCompile(re)
	deadline := time.Now().Add(limit)
	for {
		if m := pattern.FindStringSubmatch(d.output()); m != nil {
			return m
		}
		if time.Now().After(deadline) {
			t.Fatalf("dev did not print %s within %s:\n%s", re, limit, d.output())
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// TestDevTerminal runs two functions from a template, as a newcomer would,
// and checks what the terminal says about them and what the clients get:
// the first build, warnings for events dev does not run, each output line
// prefixed with its function, API Gateway errors explained, unknown routes
// listed, APIs dev does not serve named, a Schedule rule firing on its
// rate(1 minute) with EventBridge's event, `lambdalog invoke`, the host's
// AWS profile variables reaching functions, and STANDARD log groups.
func TestDevTerminal(t *testing.T) {
	if testing.Short() {
		t.Skip("waits a minute for a schedule")
	}
	t.Parallel()
	ctx := context.Background()
	behave, err := filepath.Abs(behaveDir)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	tmpl := `Transform: AWS::Serverless-2016-10-31
Globals:
  Function: {Runtime: provided.al2023, Handler: bootstrap, CodeUri: ` + behave + `}
Resources:
  Behave:
    Type: AWS::Serverless::Function
    Properties:
      FunctionName: behave
      Events:
        Post: {Type: Api, Properties: {Path: /behave, Method: post}}
        Orders: {Type: SQS, Properties: {Queue: arn:aws:sqs:us-east-1:123456789012:orders}}
  Printer:
    Type: AWS::Serverless::Function
    Properties:
      FunctionName: printer
      Environment: {Variables: {BEHAVE_PRINT_EVENT: "1"}}
      Events:
        Every: {Type: Schedule, Properties: {Schedule: rate(1 minute)}}
        Never: {Type: Schedule, Properties: {Schedule: rate(1 minute), Enabled: false}}
        Bad: {Type: ScheduleV2, Properties: {ScheduleExpression: 'cron(0 12 * * * *)'}}
`
	path := filepath.Join(dir, "template.yaml")
	if err := os.WriteFile(path, []byte(tmpl), 0o644); err != nil {
		t.Fatal(err)
	}
	home := t.TempDir()
	env := append(os.Environ(), "HOME="+home, "AWS_PROFILE=lambdalog-test", "AWS_CONFIG_FILE="+filepath.Join(home, "config"),
		"AWS_SHARED_CREDENTIALS_FILE="+filepath.Join(home, "credentials"), "AWS_REGION=eu-north-1")
	testserver.Binary(t) // built before the clock starts
	started := time.Now()
	d := &devServer{Server: testserver.Dev(t, dir, env, "--template", path, "--addr", "127.0.0.1:0", "--api-addr", "127.0.0.1:0", "--memory")}
	d.logsURL, d.apiURL = d.URLs["api"], d.URLs["apiGateway"]

	ready := time.Now()
	// Startup: builds, warnings, schedules.
	for _, want := range []string{
		"lambdalog: building function behave (go build in " + behave + "); the first build can take a minute or two\n",
		"lambdalog: built function behave in ",
		"lambdalog: warning: function behave: event Orders (SQS) is not run by lambdalog dev; invoke the function yourself, for example with lambdalog invoke behave --event FILE\n",
		`lambdalog: warning: function printer: event Bad (ScheduleV2) is not run: schedule expression "cron(0 12 * * * *)": use ? in exactly one of day-of-month and day-of-week`,
		"lambdalog:   Schedule rate(1 minute) (Every)\n",
		"lambdalog:   Schedule rate(1 minute) (Never), disabled\n",
	} {
		if !strings.Contains(d.output(), want) {
			t.Errorf("dev output lacks %q:\n%s", want, d.output())
		}
	}

	// The API Gateway front: AWS's answers, the reasons on the terminal.
	resp, err := httpPost(d.apiURL+"/behave", `{"fail":"boom"}`)
	if err != nil || resp != `502 {"message":"Internal server error"}` {
		t.Errorf("POST /behave failing: %s %v", resp, err)
	}
	waitOutput(t, d, `lambdalog: API Gateway answered POST /behave with 502 \{"message":"Internal server error"\}: function behave \(request id [0-9a-f-]{36}\) failed with errorString: boom\n`, 10*time.Second)
	if resp, _ := httpPost(d.apiURL+"/behave", `{}`); resp != `502 {"message":"Internal server error"}` {
		t.Errorf("POST /behave with a non-proxy response: %s", resp)
	}
	waitOutput(t, d, `function behave \(request id [0-9a-f-]{36}\) returned a response without a statusCode`, 10*time.Second)
	if status, body := getJSON(t, "GET", d.apiURL+"/nowhere"); status != 403 || body["message"] != "Missing Authentication Token" || len(body) != 1 {
		t.Errorf("GET /nowhere: %d %v", status, body)
	}
	waitOutput(t, d, `lambdalog: API Gateway has no route for GET /nowhere, so it answered 403 \{"message":"Missing Authentication Token"\}, as API Gateway does. The routes are:\nlambdalog:   Api POST /behave \(function behave\)\n`, 10*time.Second)

	// lambdalog invoke, through dev's Invoke API.
	event := filepath.Join(dir, "event.json")
	if err := os.WriteFile(event, []byte(`{"print":["hello from invoke"]}`), 0o644); err != nil {
		t.Fatal(err)
	}
	stdout, stderr, code := lambdalogRun(t, "", "invoke", "behave", "--event", event, "--log-type", "Tail", "--endpoint", d.logsURL)
	var res struct {
		RequestID string            `json:"request_id"`
		Env       map[string]string `json:"env"`
	}
	if err := json.Unmarshal([]byte(stdout), &res); code != 0 || err != nil {
		t.Fatalf("invoke: exit %d, stdout %q (%v), stderr:\n%s", code, stdout, err, stderr)
	}
	if !strings.HasPrefix(stderr, "START RequestId: "+res.RequestID+" Version: $LATEST\nhello from invoke\nEND RequestId: "+res.RequestID+"\nREPORT RequestId: "+res.RequestID+"\t") {
		t.Errorf("invoke --log-type Tail: stderr\n%s", stderr)
	}
	// The host's profile variables reach the function; Lambda's own win.
	for k, want := range map[string]string{"HOME": home, "AWS_PROFILE": "lambdalog-test", "AWS_CONFIG_FILE": filepath.Join(home, "config"),
		"AWS_SHARED_CREDENTIALS_FILE": filepath.Join(home, "credentials"), "AWS_REGION": "us-east-1"} {
		if res.Env[k] != want {
			t.Errorf("the function's %s = %q, want %q", k, res.Env[k], want)
		}
	}
	// An erroring function: the error document, and exit status 1.
	stdout, stderr, code = lambdalogRun(t, `{"fail":"boom"}`, "invoke", "--endpoint", d.logsURL, "behave", "--event", "-")
	if code != 1 || strings.TrimSpace(stdout) != `{"errorMessage":"boom","errorType":"errorString"}` ||
		stderr != "lambdalog: invoke: function behave failed (Unhandled): errorString: boom\n" {
		t.Errorf("invoke of a failing function: exit %d, stdout %q, stderr %q", code, stdout, stderr)
	}
	if _, stderr, code := lambdalogRun(t, "", "invoke", "nosuch", "--endpoint", d.logsURL); code != 1 || !strings.Contains(stderr, "ResourceNotFoundException: Function not found") {
		t.Errorf("invoke of an unknown function: exit %d, %s", code, stderr)
	}
	if _, stderr, code := lambdalogRun(t, "", "invoke", "behave", "--event", event+".missing", "--endpoint", d.logsURL); code != 1 || !strings.Contains(stderr, "read the event") {
		t.Errorf("invoke with a missing event file: exit %d, %s", code, stderr)
	}

	// Each line of the functions' output names its function (no colour:
	// the output is not a terminal).
	waitOutput(t, d, `\nbehave  \| hello from invoke\n`, 10*time.Second)
	if strings.Contains(d.output(), "\x1b[") {
		t.Errorf("colour codes in output that is not a terminal")
	}

	// The log groups dev makes are STANDARD.
	c := cwl.New(cwl.Options{Region: "us-east-1", BaseEndpoint: aws.String(d.logsURL), Credentials: testCreds(), RetryMaxAttempts: 1, HTTPClient: testserver.HTTPClient(nil)})
	groups, err := c.DescribeLogGroups(ctx, &cwl.DescribeLogGroupsInput{LogGroupNamePrefix: aws.String("/aws/lambda/behave")})
	if err != nil || len(groups.LogGroups) != 1 || groups.LogGroups[0].LogGroupClass != "STANDARD" {
		t.Errorf("DescribeLogGroups: %+v %v", groups, err)
	}

	// Clients of APIs dev does not serve are told which.
	for _, cli := range awsCLIs(t) {
		for _, c := range []struct {
			args []string
			want string
		}{
			{[]string{"lambda", "list-functions"}, "lambdalog emulates only Lambda's Invoke operation (POST /2015-03-31/functions/{FunctionName}/invocations), not GET /2015-03-31/functions"},
			{[]string{"s3", "ls"}, "lambdalog does not emulate Amazon S3 (this request: GET /"},
			{[]string{"sns", "list-topics"}, "lambdalog does not emulate Amazon SNS"},
			{[]string{"dynamodb", "list-tables"}, "lambdalog does not emulate Amazon DynamoDB"},
		} {
			cmd := exec.Command(cli, append(c.args, "--endpoint-url", d.logsURL)...)
			cmd.Env = append(os.Environ(), "AWS_ACCESS_KEY_ID=AKIDEXAMPLE", "AWS_SECRET_ACCESS_KEY=secret", "AWS_DEFAULT_REGION=us-east-1",
				"AWS_CONFIG_FILE=/dev/null", "AWS_SHARED_CREDENTIALS_FILE=/dev/null", "AWS_MAX_ATTEMPTS=1")
			out, err := cmd.CombinedOutput()
			if err == nil || !strings.Contains(string(out), "(UnknownOperationException) when calling") || !strings.Contains(string(out), c.want) {
				t.Errorf("%s %v: %v\n%s\nwant an UnknownOperationException saying %q", cli, c.args, err, out, c.want)
			}
		}
	}

	// The rule fires a minute after dev started, with EventBridge's event.
	m := waitOutput(t, d, `\nprinter \| event: (\{.*\})\n`, time.Until(ready.Add(90*time.Second)))
	var ev struct {
		Source, Account, Region, Time string
		DetailType                    string `json:"detail-type"`
		Resources                     []string
	}
	if err := json.Unmarshal([]byte(m[1]), &ev); err != nil {
		t.Fatal(err)
	}
	if ev.DetailType != "Scheduled Event" || ev.Source != "aws.events" || ev.Account != "123456789012" || ev.Region != "us-east-1" ||
		len(ev.Resources) != 1 || ev.Resources[0] != "arn:aws:events:us-east-1:123456789012:rule/PrinterEvery" {
		t.Errorf("scheduled event: %s", m[1])
	}
	if at, err := time.Parse(time.RFC3339, ev.Time); err != nil || at.Before(started.Add(time.Minute).Truncate(time.Second)) {
		t.Errorf("scheduled event at %s, dev started at %s: want a minute later", ev.Time, started)
	}
	waitOutput(t, d, `lambdalog: Schedule rate\(1 minute\) \(Every\) invoked function printer \(request id [0-9a-f-]{36}\)\n`, 10*time.Second)
	if strings.Contains(d.output(), "(Never) invoked") {
		t.Error("the disabled schedule fired")
	}
}

// httpPost posts body and returns "status body".
func httpPost(url, body string) (string, error) {
	resp, err := http.Post(url, "application/json", strings.NewReader(body))
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return strconv.Itoa(resp.StatusCode) + " " + strings.TrimSpace(string(b)), err
}

// awsCLIs returns the installed aws CLIs: v1 (on PATH) and v2 (/usr/bin/aws,
// Debian's). None is a failure when CI=true.
func awsCLIs(t *testing.T) []string {
	t.Helper()
	var clis []string
	if p, err := exec.LookPath("aws"); err == nil {
		clis = append(clis, p)
	}
	if st, err := os.Stat("/usr/bin/aws"); err == nil && !st.IsDir() && (len(clis) == 0 || clis[0] != "/usr/bin/aws") {
		clis = append(clis, "/usr/bin/aws")
	}
	if len(clis) == 0 && os.Getenv("CI") == "true" {
		t.Fatal("the aws CLI is required in CI")
	}
	return clis
}
