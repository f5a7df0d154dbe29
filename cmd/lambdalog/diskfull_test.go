package main

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	cwl "github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs/types"
	"github.com/aws/smithy-go"

	"github.com/lambdalog/lambdalog/cmd/lambdalog/internal/tmpfs"
	"github.com/lambdalog/lambdalog/internal/testserver"
)

// TestServeOnAFullDisk fills the disk under `lambdalog serve` through the
// API: writes fail fast with a clear ServiceUnavailableException (retried by
// SDKs) once the free-space floor is reached, while reads and DeleteLogGroup
// still answer; deleting the group frees space and writes resume by
// themselves. Every call runs under a hang guard: a hang fails the test.
func TestServeOnAFullDisk(t *testing.T) {
	if testing.Short() {
		t.Skip("writes about 400 MB")
	}
	dir := tmpfs.Mount(t, 512<<20)
	srv := testserver.Serve(t, "--data", dir, "--min-free-disk", "128MiB")
	client := cwl.New(cwl.Options{Region: "us-east-1", BaseEndpoint: aws.String(srv.URL), RetryMaxAttempts: 1,
		HTTPClient: testserver.HTTPClient(nil), Credentials: credentials.NewStaticCredentialsProvider("a", "b", "")})
	guard := func() (context.Context, context.CancelFunc) {
		return context.WithTimeout(context.Background(), time.Minute)
	}
	call := func(what string, f func(ctx context.Context) error) (time.Duration, error) {
		ctx, cancel := guard()
		defer cancel()
		start := time.Now()
		err := f(ctx)
		if errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("%s hung for a minute:\n%s", what, srv.Output())
		}
		return time.Since(start), err
	}
	for _, g := range []string{"big", "kept"} {
		if _, err := call("CreateLogGroup", func(ctx context.Context) error {
			_, err := client.CreateLogGroup(ctx, &cwl.CreateLogGroupInput{LogGroupName: aws.String(g)})
			if err == nil {
				_, err = client.CreateLogStream(ctx, &cwl.CreateLogStreamInput{LogGroupName: aws.String(g), LogStreamName: aws.String("s")})
			}
			return err
		}); err != nil {
			t.Fatal(err)
		}
	}
	batch := func(n int) []types.InputLogEvent { // random text: the store compresses
		evs := make([]types.InputLogEvent, n)
		now := time.Now().UnixMilli()
		raw := make([]byte, 66)
		for i := range evs {
			rand.Read(raw)
			evs[i] = types.InputLogEvent{Timestamp: aws.Int64(now), Message: aws.String(base64.StdEncoding.EncodeToString(raw))}
		}
		return evs
	}
	put := func(group string, n int) error {
		_, err := call("PutLogEvents", func(ctx context.Context) error {
			_, err := client.PutLogEvents(ctx, &cwl.PutLogEventsInput{LogGroupName: aws.String(group), LogStreamName: aws.String("s"), LogEvents: batch(n)})
			return err
		})
		return err
	}
	if err := put("kept", 10); err != nil {
		t.Fatal(err)
	}
	var err error
	var batches int
	for batches = 0; batches < 1000; batches++ {
		if err = put("big", 8000); err != nil {
			break
		}
	}
	var ae smithy.APIError
	if !errors.As(err, &ae) || ae.ErrorCode() != "ServiceUnavailableException" || !strings.Contains(ae.ErrorMessage(), "disk full") {
		t.Fatalf("after %d batches: %v, want ServiceUnavailableException saying the disk is full\n%s", batches, err, srv.Output())
	}
	t.Logf("refused after %d batches of 8000 events: %s", batches, ae.ErrorMessage())

	took, err := call("GetLogEvents", func(ctx context.Context) error {
		out, err := client.GetLogEvents(ctx, &cwl.GetLogEventsInput{LogGroupName: aws.String("kept"), LogStreamName: aws.String("s"), StartFromHead: aws.Bool(true)})
		if err == nil && len(out.Events) != 10 {
			err = errors.New("kept group lost events")
		}
		return err
	})
	if err != nil {
		t.Fatalf("read on a full disk: %v", err)
	}
	t.Logf("GetLogEvents on a full disk answered in %s", took)
	took, err = call("DeleteLogGroup", func(ctx context.Context) error {
		_, err := client.DeleteLogGroup(ctx, &cwl.DeleteLogGroupInput{LogGroupName: aws.String("big")})
		return err
	})
	if err != nil {
		t.Fatalf("DeleteLogGroup on a full disk: %v", err)
	}
	t.Logf("DeleteLogGroup on a full disk answered in %s", took)

	// Writes resume by themselves once the deleted group's space is back.
	deadline := time.Now().Add(time.Minute)
	for {
		err := put("kept", 10)
		if err == nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("writes did not resume within a minute of DeleteLogGroup: %v", err)
		}
		time.Sleep(200 * time.Millisecond)
	}
	if !strings.Contains(srv.Output(), "lambdalog: CloudWatch Logs") || strings.Contains(srv.Output(), "stopping") {
		t.Errorf("server output:\n%s", srv.Output())
	}
}
