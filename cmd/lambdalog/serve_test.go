package main

import (
	"bufio"
	"context"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	cwl "github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/lambdalog/lambdalog/internal/testserver"
)

// startServe runs "lambdalog serve args..." in-process and returns the
// base URL it printed, a stop function and the remaining output.
func startServe(t *testing.T, args ...string) (url string, stop func() (string, error)) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	pr, pw := io.Pipe()
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, append([]string{"serve"}, args...), pw, io.Discard)
		pw.Close()
	}()
	sc := bufio.NewScanner(pr)
	var lines []string
	// The APIs line comes first and the store line last.
	for sc.Scan() {
		lines = append(lines, sc.Text())
		if strings.HasPrefix(sc.Text(), "lambdalog: store ") {
			break
		}
	}
	if len(lines) < 2 {
		cancel()
		t.Fatalf("serve printed %q, err %v", lines, <-done)
	}
	_, url, ok := strings.Cut(lines[0], " APIs on ")
	if !ok || !strings.HasPrefix(lines[0], "lambdalog: CloudWatch Logs, CloudWatch metrics, X-Ray") || strings.HasSuffix(url, ":0") {
		t.Fatalf("startup lines = %q", lines)
	}
	return url, func() (string, error) {
		cancel()
		var rest strings.Builder
		for sc.Scan() {
			rest.WriteString(sc.Text() + "\n")
		}
		select {
		case err := <-done:
			return rest.String(), err
		case <-time.After(20 * time.Second):
			t.Fatal("serve did not stop")
			return "", nil
		}
	}
}

func TestServeRoundTripAndGracefulStop(t *testing.T) {
	dir := t.TempDir()
	ctx := context.Background()
	for i, want := range []int{0, 1} {
		url, stop := startServe(t, "--addr", "127.0.0.1:0", "--data", dir)
		c := cwl.New(cwl.Options{Region: "us-east-1", BaseEndpoint: aws.String(url), Credentials: credentials.NewStaticCredentialsProvider("a", "b", ""), RetryMaxAttempts: 1, HTTPClient: testserver.HTTPClient(nil)})
		out, err := c.DescribeLogGroups(ctx, &cwl.DescribeLogGroupsInput{})
		if err != nil || len(out.LogGroups) != want {
			t.Fatalf("run %d: %d groups, err %v", i, len(out.LogGroups), err)
		}
		if i == 0 {
			if _, err := c.CreateLogGroup(ctx, &cwl.CreateLogGroupInput{LogGroupName: aws.String("kept")}); err != nil {
				t.Fatal(err)
			}
		}
		rest, err := stop()
		if err != nil || !strings.Contains(rest, "lambdalog: stopped") {
			t.Fatalf("stop: %q, %v", rest, err)
		}
	}
}

func TestServeMemory(t *testing.T) {
	_, stop := startServe(t, "--addr", "127.0.0.1:0", "--memory")
	if _, err := stop(); err != nil {
		t.Fatal(err)
	}
}

func TestServeRefusesPublicAddressWithoutCredentials(t *testing.T) {
	err := run(context.Background(), []string{"serve", "--addr", "0.0.0.0:0", "--memory"}, io.Discard, io.Discard)
	if err == nil || !strings.Contains(err.Error(), "refusing to listen on non-loopback address") {
		t.Fatalf("err = %v", err)
	}
	err = run(context.Background(), []string{"serve", "--access-key-id", "k"}, io.Discard, io.Discard)
	if err == nil || !strings.Contains(err.Error(), "needs its secret") {
		t.Fatalf("err = %v", err)
	}
}

func TestHelpAndUnknownCommand(t *testing.T) {
	var out strings.Builder
	if err := run(context.Background(), nil, &out, io.Discard); err != nil || !strings.Contains(out.String(), "serve") {
		t.Fatalf("help: %q %v", out.String(), err)
	}
	if err := run(context.Background(), []string{"bogus"}, io.Discard, io.Discard); err != errUsage {
		t.Fatalf("unknown command: %v", err)
	}
}
