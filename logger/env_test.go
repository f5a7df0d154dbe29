package logger

import (
	"bytes"
	"context"
	"log/slog"
	"strings"
	"testing"

	"github.com/lambdalog/lambdalog/internal/invocation"
)

func TestEnvironmentPrecedence(t *testing.T) {
	tests := []struct {
		name      string
		env       map[string]string
		opts      []Option
		level     string // lowest level written
		service   string
		warningOn string // variable named by the one expected warning, if any
	}{
		{name: "defaults", level: "INFO", service: "service_undefined"},
		{name: "powertools level", env: map[string]string{EnvLogLevel: "debug", EnvLogLevelLegacy: "ERROR"}, level: "DEBUG", service: "service_undefined"},
		{name: "LOG_LEVEL fallback", env: map[string]string{EnvLogLevelLegacy: "WARN"}, level: "WARN", service: "service_undefined"},
		{name: "option beats env", env: map[string]string{EnvLogLevel: "DEBUG", EnvServiceName: "env-svc"},
			opts: []Option{WithLevel(slog.LevelError), WithService("code-svc")}, level: "ERROR", service: "code-svc"},
		{name: "service from env", env: map[string]string{EnvServiceName: "orders"}, level: "INFO", service: "orders"},
		{name: "AWS_LAMBDA_LOG_LEVEL wins and warns", env: map[string]string{EnvLogLevel: "DEBUG", EnvLambdaLogLevel: "WARN"},
			level: "WARN", service: "service_undefined", warningOn: EnvLambdaLogLevel},
		{name: "AWS_LAMBDA_LOG_LEVEL wins over option", env: map[string]string{EnvLambdaLogLevel: "ERROR"},
			opts: []Option{WithLevel(slog.LevelDebug)}, level: "ERROR", service: "service_undefined", warningOn: EnvLambdaLogLevel},
		{name: "less verbose than Lambda: no warning", env: map[string]string{EnvLogLevel: "ERROR", EnvLambdaLogLevel: "DEBUG"},
			level: "DEBUG", service: "service_undefined"},
		{name: "invalid level", env: map[string]string{EnvLogLevel: "LOUD"}, level: "INFO", service: "service_undefined", warningOn: EnvLogLevel},
		{name: "invalid LOG_LEVEL", env: map[string]string{EnvLogLevelLegacy: "7"}, level: "INFO", service: "service_undefined", warningOn: EnvLogLevelLegacy},
		{name: "invalid Lambda level", env: map[string]string{EnvLambdaLogLevel: "verbose"}, level: "INFO", service: "service_undefined", warningOn: EnvLambdaLogLevel},
		{name: "invalid sample rate", env: map[string]string{EnvSampleRate: "2"}, level: "INFO", service: "service_undefined", warningOn: EnvSampleRate},
		{name: "invalid log event", env: map[string]string{EnvLogEvent: "maybe"}, level: "INFO", service: "service_undefined", warningOn: EnvLogEvent},
		{name: "invalid dev", env: map[string]string{EnvDev: "yes please"}, level: "INFO", service: "service_undefined", warningOn: EnvDev},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			setLambdaEnv(t)
			for k, v := range tt.env {
				t.Setenv(k, v)
			}
			var out lineBuffer
			var warnings bytes.Buffer
			l := slog.New(NewHandler(&out, append(tt.opts, WithWarnings(&warnings))...))
			for _, lv := range []slog.Level{LevelTrace, slog.LevelDebug, slog.LevelInfo, slog.LevelWarn, slog.LevelError} {
				l.Log(context.Background(), lv, "m")
			}
			recs := out.records(t)
			if len(recs) == 0 || recs[0]["level"] != tt.level {
				t.Errorf("lowest level written = %v, want %s", recs, tt.level)
			}
			if recs[0]["service"] != tt.service {
				t.Errorf("service = %v, want %s", recs[0]["service"], tt.service)
			}
			lines := strings.Split(strings.TrimSpace(warnings.String()), "\n")
			switch {
			case tt.warningOn == "" && warnings.Len() != 0:
				t.Errorf("unexpected warning: %s", warnings.String())
			case tt.warningOn != "" && (len(lines) != 1 || !strings.Contains(lines[0], tt.warningOn)):
				t.Errorf("want one warning naming %s, got %q", tt.warningOn, warnings.String())
			}
		})
	}
}

func TestDevModeIndents(t *testing.T) {
	setLambdaEnv(t)
	t.Setenv(EnvDev, "true")
	var out lineBuffer
	slog.New(NewHandler(&out)).Info("m", "k", "v")
	if !strings.Contains(out.String(), "{\n  \"level\": \"INFO\",\n") {
		t.Errorf("not indented: %s", out.String())
	}
}

// TestEnvironmentNamesAreInvocations checks that the names documented here are those
// internal/invocation reads.
func TestEnvironmentNamesAreInvocations(t *testing.T) {
	if EnvServiceName != invocation.EnvService || EnvInitType != invocation.EnvInitializationType || DefaultService != invocation.DefaultService {
		t.Errorf("logger and internal/invocation disagree on %s, %s or %s", EnvServiceName, EnvInitType, DefaultService)
	}
}
