package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/lambdalog/lambdalog/cmd/lambdalog/internal/lambdaemu"
	"github.com/lambdalog/lambdalog/cmd/lambdalog/internal/logsapi"
)

func devCommand() command {
	return command{
		name:    "dev",
		summary: "run Lambda functions locally with Lambda's logs, the Invoke API and an API Gateway front",
		run:     runDev,
	}
}

// listFlag collects a repeatable flag.
type listFlag []string

func (l *listFlag) String() string     { return strings.Join(*l, ",") }
func (l *listFlag) Set(v string) error { *l = append(*l, v); return nil }

func runDev(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("dev", "dev [--template FILE | --function NAME=PATH ...] [--addr host:port] [--api-addr host:port] [--data DIR | --memory]", stderr)
	template := fs.String("template", "", "AWS SAM template (default ./template.yaml when present)")
	var fnFlags, envFlags, routeFlags listFlag
	fs.Var(&fnFlags, "function", "NAME=PATH: run a Go package directory or an executable as function NAME (repeatable)")
	fs.Var(&envFlags, "env", "KEY=VALUE environment variable for --function functions (repeatable)")
	fs.Var(&routeFlags, "route", "'METHOD /path' API Gateway (REST) route for the single --function (repeatable)")
	memSize := fs.Int("memory-size", 128, "memory size in MB of --function functions")
	timeout := fs.Int("timeout", 3, "timeout in seconds of --function functions")
	logFormat := fs.String("log-format", "Text", "log format of --function functions: Text or JSON")
	logLevel := fs.String("log-level", "", "application log level of --function functions under JSON format")
	logGroup := fs.String("log-group", "", "log group of the single --function (default /aws/lambda/NAME)")
	addr := fs.String("addr", defaultAddr, "CloudWatch Logs and Lambda Invoke API address (loopback only)")
	apiAddr := fs.String("api-addr", "127.0.0.1:3000", "API Gateway front address (loopback only)")
	data := fs.String("data", "", "data directory (default $XDG_DATA_HOME/lambdalog or ~/.local/share/lambdalog)")
	memory := fs.Bool("memory", false, "keep logs in memory only")
	region := fs.String("region", "us-east-1", "AWS region of the functions and their log groups")
	account := fs.String("account-id", "123456789012", "AWS account id used in ARNs")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	for _, a := range []string{*addr, *apiAddr} {
		if !isLoopback(a) {
			return fmt.Errorf("dev: %s is not a loopback address; dev serves unauthenticated APIs and only binds 127.0.0.1 or localhost", a)
		}
	}
	buildDir, err := os.MkdirTemp("", "lambdalog-dev-")
	if err != nil {
		return fmt.Errorf("dev: %w", err)
	}
	defer os.RemoveAll(buildDir)

	var fns []lambdaemu.Function
	switch {
	case *template != "" && len(fnFlags) > 0:
		return errors.New("dev: pass --template or --function, not both")
	case len(fnFlags) > 0:
		fns, err = flagFunctions(ctx, buildDir, fnFlags, envFlags, routeFlags, *memSize, *timeout, *logFormat, *logLevel, *logGroup)
	default:
		fns, err = templateFunctions(ctx, buildDir, *template, stdout)
	}
	if err != nil {
		return fmt.Errorf("dev: %w", err)
	}

	logger := slog.New(slog.NewTextHandler(stderr, nil))
	b, err := openBackend(*data, *memory, logsapi.Options{AccountID: *account, Logger: logger})
	if err != nil {
		return fmt.Errorf("dev: %w", err)
	}
	defer b.Close()
	emu, err := lambdaemu.New(lambdaemu.Options{
		Region: *region, AccountID: *account, Sink: lambdaemu.StoreSink(b.logs, *region), Echo: stdout, Logger: logger,
	})
	if err != nil {
		return fmt.Errorf("dev: %w", err)
	}
	defer emu.Close()
	for _, fn := range fns {
		if err := emu.AddFunction(fn); err != nil {
			return fmt.Errorf("dev: %w", err)
		}
	}

	invoke := emu.InvokeAPI()
	mux := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasPrefix(r.URL.Path, "/2015-03-31/functions/") {
			invoke.ServeHTTP(w, r)
			return
		}
		b.api.ServeHTTP(w, r)
	})
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return fmt.Errorf("dev: %w", err)
	}
	apiLn, err := net.Listen("tcp", *apiAddr)
	if err != nil {
		ln.Close()
		return fmt.Errorf("dev: %w", err)
	}
	errLog := slog.NewLogLogger(logger.Handler(), slog.LevelWarn)
	srvs := []*http.Server{
		{Handler: mux, ReadHeaderTimeout: 10 * time.Second, ErrorLog: errLog},
		{Handler: emu.APIGateway(), ReadHeaderTimeout: 10 * time.Second, ErrorLog: errLog},
	}
	errc := make(chan error, 2)
	go func() { errc <- srvs[0].Serve(ln) }()
	go func() { errc <- srvs[1].Serve(apiLn) }()

	// Each address ends its line, so scripts can take the last field.
	fmt.Fprintf(stdout, "lambdalog: region %s, account %s\n", *region, *account)
	fmt.Fprintf(stdout, "lambdalog: CloudWatch Logs, CloudWatch metrics and Lambda Invoke APIs on http://%s\n", ln.Addr())
	fmt.Fprintf(stdout, "lambdalog: API Gateway on http://%s\n", apiLn.Addr())
	fmt.Fprintf(stdout, "lambdalog: store %s\n", b.location)
	for _, fn := range emu.Functions() {
		fmt.Fprintf(stdout, "lambdalog: function %s (%d MB, %s, logs in %s)\n", fn.Name, fn.MemoryMB, fn.Timeout, fn.LogGroup)
		for _, r := range fn.Routes {
			fmt.Fprintf(stdout, "lambdalog:   %s %s http://%s%s\n", r.Kind, r.Method, apiLn.Addr(), r.Path)
		}
	}
	fmt.Fprintln(stdout, "lambdalog: ready; press Ctrl-C to stop")
	select {
	case err := <-errc:
		return fmt.Errorf("dev: %w", err)
	case <-ctx.Done():
	}
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	for _, s := range srvs {
		_ = s.Shutdown(shutdownCtx)
	}
	fmt.Fprintln(stdout, "lambdalog: stopped")
	return nil
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
			fn := lambdaemu.Function{Name: "hello", Handler: "bootstrap", Routes: []lambdaemu.Route{
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
func flagFunctions(ctx context.Context, buildDir string, specs, env, routes []string, memMB, timeoutS int, format, level, group string) ([]lambdaemu.Function, error) {
	if (group != "" || len(routes) > 0) && len(specs) > 1 {
		return nil, errors.New("--log-group and --route apply to a single --function")
	}
	vars := map[string]string{}
	for _, kv := range env {
		k, v, ok := strings.Cut(kv, "=")
		if !ok || k == "" {
			return nil, fmt.Errorf("--env %q: want KEY=VALUE", kv)
		}
		vars[k] = v
	}
	var rs []lambdaemu.Route
	for _, r := range routes {
		method, path, ok := strings.Cut(strings.TrimSpace(r), " ")
		if !ok {
			return nil, fmt.Errorf("--route %q: want 'METHOD /path'", r)
		}
		rs = append(rs, lambdaemu.Route{Kind: "Api", Method: strings.ToUpper(method), Path: strings.TrimSpace(path)})
	}
	var tfs []lambdaemu.TemplateFunction
	for _, spec := range specs {
		name, path, ok := strings.Cut(spec, "=")
		if !ok || name == "" || path == "" {
			return nil, fmt.Errorf("--function %q: want NAME=PATH", spec)
		}
		abs, err := filepath.Abs(path)
		if err != nil {
			return nil, err
		}
		fn := lambdaemu.Function{
			Name: name, Handler: "bootstrap", MemoryMB: memMB, Timeout: time.Duration(timeoutS) * time.Second,
			Env: vars, LogFormat: format, ApplicationLogLevel: level, LogGroup: group, Routes: rs,
		}
		if st, err := os.Stat(abs); err == nil && st.Mode().IsRegular() {
			fn.Command, fn.Dir = []string{abs}, filepath.Dir(abs)
			tfs = append(tfs, lambdaemu.TemplateFunction{Function: fn})
			continue
		}
		tfs = append(tfs, lambdaemu.TemplateFunction{Function: fn, CodeDir: abs})
	}
	var fns []lambdaemu.Function
	for _, tf := range tfs {
		if tf.CodeDir == "" {
			fns = append(fns, tf.Function)
			continue
		}
		built, err := buildAll(ctx, buildDir, []lambdaemu.TemplateFunction{tf})
		if err != nil {
			return nil, err
		}
		fns = append(fns, built...)
	}
	return fns, nil
}
