package metricsapi

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/http/httptest"
	"os"
	"os/exec"
	"strconv"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/lambdacontext"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
	"github.com/aws/smithy-go"

	"github.com/lambdalog/lambdalog/cmd/lambdalog/internal/awsapi"
	"github.com/lambdalog/lambdalog/cmd/lambdalog/internal/metricstore"
	"github.com/lambdalog/lambdalog/internal/testserver"
	"github.com/lambdalog/lambdalog/metrics"
)

// fixture is a metrics server on a real socket whose store holds the EMF a
// function instrumented with the metrics package wrote for 5 invocations
// (2 of them in the same minute as the cold start, 3 one minute later).
type fixture struct {
	url   string
	store *metricstore.Store
	t0    time.Time // start of the first minute
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	ctx := context.Background()
	store, err := metricstore.Open("", metricstore.Options{InMemory: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	t0 := time.Now().Add(-2 * time.Hour).Truncate(time.Hour) // all points in one hour

	var out bytes.Buffer
	clock := t0
	m, err := metrics.New(metrics.WithNamespace("HelloApp"), metrics.WithService("hello"), metrics.WithWriter(&out),
		metrics.WithColdStartMetric(), metrics.WithClock(func() time.Time { return clock }))
	if err != nil {
		t.Fatal(err)
	}
	greet := metrics.Handler(m, func(ctx context.Context, name string) (string, error) {
		return "hello " + name, metrics.FromContext(ctx).Add("SuccessfulGreetings", metrics.Count, 1)
	})
	lctx := lambdacontext.NewContext(ctx, &lambdacontext.LambdaContext{InvokedFunctionArn: "arn:aws:lambda:us-east-1:123456789012:function:hello"})
	for i, at := range []time.Duration{time.Second, 20 * time.Second, 61 * time.Second, 62 * time.Second, 119 * time.Second} {
		clock = t0.Add(at)
		if _, err := greet(lctx, strconv.Itoa(i)); err != nil {
			t.Fatal(err)
		}
	}
	sc := bufio.NewScanner(&out)
	for sc.Scan() {
		if n, err := store.Ingest(ctx, time.Now(), sc.Bytes()); err != nil || n == 0 {
			t.Fatalf("Ingest(%s) = %d, %v", sc.Text(), n, err)
		}
	}
	srv := httptest.NewServer(awsapi.NewRouter(awsapi.Options{}, New(store, Options{})))
	t.Cleanup(srv.Close)
	return &fixture{url: srv.URL, store: store, t0: t0}
}

func (f *fixture) client() *cloudwatch.Client {
	return cloudwatch.New(cloudwatch.Options{
		Region:       "us-east-1",
		BaseEndpoint: aws.String(f.url),
		Credentials:  credentials.NewStaticCredentialsProvider("AKIDLOCAL", "secret", ""),
	})
}

var helloDims = []types.Dimension{{Name: aws.String("service"), Value: aws.String("hello")}}

func TestSDKListMetrics(t *testing.T) {
	f := newFixture(t)
	out, err := f.client().ListMetrics(context.Background(), &cloudwatch.ListMetricsInput{Namespace: aws.String("HelloApp")})
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]int{}
	for _, m := range out.Metrics {
		got[aws.ToString(m.MetricName)] = len(m.Dimensions)
	}
	if len(out.Metrics) != 2 || got["SuccessfulGreetings"] != 1 || got["ColdStart"] != 2 {
		t.Errorf("metrics = %v, want SuccessfulGreetings{service} and ColdStart{function_name,service}", got)
	}
	out, err = f.client().ListMetrics(context.Background(), &cloudwatch.ListMetricsInput{
		Dimensions: []types.DimensionFilter{{Name: aws.String("function_name"), Value: aws.String("hello")}},
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.Metrics) != 1 || aws.ToString(out.Metrics[0].MetricName) != "ColdStart" {
		t.Errorf("filtered by function_name: %+v", out.Metrics)
	}
}

func TestSDKGetMetricStatistics(t *testing.T) {
	f := newFixture(t)
	out, err := f.client().GetMetricStatistics(context.Background(), &cloudwatch.GetMetricStatisticsInput{
		Namespace: aws.String("HelloApp"), MetricName: aws.String("SuccessfulGreetings"), Dimensions: helloDims,
		StartTime: aws.Time(f.t0), EndTime: aws.Time(f.t0.Add(10 * time.Minute)), Period: aws.Int32(60),
		Statistics: []types.Statistic{types.StatisticSum, types.StatisticSampleCount, types.StatisticAverage},
	})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(out.Label) != "SuccessfulGreetings" || len(out.Datapoints) != 2 {
		t.Fatalf("label %q, %d datapoints, want 2", aws.ToString(out.Label), len(out.Datapoints))
	}
	want := map[int64]float64{f.t0.Unix(): 2, f.t0.Add(time.Minute).Unix(): 3}
	for _, dp := range out.Datapoints {
		if w := want[dp.Timestamp.Unix()]; aws.ToFloat64(dp.Sum) != w || aws.ToFloat64(dp.SampleCount) != w || aws.ToFloat64(dp.Average) != 1 || dp.Unit != types.StandardUnitCount {
			t.Errorf("datapoint %v: sum %v count %v avg %v unit %s, want sum %v", dp.Timestamp, aws.ToFloat64(dp.Sum), aws.ToFloat64(dp.SampleCount), aws.ToFloat64(dp.Average), dp.Unit, w)
		}
		if dp.Maximum != nil {
			t.Errorf("Maximum returned but not requested")
		}
	}

	ext, err := f.client().GetMetricStatistics(context.Background(), &cloudwatch.GetMetricStatisticsInput{
		Namespace: aws.String("HelloApp"), MetricName: aws.String("SuccessfulGreetings"), Dimensions: helloDims,
		StartTime: aws.Time(f.t0), EndTime: aws.Time(f.t0.Add(time.Hour)), Period: aws.Int32(3600),
		ExtendedStatistics: []string{"p99"},
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(ext.Datapoints) != 1 || ext.Datapoints[0].ExtendedStatistics["p99"] != 1 {
		t.Errorf("p99 = %+v", ext.Datapoints)
	}
}

func TestSDKGetMetricData(t *testing.T) {
	f := newFixture(t)
	stat := func(id, name, s string, dims []types.Dimension) types.MetricDataQuery {
		return types.MetricDataQuery{Id: aws.String(id), MetricStat: &types.MetricStat{
			Metric: &types.Metric{Namespace: aws.String("HelloApp"), MetricName: aws.String(name), Dimensions: dims},
			Period: aws.Int32(300), Stat: aws.String(s),
		}}
	}
	out, err := f.client().GetMetricData(context.Background(), &cloudwatch.GetMetricDataInput{
		StartTime: aws.Time(f.t0.Add(-time.Hour)), EndTime: aws.Time(f.t0.Add(time.Hour)),
		MetricDataQueries: []types.MetricDataQuery{
			stat("greetings", "SuccessfulGreetings", "Sum", helloDims),
			stat("cold", "ColdStart", "SampleCount", []types.Dimension{
				{Name: aws.String("function_name"), Value: aws.String("hello")}, {Name: aws.String("service"), Value: aws.String("hello")}}),
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	sums := map[string]float64{}
	for _, r := range out.MetricDataResults {
		if r.StatusCode != types.StatusCodeComplete || len(r.Timestamps) != len(r.Values) {
			t.Errorf("result %s: status %s", aws.ToString(r.Id), r.StatusCode)
		}
		for _, v := range r.Values {
			sums[aws.ToString(r.Id)] += v
		}
	}
	if sums["greetings"] != 5 || sums["cold"] != 1 {
		t.Errorf("sums = %v, want greetings 5 and cold 1", sums)
	}

	_, err = f.client().GetMetricData(context.Background(), &cloudwatch.GetMetricDataInput{
		StartTime: aws.Time(f.t0), EndTime: aws.Time(f.t0.Add(time.Hour)),
		MetricDataQueries: []types.MetricDataQuery{{Id: aws.String("e1"), Expression: aws.String("SUM(METRICS())")}},
	})
	var ae smithy.APIError
	if !errors.As(err, &ae) || ae.ErrorCode() != "InvalidParameterValue" {
		t.Errorf("Expression error = %v, want InvalidParameterValue", err)
	}
}

func TestSDKPutMetricData(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	at := f.t0.Add(30 * time.Minute)
	_, err := f.client().PutMetricData(ctx, &cloudwatch.PutMetricDataInput{
		Namespace: aws.String("Direct"),
		MetricData: []types.MetricDatum{
			{MetricName: aws.String("Latency"), Unit: types.StandardUnitMilliseconds, Timestamp: aws.Time(at), Values: []float64{10, 20}, Counts: []float64{1, 3}},
			{MetricName: aws.String("Latency"), Unit: types.StandardUnitMilliseconds, Timestamp: aws.Time(at), Value: aws.Float64(5)},
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	out, err := f.client().GetMetricStatistics(ctx, &cloudwatch.GetMetricStatisticsInput{
		Namespace: aws.String("Direct"), MetricName: aws.String("Latency"),
		StartTime: aws.Time(at), EndTime: aws.Time(at.Add(time.Minute)), Period: aws.Int32(60),
		Statistics: []types.Statistic{types.StatisticSum, types.StatisticMinimum, types.StatisticMaximum, types.StatisticSampleCount},
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.Datapoints) != 1 {
		t.Fatalf("datapoints = %+v", out.Datapoints)
	}
	dp := out.Datapoints[0]
	if *dp.Sum != 75 || *dp.Minimum != 5 || *dp.Maximum != 20 || *dp.SampleCount != 5 {
		t.Errorf("sum %v min %v max %v count %v, want 75 5 20 5", *dp.Sum, *dp.Minimum, *dp.Maximum, *dp.SampleCount)
	}
}

func TestSDKErrors(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	base := func() *cloudwatch.GetMetricStatisticsInput {
		return &cloudwatch.GetMetricStatisticsInput{
			Namespace: aws.String("HelloApp"), MetricName: aws.String("SuccessfulGreetings"),
			StartTime: aws.Time(f.t0), EndTime: aws.Time(f.t0.Add(time.Hour)), Period: aws.Int32(60),
			Statistics: []types.Statistic{types.StatisticSum},
		}
	}
	tests := []struct {
		name string
		edit func(*cloudwatch.GetMetricStatisticsInput)
		code string
	}{
		{"no statistics", func(in *cloudwatch.GetMetricStatisticsInput) { in.Statistics = nil }, "InvalidParameterCombination"},
		{"period", func(in *cloudwatch.GetMetricStatisticsInput) { in.Period = aws.Int32(61) }, "InvalidParameterValue"},
		{"too many points", func(in *cloudwatch.GetMetricStatisticsInput) { in.EndTime = aws.Time(f.t0.Add(48 * time.Hour)) }, "InvalidParameterCombination"},
		{"reversed range", func(in *cloudwatch.GetMetricStatisticsInput) { in.EndTime = aws.Time(f.t0.Add(-time.Hour)) }, "InvalidParameterValue"},
		{"bad percentile", func(in *cloudwatch.GetMetricStatisticsInput) {
			in.Statistics, in.ExtendedStatistics = nil, []string{"p999"}
		}, "InvalidParameterValue"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := base()
			tt.edit(in)
			_, err := f.client().GetMetricStatistics(ctx, in)
			var ae smithy.APIError
			if !errors.As(err, &ae) || ae.ErrorCode() != tt.code || ae.ErrorMessage() == "" {
				t.Errorf("error = %v, want code %s with a message", err, tt.code)
			}
		})
	}
}

// awsCLI runs the installed aws CLI against the fixture. With CI=true a
// missing aws CLI is a failure; otherwise the test is skipped.
func awsCLI(t *testing.T, f *fixture, args ...string) []byte {
	t.Helper()
	if _, err := exec.LookPath("aws"); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("the aws CLI is required when CI=true")
		}
		t.Skip("aws CLI not installed")
	}
	cmd := exec.Command("aws", append(args, "--endpoint-url", f.url, "--region", "us-east-1", "--output", "json")...)
	cmd.Env = append(os.Environ(), "AWS_ACCESS_KEY_ID=AKIDLOCAL", "AWS_SECRET_ACCESS_KEY=secret",
		"AWS_CONFIG_FILE=/dev/null", "AWS_SHARED_CREDENTIALS_FILE=/dev/null", "AWS_PAGER=")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("aws %v: %v\n%s", args, err, stderr.String())
	}
	return out
}

func TestAWSCLI(t *testing.T) {
	f := newFixture(t)
	var list struct {
		Metrics []struct {
			Namespace, MetricName string
			Dimensions            []struct{ Name, Value string }
		}
	}
	if err := json.Unmarshal(awsCLI(t, f, "cloudwatch", "list-metrics", "--namespace", "HelloApp"), &list); err != nil {
		t.Fatal(err)
	}
	names := map[string]bool{}
	for _, m := range list.Metrics {
		names[m.MetricName] = true
	}
	if len(list.Metrics) != 2 || !names["SuccessfulGreetings"] || !names["ColdStart"] {
		t.Errorf("list-metrics = %+v", list.Metrics)
	}

	var stats struct {
		Label      string
		Datapoints []struct {
			Timestamp   float64 // the CLI v1 prints the wire value: epoch seconds
			Sum         float64
			SampleCount float64
			Unit        string
		}
	}
	out := awsCLI(t, f, "cloudwatch", "get-metric-statistics", "--namespace", "HelloApp",
		"--metric-name", "SuccessfulGreetings", "--dimensions", "Name=service,Value=hello",
		"--start-time", f.t0.Format(time.RFC3339), "--end-time", f.t0.Add(time.Hour).Format(time.RFC3339),
		"--period", "3600", "--statistics", "Sum", "SampleCount")
	if err := json.Unmarshal(out, &stats); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	if stats.Label != "SuccessfulGreetings" || len(stats.Datapoints) != 1 || stats.Datapoints[0].Sum != 5 || stats.Datapoints[0].Unit != "Count" ||
		int64(stats.Datapoints[0].Timestamp) != f.t0.Truncate(time.Hour).Unix() {
		t.Errorf("get-metric-statistics = %s", out)
	}
}

func TestAWSCLIError(t *testing.T) {
	f := newFixture(t)
	if _, err := exec.LookPath("aws"); err != nil {
		t.Skip("aws CLI not installed")
	}
	cmd := exec.Command("aws", "cloudwatch", "get-metric-statistics", "--namespace", "HelloApp", "--metric-name", "X",
		"--start-time", f.t0.Format(time.RFC3339), "--end-time", f.t0.Add(time.Hour).Format(time.RFC3339), "--period", "60",
		"--endpoint-url", f.url, "--region", "us-east-1")
	cmd.Env = append(os.Environ(), "AWS_ACCESS_KEY_ID=AKIDLOCAL", "AWS_SECRET_ACCESS_KEY=secret", "AWS_CONFIG_FILE=/dev/null", "AWS_SHARED_CREDENTIALS_FILE=/dev/null")
	out, err := cmd.CombinedOutput()
	if err == nil || !bytes.Contains(out, []byte("(InvalidParameterCombination)")) {
		t.Errorf("aws CLI error output = %s, want InvalidParameterCombination", out)
	}
}

// boto3 speaks Smithy RPC v2 CBOR to CloudWatch (the aws CLI v1 speaks JSON 1.0).
func TestBoto3CBOR(t *testing.T) {
	f := newFixture(t)
	if err := exec.Command("python3", "-c", "import boto3").Run(); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("python3 with boto3 is required when CI=true")
		}
		t.Skip("boto3 not installed")
	}
	script := `
import boto3, datetime, json, sys
c = boto3.client("cloudwatch", endpoint_url=sys.argv[1], region_name="us-east-1",
                 aws_access_key_id="AKIDLOCAL", aws_secret_access_key="secret")
assert c.meta.service_model.protocol == "smithy-rpc-v2-cbor", c.meta.service_model.protocol
t0 = datetime.datetime.fromtimestamp(int(sys.argv[2]), datetime.timezone.utc)
names = sorted(m["MetricName"] for m in c.list_metrics(Namespace="HelloApp")["Metrics"])
s = c.get_metric_statistics(Namespace="HelloApp", MetricName="SuccessfulGreetings",
    Dimensions=[{"Name": "service", "Value": "hello"}], StartTime=t0,
    EndTime=t0 + datetime.timedelta(hours=1), Period=60, Statistics=["Sum"])
try:
    c.get_metric_statistics(Namespace="HelloApp", MetricName="X", StartTime=t0,
        EndTime=t0 + datetime.timedelta(hours=1), Period=60)
    code = None
except c.exceptions.ClientError as e:
    code = e.response["Error"]["Code"]
print(json.dumps({"names": names, "sums": [d["Sum"] for d in sorted(s["Datapoints"], key=lambda d: d["Timestamp"])],
    "first": s["Datapoints"][0]["Timestamp"].timestamp(), "error": code}))
`
	out, err := exec.Command("python3", "-c", script, f.url, strconv.FormatInt(f.t0.Unix(), 10)).CombinedOutput()
	if err != nil {
		t.Fatalf("boto3: %v\n%s", err, out)
	}
	var got struct {
		Names []string
		Sums  []float64
		First float64
		Error string
	}
	if err := json.Unmarshal(out, &got); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	if len(got.Names) != 2 || got.Names[0] != "ColdStart" || len(got.Sums) != 2 || got.Sums[0] != 2 || got.Sums[1] != 3 ||
		int64(got.First) != f.t0.Unix() || got.Error != "InvalidParameterCombination" {
		t.Errorf("boto3 saw %+v", got)
	}
}

// TestSignedRequests checks the metrics API behind a router with credentials:
// signatures over the gzip body aws-sdk-go-v2 sends verify, and a wrong key
// or secret gets CloudWatch's error codes.
func TestSignedRequests(t *testing.T) {
	store, err := metricstore.Open("", metricstore.Options{InMemory: true})
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	router := awsapi.NewRouter(awsapi.Options{Credentials: &awsapi.Credentials{AccessKeyID: "GOODKEY", SecretAccessKey: "secret"}}, New(store, Options{}))
	srv := httptest.NewServer(router)
	defer srv.Close()
	client := func(key, secret string) *cloudwatch.Client {
		return cloudwatch.New(cloudwatch.Options{Region: "us-east-1", BaseEndpoint: aws.String(srv.URL), RetryMaxAttempts: 1, HTTPClient: testserver.HTTPClient(nil),
			Credentials: credentials.NewStaticCredentialsProvider(key, secret, "")})
	}
	put := &cloudwatch.PutMetricDataInput{Namespace: aws.String("N"), MetricData: []types.MetricDatum{{MetricName: aws.String("M"), Value: aws.Float64(1)}}}
	if _, err := client("GOODKEY", "secret").PutMetricData(context.Background(), put); err != nil {
		t.Fatalf("signed, gzip-compressed PutMetricData: %v", err)
	}
	for _, tc := range []struct{ key, secret, code string }{
		{"BADKEY", "secret", "InvalidClientTokenId"},
		{"GOODKEY", "wrong", "SignatureDoesNotMatch"},
	} {
		_, err = client(tc.key, tc.secret).ListMetrics(context.Background(), &cloudwatch.ListMetricsInput{})
		var ae smithy.APIError
		if !errors.As(err, &ae) || ae.ErrorCode() != tc.code {
			t.Errorf("key %s secret %s: error %v, want %s", tc.key, tc.secret, err, tc.code)
		}
	}
}
