package logsapi_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	cwl "github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs/types"
)

func metricFilter(group, name, pattern string, t types.MetricTransformation) *cwl.PutMetricFilterInput {
	return &cwl.PutMetricFilterInput{LogGroupName: aws.String(group), FilterName: aws.String(name), FilterPattern: aws.String(pattern),
		MetricTransformations: []types.MetricTransformation{t}}
}

func countMetric(name string) types.MetricTransformation {
	return types.MetricTransformation{MetricName: aws.String(name), MetricNamespace: aws.String("App"), MetricValue: aws.String("1")}
}

func describeMetricFilters(t *testing.T, c *cwl.Client, in *cwl.DescribeMetricFiltersInput) []string {
	t.Helper()
	var got []string
	p := cwl.NewDescribeMetricFiltersPaginator(c, in)
	for p.HasMorePages() {
		out, err := p.NextPage(context.Background())
		if err != nil {
			t.Fatalf("DescribeMetricFilters: %v", err)
		}
		for _, f := range out.MetricFilters {
			got = append(got, *f.LogGroupName+"/"+*f.FilterName)
		}
	}
	return got
}

func TestMetricFiltersLifecycle(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t, envConfig{})
	mustCreateGroup(t, e.client, "/aws/lambda/a")
	mustCreateGroup(t, e.client, "/aws/lambda/b")
	latency := types.MetricTransformation{
		MetricName: aws.String("Latency"), MetricNamespace: aws.String("App"), MetricValue: aws.String("$.latency"),
		Unit: types.StandardUnitMilliseconds, Dimensions: map[string]string{"Level": "$.level"},
	}
	must := func(in *cwl.PutMetricFilterInput) {
		t.Helper()
		if _, err := e.client.PutMetricFilter(ctx, in); err != nil {
			t.Fatalf("PutMetricFilter(%s): %v", *in.FilterName, err)
		}
	}
	must(metricFilter("/aws/lambda/a", "latency", `{ $.latency = * }`, latency))
	must(metricFilter("/aws/lambda/a", "errors", `ERROR`, countMetric("Errors")))
	must(metricFilter("/aws/lambda/b", "errors", `?ERROR ?WARN`, countMetric("Errors")))
	must(metricFilter("/aws/lambda/b", "bytes", `[ip, user, ..., status, bytes > 0]`, types.MetricTransformation{
		MetricName: aws.String("Bytes"), MetricNamespace: aws.String("Web"), MetricValue: aws.String("$bytes"), DefaultValue: aws.Float64(0),
	}))
	// Put again replaces.
	must(metricFilter("/aws/lambda/a", "errors", `ERROR -DEBUG`, countMetric("Errors")))

	out, err := e.client.DescribeMetricFilters(ctx, &cwl.DescribeMetricFiltersInput{LogGroupName: aws.String("/aws/lambda/a")})
	if err != nil || len(out.MetricFilters) != 2 || out.NextToken != nil {
		t.Fatalf("describe a: %+v, %v", out, err)
	}
	groups, err := e.client.DescribeLogGroups(ctx, &cwl.DescribeLogGroupsInput{LogGroupNamePrefix: aws.String("/aws/lambda/a")})
	if err != nil || len(groups.LogGroups) != 1 || aws.ToInt32(groups.LogGroups[0].MetricFilterCount) != 2 {
		t.Errorf("DescribeLogGroups: want metricFilterCount 2 for /aws/lambda/a: %+v, %v", groups, err)
	}
	f := out.MetricFilters[0]
	if *f.FilterName != "errors" || *f.FilterPattern != "ERROR -DEBUG" || *f.LogGroupName != "/aws/lambda/a" || f.CreationTime == nil {
		t.Errorf("errors filter = %+v", f)
	}
	l := out.MetricFilters[1].MetricTransformations[0]
	if *l.MetricValue != "$.latency" || l.Unit != types.StandardUnitMilliseconds || l.Dimensions["Level"] != "$.level" || l.DefaultValue != nil {
		t.Errorf("latency transformation = %+v", l)
	}

	if got, want := describeMetricFilters(t, e.client, &cwl.DescribeMetricFiltersInput{Limit: aws.Int32(1)}),
		[]string{"/aws/lambda/a/errors", "/aws/lambda/a/latency", "/aws/lambda/b/bytes", "/aws/lambda/b/errors"}; !slices.Equal(got, want) {
		t.Errorf("all, one per page = %v, want %v", got, want)
	}
	if got, want := describeMetricFilters(t, e.client, &cwl.DescribeMetricFiltersInput{MetricName: aws.String("Errors"), MetricNamespace: aws.String("App")}),
		[]string{"/aws/lambda/a/errors", "/aws/lambda/b/errors"}; !slices.Equal(got, want) {
		t.Errorf("by metric = %v, want %v", got, want)
	}
	if got, want := describeMetricFilters(t, e.client, &cwl.DescribeMetricFiltersInput{LogGroupName: aws.String("/aws/lambda/a"), FilterNamePrefix: aws.String("lat")}),
		[]string{"/aws/lambda/a/latency"}; !slices.Equal(got, want) {
		t.Errorf("by prefix = %v, want %v", got, want)
	}
	_, err = e.client.DescribeMetricFilters(ctx, &cwl.DescribeMetricFiltersInput{MetricName: aws.String("Errors")})
	if _, ok := errors.AsType[*types.InvalidParameterException](err); !ok {
		t.Errorf("metricName without namespace: %v", err)
	}
	_, err = e.client.DescribeMetricFilters(ctx, &cwl.DescribeMetricFiltersInput{LogGroupName: aws.String("missing")})
	if _, ok := errors.AsType[*types.ResourceNotFoundException](err); !ok {
		t.Errorf("missing group: %v", err)
	}

	if _, err := e.client.DeleteMetricFilter(ctx, &cwl.DeleteMetricFilterInput{LogGroupName: aws.String("/aws/lambda/a"), FilterName: aws.String("errors")}); err != nil {
		t.Fatal(err)
	}
	_, err = e.client.DeleteMetricFilter(ctx, &cwl.DeleteMetricFilterInput{LogGroupName: aws.String("/aws/lambda/a"), FilterName: aws.String("errors")})
	if rnf, ok := errors.AsType[*types.ResourceNotFoundException](err); !ok || rnf.ErrorMessage() != "The specified metric filter does not exist." {
		t.Errorf("second delete: %v", err)
	}

	// Deleting a group deletes its filters.
	if _, err := e.client.DeleteLogGroup(ctx, &cwl.DeleteLogGroupInput{LogGroupName: aws.String("/aws/lambda/b")}); err != nil {
		t.Fatal(err)
	}
	mustCreateGroup(t, e.client, "/aws/lambda/b")
	if got := describeMetricFilters(t, e.client, &cwl.DescribeMetricFiltersInput{}); !slices.Equal(got, []string{"/aws/lambda/a/latency"}) {
		t.Errorf("after deleting group b = %v", got)
	}
}

func TestPutMetricFilterValidation(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t, envConfig{})
	mustCreateGroup(t, e.client, "g")
	for _, c := range []struct {
		name string
		in   *cwl.PutMetricFilterInput
		msg  string
	}{
		{"bad pattern", metricFilter("g", "f", `{ $.a = 1`, countMetric("M")), "If a filter pattern starts with '{' it must end with '}'"},
		{"long pattern", metricFilter("g", "f", strings.Repeat("a", 1025), countMetric("M")),
			"at 'filterPattern' failed to satisfy constraint: Member must have length less than or equal to 1024"},
		{"3 regexes", metricFilter("g", "f", `{ $.a = %a% || $.b = %b% || $.c = %c% }`, countMetric("M")), "at most 2 regular expressions"},
		{"filter name", metricFilter("g", "a:b", `x`, countMetric("M")), "at 'filterName' failed to satisfy constraint: Member must satisfy regular expression pattern: [^:*]*"},
		{"metric name", metricFilter("g", "f", `x`, countMetric("a$b")), "at 'metricTransformations.1.member.metricName' failed to satisfy constraint"},
		{"two transformations", &cwl.PutMetricFilterInput{LogGroupName: aws.String("g"), FilterName: aws.String("f"), FilterPattern: aws.String("x"),
			MetricTransformations: []types.MetricTransformation{countMetric("A"), countMetric("B")}}, "Member must have length less than or equal to 1"},
		{"unit", metricFilter("g", "f", `x`, types.MetricTransformation{MetricName: aws.String("M"), MetricNamespace: aws.String("N"), MetricValue: aws.String("1"), Unit: "Parsecs"}),
			"satisfy enum value set"},
		{"value field of terms", metricFilter("g", "f", `ERROR`, types.MetricTransformation{MetricName: aws.String("M"), MetricNamespace: aws.String("N"), MetricValue: aws.String("$.latency")}),
			"must be a number or a field of the filter pattern"},
		{"dimensions with default", metricFilter("g", "f", `{ $.a = * }`, types.MetricTransformation{MetricName: aws.String("M"), MetricNamespace: aws.String("N"), MetricValue: aws.String("1"),
			DefaultValue: aws.Float64(0), Dimensions: map[string]string{"A": "$.a"}}), "cannot have a defaultValue"},
		{"4 dimensions", metricFilter("g", "f", `{ $.a = * }`, types.MetricTransformation{MetricName: aws.String("M"), MetricNamespace: aws.String("N"), MetricValue: aws.String("1"),
			Dimensions: map[string]string{"A": "$.a", "B": "$.b", "C": "$.c", "D": "$.d"}}), "at most 3 dimensions"},
		{"literal dimension", metricFilter("g", "f", `{ $.a = * }`, types.MetricTransformation{MetricName: aws.String("M"), MetricNamespace: aws.String("N"), MetricValue: aws.String("1"),
			Dimensions: map[string]string{"A": "fixed"}}), "must be a number or a field of the filter pattern"},
	} {
		_, err := e.client.PutMetricFilter(ctx, c.in)
		ipe, ok := errors.AsType[*types.InvalidParameterException](err)
		if !ok || !strings.Contains(ipe.ErrorMessage(), c.msg) {
			t.Errorf("%s: %v, want InvalidParameterException containing %q", c.name, err, c.msg)
		}
	}
	_, err := e.client.PutMetricFilter(ctx, metricFilter("missing", "f", "x", countMetric("M")))
	if _, ok := errors.AsType[*types.ResourceNotFoundException](err); !ok {
		t.Errorf("missing group: %v", err)
	}
	if got := describeMetricFilters(t, e.client, &cwl.DescribeMetricFiltersInput{}); len(got) != 0 {
		t.Errorf("rejected filters were stored: %v", got)
	}
}

func TestMetricFilterQuotas(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t, envConfig{})
	mustCreateGroup(t, e.client, "g")
	for i := range 100 {
		pattern := "ERROR"
		if i < 5 {
			pattern = fmt.Sprintf("%%code%d%%", i)
		}
		if _, err := e.client.PutMetricFilter(ctx, metricFilter("g", fmt.Sprintf("f%03d", i), pattern, countMetric("M"))); err != nil {
			t.Fatalf("filter %d: %v", i, err)
		}
	}
	_, err := e.client.PutMetricFilter(ctx, metricFilter("g", "one-too-many", "ERROR", countMetric("M")))
	if le, ok := errors.AsType[*types.LimitExceededException](err); !ok || le.ErrorMessage() != "Resource limit exceeded." {
		t.Errorf("101st filter: %v", err)
	}
	// Replacing an existing filter is not a new one, but a sixth regex is.
	if _, err := e.client.PutMetricFilter(ctx, metricFilter("g", "f050", "WARN", countMetric("M"))); err != nil {
		t.Errorf("replace at the quota: %v", err)
	}
	_, err = e.client.PutMetricFilter(ctx, metricFilter("g", "f050", "%sixth%", countMetric("M")))
	if _, ok := errors.AsType[*types.LimitExceededException](err); !ok {
		t.Errorf("sixth regex filter: %v", err)
	}
	if _, err := e.client.PutMetricFilter(ctx, metricFilter("g", "f004", "%still5%", countMetric("M"))); err != nil {
		t.Errorf("replace a regex filter: %v", err)
	}
}

var filterOps = []string{"TestMetricFilter", "PutMetricFilter", "DescribeMetricFilters", "DeleteMetricFilter",
	"PutSubscriptionFilter", "DescribeSubscriptionFilters", "DeleteSubscriptionFilter", "FilterLogEvents"}

// FuzzFilterOperations sends arbitrary bodies to the filter operations: the
// answer must never be a 5xx and errors must be AWS-shaped JSON.
func FuzzFilterOperations(f *testing.F) {
	for _, s := range []string{
		`{"filterPattern":"[a, b = 4*]","logEventMessages":["x 404","y"]}`,
		`{"logGroupName":"g","filterName":"f","filterPattern":"{ $.a = * }","metricTransformations":[{"metricName":"M","metricNamespace":"N","metricValue":"$.a","dimensions":{"A":"$.a"},"unit":"Count"}]}`,
		`{"logGroupName":"g","filterName":"f","filterPattern":"","destinationArn":"arn:aws:lambda:us-east-1:1:function:x","distribution":"Random"}`,
		`{"logGroupName":"g","filterNamePrefix":"f","metricName":"M","metricNamespace":"N","limit":1,"nextToken":"Z1wAZg"}`,
		`{"logGroupName":"g","filterPattern":"%a% %b%"}`,
		`{"metricTransformations":[{}]}`, `{"logEventMessages":[]}`, `[]`, `null`, ``,
	} {
		for i := range filterOps {
			f.Add(uint8(i), []byte(s))
		}
	}
	fuzzOperations(f, filterOps, `{"a": 1} x 404`)
}
