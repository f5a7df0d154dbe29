package lambdaemu

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
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
}

// environment is one execution environment: a runtime process, its
// Runtime API server and its log stream.
type environment struct {
	emu    *Emulator
	fn     *Function
	frame  framer
	stream string
	cmd    *exec.Cmd
	srv    *http.Server
	out    *outputPipe

	next      chan *invocation
	current   atomic.Pointer[invocation]
	ready     chan struct{} // closed at the first /next: init is done
	readyOnce sync.Once
	initErr   chan result
	exited    chan struct{} // closed when the process has exited
	exitState string        // "exit status N" or "signal: killed"
	stopped   chan struct{}
	stopOnce  sync.Once
	oom       atomic.Bool
	peakMem   atomic.Int64

	started  time.Time
	warm     bool // init finished; touched only by the invoking goroutine
	lastUsed time.Time

	logMu   sync.Mutex
	lastTS  time.Time
	pending []LogEvent
	tail    *strings.Builder // the current invocation's log, for LogType Tail
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
		ready:   make(chan struct{}),
		initErr: make(chan result, 1),
		exited:  make(chan struct{}),
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
	e.srv = &http.Server{Handler: e.runtimeAPI(), ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = e.srv.Serve(ln) }()

	e.out, err = newOutputPipe(e.appLine)
	if err != nil {
		e.srv.Close()
		return nil, fmt.Errorf("function %s: %w", fn.Name, err)
	}
	e.cmd = exec.Command(fn.Command[0], fn.Command[1:]...)
	e.cmd.Dir = fn.Dir
	e.cmd.Env = e.environ(ln.Addr().String())
	e.cmd.Stdout, e.cmd.Stderr = e.out.w, e.out.w
	e.cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}

	e.started = time.Now()
	e.emit(e.started, e.frame.initStart(e.started))
	if err := e.cmd.Start(); err != nil {
		e.out.w.Close()
		e.out.r.Close()
		e.srv.Close()
		return nil, fmt.Errorf("function %s: start %s: %w", fn.Name, fn.Command[0], err)
	}
	e.out.w.Close()
	go e.out.run()
	go func() {
		_ = e.cmd.Wait()
		e.exitState = e.cmd.ProcessState.String()
		if ru, ok := e.cmd.ProcessState.SysUsage().(*syscall.Rusage); ok && ru.Maxrss*1024 > e.peakMem.Load() {
			e.peakMem.Store(ru.Maxrss * 1024) // peak RSS of a process that exited before a sample
		}
		close(e.exited)
	}()
	go e.watchMemory()
	return e, nil
}

// environ returns the variables Lambda sets for a runtime process.
func (e *environment) environ(runtimeAPI string) []string {
	fn := e.fn
	env := map[string]string{}
	// A function may need a PATH and the caller's AWS credentials, as on
	// Lambda where the execution role's credentials are provided.
	for _, k := range []string{"PATH", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"} {
		if v, ok := os.LookupEnv(k); ok {
			env[k] = v
		}
	}
	if env["PATH"] == "" {
		env["PATH"] = "/usr/local/bin:/usr/bin/:/bin:/opt/bin"
	}
	for k, v := range fn.Env {
		env[k] = v
	}
	reserved := map[string]string{
		"AWS_LAMBDA_RUNTIME_API":          runtimeAPI,
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
	if w := e.emu.opts.Echo; w != nil {
		e.emu.echoMu.Lock()
		fmt.Fprintln(w, strings.TrimSuffix(msg, "\n"))
		e.emu.echoMu.Unlock()
	}
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
func (e *environment) watchMemory() {
	limit := int64(e.fn.MemoryMB) << 20
	t := time.NewTicker(memoryPoll)
	defer t.Stop()
	for tick := 0; ; tick++ {
		select {
		case <-e.exited:
			return
		case <-t.C:
		}
		// Walking the process tree costs far more than reading one status
		// file, and runtimes rarely fork: do it every 10th sample.
		var rss, hwm int64
		if tick%10 == 0 {
			rss, hwm = treeMemory(e.cmd.Process.Pid)
		} else {
			rss, hwm = procMemory(e.cmd.Process.Pid)
		}
		if m := max(rss, hwm); m > e.peakMem.Load() {
			e.peakMem.Store(m)
		}
		if rss > limit && !e.oom.Swap(true) {
			e.kill()
		}
	}
}

// maxMemoryUsedMB is the Max Memory Used of the environment so far.
func (e *environment) maxMemoryUsedMB() int {
	select {
	case <-e.exited:
	default:
		_, hwm := procMemory(e.cmd.Process.Pid) // children: sampled by watchMemory
		if hwm > e.peakMem.Load() {
			e.peakMem.Store(hwm)
		}
	}
	if e.oom.Load() {
		return e.fn.MemoryMB
	}
	return min(toMB(e.peakMem.Load()), e.fn.MemoryMB)
}

func (e *environment) kill() {
	_ = syscall.Kill(-e.cmd.Process.Pid, syscall.SIGKILL)
}

// stop kills the environment and stores its remaining logs.
func (e *environment) stop() {
	e.stopOnce.Do(func() {
		close(e.stopped)
		e.kill()
		<-e.exited
		e.srv.Close()
		select {
		case <-e.out.done:
		case <-time.After(time.Second): // a grandchild still holds the pipe
		}
		e.flush()
	})
}

// awaitInit waits for the end of the init phase. It returns the init
// duration, or the error the invocation must report.
func (e *environment) awaitInit() (time.Duration, *failure) {
	timer := time.NewTimer(initTimeout)
	defer timer.Stop()
	select {
	case <-e.ready:
		return time.Since(e.started), nil
	case r := <-e.initErr:
		e.kill()
		return time.Since(e.started), &failure{errorType: r.errorType, payload: r.payload}
	case <-e.exited:
		return time.Since(e.started), e.exitFailure()
	case <-timer.C:
		e.kill()
		return initTimeout, &failure{errorType: "Sandbox.Timedout", msg: fmt.Sprintf("Init timed out after %.2f seconds", initTimeout.Seconds())}
	}
}

// failure is an invocation that did not produce a response.
type failure struct {
	errorType string
	msg       string // for platform error lines; "" when the runtime sent payload
	payload   []byte
}

func (e *environment) exitFailure() *failure {
	<-e.exited
	typ := "Runtime.ExitError"
	if e.oom.Load() {
		typ = "Runtime.OutOfMemory"
	}
	if e.exitState == "exit status 0" {
		return &failure{errorType: typ, msg: "Runtime exited without providing a reason"}
	}
	return &failure{errorType: typ, msg: "Runtime exited with error: " + e.exitState}
}

// outcome is the result of one invocation in an environment.
type outcome struct {
	payload   []byte
	errorType string // "" on success
	log       string
	healthy   bool // the environment may be reused
}

// invoke runs one invocation, with Lambda's framing around it.
func (e *environment) invoke(inv *invocation) outcome {
	var initDur time.Duration
	var fail *failure
	status := "success"
	if !e.warm {
		initDur, fail = e.awaitInit()
		e.out.drain()
		e.warm = fail == nil
	}
	// The tail (LogType Tail) starts after init output, as on Lambda.
	e.logMu.Lock()
	e.tail = &strings.Builder{}
	e.logMu.Unlock()
	if fail != nil {
		e.emit(time.Now(), e.frame.initReport(time.Now(), initDur, fail.errorType))
		initDur = 0
	}
	t0 := time.Now()
	e.emit(t0, e.frame.start(t0, inv.id))
	inv.deadline = t0.Add(e.fn.Timeout)
	var res result
	if fail == nil {
		e.current.Store(inv)
		timer := time.NewTimer(e.fn.Timeout)
		next := e.next
	wait:
		for {
			select {
			case next <- inv:
				next = nil
			case res = <-inv.done:
				break wait
			case <-e.exited:
				select {
				case res = <-inv.done:
				default:
					fail = e.exitFailure()
				}
				break wait
			case <-timer.C:
				status = "timeout"
				e.kill()
				<-e.exited
				break wait
			}
		}
		timer.Stop()
		e.current.Store(nil)
	}
	dur := time.Since(t0)
	if status == "timeout" {
		dur = max(dur, e.fn.Timeout)
	}
	e.out.drain()
	now := time.Now()
	out := outcome{payload: res.payload, errorType: res.errorType}
	switch {
	case status == "timeout":
		e.emit(now, e.frame.timeout(now, inv.id, e.fn.Timeout))
		out = outcome{errorType: "Sandbox.Timedout", payload: mustJSON(map[string]string{
			"errorType":    "Sandbox.Timedout",
			"errorMessage": fmt.Sprintf("RequestId: %s Error: Task timed out after %.2f seconds", inv.id, e.fn.Timeout.Seconds()),
		})}
	case fail != nil:
		status = "error"
		out = outcome{errorType: fail.errorType, payload: fail.payload}
		if fail.msg != "" {
			for _, l := range e.frame.exitError(now, inv.id, fail.msg, fail.errorType) {
				e.emit(now, l)
			}
			out.payload = mustJSON(map[string]string{"errorType": fail.errorType, "errorMessage": "RequestId: " + inv.id + " Error: " + fail.msg})
		}
	}
	e.emit(now, e.frame.end(inv.id))
	rep := report{requestID: inv.id, duration: dur, init: initDur, memoryMB: e.fn.MemoryMB,
		maxUsedMB: e.maxMemoryUsedMB(), status: status}
	if status != "success" {
		rep.errorType = out.errorType
	}
	if e.fn.Tracing {
		rep.traceID, rep.segmentID = inv.traceID, randomHex(8)
	}
	e.emit(now, e.frame.report(now, rep))

	e.logMu.Lock()
	out.log = e.tail.String()
	e.tail = nil
	e.logMu.Unlock()
	e.flush()
	e.lastUsed = time.Now()
	// A function error posted to .../error leaves the environment warm;
	// timeouts, crashes and init failures replace it.
	out.healthy = status == "success"
	select {
	case <-e.exited:
		out.healthy = false
	default:
	}
	return out
}
