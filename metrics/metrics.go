package metrics

import (
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strconv"
	"sync"
	"time"

	"github.com/lambdalog/lambdalog/internal/invocation"
)

// Environment variables read by [New].
const (
	EnvNamespace = "POWERTOOLS_METRICS_NAMESPACE"
	EnvService   = "POWERTOOLS_SERVICE_NAME"
	EnvDisabled  = "POWERTOOLS_METRICS_DISABLED"
)

// ErrInvalid is wrapped by every error about a name, unit, value or dimension that
// CloudWatch would reject. Nothing is recorded when it is returned.
var ErrInvalid = errors.New("invalid metric data")

// ErrNoMetrics is returned by a flush that has no metric to write when
// [WithErrorOnEmpty] is set; without it an empty flush only logs a warning.
var ErrNoMetrics = errors.New("metrics: no metrics to flush")

// Dimension is a name and value that identify a metric, for example service=booking.
type Dimension struct {
	Name  string
	Value string
}

// Metrics is the configuration shared by every invocation: namespace, service,
// default dimensions and output. Create it once with [New]; it is safe for
// concurrent use. Record metrics through a [Recorder].
type Metrics struct {
	namespace    string
	service      string
	defaults     []Dimension
	disabled     bool
	errorOnEmpty bool
	coldStart    bool
	functionName string                // from the environment; else the invoked ARN's
	cold         *invocation.ColdStart // used with coldStart
	now          func() time.Time
	log          *slog.Logger
	outMu        sync.Mutex // serializes writes so objects never interleave
	out          io.Writer
	bufs         sync.Pool // *[]byte encoding buffers shared by the Recorders
	states       sync.Pool // *state of closed Recorders
}

// Option configures a [Metrics].
type Option func(*Metrics)

// WithNamespace sets the CloudWatch namespace; it takes precedence over
// POWERTOOLS_METRICS_NAMESPACE.
func WithNamespace(namespace string) Option { return func(m *Metrics) { m.namespace = namespace } }

// WithService sets the value of the "service" dimension added to every metric; it
// takes precedence over POWERTOOLS_SERVICE_NAME.
func WithService(service string) Option { return func(m *Metrics) { m.service = service } }

// WithDefaultDimensions adds dimensions to every metric of every invocation, in the
// order given, before the per-invocation dimensions.
func WithDefaultDimensions(dims ...Dimension) Option {
	return func(m *Metrics) { m.defaults = append(m.defaults, dims...) }
}

// WithWriter sets where EMF objects are written, one JSON object per line and one
// Write call per object. The default is os.Stdout, which Lambda sends to CloudWatch Logs.
func WithWriter(w io.Writer) Option { return func(m *Metrics) { m.out = w } }

// WithDisabled turns every flush into a no-op (true) or forces metrics on (false);
// it takes precedence over POWERTOOLS_METRICS_DISABLED.
func WithDisabled(disabled bool) Option { return func(m *Metrics) { m.disabled = disabled } }

// WithErrorOnEmpty makes a flush without metrics return [ErrNoMetrics] instead of
// logging a warning (Powertools' raise_on_empty_metrics).
func WithErrorOnEmpty() Option { return func(m *Metrics) { m.errorOnEmpty = true } }

// WithColdStartMetric makes [Handler] and [HandlerNoOutput] emit a ColdStart metric
// (Count, value 1) in its own EMF object on the first invocation, with the dimensions
// function_name and service. Under provisioned concurrency no invocation is a cold start.
func WithColdStartMetric() Option { return func(m *Metrics) { m.coldStart = true } }

// WithLogger sets the logger for warnings such as an empty flush; the default is
// slog.Default().
func WithLogger(l *slog.Logger) Option { return func(m *Metrics) { m.log = l } }

// WithClock sets the clock used for EMF timestamps; the default is time.Now.
func WithClock(now func() time.Time) Option { return func(m *Metrics) { m.now = now } }

// New returns a Metrics configured from the environment and opts (options win).
// It fails when the namespace is missing (unless metrics are disabled), when
// POWERTOOLS_METRICS_DISABLED is not a boolean, or when a default dimension is invalid.
func New(opts ...Option) (*Metrics, error) {
	env := invocation.LoadEnvironment()
	m := &Metrics{
		namespace:    os.Getenv(EnvNamespace),
		service:      env.Service,
		functionName: env.FunctionName,
		cold:         invocation.NewColdStart(),
		now:          time.Now,
		log:          slog.Default(),
		out:          os.Stdout,
	}
	m.bufs.New = func() any { b := make([]byte, 0, 4096); return &b }
	m.states.New = func() any { return new(state) }
	if v := os.Getenv(EnvDisabled); v != "" {
		b, err := strconv.ParseBool(v)
		if err != nil {
			return nil, fmt.Errorf("metrics: %s=%q is not a boolean (use true or false)", EnvDisabled, v)
		}
		m.disabled = b
	}
	for _, opt := range opts {
		opt(m)
	}
	if m.disabled {
		return m, nil
	}
	if err := validNamespace(m.namespace); err != nil {
		return nil, fmt.Errorf("metrics: %w", err)
	}
	if m.service != "" {
		if err := validDimension(Dimension{"service", m.service}); err != nil {
			return nil, fmt.Errorf("metrics: service: %w", err)
		}
	}
	seen := make(map[string]bool, len(m.defaults))
	for _, d := range m.defaults {
		if err := validDimension(d); err != nil {
			return nil, fmt.Errorf("metrics: default dimensions: %w", err)
		}
		if seen[d.Name] {
			return nil, fmt.Errorf("metrics: default dimensions: %w: dimension %q given twice", ErrInvalid, d.Name)
		}
		seen[d.Name] = true
	}
	if n := len(m.defaults) + m.serviceDims(m.defaults); n > maxDimensions {
		return nil, fmt.Errorf("metrics: default dimensions: %w: %d dimensions (with service), more than %d", ErrInvalid, n, maxDimensions)
	}
	return m, nil
}

// serviceDims is 1 when the service dimension is added to a set holding dims.
func (m *Metrics) serviceDims(dims []Dimension) int {
	if m.service == "" || hasDimension(dims, "service") {
		return 0
	}
	return 1
}

// write writes one EMF object; b ends with a newline.
func (m *Metrics) write(b []byte) error {
	m.outMu.Lock()
	defer m.outMu.Unlock()
	if _, err := m.out.Write(b); err != nil {
		return fmt.Errorf("metrics: write EMF object: %w", err)
	}
	return nil
}

func hasDimension(dims []Dimension, name string) bool {
	for _, d := range dims {
		if d.Name == name {
			return true
		}
	}
	return false
}
