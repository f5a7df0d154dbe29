package invocation

import (
	"cmp"
	"context"
	"os"
	"strconv"
	"strings"

	"github.com/aws/aws-lambda-go/lambdacontext"
)

// Environment variables that describe the function, as Lambda sets them, and the Powertools
// service name.
const (
	EnvFunctionName    = "AWS_LAMBDA_FUNCTION_NAME"
	EnvFunctionVersion = "AWS_LAMBDA_FUNCTION_VERSION"
	EnvMemorySize      = "AWS_LAMBDA_FUNCTION_MEMORY_SIZE"
	EnvLogGroup        = "AWS_LAMBDA_LOG_GROUP_NAME"
	EnvLogStream       = "AWS_LAMBDA_LOG_STREAM_NAME"
	EnvRegion          = "AWS_REGION"
	EnvService         = "POWERTOOLS_SERVICE_NAME"
)

// DefaultService is the service name Powertools uses when POWERTOOLS_SERVICE_NAME is not set.
const DefaultService = "service_undefined"

// Environment is what the environment says about the function; it is the same for every
// invocation of an execution environment. Empty fields were not set.
type Environment struct {
	FunctionName    string
	FunctionVersion string // $LATEST or a version number
	MemoryMB        int    // 0 when unset or not a number
	LogGroup        string
	LogStream       string
	Region          string
	Service         string // POWERTOOLS_SERVICE_NAME
}

// LoadEnvironment reads the environment now.
func LoadEnvironment() Environment {
	memory, err := strconv.Atoi(os.Getenv(EnvMemorySize))
	if err != nil {
		memory = lambdacontext.MemoryLimitInMB
	}
	return Environment{
		FunctionName:    cmp.Or(os.Getenv(EnvFunctionName), lambdacontext.FunctionName),
		FunctionVersion: cmp.Or(os.Getenv(EnvFunctionVersion), lambdacontext.FunctionVersion),
		MemoryMB:        memory,
		LogGroup:        cmp.Or(os.Getenv(EnvLogGroup), lambdacontext.LogGroupName),
		LogStream:       cmp.Or(os.Getenv(EnvLogStream), lambdacontext.LogStreamName),
		Region:          os.Getenv(EnvRegion),
		Service:         os.Getenv(EnvService),
	}
}

// Request is what aws-lambda-go's context says about one invocation.
type Request struct {
	ID            string // the AWS request id
	FunctionARN   string // the invoked function ARN, with the version or alias invoked if any
	TenantID      string // set for functions with tenant isolation
	ClientContext lambdacontext.ClientContext
	Trace         TraceHeader
}

// traceContextKey is the key under which aws-lambda-go puts the trace header on the context.
const traceContextKey = "x-amzn-trace-id"

// FromContext returns the facts of the invocation ctx belongs to; outside an invocation every
// field is empty. The trace header comes from the context, else (without concurrent
// invocations) from _X_AMZN_TRACE_ID.
func FromContext(ctx context.Context) Request {
	var r Request
	if lc, ok := lambdacontext.FromContext(ctx); ok && lc != nil {
		r.ID, r.FunctionARN, r.TenantID, r.ClientContext = lc.AwsRequestID, lc.InvokedFunctionArn, lc.TenantID, lc.ClientContext
	}
	header, ok := ctx.Value(traceContextKey).(string)
	if !ok && lambdacontext.MaxConcurrency() == 1 {
		header = os.Getenv(EnvTraceHeader)
	}
	r.Trace = ParseTraceHeader(header)
	return r
}

// FunctionARN is a parsed Lambda function ARN,
// arn:partition:lambda:region:account:function:name[:qualifier].
type FunctionARN struct {
	Partition string // aws, aws-cn, aws-us-gov ...
	Region    string
	Account   string
	Name      string
	Qualifier string // a version or alias, "" for the unqualified ARN
}

// ParseFunctionARN parses a Lambda function ARN; ok is false when arn is not one.
func ParseFunctionARN(arn string) (a FunctionARN, ok bool) {
	parts := strings.Split(arn, ":")
	if len(parts) < 7 || len(parts) > 8 || parts[0] != "arn" || parts[2] != "lambda" || parts[5] != "function" || parts[6] == "" {
		return FunctionARN{}, false
	}
	a = FunctionARN{Partition: parts[1], Region: parts[3], Account: parts[4], Name: parts[6]}
	if len(parts) == 8 {
		a.Qualifier = parts[7]
	}
	return a, true
}
