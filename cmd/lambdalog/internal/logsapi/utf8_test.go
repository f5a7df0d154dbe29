package logsapi_test

import (
	"context"
	"strconv"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	cwl "github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
)

// TestInvalidUTF8Refused sends raw bodies whose strings hold bytes that are
// not UTF-8: each request is refused with a SerializationException, so two
// names that differ only in such bytes can never become the same name.
func TestInvalidUTF8Refused(t *testing.T) {
	e := newEnv(t, envConfig{})
	mustCreateGroup(t, e.client, "g")
	mustCreateStream(t, e.client, "g", "s")
	now := strconv.FormatInt(e.clock.Now().UnixMilli(), 10)
	for _, tc := range []struct{ name, target, body string }{
		{"stream name", "CreateLogStream", "{\"logGroupName\":\"g\",\"logStreamName\":\"a\xff\"}"},
		{"other stream name", "CreateLogStream", "{\"logGroupName\":\"g\",\"logStreamName\":\"a\xfe\"}"},
		{"encoded surrogate", "CreateLogStream", "{\"logGroupName\":\"g\",\"logStreamName\":\"a\xed\xa0\x80\"}"},
		{"truncated sequence", "CreateLogGroup", "{\"logGroupName\":\"g\xc3\"}"},
		{"put stream name", "PutLogEvents", "{\"logGroupName\":\"g\",\"logStreamName\":\"s\x80\",\"logEvents\":[{\"timestamp\":" + now + ",\"message\":\"m\"}]}"},
		{"put message", "PutLogEvents", "{\"logGroupName\":\"g\",\"logStreamName\":\"s\",\"logEvents\":[{\"timestamp\":" + now + ",\"message\":\"m\xc0\xaf\"}]}"},
		{"stream prefix", "DescribeLogStreams", "{\"logGroupName\":\"g\",\"logStreamNamePrefix\":\"s\xff\"}"},
		{"stream names", "FilterLogEvents", "{\"logGroupName\":\"g\",\"logStreamNames\":[\"s\xff\"]}"},
		{"tag value", "TagLogGroup", "{\"logGroupName\":\"g\",\"tags\":{\"k\":\"v\xf8\"}}"},
	} {
		status, h, body := rawCall(t, e.url, "Logs_20140328."+tc.target, tc.body)
		msg, _ := body["message"].(string)
		if status != 400 || body["__type"] != "SerializationException" || h.Get("X-Amzn-ErrorType") != "SerializationException" || !strings.Contains(msg, "UTF-8") {
			t.Errorf("%s: %s %q: got %d %v, want 400 SerializationException about UTF-8", tc.name, tc.target, tc.body, status, body)
		}
	}

	// Nothing was created or written; valid non-ASCII names still work.
	status, _, body := rawCall(t, e.url, "Logs_20140328.CreateLogStream", "{\"logGroupName\":\"g\",\"logStreamName\":\"caf\xc3\xa9 \xe2\x82\xac\"}")
	if status != 200 {
		t.Fatalf("valid UTF-8 name: %d %v", status, body)
	}
	out, err := e.client.DescribeLogStreams(context.Background(), &cwl.DescribeLogStreamsInput{LogGroupName: aws.String("g")})
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, s := range out.LogStreams {
		names = append(names, *s.LogStreamName)
		if *s.LogStreamName == "s" && s.LastEventTimestamp != nil {
			t.Errorf("stream s has events: a refused PutLogEvents wrote")
		}
	}
	if strings.Join(names, ",") != "café €,s" {
		t.Errorf("streams %q, want [café € s]", names)
	}
}
