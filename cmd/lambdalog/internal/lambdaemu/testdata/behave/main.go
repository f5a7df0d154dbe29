// Command behave is a Lambda function whose event says how to misbehave:
// print lines, sleep past its timeout, crash, allocate past its memory
// size, fail, answer a given response, or report its environment. With
// BEHAVE_ECHO set it answers every event with an API Gateway proxy
// response whose body is the event; with BEHAVE_PRINT_EVENT set it prints
// every event ("event: {...}"). The lambdaemu and dev tests run it.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-lambda-go/lambdacontext"
)

type event struct {
	Print   []string `json:"print"`
	SleepMS int      `json:"sleep_ms"`
	Exit    *int     `json:"exit"`
	AllocMB int      `json:"alloc_mb"`
	Fail    string   `json:"fail"`
	Panic   string   `json:"panic"`
	// PrintClientContext prints the client context's custom map as JSON.
	PrintClientContext bool `json:"print_client_context"`
	// Respond is returned as the response, as it is.
	Respond json.RawMessage `json:"respond"`
	// Body is set by API Gateway events; its JSON says what to do.
	Body string `json:"body"`
}

type response struct {
	RequestID   string            `json:"request_id"`
	FunctionARN string            `json:"function_arn"`
	Deadline    int64             `json:"deadline_ms"`
	TraceID     string            `json:"trace_id"`
	Custom      map[string]string `json:"client_context_custom"`
	Env         map[string]string `json:"env"`
}

var keep [][]byte

func handle(ctx context.Context, ev event) (any, error) {
	if ev.Body != "" {
		_ = json.Unmarshal([]byte(ev.Body), &ev)
	}
	if ev.Respond != nil {
		return ev.Respond, nil
	}
	for _, l := range ev.Print {
		fmt.Println(l)
	}
	lc, _ := lambdacontext.FromContext(ctx)
	if ev.PrintClientContext {
		custom, _ := json.Marshal(lc.ClientContext.Custom)
		fmt.Printf("client context custom: %s\n", custom)
	}
	if ev.SleepMS > 0 {
		time.Sleep(time.Duration(ev.SleepMS) * time.Millisecond)
	}
	if ev.Exit != nil {
		os.Exit(*ev.Exit)
	}
	for range ev.AllocMB {
		b := make([]byte, 1<<20)
		for i := range b {
			b[i] = 1
		}
		keep = append(keep, b)
		time.Sleep(time.Millisecond)
	}
	if ev.Fail != "" {
		return nil, errors.New(ev.Fail)
	}
	if ev.Panic != "" {
		panic(ev.Panic)
	}
	dl, _ := ctx.Deadline()
	env := map[string]string{}
	for _, kv := range os.Environ() {
		k, v, _ := strings.Cut(kv, "=")
		env[k] = v
	}
	trace, _ := ctx.Value("x-amzn-trace-id").(string)
	return &response{RequestID: lc.AwsRequestID, FunctionARN: lc.InvokedFunctionArn, Deadline: dl.UnixMilli(),
		TraceID: trace, Custom: lc.ClientContext.Custom, Env: env}, nil
}

func echo(ev json.RawMessage) (map[string]any, error) {
	return map[string]any{"statusCode": 200, "body": string(ev)}, nil
}

// printEvent prints the event it is given on one line.
func printEvent(ev json.RawMessage) (string, error) {
	fmt.Printf("event: %s\n", ev)
	return "ok", nil
}

func main() {
	fmt.Println("behave: init")
	if os.Getenv("BEHAVE_ECHO") != "" {
		lambda.Start(echo)
	}
	if os.Getenv("BEHAVE_PRINT_EVENT") != "" {
		lambda.Start(printEvent)
	}
	lambda.Start(handle)
}
