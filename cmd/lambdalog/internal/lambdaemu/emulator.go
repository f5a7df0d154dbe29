package lambdaemu

import (
	"context"
	"crypto/rand"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Options configures an Emulator.
type Options struct {
	// Region is AWS_REGION and the region of ARNs; us-east-1 by default.
	Region string
	// AccountID appears in function ARNs; 123456789012 by default.
	AccountID string
	// Sink stores the functions' log events. Required.
	Sink LogSink
	// Echo, when set, receives every log line as it is produced. When more
	// than one function is registered each line starts with its function's
	// name (echo.go).
	Echo io.Writer
	// EchoColor colours those names (for a terminal).
	EchoColor bool
	// Messages, when set, receives what the developer at the terminal
	// should know, a line each starting "lambdalog: ": why the API Gateway
	// front answered an error, the routes when a request matched none,
	// schedules firing.
	Messages io.Writer
	// Clock drives schedules; the system clock by default.
	Clock Clock
	// IdleTimeout is how long an unused environment stays warm; 5 minutes
	// by default.
	IdleTimeout time.Duration
	// Logger reports the emulator's own problems; slog.Default by default.
	Logger *slog.Logger
	// Traces, when set, receives the AWS::Lambda and AWS::Lambda::Function
	// segments of every sampled invocation of a function with active
	// tracing (tracing.go).
	Traces TraceSink
	// XRayDaemonAddr, when set, is the X-Ray daemon address (host:port)
	// given to functions as AWS_XRAY_DAEMON_ADDRESS.
	XRayDaemonAddr string
}

// Emulator runs Lambda functions locally: one process per execution
// environment, each with its own Runtime API server and log stream.
type Emulator struct {
	opts   Options
	echoMu sync.Mutex
	// prefixes are the names that start echoed lines, by function; empty
	// while one function runs. Guarded by echoMu.
	prefixes map[string]string

	mu    sync.Mutex
	pools map[string]*pool
	// retired are busy environments of a function since replaced or
	// removed: they finish their invocation and stop.
	retired map[*environment]bool
	closed  bool // no new asynchronous invocations
	halted  bool // no new invocations at all
	async   sync.WaitGroup
	stop    chan struct{}
	reaped  chan struct{}

	history   history        // recent invocations, for Invocations
	traces    sync.WaitGroup // segments being stored
	schedules sync.WaitGroup // runSchedule goroutines
	endpoint  atomic.Pointer[string]
	gateway   atomic.Pointer[gatewayRoutes] // the API Gateway front's routes
}

// pool holds one function's execution environments.
type pool struct {
	fn   Function
	idle []*environment // most recently used last
	busy map[*environment]bool
	// stopSchedules ends the function's runSchedule goroutines.
	stopSchedules chan struct{}
}

// New returns an Emulator with no functions. Close it to stop every
// runtime process.
func New(opts Options) (*Emulator, error) {
	if opts.Sink == nil {
		return nil, fmt.Errorf("lambdaemu: Options.Sink is required")
	}
	if opts.Region == "" {
		opts.Region = "us-east-1"
	}
	if opts.AccountID == "" {
		opts.AccountID = "123456789012"
	}
	if opts.IdleTimeout == 0 {
		opts.IdleTimeout = 5 * time.Minute
	}
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	if opts.Clock == nil {
		opts.Clock = systemClock{}
	}
	e := &Emulator{opts: opts, pools: map[string]*pool{}, retired: map[*environment]bool{}, stop: make(chan struct{}), reaped: make(chan struct{})}
	e.gateway.Store(&gatewayRoutes{})
	go e.reap()
	return e, nil
}

// AddFunction registers a function. Its environments start on demand; its
// enabled schedules start counting now.
func (e *Emulator) AddFunction(fn Function) error {
	return e.setFunction(fn, false)
}

// ReplaceFunction replaces the configuration (and so the executable) of a
// registered function: new invocations start new environments with it,
// idle environments are stopped, and busy ones finish their invocation and
// then stop. Schedules that did not change keep their timing.
func (e *Emulator) ReplaceFunction(fn Function) error {
	return e.setFunction(fn, true)
}

func (e *Emulator) setFunction(fn Function, replace bool) error {
	fn.Env = maps.Clone(fn.Env)
	fn.Command = slices.Clone(fn.Command)
	fn.Routes = slices.Clone(fn.Routes)
	fn.Schedules = slices.Clone(fn.Schedules)
	if err := fn.normalize(); err != nil {
		return err
	}
	e.mu.Lock()
	old, ok := e.pools[fn.Name]
	switch {
	case e.closed:
		e.mu.Unlock()
		return fmt.Errorf("lambdaemu: emulator closed")
	case ok && !replace:
		e.mu.Unlock()
		return fmt.Errorf("function %s is defined twice", fn.Name)
	case !ok && replace:
		e.mu.Unlock()
		return fmt.Errorf("%w: %s", errUnknownFunction, fn.Name)
	}
	p := &pool{fn: fn, busy: map[*environment]bool{}}
	var idle []*environment
	if ok && slices.Equal(old.fn.Schedules, fn.Schedules) {
		p.stopSchedules = old.stopSchedules
	} else {
		if ok {
			close(old.stopSchedules)
		}
		p.stopSchedules = make(chan struct{})
		e.startSchedules(fn, p.stopSchedules)
	}
	if ok {
		idle = e.retire(old)
	}
	e.pools[fn.Name] = p
	e.mu.Unlock()
	stopAll(idle)
	e.functionsChanged()
	return nil
}

// RemoveFunction unregisters a function: its schedules stop, idle
// environments are stopped, and busy ones finish their invocation and
// then stop.
func (e *Emulator) RemoveFunction(name string) error {
	e.mu.Lock()
	p, ok := e.pools[name]
	if !ok {
		e.mu.Unlock()
		return fmt.Errorf("%w: %s", errUnknownFunction, name)
	}
	close(p.stopSchedules)
	delete(e.pools, name)
	idle := e.retire(p)
	e.mu.Unlock()
	stopAll(idle)
	e.functionsChanged()
	return nil
}

// retire marks a replaced pool's busy environments to stop when their
// invocation ends, and returns its idle ones, to stop. e.mu is held.
func (e *Emulator) retire(p *pool) []*environment {
	for env := range p.busy {
		e.retired[env] = true
	}
	idle := p.idle
	p.idle, p.busy = nil, nil
	return idle
}

// startSchedules starts a goroutine for each enabled schedule of fn. e.mu
// is held.
func (e *Emulator) startSchedules(fn Function, stop chan struct{}) {
	for _, s := range fn.Schedules {
		if !s.Disabled {
			e.schedules.Add(1)
			go e.runSchedule(fn.Name, s, stop)
		}
	}
}

// functionsChanged updates what depends on the set of functions: the API
// Gateway front's routes and the names that start echoed lines.
func (e *Emulator) functionsChanged() {
	fns := e.Functions()
	e.gateway.Store(newGatewayRoutes(fns))
	e.setPrefixes(fns)
}

// Functions returns the registered functions, sorted by name.
func (e *Emulator) Functions() []Function {
	e.mu.Lock()
	defer e.mu.Unlock()
	var fns []Function
	for _, p := range e.pools {
		fns = append(fns, p.fn)
	}
	slices.SortFunc(fns, func(a, b Function) int { return strings.Compare(a.Name, b.Name) })
	return fns
}

// SetEndpoint gives the execution environments started from now on the
// URL (http://host:port) of the Lambda Invoke, CloudWatch Logs, CloudWatch
// and X-Ray APIs, as the variables AWS SDKs and CLIs read for a service's
// endpoint: AWS_ENDPOINT_URL_LAMBDA, AWS_ENDPOINT_URL_CLOUDWATCH_LOGS,
// AWS_ENDPOINT_URL_CLOUDWATCH and AWS_ENDPOINT_URL_XRAY, unless the
// function's own variables set them. Code that calls these services
// through an SDK then reaches the local APIs without a change, and AWS's
// when deployed. Call it once the APIs listen, before the first invocation.
func (e *Emulator) SetEndpoint(url string) { e.endpoint.Store(&url) }

// Endpoint returns the URL set by SetEndpoint, or "".
func (e *Emulator) Endpoint() string {
	if p := e.endpoint.Load(); p != nil {
		return *p
	}
	return ""
}

// FunctionARN returns the ARN of a function name in this emulator.
func (e *Emulator) FunctionARN(name string) string {
	return fmt.Sprintf("arn:aws:lambda:%s:%s:function:%s", e.opts.Region, e.opts.AccountID, name)
}

// InvokeInput is one invocation request.
type InvokeInput struct {
	// Payload is the event, JSON.
	Payload []byte
	// TraceID is an X-Amzn-Trace-Id header; one is generated when empty.
	TraceID string
	// ClientContext is the base64 client context (X-Amz-Client-Context).
	ClientContext string
}

// InvokeOutput is the result of an invocation.
type InvokeOutput struct {
	RequestID string
	// Payload is the function's response, or the error document.
	Payload []byte
	// ErrorType is set when the invocation failed (for example
	// Runtime.ExitError, Sandbox.Timedout or the function's error type).
	ErrorType string
	// Log is the invocation's log, START through REPORT.
	Log string
	// LogStream names the environment's log stream.
	LogStream string
}

// Invoke runs one invocation of the named function and waits for it,
// starting an execution environment when none is idle. As on Lambda, an
// invocation runs to its end even if ctx is cancelled (a new environment
// is started rather than waited for, so ctx is not consulted).
func (e *Emulator) Invoke(ctx context.Context, name string, in InvokeInput) (*InvokeOutput, error) {
	return e.invoke(name, newRequestID(), in)
}

func (e *Emulator) invoke(name, id string, in InvokeInput) (*InvokeOutput, error) {
	received := time.Now()
	env, err := e.acquire(name)
	if err != nil {
		return nil, err
	}
	inv := &invocation{
		id:            id,
		functionARN:   e.FunctionARN(name),
		traceID:       in.TraceID,
		clientContext: in.ClientContext,
		payload:       in.Payload,
		done:          make(chan result, 1),
	}
	inv.tracing = newTracing(in.TraceID, env.fn.Tracing, received)
	inv.traceID = inv.tracing.header
	if len(inv.payload) == 0 {
		inv.payload = []byte("{}")
	}
	out := env.invoke(inv)
	out.trace.emit(e, time.Now())
	e.release(name, env, out.healthy)
	return &InvokeOutput{RequestID: inv.id, Payload: out.payload, ErrorType: out.errorType, Log: out.log, LogStream: env.stream}, nil
}

// InvokeAsync queues an invocation (InvocationType Event) and returns its
// request id at once. As on Lambda, which passes the client context to
// synchronous invocations only, in.ClientContext is dropped.
func (e *Emulator) InvokeAsync(name string, in InvokeInput) (string, error) {
	in.ClientContext = ""
	e.mu.Lock()
	_, ok := e.pools[name]
	closed := e.closed
	if ok && !closed {
		e.async.Add(1)
	}
	e.mu.Unlock()
	if closed {
		return "", fmt.Errorf("lambdaemu: emulator closed")
	}
	if !ok {
		return "", fmt.Errorf("%w: %s", errUnknownFunction, name)
	}
	id := newRequestID()
	go func() {
		defer e.async.Done()
		if _, err := e.invoke(name, id, in); err != nil {
			e.opts.Logger.Error("lambdaemu: async invoke", "function", name, "err", err)
		}
	}()
	return id, nil
}

func (e *Emulator) acquire(name string) (*environment, error) {
	e.mu.Lock()
	if e.halted {
		e.mu.Unlock()
		return nil, fmt.Errorf("lambdaemu: emulator closed")
	}
	p, ok := e.pools[name]
	if !ok {
		e.mu.Unlock()
		return nil, fmt.Errorf("%w: %s", errUnknownFunction, name)
	}
	var dead []*environment
	for len(p.idle) > 0 {
		env := p.idle[len(p.idle)-1]
		p.idle = p.idle[:len(p.idle)-1]
		select {
		case <-env.exited(): // the runtime exited between invocations
			dead = append(dead, env)
			continue
		default:
		}
		p.busy[env] = true
		e.mu.Unlock()
		stopAll(dead)
		return env, nil
	}
	fn := p.fn
	e.mu.Unlock()
	stopAll(dead)
	env, err := newEnvironment(e, &fn)
	if err != nil {
		return nil, err
	}
	e.mu.Lock()
	if e.halted {
		e.mu.Unlock()
		env.stop()
		return nil, fmt.Errorf("lambdaemu: emulator closed")
	}
	if e.pools[name] == p {
		p.busy[env] = true
	} else { // replaced or removed while this one started: use it once
		e.retired[env] = true
	}
	e.mu.Unlock()
	return env, nil
}

func stopAll(envs []*environment) {
	for _, env := range envs {
		env.stop()
	}
}

func (e *Emulator) release(name string, env *environment, healthy bool) {
	e.mu.Lock()
	p := e.pools[name]
	if e.retired[env] || p == nil {
		delete(e.retired, env)
		e.mu.Unlock()
		env.stop()
		return
	}
	delete(p.busy, env)
	if healthy && !e.halted {
		p.idle = append(p.idle, env)
		env = nil
	}
	e.mu.Unlock()
	if env != nil {
		env.stop()
	}
}

// reap stops environments idle for longer than IdleTimeout.
func (e *Emulator) reap() {
	defer close(e.reaped)
	t := time.NewTicker(time.Second)
	defer t.Stop()
	for {
		select {
		case <-e.stop:
			return
		case <-t.C:
		}
		var old []*environment
		e.mu.Lock()
		for _, p := range e.pools {
			keep := p.idle[:0]
			for _, env := range p.idle {
				if time.Since(env.lastUsed) > e.opts.IdleTimeout {
					old = append(old, env)
				} else {
					keep = append(keep, env)
				}
			}
			p.idle = keep
		}
		e.mu.Unlock()
		stopAll(old)
		// Output printed between invocations is stored too.
		e.mu.Lock()
		var idle []*environment
		for _, p := range e.pools {
			idle = append(idle, p.idle...)
		}
		e.mu.Unlock()
		for _, env := range idle {
			env.flush()
		}
	}
}

// Environments returns how many execution environments of a function are
// running (idle or busy).
func (e *Emulator) Environments(name string) int {
	e.mu.Lock()
	defer e.mu.Unlock()
	p, ok := e.pools[name]
	if !ok {
		return 0
	}
	return len(p.idle) + len(p.busy)
}

// Close waits for queued asynchronous invocations, then stops every
// execution environment and stores their remaining logs.
func (e *Emulator) Close() error {
	e.mu.Lock()
	if e.closed {
		e.mu.Unlock()
		return nil
	}
	e.closed = true
	for _, p := range e.pools {
		close(p.stopSchedules)
	}
	e.mu.Unlock()
	e.schedules.Wait()
	e.async.Wait()
	close(e.stop)
	<-e.reaped
	e.mu.Lock()
	e.halted = true
	var all []*environment
	for _, p := range e.pools {
		all = append(all, p.idle...)
		p.idle = nil
		for env := range p.busy {
			all = append(all, env)
		}
	}
	for env := range e.retired {
		all = append(all, env)
	}
	e.mu.Unlock()
	stopAll(all)
	e.traces.Wait()
	return nil
}

// newRequestID returns a random (version 4) UUID.
func newRequestID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}
