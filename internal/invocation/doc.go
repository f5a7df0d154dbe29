// Package invocation is the one place where lambdalog's libraries (logger, metrics, httpadapter
// and tracer) learn the facts of the Lambda invocation they run in: whether it is a cold start,
// its X-Ray trace header, and which function and request it belongs to.
//
// # Cold start
//
// A [ColdStart] belongs to one wrapped handler (there is no process-wide state): its
// [ColdStart.Next] reports true for the first invocation that handler serves and false for every
// later one, also when several invocations start at once (AWS_LAMBDA_MAX_CONCURRENCY > 1). When
// the execution environment was initialized for provisioned concurrency
// (AWS_LAMBDA_INITIALIZATION_TYPE=provisioned-concurrency, read by [NewColdStart]) no invocation is
// a cold start, as Powertools for AWS Lambda decides: the initialization did not delay a request.
//
// # Trace header
//
// The X-Ray trace context travels as a header value such as
//
//	Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1;Lineage=a87bd80c:1
//
// a list of key=value fields separated by semicolons. [ParseTraceHeader] reads it into a
// [TraceHeader]: Root (the trace id), Parent (the id of the parent segment), Sampled (1, 0, ? or
// absent) and Lineage (which Lambda and other services append and which should be passed on
// unchanged). Keys are case-sensitive, as in the X-Ray SDKs; whitespace around a field is ignored;
// a part without '=' is dropped; a known key with an empty value counts as absent. Every other
// field (Self, which ALB adds, unknown keys, a second occurrence of a known key, a Sampled value
// other than 1, 0 and ?) is kept, in order, in Other. Parsing never fails and never panics: any
// string gives a TraceHeader, possibly empty.
//
// [TraceHeader.String] writes the canonical form: Root, Parent, Sampled, Lineage (each when
// present), then Other in order. It round-trips: for any string s, parsing the String of
// ParseTraceHeader(s) gives the same TraceHeader, and a header already in canonical form (as
// Lambda and the X-Ray SDKs write it) is reproduced byte for byte.
//
// # Where the trace header comes from
//
// Lambda gives the runtime the trace header of each invocation in the Lambda-Runtime-Trace-Id
// header of the Runtime API's next-invocation response. aws-lambda-go (lambda/invoke_loop.go)
// puts it on the handler's context under the plain string key "x-amzn-trace-id" and, only when it
// runs one invocation at a time (AWS_LAMBDA_MAX_CONCURRENCY unset or 1), also in the environment
// variable _X_AMZN_TRACE_ID. [FromContext] reads the context value and, when the context does not
// carry one (a context not derived from the handler's) and invocations do not run concurrently,
// falls back to _X_AMZN_TRACE_ID. With concurrent invocations the variable is never trusted: it
// would belong to whichever invocation set it last.
//
// # Function and request facts
//
// [LoadEnvironment] reads what Lambda's environment variables say about the function, the same for
// every invocation of an execution environment: AWS_LAMBDA_FUNCTION_NAME,
// AWS_LAMBDA_FUNCTION_VERSION, AWS_LAMBDA_FUNCTION_MEMORY_SIZE, AWS_LAMBDA_LOG_GROUP_NAME,
// AWS_LAMBDA_LOG_STREAM_NAME and AWS_REGION (each falling back to the value aws-lambda-go's
// lambdacontext package read at start-up, where it has one), and the Powertools service name
// POWERTOOLS_SERVICE_NAME.
//
// [FromContext] returns what aws-lambda-go's context says about one invocation, as a [Request]:
// the request id, the invoked function ARN (which may carry a version or alias qualifier), the
// tenant id, the client context and the parsed trace header. Outside an invocation every field is
// empty. [ParseFunctionARN] splits a function ARN into partition, region, account, name and
// qualifier.
//
// # X-Ray entity
//
// The tracer and the logger meet on the context: the tracer puts each subsegment it opens on the
// context it hands to the traced code ([WithEntity]), as an [Entity] that can write its id; the
// logger reads the innermost one from the context of a log call ([EntityFromContext]) and writes
// its id next to xray_trace_id. Neither package imports the other.
package invocation
