// Package tracer traces Go AWS Lambda functions for AWS X-Ray, in the shape Powertools for AWS
// Lambda's Tracer has in Python, TypeScript, Java and .NET, on the OpenTelemetry Go SDK, so that
// code instrumented with OpenTelemetry joins the same traces.
//
//	t, err := tracer.New()            // once, at start-up
//	lambda.Start(tracer.Wrap(t, handler))
//
//	func handler(ctx context.Context, req Request) (Response, error) {
//		tracer.PutAnnotation(ctx, "User", req.User)
//		return tracer.CaptureMethod(ctx, "greet", func(ctx context.Context) (Response, error) { ... })
//	}
//
// # What is recorded
//
// Lambda gives each invocation a trace header (Root=<trace id>;Parent=<id>;Sampled=<0|1>): with
// active tracing, Parent is the AWS::Lambda::Function segment that Lambda itself records. For
// each invocation whose header has a valid Root and Parent and Sampled=1, the handler middleware
// ([Wrap], [WrapAction], [WrapNoEvent]) records the subsegment "## <handler>" (the Go name of the
// handler function, "handler" for a function literal, or [WithHandlerName]) as a child of Parent
// in trace Root, with
//
//   - the annotations ColdStart (true for the first invocation the wrapped handler serves, never
//     under provisioned concurrency, as package logger and metrics count it) and Service;
//   - the metadata "<handler> response" (the handler's result, as encoding/json encodes it) or
//     "<handler> error" (the error's message, or "panic: <value>"), in the namespace of the
//     service, as POWERTOOLS_TRACER_CAPTURE_RESPONSE and POWERTOOLS_TRACER_CAPTURE_ERROR say;
//   - on an error or a panic, fault: true and a cause with the exception: the Go type and message
//     of the error, or the panic's value and the stack where it happened (the handler panics
//     again after recording, as it would have).
//
// [CaptureMethod] and [Capture] record a function as a subsegment "## <name>" of the subsegment
// open on the context, with its response and error the same way. [PutAnnotation] (strings,
// booleans and numbers, which X-Ray indexes for filter expressions; keys of ASCII letters,
// digits and _ only) and [PutMetadata] (any value; namespace = the service, or
// [PutMetadataInNamespace]) add to the subsegment open on the context, the innermost the tracer
// opened. [Tracer.Transport] (an http.RoundTripper) and [Tracer.InstrumentAWS] (aws-sdk-go-v2
// middleware) record downstream calls as subsegments: namespace remote named after the host,
// with the method, the URL (without user information, query and fragment) and the status; or
// namespace aws named after the service, with the operation, the region, the request id, the
// status and the retries. Both send the header X-Amzn-Trace-Id with their subsegment as Parent
// and the invocation's Lineage, so that the service called joins the trace. A 4xx status marks
// a subsegment as an error (429 also as throttled); a 5xx status, a failed call, an error or a
// panic as a fault.
//
// With Sampled=0 (or ?, or no Sampled field; in Lambda the decision always comes made) nothing is
// recorded or sent: the handler runs with the header's trace context on its context, so that the
// downstream calls pass the decision on. A header without a valid Root and Parent is ignored.
//
// Spans started with [Tracer.TracerProvider] (by OpenTelemetry instrumentation such as otelhttp)
// under a traced context are recorded in the same trace, as subsegments of the span they start
// under; a span started with no parent is not recorded. The handler's and captured functions'
// subsegments are OpenTelemetry spans too (trace.SpanFromContext returns them), but the
// tracer's own rather than the SDK's, which would cost more than all the rest of an invocation
// but the sending: attributes set on them with the OpenTelemetry API go in their documents as
// other spans' attributes do, and so do their events, errors and status; an exporter gets them
// as the SDK's spans (sdktrace.ReadOnlySpan). The log records of package logger logged
// with the context of a traced subsegment (InfoContext(ctx, ...)) carry its id as
// xray_segment_id, next to xray_trace_id, which is the trace's Root.
//
// # What is sent, and when
//
// Ended spans are kept in memory and sent before the invocation returns (Lambda freezes the
// environment after it), on the invocation's goroutine; the tracer starts no goroutine. By
// default they go to the X-Ray daemon that Lambda runs, at AWS_XRAY_DAEMON_ADDRESS (host:port, or
// "tcp:host:port udp:host:port"; default 127.0.0.1:2000), as the X-Ray SDKs send them: one UDP
// datagram per document, the header line {"format": "json", "version": 1} then the document,
// at most [MaxDatagram] bytes. Each span whose parent is not among the spans sent together is an
// independent subsegment document (type "subsegment", trace_id, parent_id), with the spans below
// it nested in "subsegments"; an invocation that ends all its spans in time is one datagram:
//
//	{"format": "json", "version": 1}
//	{"name":"## handler","id":"cbcd90a584e0ff74","start_time":1796167260.090351,
//	 "end_time":1796167260.090397,"trace_id":"1-5759e988-000000000000000000000001",
//	 "type":"subsegment","parent_id":"53995c3f42cd8ad8","namespace":"local",
//	 "annotations":{"ColdStart":false,"Service":"hello-api"},
//	 "metadata":{"hello-api":{"handler response":{"statusCode":200,...}}},
//	 "subsegments":[{"name":"## hello_name","id":"67c3abcca6e86bda","start_time":1796167260.090366,
//	   "end_time":1796167260.090388,"namespace":"local","annotations":{"User":"world"},
//	   "metadata":{"hello-api":{"hello_name response":{"message":"hello world!"}}}}]}
//
// (one line on the wire; the examples/hello function answering GET /hello/world). Times are
// seconds since the epoch with microseconds; names keep only the characters X-Ray allows, at
// most 200; the handler's and captured functions' subsegments have namespace local.
// A document over the limit is split: its subsegments go as documents of their own (with their
// parent's id), then the span alone; one still too large goes without its metadata, then
// without its stack traces, else is dropped. No in-progress documents are sent: a subsegment is
// sent once, complete (Lambda's own segments record an invocation that times out). Spans that end
// after their invocation returned are sent with the next invocation's, or by [Tracer.Flush] and
// [Tracer.Shutdown]. The first failure to send is reported on stderr ([WithWarnings]); the
// invocation never fails because of the tracer.
//
// When OTEL_EXPORTER_OTLP_ENDPOINT or OTEL_EXPORTER_OTLP_TRACES_ENDPOINT is set (a collector
// extension, the X-Ray OTLP endpoint through a proxy that signs requests, a local viewer), the
// spans go there instead, as OTLP/HTTP protobuf (the exporter reads the other OTEL_EXPORTER_OTLP_*
// variables), in one request per invocation, with the resource service.name, cloud.provider,
// cloud.platform, cloud.region, faas.name and faas.version. The annotations and metadata are
// span attributes as the OpenTelemetry collector's X-Ray exporter reads them: the annotated
// attributes named in aws.xray.annotations, and each metadata namespace as a JSON object in
// aws.xray.metadata.<namespace>; the downstream calls carry OpenTelemetry's semantic conventions
// (http.request.method, url.full, server.address, http.response.status_code, rpc.system
// "aws-api", rpc.service, rpc.method, cloud.region, aws.request_id). [WithExporter] sends to any
// other SpanExporter. [XRayExporter], [Propagator] (the X-Amzn-Trace-Id propagator) and
// [IDGenerator] (trace ids that start with the time, as X-Ray requires) also work on their own,
// with an SDK TracerProvider of yours.
//
// # Configuration
//
// New reads, and options override:
//
//   - POWERTOOLS_SERVICE_NAME ([WithService]): the service, default service_undefined;
//   - POWERTOOLS_TRACE_DISABLED ([WithDisabled]): true turns tracing off;
//   - POWERTOOLS_TRACER_CAPTURE_RESPONSE ([WithCaptureResponse]) and
//     POWERTOOLS_TRACER_CAPTURE_ERROR ([WithCaptureError]): false stops recording results or
//     errors as metadata (default true, as in Python, TypeScript and .NET);
//   - AWS_XRAY_DAEMON_ADDRESS ([WithDaemonAddress]);
//   - OTEL_EXPORTER_OTLP_ENDPOINT, OTEL_EXPORTER_OTLP_TRACES_ENDPOINT ([WithExporter]);
//   - LAMBDA_TASK_ROOT and AWS_SAM_LOCAL (see below).
//
// A boolean variable that is not true or false, or a malformed daemon address, makes New fail.
//
// # Outside Lambda, and in tests
//
// Like Powertools, the tracer turns itself off where Lambda does not run it: when
// LAMBDA_TASK_ROOT is not set, or under sam local (AWS_SAM_LOCAL=true), unless
// WithDisabled(false) turns it on. Off, it opens no socket and starts no goroutine; Wrap returns
// the handler itself, Transport its base and InstrumentAWS adds nothing; CaptureMethod and
// Capture only call the function; PutAnnotation only checks the key. On, it holds one UDP socket
// (or, once it has sent to an OTLP endpoint, net/http's idle connection) until Shutdown.
package tracer
