package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"testing"
	"time"

	"github.com/lambdalog/lambdalog/internal/testserver"
)

// TestInsightsBoto3 runs testdata/boto3_insights.py: StartQuery through
// GetQueryResults, GetLogRecord, the DescribeQueries paginator, query
// definitions and botocore's modelled errors, as a Python script sees them.
func TestInsightsBoto3(t *testing.T) {
	t.Parallel()
	requireTool(t, "python3", "-c", "import boto3")
	srv := testserver.Serve(t, "--memory")
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "python3", "testdata/boto3_insights.py", srv.URL, "eu-central-1")
	cmd.Env = isolatedEnv(t)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("boto3_insights.py: %v\n%s", err, out)
	}
}

// TestInsightsAWSCLI runs a query with `aws logs start-query` and
// `get-query-results`, with the CLI v1 and, where installed, v2.
func TestInsightsAWSCLI(t *testing.T) {
	t.Parallel()
	requireTool(t, "aws", "--version")
	clis := []string{"aws"} // v1 from pip: the first on PATH
	if v2 := findAWSCLIv2(); v2 != "" && v2 != "aws" {
		clis = append(clis, v2)
	} else if v2 == "" && os.Getenv("CI") == "true" {
		t.Fatal("CI installs the aws CLI v2 (Debian's awscli); it is missing")
	}
	srv := testserver.Serve(t, "--memory")
	for i, bin := range clis {
		cli := newAWSCLI(t, bin, srv.URL, "us-west-2")
		group := fmt.Sprintf("/e2e/insights/%d", i)
		cli.run(t, "logs", "create-log-group", "--log-group-name", group)
		cli.run(t, "logs", "create-log-stream", "--log-group-name", group, "--log-stream-name", "s")
		now := time.Now()
		var events []cliEvent
		for j := range 50 {
			events = append(events, cliEvent{Timestamp: now.Add(-time.Minute).UnixMilli() + int64(j), Message: fmt.Sprintf(`{"user":"u%d","ms":%d}`, j%5, j)})
		}
		cli.run(t, "logs", "put-log-events", "--log-group-name", group, "--log-stream-name", "s", "--log-events", writeEvents(t, events))

		var started struct {
			QueryID string `json:"queryId"`
		}
		cli.runJSON(t, &started, "logs", "start-query", "--log-group-name", group,
			"--start-time", strconv.FormatInt(now.Add(-time.Hour).Unix(), 10), "--end-time", strconv.FormatInt(now.Unix(), 10),
			"--query-string", "stats count(*) as n, sum(ms) as total by user | sort user")
		var res struct {
			Status     string `json:"status"`
			Results    [][]struct{ Field, Value string }
			Statistics map[string]float64 `json:"statistics"`
		}
		for deadline := time.Now().Add(time.Minute); ; time.Sleep(100 * time.Millisecond) {
			raw := cli.run(t, "logs", "get-query-results", "--query-id", started.QueryID)
			if err := json.Unmarshal(raw, &res); err != nil {
				t.Fatalf("%s get-query-results: %v\n%s", bin, err, raw)
			}
			if res.Status == "Complete" || time.Now().After(deadline) {
				break
			}
		}
		if res.Status != "Complete" || len(res.Results) != 5 || res.Statistics["recordsScanned"] != 50 {
			t.Fatalf("%s: %+v", bin, res)
		}
		first := map[string]string{}
		for _, f := range res.Results[0] {
			first[f.Field] = f.Value
		}
		// u0 has ms 0, 5, ..., 45: ten events summing to 225.
		if first["user"] != "u0" || first["n"] != "10" || first["total"] != "225" {
			t.Errorf("%s: first row %v", bin, first)
		}
	}
}
