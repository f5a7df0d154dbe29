package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"

	"github.com/lambdalog/lambdalog/cmd/lambdalog/internal/console"
	"github.com/lambdalog/lambdalog/cmd/lambdalog/internal/lambdaemu"
	"github.com/lambdalog/lambdalog/cmd/lambdalog/internal/server"
	"github.com/lambdalog/lambdalog/cmd/lambdalog/internal/subscriptions"
)

func devCommand() command {
	return command{
		name:    "dev",
		summary: "run Lambda functions locally, with Lambda's logs and traces, the Invoke API and an API Gateway front",
		run:     runDev,
	}
}

// listFlag collects a repeatable flag.
type listFlag []string

func (l *listFlag) String() string     { return strings.Join(*l, ",") }
func (l *listFlag) Set(v string) error { *l = append(*l, v); return nil }

// devFlags are dev's flags.
type devFlags struct {
	serverFlags
	template, apiAddr, region string
	// The functions named by --function, and what applies to them.
	functions, env, routes listFlag
	memorySize, timeout    int
	logFormat, logLevel    string
	logGroup               string
	watch                  bool
}

func (f *devFlags) register(fs *flag.FlagSet) {
	f.serverFlags.register(fs, "`host:port` of the CloudWatch Logs, CloudWatch metrics, X-Ray and Lambda Invoke APIs (loopback only)")
	fs.StringVar(&f.template, "template", "", "AWS SAM template `file` (default ./template.yaml when present)")
	fs.Var(&f.functions, "function", "`NAME=PATH`: run a Go package directory or an executable as function NAME (repeatable)")
	fs.Var(&f.env, "env", "`KEY=VALUE` environment variable for --function functions (repeatable)")
	fs.Var(&f.routes, "route", "`'METHOD /path'` API Gateway (REST) route for the single --function (repeatable)")
	fs.IntVar(&f.memorySize, "memory-size", 128, "memory size in MB of --function functions")
	fs.IntVar(&f.timeout, "timeout", 3, "timeout in seconds of --function functions")
	fs.StringVar(&f.logFormat, "log-format", "Text", "log format of --function functions: Text or JSON")
	fs.StringVar(&f.logLevel, "log-level", "", "application log level of --function functions under JSON format")
	fs.StringVar(&f.logGroup, "log-group", "", "log `group` of the single --function (default /aws/lambda/NAME)")
	fs.StringVar(&f.apiAddr, "api-addr", "127.0.0.1:3000", "`host:port` of the API Gateway front (loopback only)")
	fs.StringVar(&f.region, "region", "us-east-1", "AWS region of the functions and their log groups")
	fs.BoolVar(&f.watch, "watch", false, "rebuild and restart a function when its source changes, and reload the template when it changes")
}

func runDev(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("dev", "dev [--template FILE | --function NAME=PATH ...] [--watch] [--addr host:port] [--api-addr host:port] [--xray-addr host:port] [--data DIR | --memory] [--ready-file FILE]", stderr)
	var f devFlags
	f.register(fs)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if err := f.run(ctx, stdout, stderr); err != nil {
		return fmt.Errorf("dev: %w", err)
	}
	return nil
}

// run builds the functions, opens the server, and serves until ctx ends.
func (f *devFlags) run(ctx context.Context, stdout, stderr io.Writer) error {
	for _, a := range []string{f.addr, f.apiAddr, f.xray.addr} {
		if !isLoopback(a) {
			return fmt.Errorf("%s is not a loopback address; dev serves unauthenticated APIs and only binds 127.0.0.1 or localhost", a)
		}
	}
	buildDir, err := os.MkdirTemp("", "lambdalog-dev-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(buildDir)
	p := &project{flags: f, buildDir: buildDir, stdout: stdout, stderr: stderr}
	fns, err := p.load(ctx)
	if err != nil {
		return err
	}

	logger := slog.New(slog.NewTextHandler(stderr, nil))
	srv, err := f.open(logger, nil, f.region, stderr)
	if err != nil {
		return err
	}
	defer srv.Close()
	xd, err := srv.ListenXRay(f.xray.addr, "--xray-addr", !f.xray.set)
	if err != nil {
		return err
	}
	defer xd.Close()
	emu, err := lambdaemu.New(lambdaemu.Options{
		Region: f.region, AccountID: f.account, Sink: lambdaemu.StoreSink(srv.Logs, f.region), Echo: stdout, Logger: logger,
		Traces: srv.Traces, XRayDaemonAddr: xd.Addr, Messages: stderr, EchoColor: terminalOf(stdout).color,
	})
	if err != nil {
		return err
	}
	defer emu.Close()
	for _, fn := range fns {
		if err := emu.AddFunction(fn); err != nil {
			return err
		}
	}
	subs := subscriptions.New(srv.Logs, emu, subscriptions.Options{Logger: logger})
	defer subs.Close()
	srv.SetSubscriptions(subs)
	srv.Router.Register(emu.InvokeAPI())
	srv.Console.Register(console.FunctionsPage(emu))
	stopWatching := func() {}
	err = server.Run(ctx, logger, []server.Listener{
		{Name: "api", Addr: f.addr, Flag: "--addr", Handler: srv.Handler()},
		{Name: "apiGateway", Addr: f.apiAddr, Flag: "--api-addr", Handler: emu.APIGateway()},
		xd.Listener,
	}, func(urls map[string]string) error {
		// Functions reach the Invoke, CloudWatch and X-Ray APIs through the
		// SDKs' AWS_ENDPOINT_URL_<SERVICE> variables.
		emu.SetEndpoint(urls["api"])
		// Each address ends its line, so scripts can take the last field.
		fmt.Fprintf(stdout, "lambdalog: region %s, account %s\n", f.region, f.account)
		fmt.Fprintf(stdout, "lambdalog: %s APIs on %s\n", joinAnd(srv.Router.APIs()), urls["api"])
		fmt.Fprintf(stdout, "lambdalog: API Gateway on %s\n", urls["apiGateway"])
		printXRay(stdout, xd)
		fmt.Fprintf(stdout, "lambdalog: console on %s/\n", urls["api"])
		fmt.Fprintf(stdout, "lambdalog: store %s\n", srv.Location)
		p.apiURL = urls["apiGateway"]
		for _, fn := range emu.Functions() {
			p.printFunction(fn)
		}
		if f.watch {
			stopWatching = p.watch(ctx, emu)
		}
		if err := f.ready(urls); err != nil {
			return err
		}
		fmt.Fprintln(stdout, "lambdalog: ready; press Ctrl-C to stop")
		return nil
	})
	stopWatching()
	subs.Close() // before emu: it waits for the deliveries in progress
	if err := errors.Join(err, emu.Close(), srv.Close()); err != nil {
		return err
	}
	fmt.Fprintln(stdout, "lambdalog: stopped")
	return nil
}
