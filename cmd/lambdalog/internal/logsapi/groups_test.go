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

func mustCreateGroup(t *testing.T, c *cwl.Client, name string) {
	t.Helper()
	if _, err := c.CreateLogGroup(context.Background(), &cwl.CreateLogGroupInput{LogGroupName: aws.String(name)}); err != nil {
		t.Fatalf("CreateLogGroup(%s): %v", name, err)
	}
}

func mustCreateStream(t *testing.T, c *cwl.Client, group, stream string) {
	t.Helper()
	if _, err := c.CreateLogStream(context.Background(), &cwl.CreateLogStreamInput{LogGroupName: aws.String(group), LogStreamName: aws.String(stream)}); err != nil {
		t.Fatalf("CreateLogStream(%s/%s): %v", group, stream, err)
	}
}

func TestLogGroupsLifecycleAndPagination(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t, envConfig{})
	var want []string
	for i := range 7 {
		name := fmt.Sprintf("/aws/lambda/fn-%02d", i)
		want = append(want, name)
		mustCreateGroup(t, e.client, name)
	}
	mustCreateGroup(t, e.client, "other")
	want = append(want, "other")

	_, err := e.client.CreateLogGroup(ctx, &cwl.CreateLogGroupInput{LogGroupName: aws.String("other")})
	if _, ok := errors.AsType[*types.ResourceAlreadyExistsException](err); !ok {
		t.Fatalf("duplicate CreateLogGroup: got %v, want ResourceAlreadyExistsException", err)
	}

	var got []string
	pages := 0
	p := cwl.NewDescribeLogGroupsPaginator(e.client, &cwl.DescribeLogGroupsInput{Limit: aws.Int32(3)})
	for p.HasMorePages() {
		out, err := p.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		pages++
		for _, g := range out.LogGroups {
			got = append(got, *g.LogGroupName)
			if *g.Arn != "arn:aws:logs:us-east-1:123456789012:log-group:"+*g.LogGroupName+":*" || *g.LogGroupArn+":*" != *g.Arn {
				t.Errorf("arns = %s, %s", *g.Arn, *g.LogGroupArn)
			}
			if g.LogGroupClass != types.LogGroupClassStandard {
				t.Errorf("class = %q", g.LogGroupClass)
			}
		}
	}
	if !slices.Equal(got, want) || pages != 3 {
		t.Fatalf("paginated groups = %v in %d pages, want %v in 3", got, pages, want)
	}

	out, err := e.client.DescribeLogGroups(ctx, &cwl.DescribeLogGroupsInput{LogGroupNamePrefix: aws.String("/aws/lambda/fn-0")})
	if err != nil || len(out.LogGroups) != 7 || out.NextToken != nil {
		t.Fatalf("prefix: %d groups, token %v, err %v", len(out.LogGroups), out.NextToken, err)
	}
	out, err = e.client.DescribeLogGroups(ctx, &cwl.DescribeLogGroupsInput{LogGroupNamePattern: aws.String("FN-03")})
	if err != nil || len(out.LogGroups) != 1 || *out.LogGroups[0].LogGroupName != "/aws/lambda/fn-03" {
		t.Fatalf("pattern: %+v, %v", out.LogGroups, err)
	}
	out, err = e.client.DescribeLogGroups(ctx, &cwl.DescribeLogGroupsInput{LogGroupIdentifiers: []string{"other", "arn:aws:logs:us-east-1:123456789012:log-group:/aws/lambda/fn-01"}})
	if err != nil || len(out.LogGroups) != 2 {
		t.Fatalf("identifiers: %+v, %v", out.LogGroups, err)
	}

	if _, err := e.client.DeleteLogGroup(ctx, &cwl.DeleteLogGroupInput{LogGroupName: aws.String("other")}); err != nil {
		t.Fatal(err)
	}
	_, err = e.client.DeleteLogGroup(ctx, &cwl.DeleteLogGroupInput{LogGroupName: aws.String("other")})
	var nf *types.ResourceNotFoundException
	if !errors.As(err, &nf) || nf.ErrorMessage() != "The specified log group does not exist." {
		t.Fatalf("second delete: %v", err)
	}
}

func TestValidationMessages(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t, envConfig{})
	cases := []struct {
		name string
		call func() error
		want string
	}{
		{"bad group name", func() error {
			_, err := e.client.CreateLogGroup(ctx, &cwl.CreateLogGroupInput{LogGroupName: aws.String("bad name")})
			return err
		}, `1 validation error detected: Value 'bad name' at 'logGroupName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\.\-_/#A-Za-z0-9]+`},
		{"long group name", func() error {
			_, err := e.client.CreateLogGroup(ctx, &cwl.CreateLogGroupInput{LogGroupName: aws.String(strings.Repeat("a", 513))})
			return err
		}, "Member must have length less than or equal to 512"},
		{"bad limit", func() error {
			_, err := e.client.DescribeLogGroups(ctx, &cwl.DescribeLogGroupsInput{Limit: aws.Int32(51)})
			return err
		}, "1 validation error detected: Value '51' at 'limit' failed to satisfy constraint: Member must have value less than or equal to 50"},
		{"bad retention", func() error {
			_, err := e.client.PutRetentionPolicy(ctx, &cwl.PutRetentionPolicyInput{LogGroupName: aws.String("g"), RetentionInDays: aws.Int32(2)})
			return err
		}, "Value '2' at 'retentionInDays' failed to satisfy constraint: Member must satisfy enum value set: [1, 3, 5"},
		{"stream with colon", func() error {
			_, err := e.client.CreateLogStream(ctx, &cwl.CreateLogStreamInput{LogGroupName: aws.String("g"), LogStreamName: aws.String("a:b")})
			return err
		}, "Value 'a:b' at 'logStreamName' failed to satisfy constraint: Member must satisfy regular expression pattern: [^:*]*"},
		{"two errors", func() error {
			_, err := e.client.CreateLogStream(ctx, &cwl.CreateLogStreamInput{LogGroupName: aws.String("a b"), LogStreamName: aws.String("")})
			return err
		}, "2 validation errors detected: "},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.call()
			ip, ok := errors.AsType[*types.InvalidParameterException](err)
			if !ok {
				t.Fatalf("got %v, want InvalidParameterException", err)
			}
			if !strings.Contains(ip.ErrorMessage(), tc.want) {
				t.Fatalf("message %q does not contain %q", ip.ErrorMessage(), tc.want)
			}
		})
	}
}

func TestLogStreamsOrderAndPagination(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t, envConfig{})
	mustCreateGroup(t, e.client, "g")
	now := e.clock.Now().UnixMilli()
	// Stream i gets its last event at now - i minutes, so time order is reversed name order.
	for i := range 5 {
		name := fmt.Sprintf("s%d", i)
		mustCreateStream(t, e.client, "g", name)
		putEvents(t, e.client, "g", name, now-int64(i)*60_000, "x")
	}
	mustCreateStream(t, e.client, "g", "t-empty")

	collect := func(in *cwl.DescribeLogStreamsInput) (names []string) {
		p := cwl.NewDescribeLogStreamsPaginator(e.client, in)
		for p.HasMorePages() {
			out, err := p.NextPage(ctx)
			if err != nil {
				t.Fatal(err)
			}
			for _, s := range out.LogStreams {
				names = append(names, *s.LogStreamName)
			}
		}
		return names
	}
	if got := collect(&cwl.DescribeLogStreamsInput{LogGroupName: aws.String("g"), Limit: aws.Int32(2)}); !slices.Equal(got, []string{"s0", "s1", "s2", "s3", "s4", "t-empty"}) {
		t.Errorf("by name: %v", got)
	}
	if got := collect(&cwl.DescribeLogStreamsInput{LogGroupName: aws.String("g"), Limit: aws.Int32(4), Descending: aws.Bool(true)}); !slices.Equal(got, []string{"t-empty", "s4", "s3", "s2", "s1", "s0"}) {
		t.Errorf("by name descending: %v", got)
	}
	if got := collect(&cwl.DescribeLogStreamsInput{LogGroupName: aws.String("g"), Limit: aws.Int32(2), OrderBy: types.OrderByLastEventTime, Descending: aws.Bool(true)}); !slices.Equal(got, []string{"s0", "s1", "s2", "s3", "s4", "t-empty"}) {
		t.Errorf("by last event time descending: %v", got)
	}
	if got := collect(&cwl.DescribeLogStreamsInput{LogGroupIdentifier: aws.String("arn:aws:logs:us-east-1:123456789012:log-group:g"), LogStreamNamePrefix: aws.String("s")}); len(got) != 5 {
		t.Errorf("prefix via ARN identifier: %v", got)
	}

	out, err := e.client.DescribeLogStreams(ctx, &cwl.DescribeLogStreamsInput{LogGroupName: aws.String("g"), LogStreamNamePrefix: aws.String("s1")})
	if err != nil || len(out.LogStreams) != 1 {
		t.Fatalf("describe s1: %v %v", out, err)
	}
	s := out.LogStreams[0]
	if *s.FirstEventTimestamp != now-60_000 || *s.LastEventTimestamp != now-60_000 || *s.LastIngestionTime != now || *s.Arn != "arn:aws:logs:us-east-1:123456789012:log-group:g:log-stream:s1" {
		t.Errorf("stream fields: first %d last %d ingest %d arn %s", *s.FirstEventTimestamp, *s.LastEventTimestamp, *s.LastIngestionTime, *s.Arn)
	}
	out, _ = e.client.DescribeLogStreams(ctx, &cwl.DescribeLogStreamsInput{LogGroupName: aws.String("g"), LogStreamNamePrefix: aws.String("t-")})
	if s := out.LogStreams[0]; s.FirstEventTimestamp != nil || s.LastEventTimestamp != nil {
		t.Errorf("empty stream has event timestamps: %+v", s)
	}

	_, err = e.client.DescribeLogStreams(ctx, &cwl.DescribeLogStreamsInput{LogGroupName: aws.String("g"), LogStreamNamePrefix: aws.String("s"), OrderBy: types.OrderByLastEventTime})
	if _, ok := errors.AsType[*types.InvalidParameterException](err); !ok {
		t.Errorf("prefix with LastEventTime: %v", err)
	}
	_, err = e.client.CreateLogStream(ctx, &cwl.CreateLogStreamInput{LogGroupName: aws.String("g"), LogStreamName: aws.String("s1")})
	if _, ok := errors.AsType[*types.ResourceAlreadyExistsException](err); !ok {
		t.Errorf("duplicate stream: %v", err)
	}
	if _, err := e.client.DeleteLogStream(ctx, &cwl.DeleteLogStreamInput{LogGroupName: aws.String("g"), LogStreamName: aws.String("s1")}); err != nil {
		t.Fatal(err)
	}
	_, err = e.client.GetLogEvents(ctx, &cwl.GetLogEventsInput{LogGroupName: aws.String("g"), LogStreamName: aws.String("s1")})
	if nf, ok := errors.AsType[*types.ResourceNotFoundException](err); !ok || nf.ErrorMessage() != "The specified log stream does not exist." {
		t.Errorf("deleted stream: %v", err)
	}
}

func TestTagsBothGenerations(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t, envConfig{})
	if _, err := e.client.CreateLogGroup(ctx, &cwl.CreateLogGroupInput{LogGroupName: aws.String("g"), Tags: map[string]string{"team": "a"}}); err != nil {
		t.Fatal(err)
	}
	arn := "arn:aws:logs:us-east-1:123456789012:log-group:g"
	if _, err := e.client.TagResource(ctx, &cwl.TagResourceInput{ResourceArn: aws.String(arn), Tags: map[string]string{"env": "dev"}}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.client.TagLogGroup(ctx, &cwl.TagLogGroupInput{LogGroupName: aws.String("g"), Tags: map[string]string{"cost": "42"}}); err != nil {
		t.Fatal(err)
	}
	lt, err := e.client.ListTagsForResource(ctx, &cwl.ListTagsForResourceInput{ResourceArn: aws.String(arn)})
	if err != nil || len(lt.Tags) != 3 || lt.Tags["env"] != "dev" || lt.Tags["team"] != "a" || lt.Tags["cost"] != "42" {
		t.Fatalf("ListTagsForResource = %v, %v", lt, err)
	}
	if _, err := e.client.UntagResource(ctx, &cwl.UntagResourceInput{ResourceArn: aws.String(arn), TagKeys: []string{"team"}}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.client.UntagLogGroup(ctx, &cwl.UntagLogGroupInput{LogGroupName: aws.String("g"), Tags: []string{"cost"}}); err != nil {
		t.Fatal(err)
	}
	old, err := e.client.ListTagsLogGroup(ctx, &cwl.ListTagsLogGroupInput{LogGroupName: aws.String("g")})
	if err != nil || len(old.Tags) != 1 || old.Tags["env"] != "dev" {
		t.Fatalf("ListTagsLogGroup = %v, %v", old, err)
	}
	many := map[string]string{}
	for i := range 50 {
		many[fmt.Sprintf("k%d", i)] = "v"
	}
	_, err = e.client.TagResource(ctx, &cwl.TagResourceInput{ResourceArn: aws.String(arn), Tags: many})
	if _, ok := errors.AsType[*types.TooManyTagsException](err); !ok {
		t.Errorf("51 tags: %v", err)
	}
	_, err = e.client.TagResource(ctx, &cwl.TagResourceInput{ResourceArn: aws.String(arn + "-missing"), Tags: map[string]string{"a": "b"}})
	if _, ok := errors.AsType[*types.ResourceNotFoundException](err); !ok {
		t.Errorf("missing resource: %v", err)
	}
}

func TestRegionsAreSeparate(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t, envConfig{})
	eu := e.newClient("AKIDEXAMPLE", "secret", "eu-west-1")
	mustCreateGroup(t, eu, "g")
	out, err := e.client.DescribeLogGroups(ctx, &cwl.DescribeLogGroupsInput{})
	if err != nil || len(out.LogGroups) != 0 {
		t.Fatalf("us-east-1 sees %d groups, err %v", len(out.LogGroups), err)
	}
	out, err = eu.DescribeLogGroups(ctx, &cwl.DescribeLogGroupsInput{})
	if err != nil || len(out.LogGroups) != 1 || !strings.Contains(*out.LogGroups[0].Arn, ":eu-west-1:") {
		t.Fatalf("eu-west-1: %+v, %v", out, err)
	}
}
