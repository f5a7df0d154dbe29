package main

import (
	"bufio"
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	cwl "github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs/types"

	"github.com/lambdalog/lambdalog/internal/testserver"
)

// rssBytes is the resident set size of process pid.
func rssBytes(t *testing.T, pid int) int64 {
	t.Helper()
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		t.Skipf("no /proc: %v", err)
	}
	for line := range strings.SplitSeq(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			kb, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
			return kb << 10
		}
	}
	t.Fatal("no VmRSS")
	return 0
}

// TestSlowClientsDoNotHoldMemory reproduces the attack of issue 17 on a
// server started with credentials: 200 unsigned connections that declare
// 8 MiB bodies and send none (which took a server from 37 MB to 1.7 GB), and
// 200 connections whose headers pass the checks made before the body
// (the right key id, a fresh date) and then trickle their 8 MiB bodies at a
// byte a second. The server's memory stays bounded, the unsigned ones are
// answered and closed at once, and a real client is served meanwhile.
func TestSlowClientsDoNotHoldMemory(t *testing.T) {
	if testing.Short() {
		t.Skip("opens 400 connections for several seconds")
	}
	ready := filepath.Join(t.TempDir(), "ready.json")
	cmd := exec.Command(testserver.Binary(t), "serve", "--memory", "--addr", "127.0.0.1:0", "--ready-file", ready)
	cmd.Env = append(os.Environ(), "LAMBDALOG_ACCESS_KEY_ID=AKIDHARDENING", "LAMBDALOG_SECRET_ACCESS_KEY=s3cr3t")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan struct{})
	go func() { cmd.Wait(); close(exited) }()
	t.Cleanup(func() { cmd.Process.Kill(); <-exited })
	urls, err := testserver.WaitReady(ready, exited, time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	addr := strings.TrimPrefix(urls["api"], "http://")
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	client := cwl.New(cwl.Options{Region: "us-east-1", BaseEndpoint: aws.String(urls["api"]), RetryMaxAttempts: 1,
		HTTPClient: testserver.HTTPClient(nil), Credentials: credentials.NewStaticCredentialsProvider("AKIDHARDENING", "s3cr3t", "")})
	if _, err := client.CreateLogGroup(ctx, &cwl.CreateLogGroupInput{LogGroupName: aws.String("g")}); err != nil {
		t.Fatal(err)
	}
	if _, err := client.CreateLogStream(ctx, &cwl.CreateLogStreamInput{LogGroupName: aws.String("g"), LogStreamName: aws.String("s")}); err != nil {
		t.Fatal(err)
	}
	before := rssBytes(t, cmd.Process.Pid)

	head := "POST / HTTP/1.1\r\nHost: " + addr + "\r\nX-Amz-Target: Logs_20140328.PutLogEvents\r\n" +
		"Content-Type: application/x-amz-json-1.1\r\nContent-Length: 8388608\r\n"
	var unsigned []net.Conn
	for range 200 {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		if _, err := c.Write([]byte(head + "\r\n")); err != nil {
			t.Fatal(err)
		}
		unsigned = append(unsigned, c)
	}
	now := time.Now().UTC()
	auth := "Authorization: AWS4-HMAC-SHA256 Credential=AKIDHARDENING/" + now.Format("20060102") + "/us-east-1/logs/aws4_request, " +
		"SignedHeaders=content-type;host;x-amz-date;x-amz-target, Signature=" + strings.Repeat("0", 64) + "\r\n" +
		"X-Amz-Date: " + now.Format("20060102T150405Z") + "\r\n"
	trickle, stop := context.WithCancel(ctx)
	defer stop()
	for range 200 {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		if _, err := c.Write([]byte(head + auth + "\r\n")); err != nil {
			t.Fatal(err)
		}
		go func() {
			tick := time.NewTicker(time.Second)
			defer tick.Stop()
			for {
				select {
				case <-trickle.Done():
					return
				case <-tick.C:
					if _, err := c.Write([]byte("x")); err != nil {
						return
					}
				}
			}
		}()
	}

	for i, c := range unsigned {
		c.SetReadDeadline(time.Now().Add(10 * time.Second))
		resp, err := http.ReadResponse(bufio.NewReader(c), nil)
		if err != nil {
			t.Fatalf("unsigned connection %d: no answer: %v", i, err)
		}
		if resp.StatusCode != http.StatusForbidden || !resp.Close {
			t.Fatalf("unsigned connection %d: %d, close %v", i, resp.StatusCode, resp.Close)
		}
	}
	_, err = client.PutLogEvents(ctx, &cwl.PutLogEventsInput{LogGroupName: aws.String("g"), LogStreamName: aws.String("s"),
		LogEvents: []types.InputLogEvent{{Timestamp: aws.Int64(time.Now().UnixMilli()), Message: aws.String("served during the attack")}}})
	if err != nil {
		t.Fatalf("a signed client during the attack: %v", err)
	}
	time.Sleep(3 * time.Second) // the trickling bodies arrive meanwhile
	during := rssBytes(t, cmd.Process.Pid)
	t.Logf("RSS %d MiB before, %d MiB under 400 hostile connections", before>>20, during>>20)
	if grown := during - before; grown > 64<<20 {
		t.Errorf("RSS grew by %d MiB under the attack; want under 64 MiB", grown>>20)
	}
}
