package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"time"

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
}

func runDev(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("dev", "dev [--template FILE | --function NAME=PATH ...] [--addr host:port] [--api-addr host:port] [--xray-addr host:port] [--data DIR | --memory] [--ready-file FILE]", stderr)
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
	fns, err := f.buildFunctions(ctx, buildDir, stdout)
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
		Traces: srv.Traces, XRayDaemonAddr: xd.Addr,
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
		for _, fn := range emu.Functions() {
			fmt.Fprintf(stdout, "lambdalog: function %s (%d MB, %s, logs in %s)\n", fn.Name, fn.MemoryMB, fn.Timeout, fn.LogGroup)
			for _, r := range fn.Routes {
				fmt.Fprintf(stdout, "lambdalog:   %s %s %s%s\n", r.Kind, r.Method, urls["apiGateway"], r.Path)
			}
		}
		if err := f.ready(urls); err != nil {
			return err
		}
		fmt.Fprintln(stdout, "lambdalog: ready; press Ctrl-C to stop")
		return nil
	})
	subs.Close() // before emu: it waits for the deliveries in progress
	if err := errors.Join(err, emu.Close(), srv.Close()); err != nil {
		return err
	}
	fmt.Fprintln(stdout, "lambdalog: stopped")
	return nil
}

// buildFunctions builds the functions of --function flags or of the template.
func (f *devFlags) buildFunctions(ctx context.Context, buildDir string, stdout io.Writer) ([]lambdaemu.Function, error) {
	switch {
	case f.template != "" && len(f.functions) > 0:
		return nil, errors.New("pass --template or --function, not both")
	case len(f.functions) > 0:
		return f.flagFunctions(ctx, buildDir)
	default:
		return templateFunctions(ctx, buildDir, f.template, stdout)
	}
}

// templateFunctions loads and builds a SAM template's functions. With no
// template given it uses ./template.yaml, else examples/hello when run
// from the lambdalog repository.
func templateFunctions(ctx context.Context, buildDir, path string, stdout io.Writer) ([]lambdaemu.Function, error) {
	if path == "" {
		if _, err := os.Stat("template.yaml"); err == nil {
			path = "template.yaml"
		} else if _, err := os.Stat(filepath.Join("examples", "hello", "main.go")); err == nil {
			fmt.Fprintln(stdout, "lambdalog: no template.yaml; running examples/hello as function hello")
			fn := lambdaemu.Function{Name: "hello", Handler: "bootstrap", Tracing: true, Routes: []lambdaemu.Route{
				{Kind: "Api", Method: "GET", Path: "/hello"}, {Kind: "Api", Method: "GET", Path: "/hello/{name}"},
			}, Env: map[string]string{"POWERTOOLS_SERVICE_NAME": "hello", "POWERTOOLS_METRICS_NAMESPACE": "hello"}}
			dir, _ := filepath.Abs(filepath.Join("examples", "hello"))
			return buildAll(ctx, buildDir, []lambdaemu.TemplateFunction{{Function: fn, CodeDir: dir}})
		} else {
			return nil, errors.New("no functions: pass --template FILE or --function NAME=PATH (no template.yaml here)")
		}
	}
	tfs, err := lambdaemu.LoadTemplate(path)
	if err != nil {
		return nil, err
	}
	return buildAll(ctx, buildDir, tfs)
}

func buildAll(ctx context.Context, buildDir string, tfs []lambdaemu.TemplateFunction) ([]lambdaemu.Function, error) {
	fns := make([]lambdaemu.Function, 0, len(tfs))
	for _, tf := range tfs {
		cmd, err := lambdaemu.Build(ctx, tf.CodeDir, filepath.Join(buildDir, tf.Name, "bootstrap"))
		if err != nil {
			return nil, fmt.Errorf("function %s: %w", tf.Name, err)
		}
		fn := tf.Function
		fn.Command, fn.Dir = cmd, tf.CodeDir // the code directory is LAMBDA_TASK_ROOT
		fns = append(fns, fn)
	}
	return fns, nil
}

// flagFunctions builds the functions given by --function flags.
func (f *devFlags) flagFunctions(ctx context.Context, buildDir string) ([]lambdaemu.Function, error) {
	if (f.logGroup != "" || len(f.routes) > 0) && len(f.functions) > 1 {
		return nil, errors.New("--log-group and --route apply to a single --function")
	}
	vars := map[string]string{}
	for _, kv := range f.env {
		k, v, ok := strings.Cut(kv, "=")
		if !ok || k == "" {
			return nil, fmt.Errorf("--env %q: want KEY=VALUE", kv)
		}
		vars[k] = v
	}
	var rs []lambdaemu.Route
	for _, r := range f.routes {
		method, path, ok := strings.Cut(strings.TrimSpace(r), " ")
		if !ok {
			return nil, fmt.Errorf("--route %q: want 'METHOD /path'", r)
		}
		rs = append(rs, lambdaemu.Route{Kind: "Api", Method: strings.ToUpper(method), Path: strings.TrimSpace(path)})
	}
	var fns []lambdaemu.Function
	for _, spec := range f.functions {
		name, path, ok := strings.Cut(spec, "=")
		if !ok || name == "" || path == "" {
			return nil, fmt.Errorf("--function %q: want NAME=PATH", spec)
		}
		abs, err := filepath.Abs(path)
		if err != nil {
			return nil, err
		}
		fn := lambdaemu.Function{
			Name: name, Handler: "bootstrap", Tracing: true, MemoryMB: f.memorySize, Timeout: time.Duration(f.timeout) * time.Second,
			Env: vars, LogFormat: f.logFormat, ApplicationLogLevel: f.logLevel, LogGroup: f.logGroup, Routes: rs,
		}
		if st, err := os.Stat(abs); err == nil && st.Mode().IsRegular() {
			fn.Command, fn.Dir = []string{abs}, filepath.Dir(abs)
			fns = append(fns, fn)
			continue
		}
		built, err := buildAll(ctx, buildDir, []lambdaemu.TemplateFunction{{Function: fn, CodeDir: abs}})
		if err != nil {
			return nil, err
		}
		fns = append(fns, built...)
	}
	return fns, nil
}
