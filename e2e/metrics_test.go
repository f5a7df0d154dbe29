package e2e

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"os/exec"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/lambdacontext"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs/types"

	"github.com/lambdalog/lambdalog/internal/testserver"
	"github.com/lambdalog/lambdalog/metrics"
)

// helloEMF returns the EMF lines examples/hello prints for n invocations:
// SuccessfulGreetings (Count) per invocation and ColdStart once, in the
// namespace "hello".
func helloEMF(t *testing.T, n int) []string {
	t.Helper()
	var out bytes.Buffer
	m, err := metrics.New(metrics.WithNamespace("hello"), metrics.WithService("hello"), metrics.WithWriter(&out), metrics.WithColdStartMetric())
	if err != nil {
		t.Fatal(err)
	}
	greet := metrics.Handler(m, func(ctx context.Context, _ string) (string, error) {
		return "hi", metrics.FromContext(ctx).Add("SuccessfulGreetings", metrics.Count, 1)
	})
	ctx := lambdacontext.NewContext(context.Background(), &lambdacontext.LambdaContext{InvokedFunctionArn: "arn:aws:lambda:us-east-1:123456789012:function:hello"})
	for range n {
		if _, err := greet(ctx, "x"); err != nil {
			t.Fatal(err)
		}
	}
	var lines []string
	sc := bufio.NewScanner(&out)
	for sc.Scan() {
		lines = append(lines, sc.Text())
	}
	return lines
}

func putMessages(t *testing.T, c *cloudwatchlogs.Client, group, stream string, msgs ...string) {
	t.Helper()
	now := time.Now().UnixMilli()
	evs := make([]types.InputLogEvent, len(msgs))
	for i, m := range msgs {
		evs[i] = types.InputLogEvent{Timestamp: aws.Int64(now), Message: aws.String(m)}
	}
	if _, err := c.PutLogEvents(context.Background(), &cloudwatchlogs.PutLogEventsInput{
		LogGroupName: aws.String(group), LogStreamName: aws.String(stream), LogEvents: evs}); err != nil {
		t.Fatal(err)
	}
}

// lambdalogMetrics runs `lambdalog metrics` against the server.
func lambdalogMetrics(t *testing.T, url string, args ...string) string {
	t.Helper()
	out, err := exec.Command(testserver.Binary(t), append([]string{"metrics", "--endpoint", url}, args...)...).CombinedOutput()
	if err != nil {
		t.Fatalf("lambdalog metrics %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return string(out)
}

// metricSum runs get-metric-statistics for the last hour in one period and
// returns the Sum of its datapoint (0 when there is none).
func metricSum(t *testing.T, cli *awsCLI, namespace, name string, dims ...string) float64 {
	t.Helper()
	args := []string{"cloudwatch", "get-metric-statistics", "--namespace", namespace, "--metric-name", name,
		"--start-time", time.Now().Add(-time.Hour).UTC().Format(time.RFC3339), "--end-time", time.Now().Add(time.Hour).UTC().Format(time.RFC3339),
		"--period", "7200", "--statistics", "Sum", "SampleCount"}
	if len(dims) > 0 {
		args = append(args, append([]string{"--dimensions"}, dims...)...)
	}
	var out struct {
		Datapoints []struct{ Sum, SampleCount float64 }
	}
	cli.runJSON(t, &out, args...)
	if len(out.Datapoints) > 1 {
		t.Fatalf("%s/%s: %d datapoints in one period", namespace, name, len(out.Datapoints))
	}
	if len(out.Datapoints) == 0 {
		return 0
	}
	return out.Datapoints[0].Sum
}

// TestMetricsTourWithBothCLIs runs the README tour's metrics commands (and
// the rest of the CloudWatch metrics API) with the aws CLI v1, which speaks
// JSON 1.0 to CloudWatch, and the aws CLI v2 from Debian (2.9), which speaks
// awsQuery; then a metric filter made with one CLI publishes what the events
// match, read with the other.
func TestMetricsTourWithBothCLIs(t *testing.T) {
	t.Parallel()
	requireTool(t, "aws", "--version")
	v2 := awsCLIv2(t)
	srv := testserver.Serve(t, "--memory")
	logs := logsClient(srv.URL, "us-east-1")
	ctx := context.Background()
	if _, err := logs.CreateLogGroup(ctx, &cloudwatchlogs.CreateLogGroupInput{LogGroupName: aws.String("/aws/lambda/hello")}); err != nil {
		t.Fatal(err)
	}
	if _, err := logs.CreateLogStream(ctx, &cloudwatchlogs.CreateLogStreamInput{LogGroupName: aws.String("/aws/lambda/hello"), LogStreamName: aws.String("s")}); err != nil {
		t.Fatal(err)
	}
	putMessages(t, logs, "/aws/lambda/hello", "s", helloEMF(t, 3)...)

	// go run ./cmd/lambdalog metrics --namespace hello --metric SuccessfulGreetings --since 1h
	out := lambdalogMetrics(t, srv.URL, "--namespace", "hello", "--metric", "SuccessfulGreetings", "--since", "1h")
	if !strings.Contains(out, "hello SuccessfulGreetings") || !regexp.MustCompile(`(?m)^\s+total\s+3\s`).MatchString(out) {
		t.Errorf("lambdalog metrics:\n%s", out)
	}

	for _, bin := range []string{"aws", v2} {
		t.Run(bin, func(t *testing.T) {
			cli := newAWSCLI(t, bin, srv.URL, "us-east-1")
			// aws --endpoint-url http://127.0.0.1:4588 cloudwatch list-metrics --namespace hello
			var list struct{ Metrics []struct{ MetricName string } }
			cli.runJSON(t, &list, "cloudwatch", "list-metrics", "--namespace", "hello")
			var names []string
			for _, m := range list.Metrics {
				names = append(names, m.MetricName)
			}
			if fmt.Sprint(names) != "[ColdStart SuccessfulGreetings]" {
				t.Errorf("list-metrics: %v", names)
			}
			if sum := metricSum(t, cli, "hello", "SuccessfulGreetings", "Name=service,Value=hello"); sum != 3 {
				t.Errorf("get-metric-statistics: Sum %v, want 3", sum)
			}
			ns := "Tour" + strings.NewReplacer("/", "", ".", "").Replace(bin)
			cli.run(t, "cloudwatch", "put-metric-data", "--namespace", ns, "--metric-name", "Orders", "--value", "4", "--unit", "Count")
			cli.run(t, "cloudwatch", "put-metric-data", "--namespace", ns, "--metric-data", `[{"MetricName":"Orders","Values":[1,2],"Counts":[2,1],"Unit":"Count"}]`)
			var data struct{ MetricDataResults []struct{ Values []float64 } }
			cli.runJSON(t, &data, "cloudwatch", "get-metric-data",
				"--start-time", time.Now().Add(-time.Hour).UTC().Format(time.RFC3339), "--end-time", time.Now().Add(time.Hour).UTC().Format(time.RFC3339),
				"--metric-data-queries", `[{"Id":"o","MetricStat":{"Metric":{"Namespace":"`+ns+`","MetricName":"Orders"},"Period":7200,"Stat":"Sum"}}]`)
			if len(data.MetricDataResults) != 1 || fmt.Sprint(data.MetricDataResults[0].Values) != "[8]" {
				t.Errorf("get-metric-data after put-metric-data: %+v", data)
			}
			_, stderr, err := cli.try(t, "cloudwatch", "get-metric-statistics", "--namespace", ns, "--metric-name", "Orders",
				"--start-time", time.Now().Add(-time.Hour).UTC().Format(time.RFC3339), "--end-time", time.Now().UTC().Format(time.RFC3339), "--period", "60")
			if err == nil || !strings.Contains(string(stderr), "(InvalidParameterCombination)") {
				t.Errorf("error: %v %s", err, stderr)
			}
		})
	}

	// A metric filter made with the v1 CLI, read with the v2 CLI; the events
	// put before it count for nothing.
	v1, cli2 := newAWSCLI(t, "aws", srv.URL, "us-east-1"), newAWSCLI(t, v2, srv.URL, "us-east-1")
	putMessages(t, logs, "/aws/lambda/hello", "s", `{"level":"ERROR","latency_ms":900,"route":"/pay"}`)
	v1.run(t, "logs", "put-metric-filter", "--log-group-name", "/aws/lambda/hello", "--filter-name", "errors",
		"--filter-pattern", `{ $.level = "ERROR" }`, "--metric-transformations", "metricName=Errors,metricNamespace=hello,metricValue=1,defaultValue=0")
	cli2.run(t, "logs", "put-metric-filter", "--log-group-name", "/aws/lambda/hello", "--filter-name", "latency",
		"--filter-pattern", `{ $.latency_ms = * }`, "--metric-transformations",
		`[{"metricName":"Latency","metricNamespace":"hello","metricValue":"$.latency_ms","unit":"Milliseconds","dimensions":{"Route":"$.route"}}]`)
	putMessages(t, logs, "/aws/lambda/hello", "s",
		`{"level":"ERROR","latency_ms":120,"route":"/pay"}`, `{"level":"INFO","latency_ms":30,"route":"/pay"}`, `{"level":"INFO","msg":"no latency"}`)
	if sum := metricSum(t, cli2, "hello", "Errors"); sum != 1 {
		t.Errorf("Errors: Sum %v, want 1", sum)
	}
	if sum := metricSum(t, v1, "hello", "Latency", "Name=Route,Value=/pay"); sum != 150 {
		t.Errorf("Latency{Route=/pay}: Sum %v, want 150", sum)
	}
	if out := lambdalogMetrics(t, srv.URL, "--namespace", "hello"); !strings.Contains(out, "Errors") || !strings.Contains(out, "Latency") {
		t.Errorf("lambdalog metrics does not list the filters' metrics:\n%s", out)
	}
}
