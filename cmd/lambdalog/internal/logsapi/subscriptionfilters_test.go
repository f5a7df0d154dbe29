package logsapi_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	cwl "github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs/types"
)

func subscription(group, name, pattern string) *cwl.PutSubscriptionFilterInput {
	return &cwl.PutSubscriptionFilterInput{LogGroupName: aws.String(group), FilterName: aws.String(name), FilterPattern: aws.String(pattern),
		DestinationArn: aws.String("arn:aws:lambda:us-east-1:123456789012:function:ship-" + name)}
}

func TestSubscriptionFiltersLifecycle(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t, envConfig{})
	mustCreateGroup(t, e.client, "g")
	first := subscription("g", "errors", `{ $.level = "ERROR" }`)
	first.RoleArn = aws.String("arn:aws:iam::123456789012:role/cwl")
	first.Distribution = types.DistributionRandom
	for _, in := range []*cwl.PutSubscriptionFilterInput{first, subscription("g", "all", ""), subscription("g", "all", "-DEBUG")} {
		if _, err := e.client.PutSubscriptionFilter(ctx, in); err != nil {
			t.Fatalf("PutSubscriptionFilter(%s): %v", *in.FilterName, err)
		}
	}
	_, err := e.client.PutSubscriptionFilter(ctx, subscription("g", "third", "x"))
	if le, ok := errors.AsType[*types.LimitExceededException](err); !ok || le.ErrorMessage() != "Resource limit exceeded." {
		t.Errorf("third subscription filter: %v", err)
	}

	var got []types.SubscriptionFilter
	p := cwl.NewDescribeSubscriptionFiltersPaginator(e.client, &cwl.DescribeSubscriptionFiltersInput{LogGroupName: aws.String("g"), Limit: aws.Int32(1)})
	for p.HasMorePages() {
		out, err := p.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, out.SubscriptionFilters...)
	}
	if len(got) != 2 {
		t.Fatalf("described %d filters, want 2", len(got))
	}
	a, b := got[0], got[1]
	if *a.FilterName != "all" || *a.FilterPattern != "-DEBUG" || a.Distribution != types.DistributionByLogStream || a.RoleArn != nil || *a.LogGroupName != "g" {
		t.Errorf("all = %+v", a)
	}
	if *b.FilterName != "errors" || b.Distribution != types.DistributionRandom || *b.RoleArn != "arn:aws:iam::123456789012:role/cwl" ||
		*b.DestinationArn != "arn:aws:lambda:us-east-1:123456789012:function:ship-errors" || b.CreationTime == nil {
		t.Errorf("errors = %+v", b)
	}
	out, err := e.client.DescribeSubscriptionFilters(ctx, &cwl.DescribeSubscriptionFiltersInput{LogGroupName: aws.String("g"), FilterNamePrefix: aws.String("err")})
	if err != nil || len(out.SubscriptionFilters) != 1 || *out.SubscriptionFilters[0].FilterName != "errors" {
		t.Errorf("by prefix: %+v, %v", out, err)
	}

	if _, err := e.client.DeleteSubscriptionFilter(ctx, &cwl.DeleteSubscriptionFilterInput{LogGroupName: aws.String("g"), FilterName: aws.String("all")}); err != nil {
		t.Fatal(err)
	}
	_, err = e.client.DeleteSubscriptionFilter(ctx, &cwl.DeleteSubscriptionFilterInput{LogGroupName: aws.String("g"), FilterName: aws.String("all")})
	if rnf, ok := errors.AsType[*types.ResourceNotFoundException](err); !ok || rnf.ErrorMessage() != "The specified subscription filter does not exist." {
		t.Errorf("second delete: %v", err)
	}
	if _, err := e.client.PutSubscriptionFilter(ctx, subscription("g", "third", "x")); err != nil {
		t.Errorf("after a delete there is room: %v", err)
	}

	if _, err := e.client.DeleteLogGroup(ctx, &cwl.DeleteLogGroupInput{LogGroupName: aws.String("g")}); err != nil {
		t.Fatal(err)
	}
	mustCreateGroup(t, e.client, "g")
	out, err = e.client.DescribeSubscriptionFilters(ctx, &cwl.DescribeSubscriptionFiltersInput{LogGroupName: aws.String("g")})
	if err != nil || len(out.SubscriptionFilters) != 0 || out.SubscriptionFilters == nil {
		t.Errorf("after re-creating the group: %+v, %v", out, err)
	}
}

func TestPutSubscriptionFilterValidation(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t, envConfig{})
	mustCreateGroup(t, e.client, "g")
	notARN := subscription("g", "f", "x")
	notARN.DestinationArn = aws.String("my-function")
	badDist := subscription("g", "f", "x")
	badDist.Distribution = "Everywhere"
	for name, c := range map[string]struct {
		in  *cwl.PutSubscriptionFilterInput
		msg string
	}{
		"bad pattern":  {subscription("g", "f", "email@example.com"), "Invalid character(s) in term 'email@example.com'"},
		"3 regexes":    {subscription("g", "f", `[a = %x%, b = %y%, c = %z%]`), "at most 2 regular expressions"},
		"not an ARN":   {notARN, "Invalid destinationArn"},
		"distribution": {badDist, "at 'distribution' failed to satisfy constraint: Member must satisfy enum value set: [Random, ByLogStream]"},
	} {
		_, err := e.client.PutSubscriptionFilter(ctx, c.in)
		if ipe, ok := errors.AsType[*types.InvalidParameterException](err); !ok || !strings.Contains(ipe.ErrorMessage(), c.msg) {
			t.Errorf("%s: %v, want InvalidParameterException containing %q", name, err, c.msg)
		}
	}
	_, err := e.client.DescribeSubscriptionFilters(ctx, &cwl.DescribeSubscriptionFiltersInput{LogGroupName: aws.String("missing")})
	if _, ok := errors.AsType[*types.ResourceNotFoundException](err); !ok {
		t.Errorf("missing group: %v", err)
	}
}
