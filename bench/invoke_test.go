package bench

import (
	"bytes"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/lambdalog/lambdalog/internal/testserver"
)

// BenchmarkInvoke measures a warm invocation of examples/hello through the Lambda Invoke API
// (POST /2015-03-31/functions/{name}/invocations), side by side under three emulators, with
// the same function executable (built as `lambdalog dev` builds it) and the same HTTP client
// (keep-alive, one request at a time):
//
//   - rie: the AWS Lambda Runtime Interface Emulator (aws-lambda-rie, the emulator in AWS's
//     Lambda base images), which keeps no logs (it prints them). Its binary is $LAMBDALOG_RIE,
//     else aws-lambda-rie on PATH; without one the case is skipped. To build it (Go module
//     proxy): go mod download -json github.com/aws/aws-lambda-runtime-interface-emulator@<version>,
//     copy the "Dir" it prints somewhere writable, and there
//     go build -o /usr/local/bin/aws-lambda-rie ./cmd/aws-lambda-rie
//   - memory: the real `lambdalog dev --memory`, its function from a SAM template,
//   - durable: `lambdalog dev --data DIR`, the log store on disk: the invocation's log events
//     are synced after the answer, and a log read waits for them.
//
// The template sets Tracing: PassThrough, since the emulator traces nothing: under active
// tracing (dev's default for examples/hello), the function and dev would also send and store
// X-Ray segments. Each case reports p50 and p99 in µs (b.ReportMetric) beside ns/op.
func BenchmarkInvoke(b *testing.B) {
	dir := b.TempDir()
	boot := filepath.Join(dir, "code", "bootstrap")
	build := exec.Command("go", "build", "-tags", "lambda.norpc", "-o", boot, "./examples/hello")
	build.Dir = ".."
	build.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := build.CombinedOutput(); err != nil {
		b.Fatalf("go build ./examples/hello: %v\n%s", err, out)
	}
	template := `Transform: AWS::Serverless-2016-10-31
Resources:
  hello:
    Type: AWS::Serverless::Function
    Properties: {CodeUri: code, Handler: bootstrap, Runtime: provided.al2023, Tracing: PassThrough}
`
	if err := os.WriteFile(filepath.Join(dir, "template.yaml"), []byte(template), 0o644); err != nil {
		b.Fatal(err)
	}
	payload := []byte(`{"httpMethod":"GET","path":"/hello/bench","pathParameters":{"name":"bench"}}`)
	client := &http.Client{Timeout: 30 * time.Second}
	b.Run("rie", func(b *testing.B) {
		benchInvoke(b, client, startRIE(b, boot)+"/2015-03-31/functions/function/invocations", payload)
	})
	for _, store := range []string{"memory", "durable"} {
		b.Run(store, func(b *testing.B) {
			where := []string{"--memory"}
			if store == "durable" {
				where = []string{"--data", b.TempDir()}
			}
			s := testserver.Dev(b, dir, nil, append([]string{"--addr", "127.0.0.1:0", "--api-addr", "127.0.0.1:0"}, where...)...)
			benchInvoke(b, client, s.URL+"/2015-03-31/functions/hello/invocations", payload)
		})
	}
}

// benchInvoke invokes url once to start the function, then measures each invocation.
func benchInvoke(b *testing.B, client *http.Client, url string, payload []byte) {
	invoke := func() {
		resp, err := client.Post(url, "application/json", bytes.NewReader(payload))
		if err != nil {
			b.Fatal(err)
		}
		body, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		if err != nil || resp.StatusCode != http.StatusOK || !bytes.Contains(body, []byte(`"statusCode":200`)) {
			b.Fatalf("invoke %s: %v %d %s", url, err, resp.StatusCode, body)
		}
	}
	invoke()
	samples := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	for b.Loop() {
		t0 := time.Now()
		invoke()
		samples = append(samples, time.Since(t0))
	}
	b.StopTimer()
	slices.Sort(samples)
	at := func(q float64) float64 {
		return float64(samples[int(q*float64(len(samples)-1))]) / float64(time.Microsecond)
	}
	b.ReportMetric(at(0.50), "p50-µs")
	b.ReportMetric(at(0.99), "p99-µs")
}

// startRIE runs the executable boot under the Runtime Interface Emulator on a free port and
// returns its URL.
func startRIE(b *testing.B, boot string) string {
	b.Helper()
	rie := os.Getenv("LAMBDALOG_RIE")
	if rie == "" {
		var err error
		if rie, err = exec.LookPath("aws-lambda-rie"); err != nil {
			b.Skip("no Runtime Interface Emulator: set LAMBDALOG_RIE or put aws-lambda-rie on PATH (see BenchmarkInvoke)")
		}
	}
	var addrs [2]string // the Invoke API's, the Runtime API's (9001 by default)
	for i := range addrs {
		port, err := logsFreePort()
		if err != nil {
			b.Fatal(err)
		}
		addrs[i] = "127.0.0.1:" + strconv.Itoa(port)
	}
	addr := addrs[0]
	cmd := exec.Command(rie, "--runtime-interface-emulator-address", addr, "--runtime-api-address", addrs[1], boot)
	cmd.Dir = filepath.Dir(boot)
	var out bytes.Buffer // its log, and the function's
	cmd.Stdout, cmd.Stderr = &out, &out
	cmd.Env = append(os.Environ(), "AWS_LAMBDA_FUNCTION_NAME=hello", "AWS_REGION=us-east-1")
	// Its own process group, so that the runtime it starts is stopped with it.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		b.Fatalf("start %s: %v", rie, err)
	}
	exited := make(chan struct{})
	go func() {
		cmd.Wait()
		close(exited)
	}()
	b.Cleanup(func() {
		syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
		<-exited
	})
	deadline := time.Now().Add(30 * time.Second)
	for {
		resp, err := http.Get("http://" + addr + "/")
		if err == nil {
			resp.Body.Close()
			return "http://" + addr
		}
		select {
		case <-exited:
			b.Fatalf("%s exited: %v\n%s", rie, cmd.ProcessState, out.Bytes())
		default:
		}
		if time.Now().After(deadline) {
			b.Fatalf("%s is not listening on %s after 30 s: %v", rie, addr, err)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
