package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	cwl "github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs/types"

	"github.com/lambdalog/lambdalog/internal/testserver"
)

// TestTailPrettyGolden pins the pretty format without colour: Powertools
// JSON as one line (level, function, message, then the keys that are not
// the invocation's context), EMF records as their metrics, platform lines as
// they are but INIT_START without its runtime ARN, REPORT summarised.
func TestTailPrettyGolden(t *testing.T) {
	t.Setenv("NO_COLOR", "1")
	at := time.Date(2026, 12, 1, 9, 30, 15, 123e6, time.Local)
	ev := func(group, msg string, ms int) tailEvent {
		return tailEvent{group, types.FilteredLogEvent{Timestamp: aws.Int64(at.Add(time.Duration(ms) * time.Millisecond).UnixMilli()),
			Message: aws.String(msg), LogStreamName: aws.String("2026/12/01/[$LATEST]abc"), EventId: aws.String(fmt.Sprint(ms))}}
	}
	events := []tailEvent{
		ev("/aws/lambda/hello", "INIT_START Runtime Version: provided:al2023.v100\tRuntime Version ARN: arn:aws:lambda:us-east-1::runtime:0000\n", -1),
		ev("/aws/lambda/hello", "START RequestId: 8f5a Version: $LATEST", 0),
		ev("/aws/lambda/hello", `{"level":"INFO","location":"hello/main.go:68","message":"greeting","timestamp":"2026-12-01T09:30:15.124Z","service":"hello","cold_start":true,"function_name":"hello","function_memory_size":128,"function_arn":"arn:aws:lambda:us-east-1:123456789012:function:hello","function_request_id":"8f5a","name":"ana","xray_trace_id":"1-6b0f-ab"}`, 1),
		ev("/aws/lambda/hello", `{"level":"ERROR","message":"payment failed","function_name":"hello","order":{"id":7,"total":12.5},"reason":"card declined"}`, 2),
		ev("/aws/lambda/hello", `{"_aws":{"Timestamp":1796174842414,"CloudWatchMetrics":[{"Namespace":"hello","Dimensions":[["function_name","service"]],"Metrics":[{"Name":"ColdStart","Unit":"Count"},{"Name":"Latency","Unit":"Milliseconds"}]}]},"function_name":"hello","service":"hello","ColdStart":[1],"Latency":[12.5,3]}`, 2),
		ev("/aws/lambda/hello", "plain text from fmt.Println", 3),
		ev("/aws/lambda/hello", "END RequestId: 8f5a", 4),
		ev("/aws/lambda/hello", "REPORT RequestId: 8f5a\tDuration: 38.66 ms\tBilled Duration: 39 ms\tMemory Size: 128 MB\tMax Memory Used: 54 MB\tInit Duration: 203.69 ms\t", 5),
	}
	var b strings.Builder
	p := newTailPrinter(&b, "pretty", false)
	for _, e := range events {
		if err := p.print(e); err != nil {
			t.Fatal(err)
		}
	}
	want := `09:30:15.122 INIT_START Runtime Version: provided:al2023.v100
09:30:15.123 START RequestId: 8f5a Version: $LATEST
09:30:15.124 INFO  hello cold greeting name=ana
09:30:15.125 ERROR hello payment failed order={"id":7,"total":12.5} reason="card declined"
09:30:15.125 METRICS hello ColdStart=1 Count Latency=12.5,3 Milliseconds · function_name=hello service=hello
09:30:15.126 plain text from fmt.Println
09:30:15.127 END RequestId: 8f5a
09:30:15.128 REPORT 38.66 ms (billed 39 ms) · 54/128 MB · init 203.69 ms · 8f5a
`
	if b.String() != want {
		t.Errorf("pretty:\n%s\nwant:\n%s", b.String(), want)
	}

	// With several groups, each line says which function wrote it.
	b.Reset()
	p = newTailPrinter(&b, "short", true)
	p.print(ev("/aws/lambda/orders", "hello from orders", 0))
	if b.String() != "09:30:15.123 orders hello from orders\n" {
		t.Errorf("short with several groups: %q", b.String())
	}
}

// TestTailFollow runs the real binary: `lambdalog tail --follow` on a group
// that a writer appends 10,000 events to while it runs prints each of them
// exactly once, in order, and exits cleanly on SIGINT.
func TestTailFollow(t *testing.T) {
	srv := testserver.Serve(t, "--memory")
	ctx := context.Background()
	client := cwl.New(cwl.Options{Region: "us-east-1", BaseEndpoint: aws.String(srv.URL), RetryMaxAttempts: 1,
		HTTPClient: testserver.HTTPClient(nil), Credentials: credentials.NewStaticCredentialsProvider("a", "b", "")})
	for _, s := range []string{"a", "b"} {
		if s == "a" {
			if _, err := client.CreateLogGroup(ctx, &cwl.CreateLogGroupInput{LogGroupName: aws.String("/app/tail")}); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := client.CreateLogStream(ctx, &cwl.CreateLogStreamInput{LogGroupName: aws.String("/app/tail"), LogStreamName: aws.String(s)}); err != nil {
			t.Fatal(err)
		}
	}

	cmd := exec.Command(testserver.Binary(t), "tail", "/app/tail", "--follow", "--format", "short", "--interval", "100ms", "--endpoint", srv.URL)
	cmd.Env = append(os.Environ(), "NO_COLOR=1")
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr strings.Builder
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Process.Kill()
	lines := make(chan string, 20000)
	var scanDone sync.WaitGroup
	scanDone.Go(func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			lines <- sc.Text()
		}
		close(lines)
	})

	// Two writers, one per stream, interleaving by time.
	const total = 10_000
	var wg sync.WaitGroup
	for w, stream := range []string{"a", "b"} {
		wg.Go(func() {
			for batch := range total / 2 / 100 {
				evs := make([]types.InputLogEvent, 100)
				for i := range evs {
					n := w*total/2 + batch*100 + i
					evs[i] = types.InputLogEvent{Timestamp: aws.Int64(time.Now().UnixMilli()), Message: aws.String(fmt.Sprintf("event %05d", n))}
				}
				if _, err := client.PutLogEvents(ctx, &cwl.PutLogEventsInput{LogGroupName: aws.String("/app/tail"), LogStreamName: aws.String(stream), LogEvents: evs}); err != nil {
					t.Error(err)
					return
				}
				time.Sleep(5 * time.Millisecond)
			}
		})
	}
	wg.Wait()
	seen := map[string]int{}
	deadline := time.After(time.Minute)
	for len(seen) < total {
		select {
		case l, ok := <-lines:
			if !ok {
				cmd.Wait() // stderr is complete once the process is waited for
				t.Fatalf("tail exited after %d events: %s", len(seen), stderr.String())
			}
			_, msg, _ := strings.Cut(l, " ")
			seen[msg]++
		case <-deadline:
			t.Fatalf("tail printed %d of %d events in a minute", len(seen), total)
		}
	}
	// Nothing more comes: no event is printed twice, even a while later.
	time.Sleep(500 * time.Millisecond)
	if err := cmd.Process.Signal(os.Interrupt); err != nil {
		t.Fatal(err)
	}
	for l := range lines {
		_, msg, _ := strings.Cut(l, " ")
		seen[msg]++
	}
	scanDone.Wait()
	if err := cmd.Wait(); err != nil {
		t.Errorf("tail after SIGINT: %v\n%s", err, stderr.String())
	}
	for i := range total {
		if n := seen[fmt.Sprintf("event %05d", i)]; n != 1 {
			t.Fatalf("event %05d printed %d times", i, n)
		}
	}
	if len(seen) != total {
		t.Errorf("%d distinct lines, want %d", len(seen), total)
	}
}

// TestTailSeesHelloInvocations tails examples/hello under `lambdalog dev`
// and greets it: the greeting's line appears while tail follows.
func TestTailSeesHelloInvocations(t *testing.T) {
	d := startDev(t, repoRoot, "--addr", "127.0.0.1:0", "--api-addr", "127.0.0.1:0", "--memory")
	ctx, cancel := context.WithCancel(context.Background())
	pr, pw := io.Pipe()
	done := make(chan error, 1)
	var stderr testserver.Buffer
	go func() {
		done <- run(ctx, []string{"tail", "/aws/lambda/hello", "--follow", "--interval", "100ms", "--endpoint", d.logsURL}, pw, &stderr)
		pw.Close()
	}()
	found := make(chan time.Duration, 1)
	var greeted time.Time
	var mu sync.Mutex
	go func() {
		sc := bufio.NewScanner(pr)
		for sc.Scan() {
			if l := sc.Text(); strings.Contains(l, "INFO  hello") && strings.Contains(l, " greeting ") && strings.Contains(l, "name=tailer") {
				mu.Lock()
				found <- time.Since(greeted)
				mu.Unlock()
			}
		}
	}()
	time.Sleep(300 * time.Millisecond) // tail is following
	mu.Lock()
	greeted = time.Now()
	mu.Unlock()
	if status, body := getJSON(t, "GET", d.apiURL+"/hello/tailer"); status != 200 {
		t.Fatalf("GET /hello/tailer: %d %v", status, body)
	}
	select {
	case took := <-found:
		t.Logf("the greeting appeared %s after the request", took)
	case <-time.After(30 * time.Second):
		t.Fatal("tail --follow did not print the greeting")
	}
	cancel()
	if err := <-done; err != nil {
		t.Errorf("tail after cancel: %v", err)
	}
	if !strings.Contains(stderr.String(), "/aws/lambda/hello does not exist yet; waiting for it") {
		t.Errorf("stderr: %q", stderr.String())
	}
}
