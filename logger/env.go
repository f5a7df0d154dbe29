package logger

import (
	"fmt"
	"io"
	"log/slog"
	"os"
	"strconv"
	"strings"
)

// Environment variables read by the logger, as Powertools for AWS Lambda and Lambda define them.
const (
	EnvServiceName    = "POWERTOOLS_SERVICE_NAME"
	EnvLogLevel       = "POWERTOOLS_LOG_LEVEL"
	EnvLogLevelLegacy = "LOG_LEVEL"
	EnvLambdaLogLevel = "AWS_LAMBDA_LOG_LEVEL"
	EnvSampleRate     = "POWERTOOLS_LOGGER_SAMPLE_RATE"
	EnvLogEvent       = "POWERTOOLS_LOGGER_LOG_EVENT"
	EnvDev            = "POWERTOOLS_DEV"
	EnvInitType       = "AWS_LAMBDA_INITIALIZATION_TYPE"
)

// Environment variables that edit the redaction lists when no option sets them: a
// comma-separated list in which an entry adds a term (or an allowed key) to the default list and
// an entry starting with '-' removes one, as in LAMBDALOG_REDACT_KEYS=ssn,iban,-session.
const (
	EnvRedactKeys      = "LAMBDALOG_REDACT_KEYS"
	EnvRedactAllowKeys = "LAMBDALOG_REDACT_ALLOW_KEYS"
)

// DefaultService is the service key when neither WithService nor POWERTOOLS_SERVICE_NAME is set.
const DefaultService = "service_undefined"

// settings is the resolved configuration: options first, then the environment, then defaults.
type settings struct {
	service    string
	level      slog.Level
	sampleRate float64
	logEvent   bool
	dev        bool
}

// warner writes each configuration warning at most once per handler construction.
type warner struct {
	w    io.Writer
	seen map[string]bool
}

// warner returns a warner writing to the WithWarnings writer, else os.Stderr.
func (c *config) warner() *warner {
	if c.warnings == nil {
		return &warner{w: os.Stderr}
	}
	return &warner{w: c.warnings}
}

func (w *warner) warn(name, format string, args ...any) {
	if w.seen[name] {
		return
	}
	if w.seen == nil {
		w.seen = map[string]bool{}
	}
	w.seen[name] = true
	fmt.Fprintf(w.w, "lambdalog/logger: WARNING: %s: %s\n", name, fmt.Sprintf(format, args...))
}

// resolve computes the settings from c and the environment, reporting invalid values to wr.
func resolve(c *config, wr *warner) settings {
	s := settings{service: DefaultService, level: slog.LevelInfo}
	if c.service != nil {
		s.service = *c.service
	} else if v := os.Getenv(EnvServiceName); v != "" {
		s.service = v
	}

	switch {
	case c.level != nil:
		s.level = *c.level
	default:
		name := EnvLogLevel
		v := os.Getenv(name)
		if v == "" {
			name, v = EnvLogLevelLegacy, os.Getenv(EnvLogLevelLegacy)
		}
		if v != "" {
			if l, err := ParseLevel(v); err != nil {
				wr.warn(name, "%v; using INFO", err)
			} else {
				s.level = l
			}
		}
	}
	if v := os.Getenv(EnvLambdaLogLevel); v != "" {
		if l, err := ParseLevel(v); err != nil {
			wr.warn(EnvLambdaLogLevel, "%v; ignoring it", err)
		} else {
			if s.level < l {
				wr.warn(EnvLambdaLogLevel, "the logger level %s is more verbose than %s=%s, which takes precedence: records below %s are not written",
					levelName(s.level), EnvLambdaLogLevel, v, levelName(l))
			}
			s.level = l
		}
	}

	if c.sampleRate != nil {
		s.sampleRate = *c.sampleRate
		if !(s.sampleRate >= 0 && s.sampleRate <= 1) {
			wr.warn("WithSampleRate", "sample rate %v is not between 0 and 1; using 0", s.sampleRate)
			s.sampleRate = 0
		}
	} else if v := os.Getenv(EnvSampleRate); v != "" {
		f, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
		if err != nil || !(f >= 0 && f <= 1) {
			wr.warn(EnvSampleRate, "invalid value %q: want a number between 0 and 1; using 0", v)
		} else {
			s.sampleRate = f
		}
	}

	s.logEvent = envBool(c.logEvent, EnvLogEvent, wr)
	s.dev = envBool(c.dev, EnvDev, wr)
	return s
}

// envBool returns the option if set, else the boolean environment variable name (default false).
func envBool(opt *bool, name string, wr *warner) bool {
	if opt != nil {
		return *opt
	}
	v := strings.TrimSpace(os.Getenv(name))
	if v == "" {
		return false
	}
	b, err := strconv.ParseBool(v)
	if err != nil {
		wr.warn(name, "invalid value %q: want true or false; using false", v)
		return false
	}
	return b
}
