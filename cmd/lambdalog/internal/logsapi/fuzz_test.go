package logsapi_test

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"slices"
	"testing"

	"github.com/lambdalog/lambdalog/cmd/lambdalog/internal/awsapi"
	"github.com/lambdalog/lambdalog/cmd/lambdalog/internal/logsapi"
	"github.com/lambdalog/lambdalog/cmd/lambdalog/internal/store"
)

var fuzzOps = []string{
	"CreateLogGroup", "DeleteLogGroup", "DescribeLogGroups", "CreateLogStream", "DeleteLogStream",
	"DescribeLogStreams", "PutLogEvents", "GetLogEvents", "FilterLogEvents", "PutRetentionPolicy",
	"DeleteRetentionPolicy", "TagResource", "UntagResource", "ListTagsForResource", "TagLogGroup",
	"UntagLogGroup", "ListTagsLogGroup",
}

// FuzzHandler sends arbitrary bodies to every operation: the answer must
// never be a 5xx and must always be AWS-shaped JSON.
func FuzzHandler(f *testing.F) {
	for _, s := range []string{
		`{"logGroupName":"g","logStreamName":"s","logEvents":[{"timestamp":1,"message":"x"}]}`,
		`{"logGroupName":"g","logStreamName":"s","nextToken":"f/0000000000000000000000000000000000000000/s"}`,
		`{"logGroupName":"g","filterPattern":"\"a b\" c","nextToken":"MDA","limit":0}`,
		`{"logGroupIdentifier":"arn:aws:logs:us-east-1:123456789012:log-group:g:*","orderBy":"LastEventTime","descending":true}`,
		`{"resourceArn":"arn:aws:logs:us-east-1:123456789012:log-group:g","tags":{"k":"v"},"tagKeys":["k"]}`,
		`{"logGroupName":"g","retentionInDays":1,"startTime":-1,"endTime":0}`,
		`[]`, `null`, ``, `{"logGroupName":null}`,
	} {
		for i := range fuzzOps {
			f.Add(uint8(i), []byte(s))
		}
	}
	fuzzOperations(f, fuzzOps, "a b c")
}

// fuzzOperations runs a fuzz target that sends a body to one of ops (chosen by
// the op byte) on a handler holding group g with stream s and one event of
// message: the answer must never be a 5xx and errors must be AWS-shaped JSON.
func fuzzOperations(f *testing.F, ops []string, message string) {
	st, err := store.Open("", store.Options{InMemory: true, SweepInterval: -1})
	if err != nil {
		f.Fatal(err)
	}
	f.Cleanup(func() { st.Close() })
	ctx := context.Background()
	st.CreateGroup(ctx, "us-east-1", store.Group{Name: "g"})
	st.CreateStream(ctx, "us-east-1", "g", "s")
	st.PutEvents(ctx, "us-east-1", "g", "s", []store.Event{{Timestamp: 1, Message: []byte(message)}})
	h := awsapi.NewRouter(awsapi.Options{}, logsapi.New(st, logsapi.Options{}))
	f.Fuzz(func(t *testing.T, op uint8, body []byte) {
		name := ops[int(op)%len(ops)]
		if slices.Contains([]string{"DeleteLogGroup", "DeleteLogStream"}, name) {
			name = "Describe" + name[len("Delete"):] + "s" // keep the fixture in place
		}
		req := httptest.NewRequest(http.MethodPost, "/", bytes.NewReader(body))
		req.Header.Set("X-Amz-Target", "Logs_20140328."+name)
		w := httptest.NewRecorder()
		h.ServeHTTP(w, req)
		if w.Code >= 500 {
			t.Fatalf("%s %q: status %d %s", name, body, w.Code, w.Body.Bytes())
		}
		if w.Code != 200 && !bytes.HasPrefix(w.Body.Bytes(), []byte(`{"__type":"`)) {
			t.Fatalf("%s %q: error body %s", name, body, w.Body.Bytes())
		}
	})
}
