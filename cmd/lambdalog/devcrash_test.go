package main

import (
	"context"
	"encoding/base64"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	cwl "github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	lambdatypes "github.com/aws/aws-sdk-go-v2/service/lambda/types"
	"github.com/lambdalog/lambdalog/internal/testserver"
)

// TestDevLogsSurviveKill: an invocation returns before its log events are
// on disk (they are not on its path), yet a log reader right after it gets
// them all, and what a reader got survives kill -9. Invocations go through
// the Invoke API; the group is read right after the last one returns with
// FilterLogEvents and GetLogEvents; dev is then killed with SIGKILL and
// started again on the same data directory, where every event read before
// must be found.
func TestDevLogsSurviveKill(t *testing.T) {
	ctx := context.Background()
	data := t.TempDir()
	args := []string{"--addr", "127.0.0.1:0", "--api-addr", "127.0.0.1:0", "--data", data}
	first := &devServer{Server: testserver.Dev(t, repoRoot, nil, args...)}
	first.logsURL = first.URLs["api"]

	lc := lambda.New(lambda.Options{Region: "us-east-1", BaseEndpoint: aws.String(first.logsURL), Credentials: testCreds(), RetryMaxAttempts: 1, HTTPClient: testserver.HTTPClient(nil)})
	const invocations = 30
	var ids []string
	for i := range invocations {
		out, err := lc.Invoke(ctx, &lambda.InvokeInput{FunctionName: aws.String("hello"), Payload: helloEvent(t, "/hello/crash"), LogType: lambdatypes.LogTypeTail})
		if err != nil || out.FunctionError != nil {
			t.Fatalf("Invoke %d: %v %v", i, err, aws.ToString(out.FunctionError))
		}
		tail, _ := base64.StdEncoding.DecodeString(aws.ToString(out.LogResult))
		m := startLine.FindStringSubmatch(strings.SplitAfter(string(tail), "\n")[0])
		if m == nil {
			t.Fatalf("Invoke %d: tail does not begin with START:\n%s", i, tail)
		}
		ids = append(ids, m[1])
	}

	// Right after the last Invoke returned: every invocation is there.
	filtered := filterAll(t, ctx, first.logsURL, "/aws/lambda/hello")
	checkInvocations(t, "FilterLogEvents right after the invocations", filtered, ids)
	var got []string
	for _, msgs := range first.readStreams(t, ctx, "/aws/lambda/hello") {
		got = append(got, msgs...)
	}
	checkInvocations(t, "GetLogEvents right after the invocations", got, ids)

	first.Kill()
	second := startDev(t, repoRoot, args...)
	after := filterAll(t, ctx, second.logsURL, "/aws/lambda/hello")
	if !slices.Equal(after, filtered) {
		t.Fatalf("after kill -9 and a restart, the group holds %d events; %d were read before the kill", len(after), len(filtered))
	}
}

// filterAll returns the messages of every event of a log group, read with
// FilterLogEvents.
func filterAll(t *testing.T, ctx context.Context, url, group string) []string {
	t.Helper()
	c := cwl.New(cwl.Options{Region: "us-east-1", BaseEndpoint: aws.String(url), Credentials: testCreds(), RetryMaxAttempts: 1, HTTPClient: testserver.HTTPClient(nil)})
	var msgs []string
	p := cwl.NewFilterLogEventsPaginator(c, &cwl.FilterLogEventsInput{LogGroupName: aws.String(group)})
	for p.HasMorePages() {
		out, err := p.NextPage(ctx)
		if err != nil {
			t.Fatalf("FilterLogEvents %s: %v", group, err)
		}
		for _, e := range out.Events {
			msgs = append(msgs, aws.ToString(e.Message))
		}
	}
	return msgs
}

// checkInvocations checks that msgs hold the START, END and REPORT lines of
// every invocation of ids.
func checkInvocations(t *testing.T, what string, msgs, ids []string) {
	t.Helper()
	all := strings.Join(msgs, "")
	for _, id := range ids {
		for _, want := range []string{"START RequestId: " + id + " ", "END RequestId: " + id + "\n", "REPORT RequestId: " + id + "\t"} {
			if !strings.Contains(all, want) {
				t.Fatalf("%s: no %q among %d events", what, want, len(msgs))
			}
		}
	}
}
