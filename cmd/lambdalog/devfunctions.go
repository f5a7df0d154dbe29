package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/lambdalog/lambdalog/cmd/lambdalog/internal/lambdaemu"
)

// project is what dev runs: the functions of the --function flags or of a
// template, built into buildDir, and, with --watch, kept up to date with
// their sources and the template.
type project struct {
	flags          *devFlags
	buildDir       string
	stdout, stderr io.Writer
	apiURL         string // the API Gateway front's, once it listens

	template string // the template file, when the functions come from one
	builds   int    // builds so far: each goes to its own directory
	fns      map[string]*devFunction
}

// devFunction is one function as dev runs it.
type devFunction struct {
	// def is its definition: CodeDir is the Go package (or a directory
	// holding an executable bootstrap) to build, or "" when Command is an
	// executable given as is.
	def lambdaemu.TemplateFunction
	fn  lambdaemu.Function // as registered: def with Command and Dir
	out string             // the directory of its build, "" when none
	// compiled is true for a Go package; false for an executable, which a
	// change restarts.
	compiled bool
	// watched are the files and directories whose changes rebuild it, and
	// seen their state at the last build.
	watched []string
	seen    map[string]fileStamp
}

// load reads the functions' definitions and builds them.
func (p *project) load(ctx context.Context) ([]lambdaemu.Function, error) {
	defs, err := p.definitions()
	if err != nil {
		return nil, err
	}
	p.fns = map[string]*devFunction{}
	var fns []lambdaemu.Function
	for _, def := range defs {
		p.warn(def)
		df, err := p.build(ctx, def, true)
		if err != nil {
			return nil, err
		}
		p.fns[def.Name] = df
		fns = append(fns, df.fn)
	}
	return fns, nil
}

// definitions returns the functions of the --function flags or of the
// template. With neither it uses ./template.yaml, else examples/hello when
// run from the lambdalog repository.
func (p *project) definitions() ([]lambdaemu.TemplateFunction, error) {
	f := p.flags
	switch {
	case f.template != "" && len(f.functions) > 0:
		return nil, errors.New("pass --template or --function, not both")
	case len(f.functions) > 0:
		return f.flagFunctions()
	case f.template != "":
		p.template = f.template
	default:
		if _, err := os.Stat("template.yaml"); err == nil {
			p.template = "template.yaml"
			break
		}
		if _, err := os.Stat(filepath.Join("examples", "hello", "main.go")); err != nil {
			return nil, errors.New("no functions: pass --template FILE or --function NAME=PATH (no template.yaml here)")
		}
		fmt.Fprintln(p.stdout, "lambdalog: no template.yaml; running examples/hello as function hello")
		fn := lambdaemu.Function{Name: "hello", Handler: "bootstrap", Tracing: true, Routes: []lambdaemu.Route{
			{Kind: "Api", Method: "GET", Path: "/hello"}, {Kind: "Api", Method: "GET", Path: "/hello/{name}"},
		}, Env: map[string]string{"POWERTOOLS_SERVICE_NAME": "hello", "POWERTOOLS_METRICS_NAMESPACE": "hello"}}
		dir, err := filepath.Abs(filepath.Join("examples", "hello"))
		if err != nil {
			return nil, err
		}
		return []lambdaemu.TemplateFunction{{Function: fn, CodeDir: dir}}, nil
	}
	return lambdaemu.LoadTemplate(p.template)
}

// flagFunctions returns the functions given by --function flags.
func (f *devFlags) flagFunctions() ([]lambdaemu.TemplateFunction, error) {
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
	var defs []lambdaemu.TemplateFunction
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
			defs = append(defs, lambdaemu.TemplateFunction{Function: fn})
			continue
		}
		defs = append(defs, lambdaemu.TemplateFunction{Function: fn, CodeDir: abs})
	}
	return defs, nil
}

// warn prints what of a function's definition dev does not run.
func (p *project) warn(def lambdaemu.TemplateFunction) {
	for _, w := range def.Warnings {
		fmt.Fprintf(p.stderr, "lambdalog: warning: %s\n", w)
	}
}

// build builds a function's code and finds the files whose changes
// rebuild it. A first build of a Go package says so, and how long it took.
func (p *project) build(ctx context.Context, def lambdaemu.TemplateFunction, first bool) (*devFunction, error) {
	df := &devFunction{def: def, fn: def.Function}
	if def.CodeDir == "" { // an executable, run as is
		df.watched = []string{def.Command[0]}
		df.seen = stamps(df.watched)
		return df, nil
	}
	goFiles, _ := filepath.Glob(filepath.Join(def.CodeDir, "*.go"))
	df.compiled = len(goFiles) > 0
	first = first && df.compiled
	start := time.Now()
	if first {
		fmt.Fprintf(p.stdout, "lambdalog: building function %s (go build in %s); the first build can take a minute or two\n", def.Name, relative(def.CodeDir))
	}
	p.builds++
	df.out = filepath.Join(p.buildDir, def.Name, strconv.Itoa(p.builds))
	// The sources are read before the build: a change during the build
	// rebuilds again.
	df.watched = sourceDirs(ctx, def.CodeDir)
	df.seen = stamps(df.watched)
	cmd, err := lambdaemu.Build(ctx, def.CodeDir, filepath.Join(df.out, "bootstrap"))
	if err != nil {
		os.RemoveAll(df.out)
		return df, fmt.Errorf("function %s: %w", def.Name, err)
	}
	if first {
		fmt.Fprintf(p.stdout, "lambdalog: built function %s in %s\n", def.Name, since(start))
	} else if !df.compiled {
		df.watched = cmd[:1] // a directory holding a bootstrap
		df.seen = stamps(df.watched)
	}
	df.fn.Command, df.fn.Dir = cmd, def.CodeDir // the code directory is LAMBDA_TASK_ROOT
	return df, nil
}

// printFunction prints a function's configuration, routes and schedules.
func (p *project) printFunction(fn lambdaemu.Function) {
	fmt.Fprintf(p.stdout, "lambdalog: function %s (%d MB, %s, logs in %s)\n", fn.Name, fn.MemoryMB, fn.Timeout, fn.LogGroup)
	for _, r := range fn.Routes {
		fmt.Fprintf(p.stdout, "lambdalog:   %s %s %s%s\n", r.Kind, r.Method, p.apiURL, r.Path)
	}
	for _, s := range fn.Schedules {
		fmt.Fprintf(p.stdout, "lambdalog:   %s\n", s)
	}
}

// pollInterval is how often --watch looks at the sources and the template.
const pollInterval = 500 * time.Millisecond

// watch polls the functions' sources and the template until ctx ends or
// the returned function is called (which waits for the poller to stop).
func (p *project) watch(ctx context.Context, emu *lambdaemu.Emulator) (stop func()) {
	ctx, cancel := context.WithCancel(ctx)
	var wg sync.WaitGroup
	what := "the functions' sources"
	if p.template != "" {
		what += " and " + relative(p.template)
	}
	fmt.Fprintf(p.stdout, "lambdalog: watching %s; a change rebuilds\n", what)
	tmpl := stamps([]string{p.template})
	wg.Go(func() {
		t := time.NewTicker(pollInterval)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
			}
			if p.template != "" {
				if now := stamps([]string{p.template}); !maps.Equal(now, tmpl) {
					tmpl = now
					p.reload(ctx, emu)
					continue
				}
			}
			for _, name := range slices.Sorted(maps.Keys(p.fns)) {
				df := p.fns[name]
				if now := stamps(df.watched); !maps.Equal(now, df.seen) {
					p.rebuild(ctx, emu, df, changed(df.seen, now))
				}
			}
		}
	})
	return func() {
		cancel()
		wg.Wait()
	}
}

// rebuild rebuilds a function whose sources changed and replaces it in
// the emulator; a failed build leaves the previous one running.
func (p *project) rebuild(ctx context.Context, emu *lambdaemu.Emulator, old *devFunction, files []string) {
	name := old.def.Name
	start := time.Now()
	doing := "rebuilding"
	if !old.compiled {
		doing = "restarting"
	}
	fmt.Fprintf(p.stdout, "lambdalog: %s changed; %s function %s\n", strings.Join(files, ", "), doing, name)
	df, err := p.build(ctx, old.def, false)
	if err != nil {
		old.seen = df.seen // not again until the next change
		fmt.Fprintf(p.stderr, "lambdalog: rebuilding function %s failed; the previous build keeps running:\n%v\n", name, err)
		return
	}
	if err := emu.ReplaceFunction(df.fn); err != nil {
		fmt.Fprintf(p.stderr, "lambdalog: function %s: %v\n", name, err)
		return
	}
	p.retire(old)
	p.fns[name] = df
	if df.compiled {
		fmt.Fprintf(p.stdout, "lambdalog: rebuilt function %s in %s; new invocations run the new build\n", name, since(start))
	} else {
		fmt.Fprintf(p.stdout, "lambdalog: restarted function %s; new invocations run the new executable\n", name)
	}
}

// since is the time since start, as dev prints build times.
func since(start time.Time) time.Duration { return time.Since(start).Round(100 * time.Millisecond) }

// reload reads the changed template and brings the emulator in line with
// it: functions are added, removed, rebuilt when their code moved, and
// replaced when their configuration changed.
func (p *project) reload(ctx context.Context, emu *lambdaemu.Emulator) {
	defs, err := lambdaemu.LoadTemplate(p.template)
	if err != nil {
		fmt.Fprintf(p.stderr, "lambdalog: %v; the previous functions keep running\n", err)
		return
	}
	fmt.Fprintf(p.stdout, "lambdalog: %s changed; reloading\n", relative(p.template))
	keep := map[string]bool{}
	for _, def := range defs {
		keep[def.Name] = true
		old, ok := p.fns[def.Name]
		if ok && reflect.DeepEqual(old.def, def) {
			continue
		}
		p.warn(def)
		var df *devFunction
		if ok && old.def.CodeDir == def.CodeDir { // the same code: no build
			df = &devFunction{def: def, fn: def.Function, out: old.out, compiled: old.compiled, watched: old.watched, seen: old.seen}
			df.fn.Command, df.fn.Dir = old.fn.Command, old.fn.Dir
		} else if df, err = p.build(ctx, def, true); err != nil {
			fmt.Fprintf(p.stderr, "lambdalog: %v\n", err)
			continue
		}
		set, did := emu.AddFunction, "added"
		if ok {
			set, did = emu.ReplaceFunction, "updated"
		}
		if err := set(df.fn); err != nil {
			fmt.Fprintf(p.stderr, "lambdalog: function %s: %v\n", def.Name, err)
			continue
		}
		if ok && df.out != old.out {
			p.retire(old)
		}
		p.fns[def.Name] = df
		fmt.Fprintf(p.stdout, "lambdalog: function %s %s\n", def.Name, did)
		for _, fn := range emu.Functions() {
			if fn.Name == def.Name {
				p.printFunction(fn) // with its defaults filled in
			}
		}
	}
	for _, name := range slices.Sorted(maps.Keys(p.fns)) {
		if keep[name] {
			continue
		}
		if err := emu.RemoveFunction(name); err != nil {
			fmt.Fprintf(p.stderr, "lambdalog: function %s: %v\n", name, err)
			continue
		}
		p.retire(p.fns[name])
		delete(p.fns, name)
		fmt.Fprintf(p.stdout, "lambdalog: function %s removed\n", name)
	}
}

// retire removes a replaced build. Its running processes keep their
// executable, which Linux frees when they exit.
func (p *project) retire(df *devFunction) {
	if df.out != "" {
		os.RemoveAll(df.out)
	}
}

// sourceDirs returns the directories of the packages a build of the Go
// package dir compiles that belong to the main module (or the workspace's
// modules): editing a package the function imports rebuilds it too. When go
// list fails, dir alone.
func sourceDirs(ctx context.Context, dir string) []string {
	cmd := exec.CommandContext(ctx, "go", "list", "-tags", "lambda.norpc", "-deps",
		"-f", "{{if .Module}}{{if .Module.Main}}{{.Dir}}{{end}}{{end}}", ".")
	cmd.Dir = dir
	out, err := cmd.Output()
	if err != nil {
		return []string{dir}
	}
	var dirs []string
	for line := range bytes.Lines(out) {
		if d := string(bytes.TrimSpace(line)); d != "" {
			dirs = append(dirs, d)
		}
	}
	if !slices.Contains(dirs, dir) {
		dirs = append(dirs, dir)
	}
	return dirs
}

// fileStamp is what tells that a file changed.
type fileStamp struct{ size, modTime int64 }

// stamps returns the state of the given files and of the files directly
// in the given directories, leaving out tests and editors' temporary
// files. A missing path has no entry.
func stamps(paths []string) map[string]fileStamp {
	m := map[string]fileStamp{}
	for _, path := range paths {
		st, err := os.Stat(path)
		if err != nil {
			continue
		}
		if !st.IsDir() {
			m[path] = fileStamp{st.Size(), st.ModTime().UnixNano()}
			continue
		}
		entries, _ := os.ReadDir(path)
		for _, e := range entries {
			n := e.Name()
			if !e.Type().IsRegular() || strings.HasPrefix(n, ".") || strings.HasPrefix(n, "#") || strings.HasSuffix(n, "~") || strings.HasSuffix(n, "_test.go") {
				continue
			}
			if info, err := e.Info(); err == nil {
				m[filepath.Join(path, n)] = fileStamp{info.Size(), info.ModTime().UnixNano()}
			}
		}
	}
	return m
}

// changed returns the files that differ between two stamps, relative to
// the working directory.
func changed(before, after map[string]fileStamp) []string {
	var files []string
	for f, st := range after {
		if b, ok := before[f]; !ok || b != st {
			files = append(files, relative(f))
		}
	}
	for f := range before {
		if _, ok := after[f]; !ok {
			files = append(files, relative(f))
		}
	}
	slices.Sort(files)
	if len(files) > 3 {
		files = append(files[:3], fmt.Sprintf("%d more", len(files)-3))
	}
	return files
}

// relative returns path relative to the working directory when it is
// inside it.
func relative(path string) string {
	wd, err := os.Getwd()
	if err != nil {
		return path
	}
	if rel, err := filepath.Rel(wd, path); err == nil && !strings.HasPrefix(rel, "..") {
		return rel
	}
	return path
}
