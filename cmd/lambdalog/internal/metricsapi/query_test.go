package metricsapi

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"

	"github.com/lambdalog/lambdalog/cmd/lambdalog/internal/awsapi"
	"github.com/lambdalog/lambdalog/cmd/lambdalog/internal/metricstore"
)

// queryCall sends an awsQuery request signed for service, as botocore's
// query serializer writes it, and returns the status and body.
func queryCall(t *testing.T, url, service string, form url.Values) (int, []byte) {
	t.Helper()
	body := form.Encode()
	req, err := http.NewRequest(http.MethodPost, url+"/", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
	sum := sha256.Sum256([]byte(body))
	if service != "" {
		err = v4.NewSigner().SignHTTP(context.Background(), aws.Credentials{AccessKeyID: "AKIDLOCAL", SecretAccessKey: "secret"},
			req, hex.EncodeToString(sum[:]), service, "us-east-1", time.Now())
		if err != nil {
			t.Fatal(err)
		}
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, raw
}

func query(action string, kv ...string) url.Values {
	v := url.Values{"Action": {action}, "Version": {QueryVersion}}
	for i := 0; i+1 < len(kv); i += 2 {
		v.Set(kv[i], kv[i+1])
	}
	return v
}

// queryError is an awsQuery ErrorResponse.
type queryError struct {
	XMLName xml.Name `xml:"http://monitoring.amazonaws.com/doc/2010-08-01/ ErrorResponse"`
	Type    string   `xml:"Error>Type"`
	Code    string   `xml:"Error>Code"`
	Message string   `xml:"Error>Message"`
	ID      string   `xml:"RequestId"`
}

type listMetricsResponse struct {
	XMLName xml.Name `xml:"http://monitoring.amazonaws.com/doc/2010-08-01/ ListMetricsResponse"`
	Metrics []struct {
		Namespace, MetricName string
		Dimensions            []struct{ Name, Value string } `xml:"Dimensions>member"`
	} `xml:"ListMetricsResult>Metrics>member"`
	NextToken string `xml:"ListMetricsResult>NextToken"`
	ID        string `xml:"ResponseMetadata>RequestId"`
}

func decodeXML(t *testing.T, raw []byte, v any) {
	t.Helper()
	if err := xml.Unmarshal(raw, v); err != nil {
		t.Fatalf("%v: %s", err, raw)
	}
}

func TestQueryListMetricsPages(t *testing.T) {
	f := newFixture(t)
	points := make([]metricstore.Point, 501)
	for i := range points {
		points[i] = metricstore.Point{Series: metricstore.Series{Namespace: "Many", Name: fmt.Sprintf("m%03d", i)}, Values: []float64{1}, Timestamp: f.t0}
	}
	if err := f.store.Put(context.Background(), points); err != nil {
		t.Fatal(err)
	}
	status, raw := queryCall(t, f.url, "monitoring", query("ListMetrics", "Namespace", "Many"))
	var page listMetricsResponse
	decodeXML(t, raw, &page)
	if status != 200 || len(page.Metrics) != 500 || page.NextToken == "" || len(page.ID) != 36 {
		t.Fatalf("first page: status %d, %d metrics, token %q, id %q", status, len(page.Metrics), page.NextToken, page.ID)
	}
	_, raw = queryCall(t, f.url, "monitoring", query("ListMetrics", "Namespace", "Many", "NextToken", page.NextToken))
	var last listMetricsResponse
	decodeXML(t, raw, &last)
	if len(last.Metrics) != 1 || last.Metrics[0].MetricName != "m500" || last.NextToken != "" {
		t.Errorf("last page: %+v", last)
	}

	// Dimension filters: one with a value, one by name only; Dimensions= is an empty list.
	_, raw = queryCall(t, f.url, "monitoring", query("ListMetrics", "Dimensions.member.1.Name", "function_name",
		"Dimensions.member.1.Value", "hello", "Dimensions.member.2.Name", "service"))
	var filtered listMetricsResponse
	decodeXML(t, raw, &filtered)
	if len(filtered.Metrics) != 1 || filtered.Metrics[0].MetricName != "ColdStart" || len(filtered.Metrics[0].Dimensions) != 2 {
		t.Errorf("filtered: %s", raw)
	}
	_, raw = queryCall(t, f.url, "monitoring", query("ListMetrics", "Namespace", "HelloApp", "Dimensions", ""))
	var all listMetricsResponse
	decodeXML(t, raw, &all)
	if len(all.Metrics) != 2 {
		t.Errorf("empty dimension list: %s", raw)
	}
}

func TestQueryStatisticsAndData(t *testing.T) {
	f := newFixture(t)
	iso := func(d time.Duration) string { return f.t0.Add(d).Format(time.RFC3339) }
	_, raw := queryCall(t, f.url, "monitoring", query("GetMetricStatistics", "Namespace", "HelloApp", "MetricName", "SuccessfulGreetings",
		"Dimensions.member.1.Name", "service", "Dimensions.member.1.Value", "hello", "StartTime", iso(0), "EndTime", iso(time.Hour),
		"Period", "3600", "ExtendedStatistics.member.1", "p50"))
	var stats struct {
		Label      string `xml:"GetMetricStatisticsResult>Label"`
		Datapoints []struct {
			Timestamp string
			Unit      string
			Extended  []struct {
				Key   string  `xml:"key"`
				Value float64 `xml:"value"`
			} `xml:"ExtendedStatistics>entry"`
		} `xml:"GetMetricStatisticsResult>Datapoints>member"`
	}
	decodeXML(t, raw, &stats)
	if stats.Label != "SuccessfulGreetings" || len(stats.Datapoints) != 1 || stats.Datapoints[0].Timestamp != f.t0.Format("2006-01-02T15:04:05.000Z") ||
		len(stats.Datapoints[0].Extended) != 1 || stats.Datapoints[0].Extended[0].Key != "p50" || stats.Datapoints[0].Extended[0].Value != 1 {
		t.Errorf("GetMetricStatistics: %s", raw)
	}

	q := "MetricDataQueries.member.1."
	_, raw = queryCall(t, f.url, "monitoring", query("GetMetricData", "StartTime", iso(0), "EndTime", iso(time.Hour), "ScanBy", "TimestampAscending",
		q+"Id", "g", q+"ReturnData", "true", q+"MetricStat.Metric.Namespace", "HelloApp", q+"MetricStat.Metric.MetricName", "SuccessfulGreetings",
		q+"MetricStat.Metric.Dimensions.member.1.Name", "service", q+"MetricStat.Metric.Dimensions.member.1.Value", "hello",
		q+"MetricStat.Period", "60", q+"MetricStat.Stat", "Sum"))
	var data struct {
		Results []struct {
			ID         string    `xml:"Id"`
			Timestamps []string  `xml:"Timestamps>member"`
			Values     []float64 `xml:"Values>member"`
			StatusCode string
		} `xml:"GetMetricDataResult>MetricDataResults>member"`
	}
	decodeXML(t, raw, &data)
	if len(data.Results) != 1 || data.Results[0].ID != "g" || fmt.Sprint(data.Results[0].Values) != "[2 3]" || data.Results[0].StatusCode != "Complete" ||
		data.Results[0].Timestamps[1] != f.t0.Add(time.Minute).Format("2006-01-02T15:04:05.000Z") {
		t.Errorf("GetMetricData: %s", raw)
	}

	at := f.t0.Add(30 * time.Minute).Format("2006-01-02T15:04:05.999999Z")
	status, raw := queryCall(t, f.url, "monitoring", query("PutMetricData", "Namespace", "Q", "MetricData.member.1.MetricName", "M",
		"MetricData.member.1.Timestamp", at, "MetricData.member.1.Values.member.1", "2.5", "MetricData.member.1.Values.member.2", "1e1",
		"MetricData.member.1.Counts.member.1", "2", "MetricData.member.1.Counts.member.2", "1", "MetricData.member.1.Unit", "Seconds"))
	if status != 200 || !bytes.HasPrefix(raw, []byte(`<PutMetricDataResponse xmlns="`+QueryNamespace+`"><ResponseMetadata><RequestId>`)) {
		t.Fatalf("PutMetricData: %d %s", status, raw)
	}
	_, raw = queryCall(t, f.url, "monitoring", query("GetMetricStatistics", "Namespace", "Q", "MetricName", "M", "StartTime", iso(0),
		"EndTime", iso(time.Hour), "Period", "3600", "Statistics.member.1", "Sum", "Statistics.member.2", "SampleCount"))
	if !bytes.Contains(raw, []byte("<SampleCount>3</SampleCount>")) || !bytes.Contains(raw, []byte("<Sum>15</Sum>")) || !bytes.Contains(raw, []byte("<Unit>Seconds</Unit>")) {
		t.Errorf("after PutMetricData: %s", raw)
	}
}

func TestQueryErrors(t *testing.T) {
	f := newFixture(t)
	start, end := f.t0.Format(time.RFC3339), f.t0.Add(time.Hour).Format(time.RFC3339)
	stats := func(kv ...string) url.Values {
		return query("GetMetricStatistics", append([]string{"Namespace", "N", "MetricName", "M", "StartTime", start, "EndTime", end}, kv...)...)
	}
	for _, tc := range []struct {
		name   string
		form   url.Values
		status int
		code   string
	}{
		{"no statistics", stats("Period", "60"), 400, "InvalidParameterCombination"},
		{"missing period", stats("Statistics.member.1", "Sum"), 400, "MissingParameter"},
		{"period not a number", stats("Period", "sixty", "Statistics.member.1", "Sum"), 400, "InvalidParameterValue"},
		{"timestamp not ISO 8601", query("GetMetricStatistics", "Namespace", "N", "MetricName", "M", "StartTime", "1700000000", "EndTime", end), 400, "InvalidParameterValue"},
		{"list with a gap", stats("Period", "60", "Statistics.member.1", "Sum", "Statistics.member.3", "Maximum"), 404, "MalformedQueryString"},
		{"list and value", stats("Period", "60", "Statistics", "", "Statistics.member.1", "Sum"), 404, "MalformedQueryString"},
		{"structure as a list", query("ListMetrics", "Dimensions.member.1.Name", "a", "Dimensions.member.1.member.1", "b"), 404, "MalformedQueryString"},
		{"boolean", query("GetMetricData", "StartTime", start, "EndTime", end, "MetricDataQueries.member.1.Id", "a", "MetricDataQueries.member.1.ReturnData", "yes",
			"MetricDataQueries.member.1.MetricStat.Metric.Namespace", "N", "MetricDataQueries.member.1.MetricStat.Metric.MetricName", "M",
			"MetricDataQueries.member.1.MetricStat.Period", "60", "MetricDataQueries.member.1.MetricStat.Stat", "Sum"), 400, "InvalidParameterValue"},
		{"integer", query("PutMetricData", "Namespace", "N", "MetricData.member.1.MetricName", "M", "MetricData.member.1.Value", "1",
			"MetricData.member.1.StorageResolution", "1.5"), 400, "InvalidParameterValue"},
		{"bad token", query("GetMetricData", "StartTime", start, "EndTime", end, "NextToken", "x"), 400, "InvalidNextToken"},
		{"unknown action", query("DescribeAlarms"), 400, "InvalidAction"},
		{"other version", url.Values{"Action": {"ListMetrics"}, "Version": {"2011-06-15"}}, 400, "InvalidAction"},
		{"no action", url.Values{"Version": {QueryVersion}}, 400, "MissingAction"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			status, raw := queryCall(t, f.url, "monitoring", tc.form)
			var e queryError
			decodeXML(t, raw, &e)
			if status != tc.status || e.Code != tc.code || e.Type != "Sender" || e.Message == "" || len(e.ID) != 36 {
				t.Errorf("got %d %s, want %d %s", status, raw, tc.status, tc.code)
			}
		})
	}
}

// TestQueryMatchesOnlyCloudWatch: an awsQuery request is the metrics API's
// only when signed for "monitoring"; the router answers others (another
// service's, or unsigned) as requests for an API it does not serve, in the
// query protocol's XML, naming the service when the signature does.
func TestQueryMatchesOnlyCloudWatch(t *testing.T) {
	f := newFixture(t)
	for service, names := range map[string]string{"sts": "AWS STS", "sqs": "Amazon SQS", "": "the API this request is for"} {
		status, raw := queryCall(t, f.url, service, url.Values{"Action": {"GetCallerIdentity"}, "Version": {"2011-06-15"}})
		var e struct { // not CloudWatch's answer, so not in its XML name space
			Code    string `xml:"Error>Code"`
			Message string `xml:"Error>Message"`
		}
		decodeXML(t, raw, &e)
		if status != 400 || e.Code != awsapi.CodeUnknownOperation || !strings.Contains(e.Message, "does not emulate "+names) {
			t.Errorf("signed for %q: %d %s", service, status, raw)
		}
	}
	// The router's errors come in the awsQuery shape with CloudWatch's codes.
	store, err := metricstore.Open("", metricstore.Options{InMemory: true})
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	srv := httptest.NewServer(awsapi.NewRouter(awsapi.Options{Credentials: &awsapi.Credentials{AccessKeyID: "OTHER", SecretAccessKey: "x"}}, New(store, Options{})))
	defer srv.Close()
	status, raw := queryCall(t, srv.URL, "monitoring", query("ListMetrics"))
	var e queryError
	decodeXML(t, raw, &e)
	if status != 403 || e.Code != "InvalidClientTokenId" {
		t.Errorf("wrong key: %d %s", status, raw)
	}
}

// aws CLI v2 2.9 (Debian's) speaks awsQuery to CloudWatch.
func TestAWSCLIv2Query(t *testing.T) {
	const cli = "/usr/bin/aws"
	out, err := exec.Command(cli, "--version").CombinedOutput()
	if err != nil || !bytes.HasPrefix(out, []byte("aws-cli/2.")) {
		if os.Getenv("CI") == "true" {
			t.Fatalf("the aws CLI v2 at %s is required when CI=true: %v %s", cli, err, out)
		}
		t.Skip("no aws CLI v2 at " + cli)
	}
	f := newFixture(t)
	run := func(args ...string) ([]byte, error) {
		cmd := exec.Command(cli, append(args, "--endpoint-url", f.url, "--region", "us-east-1", "--output", "json")...)
		cmd.Env = append(os.Environ(), "AWS_ACCESS_KEY_ID=AKIDLOCAL", "AWS_SECRET_ACCESS_KEY=secret",
			"AWS_CONFIG_FILE=/dev/null", "AWS_SHARED_CREDENTIALS_FILE=/dev/null", "AWS_PAGER=")
		return cmd.CombinedOutput()
	}
	points := make([]metricstore.Point, 600)
	for i := range points {
		points[i] = metricstore.Point{Series: metricstore.Series{Namespace: "Many", Name: fmt.Sprintf("m%03d", i)}, Values: []float64{1}, Timestamp: f.t0}
	}
	if err := f.store.Put(context.Background(), points); err != nil {
		t.Fatal(err)
	}
	out, err = run("cloudwatch", "list-metrics", "--namespace", "Many")
	var list struct{ Metrics []struct{ MetricName string } }
	if err != nil || json.Unmarshal(out, &list) != nil || len(list.Metrics) != 600 {
		t.Fatalf("list-metrics over two pages: %d metrics, %v\n%.300s", len(list.Metrics), err, out)
	}
	if out, err := run("cloudwatch", "put-metric-data", "--namespace", "V2", "--metric-name", "Lat", "--value", "7",
		"--unit", "Milliseconds", "--dimensions", "Route=/a", "--timestamp", f.t0.Add(5*time.Minute).Format(time.RFC3339)); err != nil {
		t.Fatalf("put-metric-data: %v\n%s", err, out)
	}
	out, err = run("cloudwatch", "get-metric-statistics", "--namespace", "V2", "--metric-name", "Lat", "--dimensions", "Name=Route,Value=/a",
		"--start-time", f.t0.Format(time.RFC3339), "--end-time", f.t0.Add(time.Hour).Format(time.RFC3339), "--period", "3600",
		"--statistics", "Sum", "Maximum")
	var stats struct {
		Datapoints []struct {
			Timestamp string
			Sum       float64
			Unit      string
		}
	}
	if err != nil || json.Unmarshal(out, &stats) != nil || len(stats.Datapoints) != 1 || stats.Datapoints[0].Sum != 7 ||
		stats.Datapoints[0].Unit != "Milliseconds" || stats.Datapoints[0].Timestamp != f.t0.Format("2006-01-02T15:04:05+00:00") {
		t.Errorf("get-metric-statistics: %v\n%s", err, out)
	}
	out, err = run("cloudwatch", "get-metric-data", "--start-time", f.t0.Format(time.RFC3339), "--end-time", f.t0.Add(time.Hour).Format(time.RFC3339),
		"--metric-data-queries", `[{"Id":"g","MetricStat":{"Metric":{"Namespace":"HelloApp","MetricName":"SuccessfulGreetings","Dimensions":[{"Name":"service","Value":"hello"}]},"Period":60,"Stat":"Sum"}}]`)
	var data struct{ MetricDataResults []struct{ Values []float64 } }
	if err != nil || json.Unmarshal(out, &data) != nil || len(data.MetricDataResults) != 1 || fmt.Sprint(data.MetricDataResults[0].Values) != "[3 2]" {
		t.Errorf("get-metric-data: %v\n%s", err, out)
	}
	out, err = run("cloudwatch", "get-metric-statistics", "--namespace", "V2", "--metric-name", "Lat",
		"--start-time", f.t0.Format(time.RFC3339), "--end-time", f.t0.Add(time.Hour).Format(time.RFC3339), "--period", "60")
	if err == nil || !bytes.Contains(out, []byte("(InvalidParameterCombination)")) {
		t.Errorf("error: %v\n%s", err, out)
	}
}
