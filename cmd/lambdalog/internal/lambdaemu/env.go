package lambdaemu

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"maps"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

// initTimeout is Lambda's limit on the init phase of on-demand functions.
const initTimeout = 10 * time.Second

// memoryPoll is how often an environment's resident memory is sampled.
const memoryPoll = 10 * time.Millisecond

// invocation is one request delivered through the Runtime API.
type invocation struct {
	id, functionARN, traceID, clientContext string
	tracing                                 *tracing // the X-Ray context; traceID is its header
	payload                                 []byte
	deadline                                time.Time
	done                                    chan result
	once                                    sync.Once
}

// finish records the runtime's answer; only the first one counts.
func (inv *invocation) finish(r result) { inv.once.Do(func() { inv.done <- r }) }

// result is what the runtime returned: a response, or an error when
// errorType is set.
type result struct {
	payload   []byte
	errorType string
	xrayCause []byte // Lambda-Runtime-Function-XRay-Error-Cause, when valid
}

// environment is one execution environment: a runtime process, its
// Runtime API server and its log stream.
type environment struct {
	emu        *Emulator
	fn         *Function
	frame      framer
	stream     string
	srv        *http.Server
	runtimeAPI string // host:port of srv
	proc       atomic.Pointer[process]

	next     chan *invocation
	current  atomic.Pointer[invocation]
	stopped  chan struct{}
	stopOnce sync.Once

	warm     bool // init finished; touched only by the invoking goroutine
	lastUsed time.Time

	// lastNext is when the runtime last called /next (Unix nanoseconds);
	// nextWaiter, when set, receives the time of the next call (tracing.go).
	lastNext   atomic.Int64
	nextWaiter atomic.Pointer[chan time.Time]

	logMu   sync.Mutex
	lastTS  time.Time
	pending []LogEvent
	tail    *strings.Builder // the current invocation's log, for LogType Tail
}

// process is one run of the runtime executable in an environment. A second
// one replaces the first when its init fails (Lambda's suppressed init).
type process struct {
	cmd       *exec.Cmd
	pid       atomic.Int64  // set once started; Runtime API handlers may run first
	spawned   chan struct{} // closed once pid is set or the start failed
	out       *outputPipe
	started   time.Time
	ready     chan struct{} // closed at the first /next: init is done
	readyAt   time.Time     // set before ready is closed
	readyOnce sync.Once
	initErr   chan result
	exited    chan struct{} // closed when the process has exited
	exitState string        // "exit status N" or "signal: killed"
	oom       atomic.Bool
	peakMem   atomic.Int64
}

func (p *process) kill() {
	if pid := int(p.pid.Load()); pid != 0 {
		_ = syscall.Kill(-pid, syscall.SIGKILL)
	}
}

// sample records the process's peak resident memory so far. watchMemory
// calls it periodically; Runtime API calls and output lines printed during
// init call it too, so that a process exiting between two periodic samples
// is still measured.
func (p *process) sample() {
	pid := int(p.pid.Load())
	if pid == 0 {
		return
	}
	if _, hwm := procMemory(pid); hwm > p.peakMem.Load() {
		p.peakMem.Store(hwm)
	}
}

// initDone reports whether the process has asked for its first invocation.
func (p *process) initDone() bool {
	select {
	case <-p.ready:
		return true
	default:
		return false
	}
}

// end kills the process and waits until its output has been read.
func (p *process) end() {
	p.kill()
	<-p.exited
	select {
	case <-p.out.done:
	case <-time.After(time.Second): // a grandchild still holds the pipe
	}
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// newEnvironment starts a runtime process. Init continues in the
// background; invoke waits for it.
func newEnvironment(emu *Emulator, fn *Function) (*environment, error) {
	now := time.Now()
	e := &environment{
		emu:     emu,
		fn:      fn,
		frame:   newFramer(fn, emu.opts.Region),
		stream:  now.UTC().Format("2006/01/02") + "/[$LATEST]" + randomHex(16),
		next:    make(chan *invocation),
		stopped: make(chan struct{}),
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := emu.opts.Sink.CreateStream(ctx, fn.LogGroup, e.stream); err != nil {
		return nil, fmt.Errorf("function %s: %w", fn.Name, err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("function %s: runtime API listener: %w", fn.Name, err)
	}
	e.runtimeAPI = ln.Addr().String()
	e.srv = &http.Server{Handler: e.runtimeAPIHandler(), ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = e.srv.Serve(guardRuntimeAPI(ln, e)) }()
	if err := e.spawn(); err != nil {
		e.srv.Close()
		return nil, err
	}
	return e, nil
}

// spawn logs INIT_START and starts a runtime process.
func (e *environment) spawn() error {
	fn := e.fn
	p := &process{spawned: make(chan struct{}), ready: make(chan struct{}), initErr: make(chan result, 1), exited: make(chan struct{})}
	var err error
	if p.out, err = newOutputPipe(e.appLine); err != nil {
		return fmt.Errorf("function %s: %w", fn.Name, err)
	}
	p.cmd = exec.Command(fn.Command[0], fn.Command[1:]...)
	p.cmd.Dir = fn.Dir
	p.cmd.Env = e.environ()
	p.cmd.Stdout, p.cmd.Stderr = p.out.w, p.out.w
	p.cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}

	p.started = time.Now()
	e.emit(p.started, e.frame.initStart(p.started))
	e.proc.Store(p) // before the runtime can call the Runtime API
	if err := p.cmd.Start(); err != nil {
		p.out.w.Close()
		p.out.r.Close()
		p.exitState = err.Error()
		close(p.spawned)
		close(p.out.done)
		close(p.exited)
		return fmt.Errorf("function %s: start %s: %w", fn.Name, fn.Command[0], err)
	}
	p.pid.Store(int64(p.cmd.Process.Pid))
	close(p.spawned)
	p.out.w.Close()
	go p.out.run()
	go func() {
		_ = p.cmd.Wait()
		// No rusage fallback for Max Memory Used: Linux keeps ru_maxrss
		// across execve, so it would report this server's own peak RSS
		// (the child is forked from it). watchMemory samples at once.
		p.exitState = p.cmd.ProcessState.String()
		close(p.exited)
	}()
	go e.watchMemory(p)
	return nil
}

// Placeholder credentials, given to functions when lambdalog itself has none.
const (
	placeholderKeyID  = "LAMBDALOGDEVKEY"
	placeholderSecret = "lambdalog-dev-placeholder-secret"
)

// endpointEnv are the service-specific endpoint variables (AWS SDKs and
// CLIs read AWS_ENDPOINT_URL_<service id>) of the services whose APIs
// lambdalog serves: the Lambda Invoke API, CloudWatch Logs, CloudWatch and
// X-Ray. Other services keep their AWS endpoints.
var endpointEnv = []string{"AWS_ENDPOINT_URL_LAMBDA", "AWS_ENDPOINT_URL_CLOUDWATCH_LOGS", "AWS_ENDPOINT_URL_CLOUDWATCH", "AWS_ENDPOINT_URL_XRAY"}

// hostEnv are the variables of lambdalog's own environment that functions
// get: PATH, the caller's AWS credentials, and what an SDK needs to find a
// profile (and SSO) as it does on the host.
var hostEnv = []string{"PATH", "HOME", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN",
	"AWS_PROFILE", "AWS_CONFIG_FILE", "AWS_SHARED_CREDENTIALS_FILE"}

// hasSharedCredentials reports whether an SDK given env can find
// credentials in a profile: AWS_PROFILE is set, or the shared credentials
// file exists.
func hasSharedCredentials(env map[string]string) bool {
	if env["AWS_PROFILE"] != "" {
		return true
	}
	file := env["AWS_SHARED_CREDENTIALS_FILE"]
	if file == "" && env["HOME"] != "" {
		file = filepath.Join(env["HOME"], ".aws", "credentials")
	}
	st, err := os.Stat(file)
	return err == nil && st.Mode().IsRegular()
}

// environ returns the variables Lambda sets for a runtime process.
func (e *environment) environ() []string {
	fn := e.fn
	env := map[string]string{}
	// A function may need a PATH and the caller's AWS credentials (keys,
	// or a profile its SDK resolves as the host's does), as on Lambda where
	// the execution role's credentials are provided; without any,
	// placeholders that the local APIs accept (they verify no signature),
	// so that SDK clients can sign their requests. Lambda's own variables
	// (reserved, below) win over the host's.
	for _, k := range hostEnv {
		if v := os.Getenv(k); v != "" {
			env[k] = v
		}
	}
	if env["PATH"] == "" {
		env["PATH"] = "/usr/local/bin:/usr/bin/:/bin:/opt/bin"
	}
	if env["AWS_ACCESS_KEY_ID"] == "" && !hasSharedCredentials(env) {
		env["AWS_ACCESS_KEY_ID"], env["AWS_SECRET_ACCESS_KEY"] = placeholderKeyID, placeholderSecret
		delete(env, "AWS_SESSION_TOKEN")
	}
	if e.emu.opts.XRayDaemonAddr != "" {
		env["AWS_XRAY_CONTEXT_MISSING"] = "LOG_ERROR"
	}
	// The function's own variables (fn.Env) may point a service elsewhere.
	if url := e.emu.Endpoint(); url != "" {
		for _, k := range endpointEnv {
			env[k] = url
		}
	}
	for k, v := range fn.Env {
		env[k] = v
	}
	reserved := map[string]string{
		"AWS_LAMBDA_RUNTIME_API":          e.runtimeAPI,
		"AWS_LAMBDA_FUNCTION_NAME":        fn.Name,
		"AWS_LAMBDA_FUNCTION_MEMORY_SIZE": strconv.Itoa(fn.MemoryMB),
		"AWS_LAMBDA_FUNCTION_VERSION":     "$LATEST",
		"AWS_LAMBDA_INITIALIZATION_TYPE":  "on-demand",
		"AWS_LAMBDA_LOG_GROUP_NAME":       fn.LogGroup,
		"AWS_LAMBDA_LOG_STREAM_NAME":      e.stream,
		"AWS_REGION":                      e.emu.opts.Region,
		"AWS_DEFAULT_REGION":              e.emu.opts.Region,
		"_HANDLER":                        fn.Handler,
		"LAMBDA_TASK_ROOT":                fn.Dir,
		"LAMBDA_RUNTIME_DIR":              "/var/runtime",
		"LANG":                            "en_US.UTF-8",
		"TZ":                              ":UTC",
	}
	if fn.Runtime == "go1.x" {
		reserved["AWS_EXECUTION_ENV"] = "AWS_Lambda_go1.x"
	}
	if addr := e.emu.opts.XRayDaemonAddr; addr != "" {
		maps.Copy(reserved, daemonEnv(addr))
	}
	if fn.LogFormat == "JSON" {
		reserved["AWS_LAMBDA_LOG_FORMAT"] = "JSON"
		reserved["AWS_LAMBDA_LOG_LEVEL"] = fn.ApplicationLogLevel
	}
	for k, v := range reserved {
		env[k] = v
	}
	list := make([]string, 0, len(env))
	for k, v := range env {
		list = append(list, k+"="+v)
	}
	return list
}

// appLine receives one line the function printed.
func (e *environment) appLine(line string) {
	if p := e.proc.Load(); p != nil && !p.initDone() {
		p.sample() // a crash during init may leave no other sample
	}
	if !keepAppLine(e.fn, line) {
		return
	}
	if e.fn.LogFormat != "JSON" {
		line += "\n"
	}
	e.emit(time.Now(), line)
}

// emit appends a log event ("" is skipped) and echoes it.
func (e *environment) emit(t time.Time, msg string) {
	if msg == "" {
		return
	}
	e.logMu.Lock()
	defer e.logMu.Unlock()
	if t.Before(e.lastTS) {
		t = e.lastTS
	}
	e.lastTS = t
	e.pending = append(e.pending, LogEvent{Time: t, Message: msg})
	if e.tail != nil {
		e.tail.WriteString(msg)
		if !strings.HasSuffix(msg, "\n") {
			e.tail.WriteByte('\n')
		}
	}
	e.emu.echo(e.fn.Name, msg)
}

// flush writes pending events to the sink.
func (e *environment) flush() {
	e.logMu.Lock()
	evs := e.pending
	e.pending = nil
	e.logMu.Unlock()
	if len(evs) == 0 {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := e.emu.opts.Sink.PutEvents(ctx, e.fn.LogGroup, e.stream, evs); err != nil {
		e.emu.opts.Logger.Error("lambdaemu: storing function logs", "function", e.fn.Name, "err", err)
	}
}

// watchMemory tracks peak memory and kills the environment when its
// resident memory exceeds the function's memory size.
func (e *environment) watchMemory(p *process) {
	limit := int64(e.fn.MemoryMB) << 20
	t := time.NewTicker(memoryPoll)
	defer t.Stop()
	for tick := 0; ; tick++ {
		if tick > 0 { // the first sample is taken right after the start
			select {
			case <-p.exited:
				return
			case <-t.C:
			}
		}
		// Walking the process tree costs far more than reading one status
		// file, and runtimes rarely fork: do it every 10th sample.
		var rss, hwm int64
		if tick%10 == 0 {
			rss, hwm = treeMemory(int(p.pid.Load()))
		} else {
			rss, hwm = procMemory(int(p.pid.Load()))
		}
		if m := max(rss, hwm); m > p.peakMem.Load() {
			p.peakMem.Store(m)
		}
		if rss > limit && !p.oom.Swap(true) {
			p.kill()
		}
	}
}

// maxMemoryUsedMB is the Max Memory Used of the environment so far.
func (e *environment) maxMemoryUsedMB() int {
	p := e.proc.Load()
	select {
	case <-p.exited:
	default:
		p.sample() // children: sampled by watchMemory
	}
	if p.oom.Load() {
		return e.fn.MemoryMB
	}
	// A process that exits within milliseconds may never have been sampled;
	// Lambda never reports 0 MB.
	return max(1, min(toMB(p.peakMem.Load()), e.fn.MemoryMB))
}

// exited is closed when the current runtime process has exited.
func (e *environment) exited() <-chan struct{} { return e.proc.Load().exited }

// stop kills the environment and stores its remaining logs.
func (e *environment) stop() {
	e.stopOnce.Do(func() {
		close(e.stopped)
		e.proc.Load().end()
		e.srv.Close()
		e.flush()
	})
}

// awaitInit waits at most limit for the current process to finish its
// init. It returns the init duration, or the error the invocation must
// report (the process is then ended and its output read).
func (e *environment) awaitInit(limit time.Duration) (time.Duration, *failure) {
	p := e.proc.Load()
	timer := time.NewTimer(limit)
	defer timer.Stop()
	var f *failure
	select {
	case <-p.ready:
		return time.Since(p.started), nil
	case r := <-p.initErr:
		f = &failure{errorType: r.errorType, payload: r.payload}
	case <-p.exited:
		f = e.exitFailure()
	case <-timer.C:
		f = &failure{errorType: "Sandbox.Timedout", timedOut: true}
	}
	d := time.Since(p.started)
	p.end()
	return d, f
}

// failure is an invocation that did not produce a response.
type failure struct {
	errorType string
	timedOut  bool   // init did not finish in time
	msg       string // for platform error lines; "" when the runtime sent payload
	payload   []byte
}

func (e *environment) exitFailure() *failure {
	p := e.proc.Load()
	<-p.exited
	typ := "Runtime.ExitError"
	if p.oom.Load() {
		typ = "Runtime.OutOfMemory"
	}
	if p.exitState == "exit status 0" {
		return &failure{errorType: typ, msg: "Runtime exited without providing a reason"}
	}
	return &failure{errorType: typ, msg: "Runtime exited with error: " + p.exitState}
}

// outcome is the result of one invocation in an environment.
type outcome struct {
	payload   []byte
	errorType string // "" on success
	log       string
	healthy   bool          // the environment may be reused
	trace     *pendingTrace // Lambda's segments, when traced
}

// status is how an invocation (or an init phase) ended. Its String is the
// word Lambda writes in REPORT, INIT_REPORT and the platform.* records.
type status uint8

const (
	// statusSuccess: the runtime answered, with a response or a function
	// error posted to .../error.
	statusSuccess status = iota
	// statusError: the runtime failed (crash, init failure) and gave no
	// answer.
	statusError
	// statusTimeout: the function timeout (or init timeout) expired.
	statusTimeout
)

func (s status) String() string {
	switch s {
	case statusError:
		return "error"
	case statusTimeout:
		return "timeout"
	default:
		return "success"
	}
}

// attempt is one invocation as it passes through prepare, await and report.
type attempt struct {
	inv     *invocation
	start   time.Time     // the invoke phase starts
	initDur time.Duration // the reported Init Duration: 0 unless a first init succeeded
	status  status
	fail    *failure // why, when status is statusError
	res     result   // the runtime's answer, when status is statusSuccess
	// handed is when the runtime took the invocation, answered when it
	// answered, failed or timed out: the Invocation subsegment.
	handed, answered time.Time
}

// invoke runs one invocation, with Lambda's framing around it.
func (e *environment) invoke(inv *invocation) outcome {
	a := e.prepare(inv)
	if a.status == statusSuccess {
		e.await(&a)
	}
	return e.report(&a)
}

// prepare finishes the environment's init if it is cold (retrying a failed
// init as Lambda's suppressed init does), sets the invocation's deadline
// and logs START. The returned attempt's status is statusSuccess when the
// runtime is ready to take the invocation.
func (e *environment) prepare(inv *invocation) attempt {
	a := attempt{inv: inv, start: time.Now()}
	var fail *failure
	if !e.warm {
		a.initDur, fail = e.awaitInit(initTimeout)
		e.proc.Load().out.drain()
		if fail != nil {
			e.initReport("init", a.initDur, fail)
			a.initDur = 0
			a.start = time.Now()
		}
	}
	// The tail (LogType Tail) starts after init output, as on Lambda.
	e.logMu.Lock()
	e.tail = &strings.Builder{}
	e.logMu.Unlock()
	inv.deadline = a.start.Add(e.fn.Timeout)
	if fail != nil {
		switch fail = e.suppressedInit(inv.deadline); {
		case fail == nil:
		case fail.timedOut:
			a.status = statusTimeout
		default:
			a.status, a.fail = statusError, fail
		}
	}
	e.warm = a.status == statusSuccess
	now := time.Now()
	e.emit(now, e.frame.start(now, inv.id))
	return a
}

// await hands the invocation to the runtime and waits for its answer, its
// exit or the deadline; a runtime still running at the deadline is killed.
func (e *environment) await(a *attempt) {
	inv := a.inv
	e.current.Store(inv)
	defer e.current.Store(nil)
	timer := time.NewTimer(time.Until(inv.deadline))
	defer timer.Stop()
	next, exited := e.next, e.exited()
	for {
		select {
		case next <- inv:
			next = nil
			a.handed = time.Now()
		case a.res = <-inv.done:
			a.answered = time.Now()
			return
		case <-exited:
			a.answered = time.Now()
			select {
			case a.res = <-inv.done:
			default:
				a.status, a.fail = statusError, e.exitFailure()
			}
			return
		case <-timer.C:
			a.answered = time.Now()
			a.status = statusTimeout
			e.proc.Load().kill()
			<-exited
			return
		}
	}
}

// report logs the end of the invocation (the timeout or exit error lines,
// END and REPORT), stores the logs and returns what the caller receives.
func (e *environment) report(a *attempt) outcome {
	inv := a.inv
	dur := time.Since(a.start)
	if a.status == statusTimeout {
		dur = max(dur, e.fn.Timeout)
	}
	e.proc.Load().out.drain()
	now := time.Now()
	out := outcome{payload: a.res.payload, errorType: a.res.errorType}
	switch a.status {
	case statusTimeout:
		e.emit(now, e.frame.timeout(now, inv.id, e.fn.Timeout))
		out = outcome{errorType: "Sandbox.Timedout", payload: mustJSON(map[string]string{
			"errorType":    "Sandbox.Timedout",
			"errorMessage": fmt.Sprintf("RequestId: %s Error: Task timed out after %.2f seconds", inv.id, e.fn.Timeout.Seconds()),
		})}
	case statusError:
		out = outcome{errorType: a.fail.errorType, payload: a.fail.payload}
		if a.fail.msg != "" {
			for _, l := range e.frame.exitError(now, inv.id, a.fail.msg, a.fail.errorType) {
				e.emit(now, l)
			}
			out.payload = mustJSON(map[string]string{"errorType": a.fail.errorType, "errorMessage": "RequestId: " + inv.id + " Error: " + a.fail.msg})
		}
	}
	e.emit(now, e.frame.end(inv.id))
	rep := report{requestID: inv.id, duration: dur, init: a.initDur, memoryMB: e.fn.MemoryMB,
		maxUsedMB: e.maxMemoryUsedMB(), status: a.status}
	if a.status != statusSuccess {
		rep.errorType = out.errorType
	}
	if e.fn.Tracing {
		rep.traceID, rep.segmentID, rep.sampled = inv.traceID, inv.tracing.functionID, inv.tracing.sampled
	}
	e.emit(now, e.frame.report(now, rep))
	e.emu.history.record(e.fn.Name, a, rep, out.errorType, e.stream)

	e.logMu.Lock()
	out.log = e.tail.String()
	e.tail = nil
	e.logMu.Unlock()
	e.flush()
	e.lastUsed = time.Now()
	// A function error posted to .../error leaves the environment warm;
	// timeouts, crashes and init failures replace it.
	out.healthy = a.status == statusSuccess
	select {
	case <-e.exited():
		out.healthy = false
	default:
	}
	out.trace = e.traceInvocation(a, out)
	return out
}

// initReport logs the INIT_REPORT of a failed init phase.
func (e *environment) initReport(phase string, d time.Duration, f *failure) {
	now := time.Now()
	if f.timedOut {
		e.emit(now, e.frame.initReport(now, d, phase, statusTimeout, ""))
		return
	}
	e.emit(now, e.frame.initReport(now, d, phase, statusError, f.errorType))
}

// suppressedInit retries a failed init inside the invoke phase, as Lambda
// does: a new runtime process (INIT_START again) that must finish its init
// before the invocation's deadline. A second failure is logged as an
// INIT_REPORT of phase invoke and returned.
func (e *environment) suppressedInit(deadline time.Time) *failure {
	if err := e.spawn(); err != nil {
		e.emu.opts.Logger.Error("lambdaemu: restarting the runtime", "function", e.fn.Name, "err", err)
		return &failure{errorType: "Runtime.ExitError", msg: "Runtime exited with error: " + err.Error()}
	}
	d, fail := e.awaitInit(time.Until(deadline))
	e.proc.Load().out.drain()
	if fail != nil {
		e.initReport("invoke", d, fail)
	}
	return fail
}
