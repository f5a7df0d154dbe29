package lambdaemu

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	lambdafacts "github.com/lambdalog/lambdalog/internal/invocation"
)

// TraceSink stores the segment documents Lambda emits for traced
// invocations (package tracestore in lambdalog dev).
type TraceSink interface {
	PutSegments(ctx context.Context, docs ...[]byte) error
}

// tracing is the X-Ray context of one invocation, as Lambda sets it up.
type tracing struct {
	// header is the trace header the runtime receives (Lambda-Runtime-Trace-Id).
	header string
	root   string
	// sampled: the trace is recorded; segments: Lambda emits its segments
	// (active tracing and sampled).
	sampled, segments bool
	// callerParent is the incoming header's Parent: the AWS::Lambda
	// segment's parent_id.
	callerParent string
	// lambdaID and functionID are the ids of the AWS::Lambda and
	// AWS::Lambda::Function segments; functionID is the header's Parent.
	lambdaID, functionID string
	// received is when the request reached Lambda.
	received time.Time
}

// newTracing continues the caller's trace header, or starts a trace, as
// Lambda does: with active tracing the function's header names a new
// function segment as its Parent and an undecided sampling (no Sampled, or
// Sampled=?) becomes Sampled=1 (Lambda samples a share; lambdalog records
// every request); in PassThrough mode the header is passed on, with
// Sampled=0 when undecided. Root is kept when it is a valid trace id.
func newTracing(incoming string, active bool, received time.Time) *tracing {
	in := lambdafacts.ParseTraceHeader(incoming)
	t := &tracing{root: in.Root, received: received}
	if !validRoot(t.root) {
		t.root, in.Parent = fmt.Sprintf("1-%08x-%s", received.Unix(), randomHex(12)), ""
	}
	switch in.Sampled {
	case lambdafacts.SampledTrue:
		t.sampled = true
	case lambdafacts.SampledFalse:
	default:
		t.sampled = active
	}
	out := lambdafacts.TraceHeader{Root: t.root, Parent: in.Parent, Sampled: lambdafacts.SampledFalse, Lineage: in.Lineage}
	if t.sampled {
		out.Sampled = lambdafacts.SampledTrue
	}
	if active {
		t.callerParent, t.lambdaID, t.functionID = in.Parent, randomHex(8), randomHex(8)
		out.Parent = t.functionID
		t.segments = t.sampled
	}
	if out.Parent == "" {
		out.Parent = randomHex(8)
	}
	t.header = out.String()
	return t
}

// validRoot reports whether s is a trace id 1-<8 hex>-<24 hex>.
func validRoot(s string) bool {
	if len(s) != 35 || !strings.HasPrefix(s, "1-") || s[10] != '-' {
		return false
	}
	for i, c := range s {
		if i < 2 || i == 10 {
			continue
		}
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F') {
			return false
		}
	}
	return true
}

// daemonEnv returns the X-Ray variables Lambda sets for a daemon at addr
// (host:port): AWS_XRAY_DAEMON_ADDRESS and its two halves.
func daemonEnv(addr string) map[string]string {
	host, port, _ := strings.Cut(addr, ":")
	if i := strings.LastIndex(addr, ":"); i >= 0 {
		host, port = strings.Trim(addr[:i], "[]"), addr[i+1:]
	}
	return map[string]string{"AWS_XRAY_DAEMON_ADDRESS": addr, "_AWS_XRAY_DAEMON_ADDRESS": host, "_AWS_XRAY_DAEMON_PORT": port}
}

// maxXRayCause bounds the Lambda-Runtime-Function-XRay-Error-Cause kept.
const maxXRayCause = 64 << 10

// xrayCause returns the runtime's X-Ray error cause header when it is a
// JSON object, else nil.
func xrayCause(h string) json.RawMessage {
	h = strings.TrimSpace(h)
	if h == "" || len(h) > maxXRayCause || h[0] != '{' || !json.Valid([]byte(h)) {
		return nil
	}
	return json.RawMessage(h)
}

// lambdaSegments are the AWS::Lambda and AWS::Lambda::Function segments
// of one invocation, from the times the runtime measured.
type lambdaSegments struct {
	root, lambdaID, functionID, callerParent string
	name, arn, account, logGroup, requestID  string
	// received to responded: the AWS::Lambda segment.
	received, responded time.Time
	// initStart to initEnd: the Initialization subsegment (zero: warm).
	initStart, initEnd time.Time
	// invokeStart to invokeEnd: the Invocation subsegment.
	invokeStart, invokeEnd time.Time
	// overheadEnd ends the Overhead subsegment that follows Invocation
	// (zero: none, the runtime did not ask for more work).
	overheadEnd time.Time
	// fault and cause: the invocation failed (function error, timeout,
	// crash).
	fault                            bool
	cause                            json.RawMessage
	initID, invocationID, overheadID string
}

// epochSeconds writes t as X-Ray times are written: epoch seconds, to the
// microsecond.
func epochSeconds(t time.Time) json.Number {
	us := t.UnixMicro()
	return json.Number(strconv.FormatInt(us/1e6, 10) + "." + fmt.Sprintf("%06d", us%1e6))
}

type lambdaSubsegment struct {
	ID        string      `json:"id"`
	Name      string      `json:"name"`
	StartTime json.Number `json:"start_time"`
	EndTime   json.Number `json:"end_time"`
	AWS       struct {
		FunctionARN string `json:"function_arn"`
	} `json:"aws"`
}

// documents renders the two segments, AWS::Lambda first.
func (s *lambdaSegments) documents() [][]byte {
	type httpResponse struct {
		Response struct {
			Status int `json:"status"`
		} `json:"response"`
	}
	lambda := struct {
		ID        string       `json:"id"`
		Name      string       `json:"name"`
		StartTime json.Number  `json:"start_time"`
		TraceID   string       `json:"trace_id"`
		EndTime   json.Number  `json:"end_time"`
		ParentID  string       `json:"parent_id,omitempty"`
		HTTP      httpResponse `json:"http"`
		AWS       struct {
			RequestID string `json:"request_id"`
		} `json:"aws"`
		Origin      string `json:"origin"`
		ResourceARN string `json:"resource_arn"`
	}{ID: s.lambdaID, Name: s.name, StartTime: epochSeconds(s.received), TraceID: s.root, EndTime: epochSeconds(s.responded),
		ParentID: s.callerParent, Origin: "AWS::Lambda", ResourceARN: s.arn}
	lambda.HTTP.Response.Status = 200
	lambda.AWS.RequestID = s.requestID

	sub := func(id, name string, start, end time.Time) lambdaSubsegment {
		x := lambdaSubsegment{ID: id, Name: name, StartTime: epochSeconds(start), EndTime: epochSeconds(end)}
		x.AWS.FunctionARN = s.arn
		return x
	}
	var subs []lambdaSubsegment
	if !s.initStart.IsZero() {
		subs = append(subs, sub(s.initID, "Initialization", s.initStart, s.initEnd))
	}
	subs = append(subs, sub(s.invocationID, "Invocation", s.invokeStart, s.invokeEnd))
	end := s.invokeEnd
	if !s.overheadEnd.IsZero() {
		subs = append(subs, sub(s.overheadID, "Overhead", s.invokeEnd, s.overheadEnd))
		end = s.overheadEnd
	}
	type logGroup struct {
		LogGroup string `json:"log_group"`
	}
	function := struct {
		ID        string          `json:"id"`
		Name      string          `json:"name"`
		StartTime json.Number     `json:"start_time"`
		TraceID   string          `json:"trace_id"`
		EndTime   json.Number     `json:"end_time"`
		ParentID  string          `json:"parent_id"`
		Fault     bool            `json:"fault,omitempty"`
		Cause     json.RawMessage `json:"cause,omitempty"`
		AWS       struct {
			AccountID      string     `json:"account_id"`
			FunctionARN    string     `json:"function_arn"`
			ResourceNames  []string   `json:"resource_names"`
			CloudwatchLogs []logGroup `json:"cloudwatch_logs"`
		} `json:"aws"`
		Origin      string             `json:"origin"`
		Subsegments []lambdaSubsegment `json:"subsegments"`
	}{ID: s.functionID, Name: s.name, StartTime: epochSeconds(s.invokeStart), TraceID: s.root, EndTime: epochSeconds(end),
		ParentID: s.lambdaID, Fault: s.fault, Cause: s.cause, Origin: "AWS::Lambda::Function", Subsegments: subs}
	function.AWS.AccountID, function.AWS.FunctionARN = s.account, s.arn
	function.AWS.ResourceNames = []string{s.name}
	function.AWS.CloudwatchLogs = []logGroup{{s.logGroup}}
	l, _ := json.Marshal(lambda)
	f, _ := json.Marshal(function)
	return [][]byte{l, f}
}

// cause is an X-Ray cause with one exception.
func cause(typ, msg string) json.RawMessage {
	b, _ := json.Marshal(map[string]any{"exceptions": []map[string]string{{"id": randomHex(8), "type": typ, "message": msg}}})
	return b
}

// functionCause is the cause of a failed invocation: the runtime's X-Ray
// error cause when it sent one, else the error it reported.
func functionCause(a *attempt, out outcome) json.RawMessage {
	if a.status == statusSuccess && a.res.xrayCause != nil {
		return a.res.xrayCause
	}
	var doc struct {
		ErrorMessage string `json:"errorMessage"`
	}
	_ = json.Unmarshal(out.payload, &doc)
	return cause(out.errorType, doc.ErrorMessage)
}

// traceInvocation, called when an invocation has been reported, prepares
// its segments: Initialization (on a cold start), Invocation, and the
// Overhead that lasts until the runtime asks for its next invocation
// (waited for in the background, at most a second). It returns nil when
// Lambda emits no segments for the invocation.
func (e *environment) traceInvocation(a *attempt, out outcome) *pendingTrace {
	tr := a.inv.tracing
	if tr == nil || !tr.segments || e.emu.opts.Traces == nil {
		return nil
	}
	p := e.proc.Load()
	s := &lambdaSegments{root: tr.root, lambdaID: tr.lambdaID, functionID: tr.functionID, callerParent: tr.callerParent,
		name: e.fn.Name, arn: a.inv.functionARN, account: e.emu.opts.AccountID, logGroup: e.fn.LogGroup, requestID: a.inv.id,
		received: tr.received, invokeStart: a.handed, invokeEnd: a.answered,
		initID: randomHex(8), invocationID: randomHex(8), overheadID: randomHex(8)}
	if s.invokeStart.IsZero() {
		s.invokeStart = a.start
	}
	if s.invokeEnd.IsZero() {
		s.invokeEnd = time.Now()
	}
	if a.initDur > 0 {
		s.initStart, s.initEnd = p.started, p.readyAt
	}
	if out.errorType != "" {
		s.fault, s.cause = true, functionCause(a, out)
	}
	pt := &pendingTrace{segments: s}
	if out.healthy {
		pt.overhead = e.awaitNext(s.invokeEnd)
	}
	return pt
}

// pendingTrace is an invocation's segments waiting for their last times.
type pendingTrace struct {
	segments *lambdaSegments
	overhead <-chan time.Time // nil: no Overhead
}

// awaitNext returns a channel that delivers when the runtime next calls
// /next after answered, or the time the wait gave up (a second, or the
// environment stopping).
func (e *environment) awaitNext(answered time.Time) <-chan time.Time {
	ch := make(chan time.Time, 1)
	e.nextWaiter.Store(&ch)
	if at := e.lastNext.Load(); at > answered.UnixNano() && e.nextWaiter.CompareAndSwap(&ch, nil) {
		ch <- time.Unix(0, at)
		return ch
	}
	out := make(chan time.Time, 1)
	p := e.proc.Load()
	go func() {
		timer := time.NewTimer(time.Second)
		defer timer.Stop()
		select {
		case t := <-ch:
			out <- t
			return
		case <-timer.C:
		case <-p.exited:
		case <-e.stopped:
		}
		e.nextWaiter.CompareAndSwap(&ch, nil)
		out <- time.Now()
	}()
	return out
}

// nextCalled records that the runtime asked for its next invocation.
func (e *environment) nextCalled() {
	now := time.Now()
	e.lastNext.Store(now.UnixNano())
	if ch := e.nextWaiter.Swap(nil); ch != nil {
		*ch <- now
	}
}

// emit stores the segments once their times are known: in the background,
// tracked so that Close waits for it.
func (pt *pendingTrace) emit(emu *Emulator, responded time.Time) {
	if pt == nil {
		return
	}
	pt.segments.responded = responded
	emu.traces.Add(1)
	go func() {
		defer emu.traces.Done()
		if pt.overhead != nil {
			pt.segments.overheadEnd = <-pt.overhead
		}
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := emu.opts.Traces.PutSegments(ctx, pt.segments.documents()...); err != nil {
			emu.opts.Logger.Error("lambdaemu: storing the invocation's segments", "function", pt.segments.name, "err", err)
		}
	}()
}
