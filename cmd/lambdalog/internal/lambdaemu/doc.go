// Package lambdaemu runs AWS Lambda functions locally, natively (no
// containers), and frames their output exactly as Lambda does, into the
// local CloudWatch Logs store.
//
// An [Emulator] holds functions ([Function], from flags or a SAM template
// via [ParseTemplate]). Each execution environment is one process of the
// function's executable (any program speaking the Runtime API 2018-06-01,
// typically a Go binary built with [Build]) with its own Runtime API server
// on a loopback port, its own log stream YYYY/MM/DD/[$LATEST]<32 hex> in
// /aws/lambda/<name> (or LoggingConfig.LogGroup), and Lambda's environment
// variables. Environments are reused while warm, a new one starts when all
// are busy, and idle ones are stopped after [Options.IdleTimeout]. A
// function can be replaced ([Emulator.ReplaceFunction], for example with a
// new build) or removed while it runs: new invocations get new
// environments, idle ones stop, and running invocations finish in the
// environment they started in, which then stops.
//
// An environment's Runtime API serves only that environment: on Linux a
// connection is accepted only when the kernel (sock_diag) shows that the
// connecting socket is an open file of the runtime process or one of its
// descendants, so another local process, of this user or another, cannot
// take an event or post a response; its connection is closed unanswered and
// the first one per environment is logged at WARN with its uid and pid. On
// other systems it is protected only by listening on 127.0.0.1, on an
// ephemeral port given to the runtime process alone. Processes of the same
// user can still read the runtime's memory, environment and files: this
// guards against strangers on the machine, not against the user's own
// programs.
//
// The log stream holds INIT_START, every output line (stdout and stderr)
// as one event, START, END and REPORT (Duration, Billed Duration rounded up
// to the millisecond, Memory Size, Max Memory Used from the process's real
// peak RSS, Init Duration on an environment's first invocation, the XRAY
// line when traced), or the platform.* records under LogFormat JSON.
// Timeouts, crashes (Runtime.ExitError), init failures (INIT_REPORT) and
// exceeding MemorySize (Runtime.OutOfMemory, Max Memory Used = Memory
// Size) are reported as Lambda reports them and replace the environment.
//
// Functions get the caller's AWS credentials and what an SDK reads to
// find a profile (AWS_PROFILE, AWS_CONFIG_FILE, AWS_SHARED_CREDENTIALS_FILE,
// HOME), so profiles and SSO work as on the host; placeholder keys when it
// has neither keys, nor AWS_PROFILE, nor a shared credentials file, as
// Lambda always provides the execution role's. Lambda's own variables
// (AWS_REGION, AWS_LAMBDA_*, ...) win over the host's. Once
// [Emulator.SetEndpoint] has named the local APIs, the service-specific
// endpoint variables AWS_ENDPOINT_URL_LAMBDA, _CLOUDWATCH_LOGS, _CLOUDWATCH
// and _XRAY: a function that invokes another through the SDK, or ships
// logs or metrics through the CloudWatch APIs, runs unchanged locally and
// on AWS. Other services keep their AWS endpoints.
//
// [Emulator.InvokeAPI] serves POST /2015-03-31/functions/{name}/invocations
// (RequestResponse, Event, DryRun, X-Amz-Log-Type Tail) so aws-sdk-go-v2
// and `aws lambda invoke --endpoint-url` work unchanged;
// [Emulator.APIGateway] is an API Gateway front for Api (REST, payload
// 1.0) and HttpApi (payload 2.0) routes. It passes request paths on as API
// Gateway does: a REST API's path and path parameters exactly as the client
// sent them (percent-encoding and dot segments kept; %2F stays inside its
// segment); an HTTP API routes on the path decoded once (%2F separates
// segments, a decoded "?" ends the path) and sends it decoded twice in
// rawPath and the path parameters, answering 400 when that fails.
//
// # Schedules
//
// A function's Schedule events (EventBridge rules) and ScheduleV2 events
// (EventBridge Scheduler) invoke it asynchronously, as those services do,
// on their expression: rate(N minute|minutes|hour|hours|day|days),
// counted from when the function was added; cron(minutes hours
// day-of-month month day-of-week year) with EventBridge's syntax (, - * /,
// ? in one of the day fields, L, W and LW in day-of-month, L, dL and d#n in
// day-of-week, 1 = Sunday, years 1970-2199), in UTC or a ScheduleV2's
// ScheduleExpressionTimezone; and a ScheduleV2's one-time
// at(yyyy-mm-ddThh:mm:ss). A rule sends EventBridge's "Scheduled Event"
// (version 0, source aws.events, the account, region and time, resources
// [the rule's ARN], detail {}), a schedule {}; the template's Input replaces
// either, with Scheduler's <aws.scheduler.*> context attributes filled in
// for a schedule. Enabled: false and State: DISABLED keep the schedule
// from firing. Options.Clock drives them (tests move it by hand).
//
// # The terminal
//
// With Options.Echo set, every log event is also written there as it is
// produced; while more than one function is registered each line starts
// with its function's name (coloured with Options.EchoColor).
// Options.Messages is told, a line each, what the developer should know
// but the client is not: why the API Gateway front answered 502 (500 for
// an HTTP API), naming the function and the invocation's request id, which
// routes exist when a request matched none, and each scheduled invocation.
//
// # Tracing
//
// Every invocation gets a trace header (Lambda-Runtime-Trace-Id), built as
// Lambda builds it (tracing.go): the caller's X-Amzn-Trace-Id (from the
// Invoke API or the API Gateway front) is continued when its Root is a
// valid trace id, else a new trace starts. A function with active tracing
// (Function.Tracing; SAM's Tracing: Active) gets a header whose Parent is a
// new AWS::Lambda::Function segment id, and an undecided sampling (no
// Sampled, or Sampled=?) becomes Sampled=1; without it (PassThrough) the
// header is passed on, Sampled=0 when undecided. The REPORT line's XRAY
// part (active tracing only) carries the Root, the function segment's id and
// the sampling decision: the same ids the function sees.
//
// With Options.Traces set, each sampled invocation of an actively traced
// function emits the two segments Lambda emits, in its document format
// (testdata/segments has golden examples): AWS::Lambda (from the request
// reaching Lambda to the response; parent_id the caller's Parent; http
// response status 200; aws.request_id; resource_arn) and
// AWS::Lambda::Function (its id the header's Parent; aws account_id,
// function_arn, resource_names and cloudwatch_logs; fault and cause when the
// invocation failed, the cause being the runtime's
// Lambda-Runtime-Function-XRay-Error-Cause when it sent one) with the
// subsegments Initialization (on a cold start: process start to the first
// /next), Invocation (the runtime taking the event to its answer, or to the
// timeout or crash) and Overhead (the answer to the runtime's next /next,
// waited for at most a second). With Options.XRayDaemonAddr set, functions
// get AWS_XRAY_DAEMON_ADDRESS, _AWS_XRAY_DAEMON_ADDRESS,
// _AWS_XRAY_DAEMON_PORT and AWS_XRAY_CONTEXT_MISSING=LOG_ERROR.
//
// # Differences from Lambda
//
//   - Processes run on the host as the current user, with the host's
//     filesystem, CPU and network; there is no sandbox, no read-only
//     /var/task, no /tmp limit and no CPU scaling with memory.
//   - Memory is enforced by sampling the resident set of the process tree
//     every 10 ms (children every 100 ms) and killing it with SIGKILL, not
//     by a cgroup: a fast allocation can overshoot the limit briefly. Max
//     Memory Used is the process's own peak RSS (VmHWM) and the sampled
//     peak of its children; Lambda's figure also counts the runtime's
//     sandbox overhead, so ours is lower. The process is also sampled at
//     its start, at each Runtime API call and each init output line, but one
//     that exits within milliseconds (a crash during init) may be
//     under-reported (at least 1 MB is shown). The kernel's ru_maxrss is
//     not used: Linux keeps it across execve, so it would report the
//     lambdalog process's own peak.
//   - Timeouts log the classic "<time> <id> Task timed out after N.00
//     seconds" line and also "Status: timeout" in REPORT; current Lambda
//     logs only the latter. The invoke payload is Lambda's current
//     {"errorType":"Sandbox.Timedout","errorMessage":"RequestId: <id>
//     Error: Task timed out after N.00 seconds"}.
//   - A failed init is logged as Lambda logs it: INIT_REPORT (Phase: init,
//     Status: error with the Error Type, or Status: timeout after 10 s),
//     then the init is retried in the same log stream during the invoke
//     phase ("suppressed init": INIT_START again, under the function's
//     timeout); if that fails too, INIT_REPORT (Phase: invoke), then START,
//     the error, END and REPORT (Status: error, no Init Duration). Lambda
//     may scrub error types the runtime posts to /init/error (for example
//     to Runtime.Unknown); we report them as posted. After a failed
//     invocation the environment is replaced, so each further invocation
//     starts a new stream with both init attempts. The suppressed init's
//     time counts in Duration; a successful retry reports no Init Duration.
//   - Billed Duration includes the Init Duration on cold starts (Lambda's
//     rule for custom runtimes and, since August 2025, for all runtimes).
//   - INIT_START reports a fixed runtime version (provided:al2023.v100)
//     and a zero runtime version ARN.
//   - Active tracing samples every request whose caller did not decide
//     (Lambda samples one a second and 5% of the rest). The REPORT line's
//     SegmentId is the AWS::Lambda::Function segment's id. The AWS::Lambda
//     segment's response status is 200 also for Event invocations, and it
//     has none of the dwell-time or retry subsegments Lambda adds to them.
//   - Text-format events keep their trailing newline, as Lambda stores
//     them; JSON-format events do not. Under JSON, application lines are
//     passed through unchanged (as for OS-only runtimes), except JSON lines
//     whose "level" is below ApplicationLogLevel, which are dropped;
//     SystemLogLevel WARN or above drops the INFO platform records.
//     platform.runtimeDone appears only for timeouts and crashes.
//   - Only $LATEST exists: versions, aliases, layers, extensions
//     (Extensions and Telemetry APIs), SnapStart, provisioned and reserved
//     concurrency, response streaming and function URLs are not emulated;
//     concurrency is unlimited.
//   - Event (asynchronous) invocations run once, without retries, DLQs or
//     destinations (their client context is dropped, as on Lambda). Invoke API requests are not SigV4-verified.
//   - Log events of an invocation are handed to the sink when it ends (and
//     output between invocations every second), so they are queryable as
//     soon as Invoke returns; Lambda delivers them asynchronously, seconds
//     later. [StoreSink] queues them in the store without waiting for the
//     fsync (store.PutEventsAsync): the invocation does not wait for the
//     disk, while every read of the store (the logs APIs, Logs Insights,
//     tail, the console) waits until the events queued before it are
//     committed and returns only synced events, so what a reader was
//     shown survives kill -9 and power loss. Metrics derived from the
//     events (EMF, metric filters) are stored once they are committed,
//     shortly after Invoke returns.
//   - Schedules fire on time, once, in the order their times come: there
//     is no ScheduleV2 FlexibleTimeWindow, StartDate or EndDate, no retry
//     policy or dead-letter queue, and a run missed while the machine
//     slept is skipped. A rate counts from when dev started, where
//     EventBridge counts from the rule's creation.
//   - The API Gateway front has no stages, authorizers, CORS, binary media
//     type settings or request validation; a non-UTF-8 request body is sent
//     base64-encoded.
package lambdaemu
