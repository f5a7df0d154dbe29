// Command subscriber is a Lambda function that a CloudWatch Logs
// subscription filter delivers to, for the subscription tests of
// `lambdalog dev`. It decodes each delivery with aws-lambda-go, as a
// log-processing function does, and appends what it received, one JSON line
// per invocation, to $SUBSCRIBER_DIR/received.jsonl. A delivery holding an
// event whose message contains "fail-once" fails the first time it is
// received (the file $SUBSCRIBER_DIR/failed-<event id> records it), so that
// the test sees it delivered again.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-lambda-go/lambdacontext"
)

// received is one line of received.jsonl.
type received struct {
	RequestID string                    `json:"requestId"`
	Event     json.RawMessage           `json:"event"` // the invocation's event, as sent
	Data      events.CloudwatchLogsData `json:"data"`  // its awslogs.data, as aws-lambda-go decodes it
}

func handle(ctx context.Context, raw json.RawMessage) error {
	var ev events.CloudwatchLogsEvent
	if err := json.Unmarshal(raw, &ev); err != nil {
		return err
	}
	data, err := ev.AWSLogs.Parse()
	if err != nil {
		return err
	}
	dir := os.Getenv("SUBSCRIBER_DIR")
	lc, _ := lambdacontext.FromContext(ctx)
	line, err := json.Marshal(received{RequestID: lc.AwsRequestID, Event: raw, Data: data})
	if err != nil {
		return err
	}
	f, err := os.OpenFile(filepath.Join(dir, "received.jsonl"), os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644)
	if err != nil {
		return err
	}
	_, err = f.Write(append(line, '\n'))
	if err := errors.Join(err, f.Close()); err != nil {
		return err
	}
	for _, e := range data.LogEvents {
		if !strings.Contains(e.Message, "fail-once") {
			continue
		}
		marker := filepath.Join(dir, "failed-"+e.ID)
		if _, err := os.Stat(marker); errors.Is(err, os.ErrNotExist) {
			if err := os.WriteFile(marker, nil, 0o644); err != nil {
				return err
			}
			return errors.New("failing once for event " + e.ID)
		}
	}
	return nil
}

func main() { lambda.Start(handle) }
