package cwlogs_test

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs/types"
)

// newAPI returns a real aws-sdk-go-v2 CloudWatch Logs client for url.
func newAPI(url string) *cloudwatchlogs.Client {
	return cloudwatchlogs.New(cloudwatchlogs.Options{
		Region:       "us-east-1",
		BaseEndpoint: aws.String(url),
		Credentials:  credentials.NewStaticCredentialsProvider("AKIDEXAMPLE", "secret", ""),
	})
}

// readAll returns every event of the stream, oldest first.
func readAll(t testing.TB, api *cloudwatchlogs.Client, group, stream string) []types.OutputLogEvent {
	t.Helper()
	var all []types.OutputLogEvent
	var token *string
	for {
		out, err := api.GetLogEvents(context.Background(), &cloudwatchlogs.GetLogEventsInput{
			LogGroupName: &group, LogStreamName: &stream, StartFromHead: aws.Bool(true), NextToken: token,
		})
		if err != nil {
			t.Fatalf("GetLogEvents: %v", err)
		}
		all = append(all, out.Events...)
		if out.NextForwardToken == nil || (token != nil && *token == *out.NextForwardToken) {
			return all
		}
		token = out.NextForwardToken
	}
}
