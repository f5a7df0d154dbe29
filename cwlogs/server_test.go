package cwlogs_test

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs/types"
)

var (
	buildOnce sync.Once
	binPath   string
	binErr    error
)

// lambdalogBinary builds cmd/lambdalog once per test run.
func lambdalogBinary(t testing.TB) string {
	t.Helper()
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "cwlogs-bin")
		if err != nil {
			binErr = err
			return
		}
		binPath = filepath.Join(dir, "lambdalog")
		out, err := exec.Command("go", "build", "-o", binPath, "github.com/lambdalog/lambdalog/cmd/lambdalog").CombinedOutput()
		if err != nil {
			binErr = fmt.Errorf("go build ./cmd/lambdalog: %v\n%s", err, out)
		}
	})
	if binErr != nil {
		t.Fatal(binErr)
	}
	return binPath
}

// server is a real `lambdalog serve` process.
type server struct {
	URL  string
	cmd  *exec.Cmd
	data string
	addr string
}

var urlRE = regexp.MustCompile(`http://127\.0\.0\.1:\d+`)

// startServer runs lambdalog serve; data == "" means --memory. addr may be
// "127.0.0.1:0".
func startServer(t testing.TB, data, addr string) *server {
	t.Helper()
	args := []string{"serve", "--addr", addr}
	if data == "" {
		args = append(args, "--memory")
	} else {
		args = append(args, "--data", data)
	}
	cmd := exec.Command(lambdalogBinary(t), args...)
	pr, pw := io.Pipe()
	cmd.Stdout, cmd.Stderr = pw, pw
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	found := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(pr)
		sent := false
		for sc.Scan() {
			if m := urlRE.FindString(sc.Text()); m != "" && !sent {
				found <- m
				sent = true
			}
		}
	}()
	s := &server{cmd: cmd, data: data}
	t.Cleanup(func() { s.kill(); pw.Close() })
	select {
	case s.URL = <-found:
	case <-time.After(30 * time.Second):
		t.Fatal("lambdalog serve did not print its URL")
	}
	s.addr = s.URL[len("http://"):]
	waitListening(t, s.addr)
	return s
}

func (s *server) kill() {
	if s.cmd.Process != nil && s.cmd.ProcessState == nil {
		s.cmd.Process.Kill()
		s.cmd.Wait()
	}
}

func waitListening(t testing.TB, addr string) {
	t.Helper()
	for range 300 {
		if c, err := net.Dial("tcp", addr); err == nil {
			c.Close()
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatalf("nothing listening on %s", addr)
}

// newAPI returns a real aws-sdk-go-v2 CloudWatch Logs client for url.
func newAPI(url string) *cloudwatchlogs.Client {
	return cloudwatchlogs.New(cloudwatchlogs.Options{
		Region:       "us-east-1",
		BaseEndpoint: aws.String(url),
		Credentials:  credentials.NewStaticCredentialsProvider("AKIDEXAMPLE", "secret", ""),
	})
}

// readAll returns every event of the stream, oldest first.
func readAll(t testing.TB, api *cloudwatchlogs.Client, group, stream string) []types.OutputLogEvent {
	t.Helper()
	var all []types.OutputLogEvent
	var token *string
	for {
		out, err := api.GetLogEvents(context.Background(), &cloudwatchlogs.GetLogEventsInput{
			LogGroupName: &group, LogStreamName: &stream, StartFromHead: aws.Bool(true), NextToken: token,
		})
		if err != nil {
			t.Fatalf("GetLogEvents: %v", err)
		}
		all = append(all, out.Events...)
		if out.NextForwardToken == nil || (token != nil && *token == *out.NextForwardToken) {
			return all
		}
		token = out.NextForwardToken
	}
}
