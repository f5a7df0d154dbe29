package lambdaemu

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/lambda/types"

	"github.com/lambdalog/lambdalog/cmd/lambdalog/internal/awsapi"
)

func lambdaClient(url string) *lambda.Client {
	return lambda.New(lambda.Options{
		Region:       "us-east-1",
		BaseEndpoint: aws.String(url),
		Credentials:  credentials.NewStaticCredentialsProvider("AKID", "SECRET", ""),
	})
}

func TestInvokeAPIWithSDK(t *testing.T) {
	emu, st := newTestEmulator(t, behave(t, "fn"))
	srv := httptest.NewServer(awsapi.NewRouter(awsapi.Options{}, emu.InvokeAPI()))
	defer srv.Close()
	c := lambdaClient(srv.URL)
	ctx := context.Background()

	out, err := c.Invoke(ctx, &lambda.InvokeInput{
		FunctionName: aws.String("fn"), Payload: []byte(`{"print":["from sdk"]}`), LogType: types.LogTypeTail,
		ClientContext: aws.String(base64.StdEncoding.EncodeToString([]byte(`{"custom":{"k":"v"}}`))),
	})
	if err != nil {
		t.Fatal(err)
	}
	if out.StatusCode != 200 || out.FunctionError != nil || aws.ToString(out.ExecutedVersion) != "$LATEST" {
		t.Fatalf("status %d, function error %v", out.StatusCode, aws.ToString(out.FunctionError))
	}
	var resp struct {
		Custom map[string]string `json:"client_context_custom"`
	}
	if err := json.Unmarshal(out.Payload, &resp); err != nil || resp.Custom["k"] != "v" {
		t.Errorf("client context not passed to the function: %s", out.Payload)
	}
	logText, err := base64.StdEncoding.DecodeString(aws.ToString(out.LogResult))
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSuffix(string(logText), "\n"), "\n")
	if len(lines) != 4 || !strings.HasPrefix(lines[0], "START RequestId: ") || lines[1] != "from sdk" ||
		!strings.HasPrefix(lines[2], "END RequestId: ") || !strings.Contains(lines[3], "\tInit Duration: ") {
		t.Errorf("tail log %q", logText)
	}

	out, err = c.Invoke(ctx, &lambda.InvokeInput{FunctionName: aws.String("arn:aws:lambda:us-east-1:123456789012:function:fn:$LATEST"), Payload: []byte(`{"fail":"nope"}`)})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(out.FunctionError) != "Unhandled" || string(out.Payload) != `{"errorMessage":"nope","errorType":"errorString"}` {
		t.Errorf("function error %q payload %s", aws.ToString(out.FunctionError), out.Payload)
	}

	ev, err := c.Invoke(ctx, &lambda.InvokeInput{FunctionName: aws.String("fn"), InvocationType: types.InvocationTypeEvent, Payload: []byte(`{}`)})
	if err != nil || ev.StatusCode != 202 {
		t.Fatalf("Event: %v %v", ev, err)
	}
	// The asynchronous invocation runs in the background and is logged.
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		if strings.Count(strings.Join(messages(t, st, "/aws/lambda/fn", streams(t, st, "/aws/lambda/fn")[0]), ""), "REPORT RequestId: ") == 3 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("Event invocation never ran")
		}
	}
	dry, err := c.Invoke(ctx, &lambda.InvokeInput{FunctionName: aws.String("fn"), InvocationType: types.InvocationTypeDryRun})
	if err != nil || dry.StatusCode != 204 {
		t.Errorf("DryRun: %v %v", dry, err)
	}

	_, err = c.Invoke(ctx, &lambda.InvokeInput{FunctionName: aws.String("nope")})
	var nf *types.ResourceNotFoundException
	if !errors.As(err, &nf) || aws.ToString(nf.Message) != "Function not found: arn:aws:lambda:us-east-1:123456789012:function:nope" {
		t.Errorf("unknown function: %v", err)
	}
	_, err = c.Invoke(ctx, &lambda.InvokeInput{FunctionName: aws.String("fn"), Payload: []byte(`{"broken"`)})
	var bad *types.InvalidRequestContentException
	if !errors.As(err, &bad) || !strings.HasPrefix(aws.ToString(bad.Message), "Could not parse request body into json") {
		t.Errorf("bad payload: %v", err)
	}
	_, err = c.Invoke(ctx, &lambda.InvokeInput{FunctionName: aws.String("fn"), Payload: []byte(`"` + strings.Repeat("x", maxSyncPayload) + `"`)})
	var big *types.RequestTooLargeException
	if !errors.As(err, &big) {
		t.Errorf("oversized payload: %v", err)
	}
}

func TestInvokeAPIWithAWSCLI(t *testing.T) {
	if _, err := exec.LookPath("aws"); err != nil {
		t.Skip("aws CLI not installed")
	}
	emu, _ := newTestEmulator(t, behave(t, "fn"))
	srv := httptest.NewServer(awsapi.NewRouter(awsapi.Options{}, emu.InvokeAPI()))
	defer srv.Close()
	outFile := filepath.Join(t.TempDir(), "out.json")
	cmd := exec.Command("aws", "lambda", "invoke", "--endpoint-url", srv.URL, "--region", "us-east-1",
		"--function-name", "fn", "--log-type", "Tail",
		"--payload", `{"print":["via cli"]}`, outFile)
	cmd.Env = append(os.Environ(), "AWS_ACCESS_KEY_ID=x", "AWS_SECRET_ACCESS_KEY=y", "AWS_PAGER=")
	stdout, err := cmd.Output()
	if err != nil {
		var ee *exec.ExitError
		errors.As(err, &ee)
		t.Fatalf("aws lambda invoke: %v %s %s", err, stdout, ee.Stderr)
	}
	var res struct {
		StatusCode      int
		LogResult       string
		ExecutedVersion string
	}
	if err := json.Unmarshal(stdout, &res); err != nil {
		t.Fatalf("%s: %v", stdout, err)
	}
	log, _ := base64.StdEncoding.DecodeString(res.LogResult)
	if res.StatusCode != 200 || res.ExecutedVersion != "$LATEST" || !strings.Contains(string(log), "\nvia cli\nEND RequestId: ") {
		t.Errorf("cli result %s (log %q)", stdout, log)
	}
	if b, _ := os.ReadFile(outFile); !strings.Contains(string(b), `"request_id"`) {
		t.Errorf("payload file %s", b)
	}
	cmd = exec.Command("aws", "lambda", "invoke", "--endpoint-url", srv.URL, "--region", "us-east-1", "--function-name", "missing", outFile)
	cmd.Env = append(os.Environ(), "AWS_ACCESS_KEY_ID=x", "AWS_SECRET_ACCESS_KEY=y")
	msg, err := cmd.CombinedOutput()
	if err == nil || !strings.Contains(string(msg), "An error occurred (ResourceNotFoundException) when calling the Invoke operation: Function not found: arn:aws:lambda:us-east-1:123456789012:function:missing") {
		t.Errorf("missing function: %v %s", err, msg)
	}
}

// TestEventDropsClientContext: Lambda passes the client context to
// synchronous invocations only.
func TestEventDropsClientContext(t *testing.T) {
	emu, st := newTestEmulator(t, behave(t, "fn"))
	srv := httptest.NewServer(awsapi.NewRouter(awsapi.Options{}, emu.InvokeAPI()))
	defer srv.Close()
	c := lambdaClient(srv.URL)
	ctx := context.Background()
	cc := aws.String(base64.StdEncoding.EncodeToString([]byte(`{"custom":{"k":"v"}}`)))
	payload := []byte(`{"print_client_context":true}`)
	if _, err := c.Invoke(ctx, &lambda.InvokeInput{FunctionName: aws.String("fn"), ClientContext: cc, Payload: payload}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Invoke(ctx, &lambda.InvokeInput{FunctionName: aws.String("fn"), ClientContext: cc, Payload: payload,
		InvocationType: types.InvocationTypeEvent}); err != nil {
		t.Fatal(err)
	}
	emu.Close() // waits for the Event invocation
	var got []string
	for _, s := range streams(t, st, "/aws/lambda/fn") {
		for _, m := range messages(t, st, "/aws/lambda/fn", s) {
			if strings.HasPrefix(m, "client context custom: ") {
				got = append(got, strings.TrimSpace(m))
			}
		}
	}
	if want := []string{`client context custom: {"k":"v"}`, `client context custom: null`}; !slices.Equal(got, want) {
		t.Errorf("the function saw %q, want %q (RequestResponse, then Event)", got, want)
	}
}
