package main

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	cwtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
	"github.com/lambdalog/lambdalog/internal/testserver"
)

// TestDevMetricsFromHello runs examples/hello under `lambdalog dev`, greets through the API
// Gateway front, and reads the EMF metrics the function printed back through the CloudWatch
// metrics API: with aws-sdk-go-v2, the aws CLI and `lambdalog metrics`.
func TestDevMetricsFromHello(t *testing.T) {
	ctx := context.Background()
	d := startDev(t, repoRoot, "--addr", "127.0.0.1:0", "--api-addr", "127.0.0.1:0", "--memory")
	const greetings = 5
	for range greetings {
		resp, err := http.Get(d.apiURL + "/hello/metrics")
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("GET /hello/metrics: %s", resp.Status)
		}
	}

	start, end := time.Now().Add(-time.Hour), time.Now().Add(time.Minute)
	cw := cloudwatch.New(cloudwatch.Options{Region: "us-east-1", BaseEndpoint: aws.String(d.logsURL),
		Credentials: testCreds(), RetryMaxAttempts: 1, HTTPClient: testserver.HTTPClient(nil)})
	sum := func(name string, dims ...cwtypes.Dimension) float64 {
		t.Helper()
		out, err := cw.GetMetricStatistics(ctx, &cloudwatch.GetMetricStatisticsInput{
			Namespace: aws.String("hello"), MetricName: aws.String(name), Dimensions: dims,
			StartTime: aws.Time(start), EndTime: aws.Time(end), Period: aws.Int32(3600),
			Statistics: []cwtypes.Statistic{cwtypes.StatisticSum},
		})
		if err != nil {
			t.Fatalf("GetMetricStatistics %s: %v", name, err)
		}
		total := 0.0
		for _, dp := range out.Datapoints {
			total += aws.ToFloat64(dp.Sum)
		}
		return total
	}
	service := cwtypes.Dimension{Name: aws.String("service"), Value: aws.String("hello")}
	function := cwtypes.Dimension{Name: aws.String("function_name"), Value: aws.String("hello")}
	if got := sum("SuccessfulGreetings", service); got != greetings {
		t.Errorf("SuccessfulGreetings sum = %v, want %d", got, greetings)
	}
	if got := sum("ColdStart", function, service); got != 1 {
		t.Errorf("ColdStart sum = %v, want 1 (one environment)", got)
	}

	// The aws CLI, unchanged.
	if awsCLI, err := exec.LookPath("aws"); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("the aws CLI is required in CI: ", err)
		}
		t.Log("aws CLI not installed; skipping its part")
	} else {
		cli := func(args ...string) []byte {
			t.Helper()
			cmd := exec.Command(awsCLI, append([]string{"--endpoint-url", d.logsURL, "--output", "json", "cloudwatch"}, args...)...)
			cmd.Env = append(os.Environ(), "AWS_ACCESS_KEY_ID=AKIDEXAMPLE", "AWS_SECRET_ACCESS_KEY=secret",
				"AWS_DEFAULT_REGION=us-east-1", "AWS_CONFIG_FILE=/dev/null", "AWS_SHARED_CREDENTIALS_FILE=/dev/null")
			var stderr bytes.Buffer
			cmd.Stderr = &stderr
			out, err := cmd.Output()
			if err != nil {
				t.Fatalf("aws cloudwatch %s: %v\n%s", strings.Join(args, " "), err, stderr.String())
			}
			return out
		}
		var list struct {
			Metrics []struct {
				MetricName string
				Dimensions []struct{ Name, Value string }
			}
		}
		if err := json.Unmarshal(cli("list-metrics", "--namespace", "hello"), &list); err != nil {
			t.Fatal(err)
		}
		names := map[string]bool{}
		for _, m := range list.Metrics {
			names[m.MetricName] = true
		}
		if !names["SuccessfulGreetings"] || !names["ColdStart"] {
			t.Errorf("aws cloudwatch list-metrics: %+v", list.Metrics)
		}
		var stats struct{ Datapoints []struct{ Sum float64 } }
		err := json.Unmarshal(cli("get-metric-statistics", "--namespace", "hello", "--metric-name", "SuccessfulGreetings",
			"--dimensions", "Name=service,Value=hello", "--statistics", "Sum", "--period", "3600",
			"--start-time", start.UTC().Format(time.RFC3339), "--end-time", end.UTC().Format(time.RFC3339)), &stats)
		if err != nil {
			t.Fatal(err)
		}
		total := 0.0
		for _, dp := range stats.Datapoints {
			total += dp.Sum
		}
		if total != greetings {
			t.Errorf("aws cloudwatch get-metric-statistics: sum %v, want %d", total, greetings)
		}
	}

	// lambdalog's own client.
	out, err := exec.Command(testserver.Binary(t), "metrics", "--endpoint", d.logsURL, "--namespace", "hello",
		"--metric", "SuccessfulGreetings", "--dimension", "service=hello", "--since", "1h", "--period", "1h").CombinedOutput()
	if err != nil {
		t.Fatalf("lambdalog metrics: %v\n%s", err, out)
	}
	var totalLine []string
	for _, line := range strings.Split(string(out), "\n") {
		if f := strings.Fields(line); len(f) > 2 && f[0] == "total" {
			totalLine = f
		}
	}
	if totalLine == nil || totalLine[1] != "5" {
		t.Errorf("lambdalog metrics: want a total of 5 greetings:\n%s", out)
	}
}
