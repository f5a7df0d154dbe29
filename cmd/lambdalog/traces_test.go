package main

import (
	"bytes"
	"context"
	"net/http"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/xray"

	"github.com/lambdalog/lambdalog/internal/testserver"
)

// TestTracesOfExamplesHello runs examples/hello under dev, calls it through
// the API Gateway front, some calls at once (so that there may be more
// than one environment), and reads the traces back with the traces command.
func TestTracesOfExamplesHello(t *testing.T) {
	ctx := context.Background()
	d := startDev(t, repoRoot, "--addr", "127.0.0.1:0", "--api-addr", "127.0.0.1:0", "--xray-addr", "127.0.0.1:0", "--memory")
	if !regexp.MustCompile(`lambdalog: X-Ray daemon \(segments over UDP, sampling over TCP\) on 127\.0\.0\.1:\d+\n`).MatchString(d.output()) {
		t.Errorf("no X-Ray daemon line:\n%s", d.output())
	}
	names := []string{"ann", "bob", "cid", "dee", "eve", "fay"}
	var wg sync.WaitGroup
	for _, n := range names[:3] {
		wg.Go(func() { getHello(t, d.apiURL+"/hello/"+n) })
	}
	wg.Wait()
	for _, n := range names[3:] {
		getHello(t, d.apiURL+"/hello/"+n)
	}

	// Each trace ends with the function's subsegments (sent over UDP by the
	// tracer) joined to Lambda's segments; wait until all are there.
	client := xray.New(xray.Options{Region: "us-east-1", BaseEndpoint: aws.String(d.logsURL), Credentials: testCreds(), RetryMaxAttempts: 1, HTTPClient: testserver.HTTPClient(nil)})
	complete := func(expr string) int {
		out, err := client.GetTraceSummaries(ctx, &xray.GetTraceSummariesInput{StartTime: aws.Time(time.Now().Add(-time.Hour)), EndTime: aws.Time(time.Now()),
			FilterExpression: aws.String(expr)})
		if err != nil {
			t.Fatal(err)
		}
		return len(out.TraceSummaries)
	}
	for deadline := time.Now().Add(30 * time.Second); complete("annotation.User AND !partial") < len(names); time.Sleep(100 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("%d of %d traces complete after 30 s", complete("annotation.User AND !partial"), len(names))
		}
	}
	// ColdStart is true once per execution environment (log stream), and
	// the filter finds exactly those invocations.
	envs := len(d.readStreams(t, ctx, "/aws/lambda/hello"))
	if cold := complete("annotation.ColdStart = true"); cold != envs || envs == 0 {
		t.Errorf("%d cold starts, %d environments", cold, envs)
	}
	if warm := complete("annotation.ColdStart = false"); warm != len(names)-envs {
		t.Errorf("%d warm invocations, want %d", warm, len(names)-envs)
	}

	var out, errOut bytes.Buffer
	t.Setenv("COLUMNS", "200")
	if err := run(ctx, []string{"traces", "--endpoint", d.logsURL}, &out, &errOut); err != nil {
		t.Fatalf("traces: %v\n%s", err, errOut.String())
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	if len(lines) != len(names)+1 || !strings.HasPrefix(lines[0], "ID") || !strings.Contains(lines[0], "ANNOTATIONS") {
		t.Fatalf("traces listed:\n%s", out.String())
	}
	for _, n := range names {
		if !strings.Contains(out.String(), "User="+n) {
			t.Errorf("no trace with User=%s:\n%s", n, out.String())
		}
	}
	for _, l := range lines {
		if utf8.RuneCountInString(l) > 200 {
			t.Errorf("line wider than the terminal: %q", l)
		}
	}

	out.Reset()
	if err := run(ctx, []string{"traces", "--endpoint", d.logsURL, "--filter", `annotation.User = "eve"`}, &out, &errOut); err != nil {
		t.Fatalf("traces --filter: %v\n%s", err, errOut.String())
	}
	lines = strings.Split(strings.TrimSpace(out.String()), "\n")
	if len(lines) != 2 || !strings.Contains(lines[1], "ColdStart=false") || !strings.Contains(lines[1], "OK") {
		t.Fatalf("filtered:\n%s", out.String())
	}
	id := strings.Fields(lines[1])[0]

	out.Reset()
	if err := run(ctx, []string{"traces", id, "--endpoint", d.logsURL}, &out, &errOut); err != nil {
		t.Fatalf("traces %s: %v\n%s", id, err, errOut.String())
	}
	got := out.String()
	for _, want := range []string{
		"Trace " + id + "  ", "Annotations: ColdStart=false Service=hello User=eve",
		"\nhello (AWS::Lambda) ", "\n  hello (AWS::Lambda::Function) ", "\n    Invocation ", "\n      ## handler ", "\n        ## hello_name ", "\n    Overhead ",
		"Log lines (/aws/lambda/hello):", "START RequestId: ", " greeting ", "name=eve", " REPORT ", // the trace's lines, rendered as tail's pretty format
	} {
		if !strings.Contains(got, want) {
			t.Errorf("waterfall lacks %q:\n%s", want, got)
		}
	}
	if strings.Contains(got, "Initialization") || strings.Contains(got, "\x1b[") || strings.Contains(got, "name=ann") {
		t.Errorf("a warm trace with no colours and only its own log lines:\n%s", got)
	}
	for _, l := range strings.Split(got, "\n") {
		if strings.HasPrefix(l, "Trace") || strings.Contains(l, "|") {
			if n := utf8.RuneCountInString(l); n > 200 {
				t.Errorf("waterfall line of %d columns: %q", n, l)
			}
		}
	}

	err := run(ctx, []string{"traces", "1-00000000-000000000000000000000000", "--endpoint", d.logsURL}, &out, &errOut)
	if err == nil || !strings.Contains(err.Error(), "not found") {
		t.Errorf("unknown trace: %v", err)
	}
	err = run(ctx, []string{"traces", "--endpoint", d.logsURL, "--filter", "rootcause.fault.service { name = \"x\" }"}, &out, &errOut)
	if err == nil || !strings.Contains(err.Error(), "InvalidRequestException") || !strings.Contains(err.Error(), "not supported") {
		t.Errorf("unsupported filter: %v", err)
	}
}

func getHello(t *testing.T, url string) {
	resp, err := http.Get(url)
	if err != nil {
		t.Error(err)
		return
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Errorf("GET %s: %s", url, resp.Status)
	}
}

// TestWaterfallRender draws a trace with a fault in a narrow terminal, in
// colour.
func TestWaterfallRender(t *testing.T) {
	docs := []string{
		`{"id":"a1","name":"api","start_time":10,"end_time":11,"subsegments":[{"id":"a2","name":"a subsegment with a very long name indeed, longer than the column","start_time":10.1,"end_time":10.9,"fault":true}]}`,
		`{"id":"b1","name":"backend","parent_id":"a2","start_time":10.2,"end_time":10.8,"origin":"AWS::Lambda","fault":true,"annotations":{"k":1}}`,
		`{"id":"c1","name":"DynamoDB","parent_id":"a2","start_time":10.2,"end_time":10.3,"inferred":true}`,
		`{"id":"d1","name":"late","start_time":10.5,"in_progress":true}`,
	}
	w := parseWaterfall("1-00000000-000000000000000000000001", docs)
	out := w.render(60, true)
	plain := regexp.MustCompile("\x1b\\[[0-9;]*m").ReplaceAllString(out, "")
	var order []string
	for _, l := range strings.Split(strings.TrimSpace(plain), "\n") {
		if n := utf8.RuneCountInString(l); n > 60 {
			t.Errorf("line of %d columns: %q", n, l)
		}
		if f := strings.Fields(l); len(f) > 0 && !strings.HasPrefix(l, "Trace") && !strings.HasPrefix(l, "Started") && !strings.HasPrefix(l, "Annotations") && !strings.HasPrefix(f[0], "|") {
			order = append(order, f[0])
		}
	}
	if strings.Join(order, " ") != "api a backend late" {
		t.Errorf("rows %q:\n%s", order, plain)
	}
	if !strings.Contains(out, colorFault+"█") || !strings.Contains(out, colorPending+"█") || !strings.Contains(plain, "Annotations: k=1") ||
		!strings.Contains(plain, "fault 600.00 ms") || !strings.Contains(plain, "  1.000 s  fault") {
		t.Errorf("render:\n%s", out)
	}
	if strings.Contains(w.render(60, false), "\x1b[") {
		t.Error("colours without a colour terminal")
	}
}

func TestTraceTableFits(t *testing.T) {
	rows := [][]string{{"ID", "START", "DURATION", "STATUS", "ENTRY", "ANNOTATIONS"},
		{"1-6b0f5c68-69474217ac1d9b33544a21f2", "23:46:48.307", "9.34 ms", "OK", "hello GET https://example.com/a/long/path 200", "ColdStart=true Service=hello User=somebody-with-a-long-name"}}
	for _, width := range []int{40, 80, 120, 300} {
		var b bytes.Buffer
		if err := writeTraceTable(&b, width, rows); err != nil {
			t.Fatal(err)
		}
		for _, l := range strings.Split(strings.TrimSpace(b.String()), "\n") {
			if n := utf8.RuneCountInString(l); n > max(width, 90) {
				t.Errorf("width %d: line of %d columns: %q", width, n, l)
			}
		}
		if !strings.HasPrefix(strings.Split(b.String(), "\n")[1], rows[1][0]+"  ") {
			t.Errorf("width %d: the id is cut:\n%s", width, b.String())
		}
		if width == 300 && !strings.Contains(b.String(), rows[1][5]) {
			t.Errorf("a wide terminal cuts the annotations:\n%s", b.String())
		}
	}
}
