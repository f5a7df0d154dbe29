package cwlogs

import (
	"bytes"
	"encoding/json"
	"fmt"
	"log/slog"
	"os"
	"strconv"
	"strings"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/lambdalog/lambdalog/logger"
)

// Destinations accepted by Config.Destination.
const (
	DestCloudWatch = "cloudwatch"
	DestStdout     = "stdout"
	DestDiscard    = "discard"
)

// Config describes an application logger: where records go and how they
// look. Build one in code, read one with ParseConfig, and overlay the
// environment with ApplyEnv; the usual order is document, then environment,
// then code.
type Config struct {
	// Destination is "cloudwatch" (default), "stdout" or "discard".
	Destination string `json:"destination" yaml:"destination"`
	// Level is the minimum level: TRACE, DEBUG, INFO (default), WARN,
	// ERROR or FATAL (WARNING and CRITICAL are accepted too).
	Level string `json:"level" yaml:"level"`
	// Group is the log group (required for cloudwatch).
	Group string `json:"group" yaml:"group"`
	// Stream is the log stream (required for cloudwatch). It may contain
	// {date} (UTC, YYYY/MM/DD as Lambda's own streams) and {function}.
	Stream string `json:"stream" yaml:"stream"`
	// Function is the function name used by {function} and {func};
	// default AWS_LAMBDA_FUNCTION_NAME.
	Function string `json:"function" yaml:"function"`
	// Format is "json" (default, the logger package's Powertools JSON),
	// "text" (same as "#standard"), one of the seed's prefixes "#standard",
	// "#short", "#simple", "#mini", or a prefix template using {level},
	// {func}, {caller}, {time}, {request_id} and {correlation_id}.
	Format string `json:"format" yaml:"format"`
	// Stdout also writes every record to standard output (fan-out).
	Stdout bool `json:"stdout" yaml:"stdout"`
	// Endpoint overrides the CloudWatch Logs endpoint URL, for example a
	// local `lambdalog serve`.
	Endpoint string `json:"endpoint" yaml:"endpoint"`
	// Region overrides the AWS region.
	Region string `json:"region" yaml:"region"`
	// FlushInterval is a Go duration such as "1s" (default).
	FlushInterval string `json:"flush_interval" yaml:"flush_interval"`
	// BufferBytes bounds buffered memory (default 8 MiB).
	BufferBytes int `json:"buffer_bytes" yaml:"buffer_bytes"`
	// FullPolicy is "block" (default) or "drop-oldest".
	FullPolicy string `json:"full_policy" yaml:"full_policy"`
}

// Environment variables read by ApplyEnv, one per Config field.
const (
	EnvDestination   = "CWLOGS_DESTINATION"
	EnvLevel         = "CWLOGS_LEVEL"
	EnvGroup         = "CWLOGS_GROUP"
	EnvStream        = "CWLOGS_STREAM"
	EnvFunction      = "AWS_LAMBDA_FUNCTION_NAME"
	EnvFormat        = "CWLOGS_FORMAT"
	EnvStdout        = "CWLOGS_STDOUT"
	EnvEndpoint      = "CWLOGS_ENDPOINT"
	EnvRegion        = "AWS_REGION"
	EnvFlushInterval = "CWLOGS_FLUSH_INTERVAL"
	EnvBufferBytes   = "CWLOGS_BUFFER_BYTES"
	EnvFullPolicy    = "CWLOGS_FULL_POLICY"
)

// ParseConfig reads a JSON or YAML document. Unknown fields are errors.
func ParseConfig(doc []byte) (Config, error) {
	var c Config
	trimmed := bytes.TrimSpace(doc)
	if len(trimmed) > 0 && trimmed[0] == '{' {
		dec := json.NewDecoder(bytes.NewReader(trimmed))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&c); err != nil {
			return Config{}, fmt.Errorf("cwlogs: config (JSON): %w", err)
		}
		return c, nil
	}
	dec := yaml.NewDecoder(bytes.NewReader(doc))
	dec.KnownFields(true)
	if err := dec.Decode(&c); err != nil && err.Error() != "EOF" {
		return Config{}, fmt.Errorf("cwlogs: config (YAML): %w", err)
	}
	return c, nil
}

// LoadConfig reads the document at path (if path is not empty) and then
// applies the environment.
func LoadConfig(path string) (Config, error) {
	var c Config
	if path != "" {
		doc, err := os.ReadFile(path)
		if err != nil {
			return Config{}, fmt.Errorf("cwlogs: config: %w", err)
		}
		if c, err = ParseConfig(doc); err != nil {
			return Config{}, fmt.Errorf("%w (in %s)", err, path)
		}
	}
	return c.ApplyEnv(os.LookupEnv)
}

// ApplyEnv returns c with every field whose environment variable is set
// replaced by its value; lookup is usually os.LookupEnv.
func (c Config) ApplyEnv(lookup func(string) (string, bool)) (Config, error) {
	str := map[string]*string{
		EnvDestination: &c.Destination, EnvLevel: &c.Level, EnvGroup: &c.Group,
		EnvStream: &c.Stream, EnvFormat: &c.Format, EnvEndpoint: &c.Endpoint,
		EnvRegion: &c.Region, EnvFlushInterval: &c.FlushInterval, EnvFullPolicy: &c.FullPolicy,
	}
	for k, p := range str {
		if v, ok := lookup(k); ok {
			*p = v
		}
	}
	if v, ok := lookup(EnvFunction); ok && c.Function == "" {
		c.Function = v
	}
	if v, ok := lookup(EnvStdout); ok {
		b, err := strconv.ParseBool(v)
		if err != nil {
			return c, fmt.Errorf("cwlogs: %s=%q: want true or false", EnvStdout, v)
		}
		c.Stdout = b
	}
	if v, ok := lookup(EnvBufferBytes); ok {
		n, err := strconv.Atoi(v)
		if err != nil {
			return c, fmt.Errorf("cwlogs: %s=%q: want a number of bytes", EnvBufferBytes, v)
		}
		c.BufferBytes = n
	}
	return c, nil
}

// resolved is a validated Config.
type resolved struct {
	dest     string
	level    slog.Level
	stream   string
	format   *textFormat // nil for JSON
	flush    time.Duration
	policy   FullPolicy
	function string
}

// Validate reports the first invalid field, naming it and its allowed values.
func (c Config) Validate() error {
	_, err := c.resolve(time.Now())
	return err
}

func (c Config) resolve(now time.Time) (resolved, error) {
	if c.Function == "" {
		c.Function = os.Getenv(EnvFunction)
	}
	r := resolved{dest: c.Destination, function: c.Function}
	switch c.Destination {
	case "":
		r.dest = DestCloudWatch
	case DestCloudWatch, DestStdout, DestDiscard:
	default:
		return r, fieldError("destination", c.Destination, `"cloudwatch", "stdout" or "discard"`)
	}
	lvl, err := parseLevel(c.Level)
	if err != nil {
		return r, fieldError("level", c.Level, "TRACE, DEBUG, INFO, WARN, WARNING, ERROR, FATAL or CRITICAL")
	}
	r.level = lvl
	if r.format, err = parseFormat(c.Format); err != nil {
		return r, err
	}
	r.flush = time.Second
	if c.FlushInterval != "" {
		d, err := time.ParseDuration(c.FlushInterval)
		if err != nil || d <= 0 {
			return r, fieldError("flush_interval", c.FlushInterval, `a positive Go duration such as "1s" or "250ms"`)
		}
		r.flush = d
	}
	switch c.FullPolicy {
	case "", "block":
		r.policy = Block
	case "drop-oldest":
		r.policy = DropOldest
	default:
		return r, fieldError("full_policy", c.FullPolicy, `"block" or "drop-oldest"`)
	}
	if c.BufferBytes < 0 {
		return r, fieldError("buffer_bytes", strconv.Itoa(c.BufferBytes), "a positive number of bytes (0 means 8 MiB)")
	}
	if r.dest != DestCloudWatch {
		return r, nil
	}
	if c.Group == "" || len(c.Group) > 512 || strings.Trim(c.Group, "._-/#ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789") != "" {
		return r, fieldError("group", c.Group, "1-512 characters from [.-_/#A-Za-z0-9]")
	}
	if r.stream, err = expandStream(c.Stream, c.Function, now); err != nil {
		return r, err
	}
	return r, nil
}

func fieldError(field, value, allowed string) error {
	return fmt.Errorf("cwlogs: config field %q: invalid value %q; allowed: %s", field, value, allowed)
}

// expandStream replaces {date} and {function} in a stream name template.
func expandStream(tmpl, function string, now time.Time) (string, error) {
	const allowed = "1-512 characters without ':' or '*'; placeholders {date} and {function}"
	var b strings.Builder
	rest := tmpl
	for {
		i := strings.IndexByte(rest, '{')
		if i < 0 {
			b.WriteString(rest)
			break
		}
		b.WriteString(rest[:i])
		j := strings.IndexByte(rest[i:], '}')
		if j < 0 {
			return "", fieldError("stream", tmpl, allowed)
		}
		switch rest[i : i+j+1] {
		case "{date}":
			b.WriteString(now.UTC().Format("2006/01/02"))
		case "{function}":
			if function == "" {
				return "", fieldError("stream", tmpl, "{function} needs the function name: set field \"function\" or AWS_LAMBDA_FUNCTION_NAME")
			}
			b.WriteString(function)
		default:
			return "", fieldError("stream", tmpl, allowed)
		}
		rest = rest[i+j+1:]
	}
	s := b.String()
	if s == "" || len(s) > 512 || strings.ContainsAny(s, ":*") {
		return "", fieldError("stream", tmpl, allowed)
	}
	return s, nil
}

// parseLevel is logger.ParseLevel with INFO for an empty string.
func parseLevel(s string) (slog.Level, error) {
	if s == "" {
		return slog.LevelInfo, nil
	}
	return logger.ParseLevel(s)
}
