package httpadapter

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/lambda"
)

var _ lambda.Handler = (*Adapter)(nil)

// TestHelperLambdaProcess is the function binary of TestLambdaRuntimeRoundTrip:
// it serves the hello handler with lambda.Start.
func TestHelperLambdaProcess(t *testing.T) {
	if os.Getenv("HTTPADAPTER_HELPER") != "1" {
		t.Skip("helper process")
	}
	lambda.Start(New(helloMux()))
}

// TestLambdaRuntimeRoundTrip runs the adapter under aws-lambda-go's real
// runtime client, in a child process, against a Lambda Runtime API served
// over a socket, and checks the responses it posts for REST, HTTP API and
// ALB events.
func TestLambdaRuntimeRoundTrip(t *testing.T) {
	evs := []string{
		`{"httpMethod":"GET","path":"/hello/rest","requestContext":{"requestId":"1"}}`,
		`{"version":"2.0","rawPath":"/hello/http","requestContext":{"requestId":"2","http":{"method":"GET"}}}`,
		`{"httpMethod":"GET","path":"/nope","headers":{"host":"alb"},"requestContext":{"elb":{"targetGroupArn":"arn"}}}`,
	}
	next := make(chan string, len(evs))
	for _, ev := range evs {
		next <- ev
	}
	responses := make(chan string, len(evs))
	done := make(chan struct{})
	api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch {
		case r.Method == "GET" && r.URL.Path == "/2018-06-01/runtime/invocation/next":
			var ev string
			select {
			case ev = <-next:
			case <-done:
				return
			case <-r.Context().Done():
				return
			}
			id := strconv.Itoa(len(evs) - len(next))
			w.Header().Set("Lambda-Runtime-Aws-Request-Id", id)
			w.Header().Set("Lambda-Runtime-Deadline-Ms", strconv.FormatInt(time.Now().Add(time.Minute).UnixMilli(), 10))
			w.Header().Set("Lambda-Runtime-Invoked-Function-Arn", "arn:aws:lambda:us-east-1:123456789012:function:hello")
			io.WriteString(w, ev)
		case r.Method == "POST" && strings.HasSuffix(r.URL.Path, "/response"), r.Method == "POST" && strings.HasSuffix(r.URL.Path, "/error"):
			b, _ := io.ReadAll(r.Body)
			responses <- string(b)
			w.WriteHeader(http.StatusAccepted)
		default:
			http.NotFound(w, r)
		}
	}))
	defer api.Close()
	defer close(done) // before Close, which waits for the handler parked on invocation/next

	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, os.Args[0], "-test.run=^TestHelperLambdaProcess$")
	cmd.Env = append(os.Environ(), "HTTPADAPTER_HELPER=1", "AWS_LAMBDA_RUNTIME_API="+strings.TrimPrefix(api.URL, "http://"))
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() {
		cmd.Process.Kill()
		cmd.Wait()
	}()

	want := []struct {
		status int
		body   string
	}{{200, `{"message":"hello rest!"}`}, {200, `{"message":"hello http!"}`}, {404, `{"message":"Not Found"}`}}
	for i, w := range want {
		var got string
		select {
		case got = <-responses:
		case <-ctx.Done():
			t.Fatal("no response from the function")
		}
		var resp struct {
			StatusCode        int
			StatusDescription string
			Body              string
		}
		if err := json.Unmarshal([]byte(got), &resp); err != nil || resp.StatusCode != w.status || strings.TrimSpace(resp.Body) != w.body {
			t.Errorf("event %d: response %s", i, got)
		}
		if i == 2 && resp.StatusDescription != "404 Not Found" {
			t.Errorf("ALB statusDescription = %q", resp.StatusDescription)
		}
	}
}
