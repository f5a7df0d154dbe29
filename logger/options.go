package logger

import (
	"context"
	"io"
	"log/slog"
)

// An Option configures a [Handler], [New] or the invocation middleware ([Wrap] and friends).
// Options set in code take precedence over the environment, except AWS_LAMBDA_LOG_LEVEL,
// which Lambda itself enforces and therefore always wins.
type Option func(*config)

// config holds the options as given; resolve turns them and the environment into settings.
type config struct {
	service    *string
	level      *slog.Level
	sampleRate *float64
	logEvent   *bool
	dev        *bool
	out        io.Writer
	warnings   io.Writer
	redactKeys []string
	redactSet  bool
	allowKeys  []string
	allowSet   bool
	keys       []slog.Attr

	bufferLevel slog.Level
	bufferMax   int
	buffering   bool

	correlationPath string
	logError        bool
	onEnd           []func(ctx context.Context, err error)
}

// WithService sets the service key (default: POWERTOOLS_SERVICE_NAME, else "service_undefined").
func WithService(name string) Option { return func(c *config) { c.service = &name } }

// WithLevel sets the minimum level (default: POWERTOOLS_LOG_LEVEL, else LOG_LEVEL, else INFO).
// AWS_LAMBDA_LOG_LEVEL, when set, still wins.
func WithLevel(l slog.Level) Option { return func(c *config) { c.level = &l } }

// WithSampleRate sets the probability, between 0 and 1, that an invocation logs at DEBUG
// whatever the configured level (default: POWERTOOLS_LOGGER_SAMPLE_RATE, else 0). The dice are
// rolled again for every invocation by the middleware.
func WithSampleRate(rate float64) Option { return func(c *config) { c.sampleRate = &rate } }

// WithLogEvent makes the middleware log each incoming event, redacted, at INFO
// (default: POWERTOOLS_LOGGER_LOG_EVENT).
func WithLogEvent(on bool) Option { return func(c *config) { c.logEvent = &on } }

// WithDevMode writes indented JSON for humans (default: POWERTOOLS_DEV).
func WithDevMode(on bool) Option { return func(c *config) { c.dev = &on } }

// WithOutput sets where [New] and the middleware write records (default os.Stdout).
func WithOutput(w io.Writer) Option { return func(c *config) { c.out = w } }

// WithWarnings sets where configuration warnings go, such as an invalid environment
// variable (default os.Stderr).
func WithWarnings(w io.Writer) Option { return func(c *config) { c.warnings = w } }

// WithRedactKeys replaces the terms that make a key sensitive (default: [DefaultRedactKeys],
// edited by LAMBDALOG_REDACT_KEYS). The value of an attribute, map entry, struct field or group
// whose key is sensitive is written as "***", and so is the value after a sensitive key inside
// a string (KEY=value, KEY: value, "key": "value").
//
// Keys and terms are compared case-insensitively, ignoring every character but letters and
// digits, so the term "api_key" matches apiKey, X-Api-Key and API_KEY. A term of six characters or
// more matches anywhere in a key (secret: SecretAccessKey, client_secret); a shorter one only
// where a word of the key ends, words being separated by punctuation, case changes
// (sessionToken) and changes between letters and digits (token: AWS_SESSION_TOKEN, csrftoken,
// but not tokenizer or max_tokens). Extend the default with
// WithRedactKeys(append(logger.DefaultRedactKeys(), "ssn")...); WithRedactKeys() with no terms
// turns key-based redaction off. AWS access key ids, secret access keys and session tokens are
// masked in strings whatever the keys.
func WithRedactKeys(terms ...string) Option {
	return func(c *config) { c.redactKeys, c.redactSet = append([]string(nil), terms...), true }
}

// WithRedactAllowKeys replaces the keys that are never sensitive although they contain a
// redact term (default: [DefaultRedactAllowKeys], edited by LAMBDALOG_REDACT_ALLOW_KEYS). A key
// is allowed when it equals one of them compared as WithRedactKeys compares: "session_id"
// allows sessionId and SESSION-ID, not user_session_id.
func WithRedactAllowKeys(keys ...string) Option {
	return func(c *config) { c.allowKeys, c.allowSet = append([]string(nil), keys...), true }
}

// WithPersistentKeys adds attributes written on every record, in every invocation.
func WithPersistentKeys(attrs ...slog.Attr) Option {
	return func(c *config) { c.keys = append(c.keys, attrs...) }
}

// WithBuffer enables log buffering in the middleware: within an invocation, records at level
// or below are held in a buffer of at most maxBytes (oldest dropped first, drops counted)
// instead of being written. They are written, in order, when a record at ERROR or above is
// logged or when the handler returns an error or panics, and discarded when it succeeds.
// maxBytes <= 0 means 20 KiB.
func WithBuffer(level slog.Level, maxBytes int) Option {
	return func(c *config) {
		if maxBytes <= 0 {
			maxBytes = 20 << 10
		}
		c.buffering, c.bufferLevel, c.bufferMax = true, level, maxBytes
	}
}

// WithCorrelationPath makes the middleware take correlation_id from the event at path, a
// dotted path whose segments may be double-quoted, such as CorrelationAPIGatewayREST or
// `headers."x-amzn-trace-id"`. Map keys match exactly first, then case-insensitively.
func WithCorrelationPath(path string) Option {
	return func(c *config) { c.correlationPath = path }
}

// WithLogError makes the middleware log an error returned by the handler at ERROR.
func WithLogError(on bool) Option { return func(c *config) { c.logError = on } }

// WithInvocationEnd registers fn to run at the end of every invocation, after the handler
// returns or panics and before the response goes back to Lambda; err is the handler's error
// (a *PanicError after a panic). Hooks run in the order registered; use them to flush
// shippers such as cwlogs.
func WithInvocationEnd(fn func(ctx context.Context, err error)) Option {
	return func(c *config) { c.onEnd = append(c.onEnd, fn) }
}
