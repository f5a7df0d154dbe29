package logger

import (
	"fmt"
	"log/slog"
	"strings"
)

// Levels beyond the four slog defines, named as AWS Lambda's JSON log-level filtering expects.
const (
	// LevelTrace is the most verbose level, below slog.LevelDebug.
	LevelTrace = slog.Level(-8)
	// LevelFatal is the most severe level, above slog.LevelError.
	LevelFatal = slog.Level(12)
)

// levelName returns the Lambda level name for l. Levels between two named levels take the name
// of the lower one, so that Lambda's level filter always sees one of its six names.
func levelName(l slog.Level) string {
	switch {
	case l >= LevelFatal:
		return "FATAL"
	case l >= slog.LevelError:
		return "ERROR"
	case l >= slog.LevelWarn:
		return "WARN"
	case l >= slog.LevelInfo:
		return "INFO"
	case l >= slog.LevelDebug:
		return "DEBUG"
	default:
		return "TRACE"
	}
}

// ParseLevel parses a level name as Lambda and Powertools spell them (TRACE, DEBUG, INFO,
// WARN or WARNING, ERROR, FATAL or CRITICAL), case-insensitively.
func ParseLevel(s string) (slog.Level, error) {
	switch strings.ToUpper(strings.TrimSpace(s)) {
	case "TRACE":
		return LevelTrace, nil
	case "DEBUG":
		return slog.LevelDebug, nil
	case "INFO":
		return slog.LevelInfo, nil
	case "WARN", "WARNING":
		return slog.LevelWarn, nil
	case "ERROR":
		return slog.LevelError, nil
	case "FATAL", "CRITICAL":
		return LevelFatal, nil
	}
	return 0, fmt.Errorf("unknown log level %q (want TRACE, DEBUG, INFO, WARN, ERROR or FATAL)", s)
}
