package main

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"os"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	lambdatypes "github.com/aws/aws-sdk-go-v2/service/lambda/types"
)

func invokeCommand() command {
	return command{
		name:    "invoke",
		summary: "invoke a function of a running dev and print its response",
		run:     runInvoke,
	}
}

// runInvoke invokes a function through the Lambda Invoke API (RequestResponse)
// and prints the response payload on stdout; with --log-type Tail the end of
// the invocation's log on stderr. A function error is printed and makes
// the command fail.
func runInvoke(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("invoke", "invoke FUNCTION [--event FILE|-] [--log-type Tail] [--endpoint URL | --aws] [--region REGION]", stderr)
	var t target
	t.register(fs)
	fs.Lookup("endpoint").Usage = "`URL` of lambdalog dev's Invoke API or another Lambda endpoint (default http://" + defaultAddr + ", or AWS's with --aws)"
	event := fs.String("event", "", "`file` holding the event (JSON), or - for standard input (default {})")
	logType := fs.String("log-type", "None", "`Tail` prints the end of the invocation's log (its last 4 KB) on standard error")
	name, err := parseInvokeArgs(fs, args)
	if err != nil {
		return err
	}
	if *logType != "None" && *logType != "Tail" {
		fmt.Fprintf(stderr, "lambdalog invoke: --log-type %q: want Tail or None\n", *logType)
		return errUsage
	}
	payload, err := readEvent(*event)
	if err != nil {
		return fmt.Errorf("invoke: %w", err)
	}
	cfg, err := t.config(ctx)
	if err != nil {
		return fmt.Errorf("invoke: %w", err)
	}
	out, err := lambda.NewFromConfig(cfg).Invoke(ctx, &lambda.InvokeInput{
		FunctionName: aws.String(name), Payload: payload, LogType: lambdatypes.LogType(*logType),
	})
	if oe := (*net.OpError)(nil); errors.As(err, &oe) && oe.Op == "dial" && !t.useAWS {
		return fmt.Errorf("invoke %s: nothing answers at %s; is lambdalog dev running (or pass --endpoint)? %w", name, t.where(cfg), err)
	}
	if err != nil {
		return fmt.Errorf("invoke %s at %s: %w", name, t.where(cfg), err)
	}
	if out.LogResult != nil {
		if log, err := base64.StdEncoding.DecodeString(*out.LogResult); err == nil {
			_, _ = stderr.Write(log)
		}
	}
	_, _ = stdout.Write(out.Payload)
	if n := len(out.Payload); n > 0 && out.Payload[n-1] != '\n' {
		fmt.Fprintln(stdout)
	}
	if out.FunctionError != nil {
		return fmt.Errorf("invoke: function %s failed (%s): %s", name, *out.FunctionError, errorSummary(out.Payload))
	}
	return nil
}

// parseInvokeArgs parses the flags, before and after the one argument, the
// function's name (or ARN).
func parseInvokeArgs(fs *flag.FlagSet, args []string) (string, error) {
	name := ""
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				return "", err
			}
			return "", errUsage
		}
		if fs.NArg() == 0 {
			break
		}
		if name != "" {
			fmt.Fprintf(fs.Output(), "lambdalog invoke: unexpected argument %q\n", fs.Arg(0))
			fs.Usage()
			return "", errUsage
		}
		name, args = fs.Arg(0), fs.Args()[1:]
	}
	if name == "" {
		fmt.Fprintln(fs.Output(), "lambdalog invoke: name the FUNCTION to invoke")
		fs.Usage()
		return "", errUsage
	}
	return name, nil
}

// readEvent reads the event from a file, or standard input for "-"; {}
// without one.
func readEvent(path string) ([]byte, error) {
	var b []byte
	var err error
	switch path {
	case "":
		return []byte("{}"), nil
	case "-":
		path = "standard input"
		b, err = io.ReadAll(os.Stdin)
	default:
		b, err = os.ReadFile(path)
	}
	if err != nil {
		return nil, fmt.Errorf("read the event: %w", err)
	}
	if !json.Valid(b) {
		return nil, fmt.Errorf("the event in %s is not JSON", path)
	}
	return b, nil
}

// errorSummary renders a Lambda error document ("errorType: errorMessage"),
// or returns the payload as it is.
func errorSummary(payload []byte) string {
	var doc struct{ ErrorType, ErrorMessage string }
	if json.Unmarshal(payload, &doc) != nil || doc.ErrorType+doc.ErrorMessage == "" {
		return string(payload)
	}
	if doc.ErrorType == "" {
		return doc.ErrorMessage
	}
	return doc.ErrorType + ": " + doc.ErrorMessage
}
