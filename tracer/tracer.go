package tracer

import (
	"cmp"
	"context"
	"fmt"
	"io"
	"os"
	"strconv"
	"sync"
	"sync/atomic"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracehttp"
	"go.opentelemetry.io/otel/sdk/resource"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace"
	"go.opentelemetry.io/otel/trace/noop"

	"github.com/lambdalog/lambdalog/internal/invocation"
	"github.com/lambdalog/lambdalog/internal/jsonstr"
)

// Environment variables the tracer reads in New.
const (
	EnvService         = invocation.EnvService // POWERTOOLS_SERVICE_NAME
	EnvDisabled        = "POWERTOOLS_TRACE_DISABLED"
	EnvCaptureResponse = "POWERTOOLS_TRACER_CAPTURE_RESPONSE"
	EnvCaptureError    = "POWERTOOLS_TRACER_CAPTURE_ERROR"
	EnvTaskRoot        = "LAMBDA_TASK_ROOT" // set by Lambda: its absence means "not in Lambda"
	EnvSAMLocal        = "AWS_SAM_LOCAL"    // set by sam local
	EnvOTLPEndpoint    = "OTEL_EXPORTER_OTLP_ENDPOINT"
	EnvOTLPTraces      = "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"
)

// instrumentationName names the tracer's spans' instrumentation scope.
const instrumentationName = "github.com/lambdalog/lambdalog/tracer"

// Tracer records the traces of a Lambda function; see the package documentation. Create it
// with New, once per execution environment. It is safe for concurrent use.
type Tracer struct {
	service         string
	serviceJSON     []byte // service as a JSON string
	handlerName     string
	captureResponse bool
	captureError    bool
	enabled         bool

	provider *sdktrace.TracerProvider // nil when disabled
	tracer   trace.Tracer
	proc     *processor
	resource *resource.Resource

	namesMu sync.RWMutex
	names   map[string]*spanNames

	warnings     io.Writer
	warnedExport atomic.Bool
	warnedKey    atomic.Bool
}

// Option configures New. Options win over the environment.
type Option func(*config)

type config struct {
	service         string
	handlerName     string
	disabled        *bool
	captureResponse *bool
	captureError    *bool
	daemonAddress   string
	exporter        sdktrace.SpanExporter
	warnings        io.Writer
}

// WithService sets the service name (default POWERTOOLS_SERVICE_NAME, else service_undefined):
// the Service annotation of the handler's subsegment and the default metadata namespace.
func WithService(name string) Option { return func(c *config) { c.service = name } }

// WithHandlerName names the handler's subsegment "## name" (default: the Go name of the wrapped
// function, or "handler" for a function literal).
func WithHandlerName(name string) Option { return func(c *config) { c.handlerName = name } }

// WithDisabled turns tracing off (true) or on wherever the function runs (false), instead of
// POWERTOOLS_TRACE_DISABLED and the detection of Lambda.
func WithDisabled(disabled bool) Option { return func(c *config) { c.disabled = &disabled } }

// WithCaptureResponse sets whether handlers' and captured functions' results are recorded as
// metadata, instead of POWERTOOLS_TRACER_CAPTURE_RESPONSE (default true).
func WithCaptureResponse(capture bool) Option {
	return func(c *config) { c.captureResponse = &capture }
}

// WithCaptureError sets whether returned errors and panics are recorded as metadata, instead of
// POWERTOOLS_TRACER_CAPTURE_ERROR (default true). They are always recorded as the subsegment's
// fault and cause.
func WithCaptureError(capture bool) Option { return func(c *config) { c.captureError = &capture } }

// WithDaemonAddress sets the X-Ray daemon's address, instead of AWS_XRAY_DAEMON_ADDRESS
// (see NewXRayExporter for the forms).
func WithDaemonAddress(address string) Option {
	return func(c *config) { c.daemonAddress = address }
}

// WithExporter sends the spans to exp instead of the X-Ray daemon or an OTLP endpoint. The
// tracer shuts it down in Shutdown.
func WithExporter(exp sdktrace.SpanExporter) Option { return func(c *config) { c.exporter = exp } }

// WithWarnings sets where the tracer reports what it cannot do (the first failed export, the
// first invalid annotation key), default os.Stderr.
func WithWarnings(w io.Writer) Option { return func(c *config) { c.warnings = w } }

// New returns a Tracer configured from opts and the environment. It fails when a boolean
// environment variable is not a boolean, when the daemon address is malformed, or when the
// OTLP exporter cannot be configured. A disabled tracer opens nothing and records nothing.
func New(opts ...Option) (*Tracer, error) {
	c := &config{}
	for _, o := range opts {
		o(c)
	}
	env := invocation.LoadEnvironment()
	t := &Tracer{
		service:     cmp.Or(c.service, env.Service, invocation.DefaultService),
		handlerName: c.handlerName,
		warnings:    cmp.Or[io.Writer](c.warnings, os.Stderr),
	}
	var err error
	if t.captureResponse, err = envBool(c.captureResponse, EnvCaptureResponse, true); err != nil {
		return nil, err
	}
	if t.captureError, err = envBool(c.captureError, EnvCaptureError, true); err != nil {
		return nil, err
	}
	disabled, err := envBool(c.disabled, EnvDisabled, false)
	if err != nil {
		return nil, err
	}
	t.enabled = !disabled
	if c.disabled == nil && t.enabled {
		samLocal, _ := strconv.ParseBool(os.Getenv(EnvSAMLocal))
		t.enabled = os.Getenv(EnvTaskRoot) != "" && !samLocal
	}
	if !t.enabled {
		t.tracer = noop.NewTracerProvider().Tracer(instrumentationName)
		return t, nil
	}

	exp := c.exporter
	if exp == nil && (os.Getenv(EnvOTLPEndpoint) != "" || os.Getenv(EnvOTLPTraces) != "") {
		// The exporter reads the OTEL_EXPORTER_OTLP_* variables itself.
		if exp, err = otlptracehttp.New(context.Background()); err != nil {
			return nil, fmt.Errorf("tracer: OTLP exporter: %w", err)
		}
	}
	if exp == nil {
		if exp, err = NewXRayExporter(c.daemonAddress); err != nil {
			return nil, err
		}
	}
	t.proc = newProcessor(exp)
	t.serviceJSON = jsonstr.Append(nil, t.service)
	t.names = map[string]*spanNames{}
	attrs := []attribute.KeyValue{
		attribute.String("service.name", t.service),
		attribute.String("cloud.provider", "aws"),
		attribute.String("cloud.platform", "aws_lambda"),
	}
	for k, v := range map[string]string{"cloud.region": env.Region, "faas.name": env.FunctionName, "faas.version": env.FunctionVersion} {
		if v != "" {
			attrs = append(attrs, attribute.String(k, v))
		}
	}
	t.resource = resource.NewSchemaless(attrs...)
	t.provider = sdktrace.NewTracerProvider(
		sdktrace.WithSpanProcessor(t.proc),
		sdktrace.WithIDGenerator(IDGenerator{}),
		// The invocation's trace header decides; a span without a parent is not recorded.
		sdktrace.WithSampler(sdktrace.ParentBased(sdktrace.NeverSample())),
		sdktrace.WithResource(t.resource),
	)
	t.tracer = t.provider.Tracer(instrumentationName)
	return t, nil
}

// envBool returns the option if set, else the boolean environment variable name, else def.
func envBool(opt *bool, name string, def bool) (bool, error) {
	if opt != nil {
		return *opt, nil
	}
	v := os.Getenv(name)
	if v == "" {
		return def, nil
	}
	b, err := strconv.ParseBool(v)
	if err != nil {
		return false, fmt.Errorf("tracer: %s=%q is not a boolean (use true or false)", name, v)
	}
	return b, nil
}

// Enabled reports whether the tracer records traces.
func (t *Tracer) Enabled() bool { return t.enabled }

// Service returns the service name.
func (t *Tracer) Service() string { return t.service }

// TracerProvider returns the OpenTelemetry TracerProvider whose spans join the tracer's
// traces, for OpenTelemetry instrumentation (otelhttp.WithTracerProvider, ...) or
// otel.SetTracerProvider. It is a no-op provider when the tracer is disabled.
func (t *Tracer) TracerProvider() trace.TracerProvider {
	if t.provider == nil {
		return noop.NewTracerProvider()
	}
	return t.provider
}

// Flush exports the spans that have ended now. The handler middleware calls it before each
// invocation returns; call it yourself for spans ended outside a wrapped handler.
func (t *Tracer) Flush(ctx context.Context) error {
	if t.provider == nil {
		return nil
	}
	return t.provider.ForceFlush(ctx)
}

// Shutdown flushes and releases the exporter (the UDP socket or the OTLP client).
func (t *Tracer) Shutdown(ctx context.Context) error {
	if t.provider == nil {
		return nil
	}
	return t.provider.Shutdown(ctx)
}

// flush flushes at the end of an invocation and reports the first failure. The invocation's
// context is still live: aws-lambda-go cancels it after the handler returns.
func (t *Tracer) flush(ctx context.Context) {
	if err := t.Flush(ctx); err != nil {
		t.warnOnce(&t.warnedExport, "%v (further export failures are not reported)", err)
	}
}

// warnOnce writes a warning on the warnings writer, the first time only for each flag.
func (t *Tracer) warnOnce(flag *atomic.Bool, format string, args ...any) {
	if flag.CompareAndSwap(false, true) {
		fmt.Fprintf(t.warnings, format+"\n", args...)
	}
}
