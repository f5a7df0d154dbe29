package logsapi_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	cwl "github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/smithy-go"

	"github.com/lambdalog/lambdalog/cmd/lambdalog/internal/logsapi"
	"github.com/lambdalog/lambdalog/cmd/lambdalog/internal/store"
	"github.com/lambdalog/lambdalog/internal/testserver"
)

// rawCall posts body with the given target and returns status, error
// type header and decoded body.
func rawCall(t *testing.T, url, target, body string) (int, http.Header, map[string]any) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, url+"/", strings.NewReader(body))
	req.Header.Set("Content-Type", "application/x-amz-json-1.1")
	if target != "" {
		req.Header.Set("X-Amz-Target", target)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	var m map[string]any
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatalf("response is not JSON: %q", raw)
	}
	return resp.StatusCode, resp.Header, m
}

func TestErrorShapes(t *testing.T) {
	e := newEnv(t, envConfig{})
	cases := []struct {
		name, target, body string
		status             int
		shape              string
	}{
		{"unknown operation", "Logs_20140328.DoesNotExist", "{}", 400, "UnknownOperationException"},
		{"missing target", "", "{}", 400, "UnknownOperationException"},
		{"not JSON", "Logs_20140328.CreateLogGroup", "logGroupName=x", 400, "SerializationException"},
		{"wrong type", "Logs_20140328.CreateLogGroup", `{"logGroupName":5}`, 400, "SerializationException"},
		{"put wrong type", "Logs_20140328.PutLogEvents", `{"logGroupName":"g","logStreamName":"s","logEvents":[{"timestamp":"now","message":"x"}]}`, 400, "SerializationException"},
		{"put truncated", "Logs_20140328.PutLogEvents", `{"logGroupName":"g","logEvents":[`, 400, "SerializationException"},
		{"missing field", "Logs_20140328.CreateLogGroup", `{}`, 400, "InvalidParameterException"},
		{"put missing fields", "Logs_20140328.PutLogEvents", `{}`, 400, "InvalidParameterException"},
		{"oversized body", "Logs_20140328.PutLogEvents", `{"x":"` + strings.Repeat("a", logsapi.DefaultMaxBodyBytes) + `"}`, 400, "InvalidParameterException"},
		{"not found", "Logs_20140328.DeleteLogGroup", `{"logGroupName":"nope"}`, 400, "ResourceNotFoundException"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			status, h, body := rawCall(t, e.url, tc.target, tc.body)
			if status != tc.status || body["__type"] != tc.shape || h.Get("X-Amzn-ErrorType") != tc.shape {
				t.Errorf("got %d %v (header %q), want %d %s", status, body, h.Get("X-Amzn-ErrorType"), tc.status, tc.shape)
			}
			if msg, _ := body["message"].(string); msg == "" || len(body) != 2 {
				t.Errorf("body %v: want exactly __type and message", body)
			}
			if len(h.Get("x-amzn-RequestId")) != 36 {
				t.Errorf("x-amzn-RequestId = %q", h.Get("x-amzn-RequestId"))
			}
		})
	}
	resp, err := http.Get(e.url + "/")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 400 || resp.Header.Get("X-Amzn-ErrorType") != "UnknownOperationException" {
		t.Errorf("GET /: %d %s", resp.StatusCode, resp.Header.Get("X-Amzn-ErrorType"))
	}
}

func TestSigV4Verification(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t, envConfig{keyID: "AKIDLAMBDALOG", secret: "s3cr3t"})
	if _, err := e.client.CreateLogGroup(ctx, &cwl.CreateLogGroupInput{LogGroupName: aws.String("g")}); err != nil {
		t.Fatalf("correctly signed request: %v", err)
	}
	if _, err := e.newClient("AKIDLAMBDALOG", "s3cr3t", "eu-central-1").DescribeLogGroups(ctx, &cwl.DescribeLogGroupsInput{}); err != nil {
		t.Fatalf("other region: %v", err)
	}
	code := func(err error) string {
		var ae smithy.APIError
		if !errors.As(err, &ae) {
			return "no API error: " + errString(err)
		}
		return ae.ErrorCode()
	}
	_, err := e.newClient("AKIDLAMBDALOG", "wrong", "").DescribeLogGroups(ctx, &cwl.DescribeLogGroupsInput{})
	if code(err) != "InvalidSignatureException" {
		t.Errorf("wrong secret: %v", err)
	}
	_, err = e.newClient("AKIDOTHER", "s3cr3t", "").DescribeLogGroups(ctx, &cwl.DescribeLogGroupsInput{})
	if code(err) != "UnrecognizedClientException" {
		t.Errorf("unknown key: %v", err)
	}
	anon := cwl.New(cwl.Options{Region: "us-east-1", BaseEndpoint: aws.String(e.url), Credentials: aws.AnonymousCredentials{}, RetryMaxAttempts: 1, HTTPClient: testserver.HTTPClient(nil)})
	_, err = anon.DescribeLogGroups(ctx, &cwl.DescribeLogGroupsInput{})
	if code(err) != "UnrecognizedClientException" {
		t.Errorf("unsigned: %v", err)
	}
	var re interface{ HTTPStatusCode() int }
	if !errors.As(err, &re) || re.HTTPStatusCode() != 403 {
		t.Errorf("unsigned status: %v", err)
	}
	status, _, body := rawCall(t, e.url, "Logs_20140328.DescribeLogGroups", "{}")
	if status != 403 || body["__type"] != "UnrecognizedClientException" {
		t.Errorf("raw unsigned: %d %v", status, body)
	}
}

func errString(err error) string {
	if err == nil {
		return "<nil>"
	}
	return err.Error()
}

func TestDurableAcrossReopen(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	func() {
		e := newEnv(t, envConfig{dir: dir, realClock: true})
		mustCreateGroup(t, e.client, "g")
		mustCreateStream(t, e.client, "g", "s")
		putEvents(t, e.client, "g", "s", e.clock.Now().UnixMilli(), "one", "two")
		// Close explicitly so the next Open sees a released lock; Cleanup's Close is a no-op.
		if err := e.store.Close(); err != nil {
			t.Fatal(err)
		}
	}()
	st, err := store.Open(dir, store.Options{SweepInterval: -1})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	it, err := st.Events(ctx, "us-east-1", "g", "s", store.Range{})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for it.Next() {
		got = append(got, string(it.Event().Message))
	}
	if err := it.Close(); err != nil {
		t.Fatal(err)
	}
	if strings.Join(got, ",") != "one,two" {
		t.Fatalf("after reopen: %q", got)
	}
}
