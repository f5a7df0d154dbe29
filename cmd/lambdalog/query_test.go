package main

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs/types"
)

// TestQueryAgainstDevHello runs examples/hello under `lambdalog dev`, greets
// through the API front, and reads its logs back with `lambdalog query`:
// every greeting's log line, the latency of its invocations from the REPORT
// lines, as JSON, CSV and a table that fits 80 columns.
func TestQueryAgainstDevHello(t *testing.T) {
	d := startDev(t, repoRoot, "--addr", "127.0.0.1:0", "--api-addr", "127.0.0.1:0", "--memory")
	names := []string{"ana", "bo", "cy"}
	for _, n := range names {
		if status, body := getJSON(t, "GET", d.apiURL+"/hello/"+n); status != 200 {
			t.Fatalf("GET /hello/%s: %d %v", n, status, body)
		}
	}
	ctx := context.Background()
	query := func(args ...string) (string, string, error) {
		var out, errOut bytes.Buffer
		err := run(ctx, append([]string{"query"}, append(args, "--endpoint", d.logsURL)...), &out, &errOut)
		return out.String(), errOut.String(), err
	}

	// Each greeting is logged with the name as a JSON key (Powertools keys).
	deadline := time.Now().Add(10 * time.Second)
	var rows []map[string]string
	for {
		out, errOut, err := query(`fields name, level, function_request_id | filter ispresent(name) | sort @timestamp asc`,
			"--group", "/aws/lambda/hello", "--since", "10m", "--output", "json")
		if err != nil {
			t.Fatalf("query: %v\n%s", err, errOut)
		}
		rows = nil
		if err := json.Unmarshal([]byte(out), &rows); err != nil {
			t.Fatalf("--output json printed %q: %v", out, err)
		}
		if len(rows) >= len(names) || time.Now().After(deadline) {
			break
		}
		time.Sleep(100 * time.Millisecond) // the function's output reaches the store asynchronously
	}
	var got []string
	for _, r := range rows {
		got = append(got, r["name"])
		if r["level"] != "INFO" || r["function_request_id"] == "" || r["@ptr"] == "" {
			t.Errorf("row %v: want level INFO, the request id and @ptr", r)
		}
	}
	if strings.Join(got, ",") != strings.Join(names, ",") {
		t.Errorf("names logged: %q, want %q", got, names)
	}

	// Latency from REPORT lines, as CSV.
	out, _, err := query(`filter @type = "REPORT" | stats count(*) as invocations, pct(@duration, 95) as p95`, "--group", "/aws/lambda/hello", "--output", "csv")
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 2 || lines[0] != "invocations,p95" || !strings.HasPrefix(lines[1], "3,") {
		t.Errorf("REPORT stats as CSV:\n%s", out)
	}

	// A table fits the terminal, however long the messages.
	t.Setenv("COLUMNS", "80")
	out, errOut, err := query(`fields @timestamp, @message | sort @timestamp desc | limit 5`, "--group", "/aws/lambda/hello")
	if err != nil {
		t.Fatal(err)
	}
	tableLines := strings.Split(strings.TrimRight(out, "\n"), "\n")
	if len(tableLines) != 6 || !strings.HasPrefix(tableLines[0], "@timestamp               @message") {
		t.Errorf("table:\n%s", out)
	}
	for _, l := range tableLines {
		if utf8.RuneCountInString(l) > 80 {
			t.Errorf("line wider than 80 columns: %q", l)
		}
	}
	if !strings.Contains(errOut, "5 rows; ") {
		t.Errorf("summary on stderr: %q", errOut)
	}

	// A malformed query is shown where it goes wrong, and fails.
	_, _, err = query("fields @message\n| stats count(* by name", "--group", "/aws/lambda/hello")
	if err == nil || !strings.Contains(err.Error(), "line 2, column ") || !strings.Contains(err.Error(), "^") {
		t.Errorf("malformed query: %v", err)
	}
	_, _, err = query("fields @message", "--group", "/aws/lambda/nosuch")
	if err == nil || !strings.Contains(err.Error(), "ResourceNotFoundException") {
		t.Errorf("unknown group: %v", err)
	}
}

func TestWriteTableNarrowsTheWidestColumn(t *testing.T) {
	var b strings.Builder
	if err := writeTable(&b, 40, nil); err != nil || b.String() != "no rows\n" {
		t.Fatalf("empty: %q %v", b.String(), err)
	}
	row := func(kv ...string) []types.ResultField {
		var r []types.ResultField
		for i := 0; i < len(kv); i += 2 {
			r = append(r, types.ResultField{Field: aws.String(kv[i]), Value: aws.String(kv[i+1])})
		}
		return append(r, types.ResultField{Field: aws.String("@ptr"), Value: aws.String("opaque")})
	}
	b.Reset()
	err := writeTable(&b, 40, [][]types.ResultField{
		row("level", "INFO", "@message", "a message far too long for forty columns, with a\nnewline"),
		row("level", "ERROR", "@message", "short"),
	})
	if err != nil {
		t.Fatal(err)
	}
	want := "level  @message\n" +
		"INFO   a message far too long for forty…\n" +
		"ERROR  short\n"
	if b.String() != want {
		t.Errorf("table:\n%s\nwant:\n%s", b.String(), want)
	}
}
