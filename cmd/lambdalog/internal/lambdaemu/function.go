package lambdaemu

import (
	"errors"
	"fmt"
	"path/filepath"
	"regexp"
	"strings"
	"time"
)

// Function is the configuration of one local Lambda function, as a SAM
// template or command-line flags describe it.
type Function struct {
	// Name is the function name; it names the log group /aws/lambda/<Name>.
	Name string
	// Command is the executable (a bootstrap speaking the Runtime API) and its
	// arguments.
	Command []string
	// Dir is LAMBDA_TASK_ROOT and the process's working directory.
	Dir string
	// Handler is passed as _HANDLER.
	Handler string
	// Runtime is the Lambda runtime identifier (provided.al2023 by default).
	Runtime string
	// MemoryMB is the memory size, 128 by default; the process is killed
	// when its resident memory exceeds it.
	MemoryMB int
	// Timeout is the invocation timeout, 3 s by default.
	Timeout time.Duration
	// Env holds the function's own environment variables.
	Env map[string]string
	// LogFormat is "Text" (default) or "JSON".
	LogFormat string
	// ApplicationLogLevel and SystemLogLevel apply under LogFormat JSON.
	ApplicationLogLevel, SystemLogLevel string
	// LogGroup overrides /aws/lambda/<Name>.
	LogGroup string
	// Tracing is true for active X-Ray tracing: the XRAY report line and,
	// for sampled invocations, the AWS::Lambda and AWS::Lambda::Function
	// segments (Options.Traces). False is PassThrough: the trace header is
	// passed on.
	Tracing bool
	// Routes are the API Gateway events that invoke the function.
	Routes []Route
	// Schedules are the Schedule and ScheduleV2 events that invoke it.
	Schedules []Schedule
}

// Route is one API Gateway event source of a function.
type Route struct {
	// Kind is "Api" (REST API, payload v1) or "HttpApi" (payload v2).
	Kind string
	// Method is an HTTP method or "ANY".
	Method string
	// Path is a resource path such as /hello/{name} or /{proxy+}.
	Path string
}

var functionName = regexp.MustCompile(`^[a-zA-Z0-9_-]{1,64}$`)

var logLevels = map[string]int{"TRACE": 0, "DEBUG": 1, "INFO": 2, "WARN": 3, "ERROR": 4, "FATAL": 5}

// normalize fills defaults and validates the configuration.
func (f *Function) normalize() error {
	if !functionName.MatchString(f.Name) {
		return fmt.Errorf("function name %q: must be 1-64 letters, digits, '-' or '_'", f.Name)
	}
	if len(f.Command) == 0 || f.Command[0] == "" {
		return fmt.Errorf("function %s: no executable", f.Name)
	}
	if f.Dir == "" {
		f.Dir = filepath.Dir(f.Command[0])
	}
	if f.Runtime == "" {
		f.Runtime = "provided.al2023"
	}
	switch f.Runtime {
	case "provided.al2023", "provided.al2", "provided", "go1.x":
	default:
		return fmt.Errorf("function %s: runtime %q not supported (want provided.al2023, provided.al2 or go1.x)", f.Name, f.Runtime)
	}
	if f.MemoryMB == 0 {
		f.MemoryMB = 128
	}
	if f.MemoryMB < 128 || f.MemoryMB > 10240 {
		return fmt.Errorf("function %s: memory size %d MB out of range 128-10240", f.Name, f.MemoryMB)
	}
	if f.Timeout == 0 {
		f.Timeout = 3 * time.Second
	}
	if f.Timeout < time.Second || f.Timeout > 900*time.Second {
		return fmt.Errorf("function %s: timeout %s out of range 1s-900s", f.Name, f.Timeout)
	}
	switch strings.ToUpper(f.LogFormat) {
	case "", "TEXT":
		f.LogFormat = "Text"
	case "JSON":
		f.LogFormat = "JSON"
	default:
		return fmt.Errorf("function %s: log format %q: want Text or JSON", f.Name, f.LogFormat)
	}
	for _, lv := range []*string{&f.ApplicationLogLevel, &f.SystemLogLevel} {
		*lv = strings.ToUpper(*lv)
		if *lv == "" {
			*lv = "INFO"
		}
		if _, ok := logLevels[*lv]; !ok {
			return fmt.Errorf("function %s: log level %q: want TRACE, DEBUG, INFO, WARN, ERROR or FATAL", f.Name, *lv)
		}
	}
	for k := range f.Env {
		if reservedEnv[k] {
			return fmt.Errorf("function %s: environment variable %s is reserved by Lambda", f.Name, k)
		}
	}
	if f.LogGroup == "" {
		f.LogGroup = "/aws/lambda/" + f.Name
	}
	for _, r := range f.Routes {
		if r.Kind != "Api" && r.Kind != "HttpApi" {
			return fmt.Errorf("function %s: event type %q: want Api or HttpApi", f.Name, r.Kind)
		}
		if !strings.HasPrefix(r.Path, "/") {
			return fmt.Errorf("function %s: route path %q must start with /", f.Name, r.Path)
		}
	}
	for _, s := range f.Schedules {
		if err := s.validate(); err != nil {
			return fmt.Errorf("function %s: event %s: %w", f.Name, s.Event, err)
		}
	}
	return nil
}

// reservedEnv are the variables Lambda sets and does not let functions
// override.
var reservedEnv = map[string]bool{
	"_HANDLER": true, "_X_AMZN_TRACE_ID": true, "AWS_DEFAULT_REGION": true, "AWS_REGION": true,
	"AWS_EXECUTION_ENV": true, "AWS_LAMBDA_FUNCTION_NAME": true, "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": true,
	"AWS_LAMBDA_FUNCTION_VERSION": true, "AWS_LAMBDA_INITIALIZATION_TYPE": true, "AWS_LAMBDA_LOG_GROUP_NAME": true,
	"AWS_LAMBDA_LOG_STREAM_NAME": true, "AWS_ACCESS_KEY": true, "AWS_ACCESS_KEY_ID": true, "AWS_SECRET_ACCESS_KEY": true,
	"AWS_SESSION_TOKEN": true, "AWS_LAMBDA_RUNTIME_API": true, "LAMBDA_TASK_ROOT": true, "LAMBDA_RUNTIME_DIR": true,
}

var errUnknownFunction = errors.New("function not found")
