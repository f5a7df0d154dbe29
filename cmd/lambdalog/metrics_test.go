package main

import (
	"bytes"
	"context"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/lambdalog/lambdalog/cmd/lambdalog/internal/awsapi"
	"github.com/lambdalog/lambdalog/cmd/lambdalog/internal/metricsapi"
	"github.com/lambdalog/lambdalog/cmd/lambdalog/internal/metricstore"
)

func TestMetricsCommand(t *testing.T) {
	ctx := context.Background()
	st, err := metricstore.Open("", metricstore.Options{InMemory: true})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	now := time.Now()
	for i, at := range []time.Duration{-30 * time.Minute, -30 * time.Minute, -10 * time.Minute} {
		msg := `{"_aws":{"Timestamp":` + strconv.FormatInt(now.Add(at).UnixMilli(), 10) + `,"CloudWatchMetrics":[{"Namespace":"HelloApp","Dimensions":[["service"]],"Metrics":[{"Name":"SuccessfulGreetings","Unit":"Count"}]}]},"service":"hello","SuccessfulGreetings":[` + strconv.Itoa(i+1) + `]}`
		if _, err := st.Ingest(ctx, now, []byte(msg)); err != nil {
			t.Fatal(err)
		}
	}
	srv := httptest.NewServer(awsapi.NewRouter(awsapi.Options{}, metricsapi.New(st, metricsapi.Options{})))
	defer srv.Close()

	var out, errOut bytes.Buffer
	if err := run(ctx, []string{"metrics", "--endpoint", srv.URL, "--namespace", "HelloApp"}, &out, &errOut); err != nil {
		t.Fatalf("%v: %s", err, errOut.String())
	}
	if !strings.Contains(out.String(), "HelloApp   SuccessfulGreetings  {service=hello}") {
		t.Errorf("list output:\n%s", out.String())
	}
	out.Reset()
	err = run(ctx, []string{"metrics", "--endpoint", srv.URL, "--metric", "SuccessfulGreetings", "--dimension", "service=hello", "--since", "1h", "--period", "5m"}, &out, &errOut)
	if err != nil {
		t.Fatalf("%v: %s", err, errOut.String())
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	if len(lines) != 5 || !strings.HasPrefix(lines[0], "HelloApp SuccessfulGreetings {service=hello}") {
		t.Fatalf("series output:\n%s", out.String())
	}
	if f := strings.Fields(lines[2]); f[2] != "3" || f[3] != "1.5" || f[4] != "1" || f[5] != "2" || f[6] != "2" || f[7] != "Count" {
		t.Errorf("first period = %q, want sum 3 avg 1.5 min 1 max 2 count 2", lines[2])
	}
	if f := strings.Fields(lines[4]); f[0] != "total" || f[1] != "6" || f[2] != "3" {
		t.Errorf("total = %q, want sum 6 count 3", lines[4])
	}
}
