package cwlogs_test

import (
	"context"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/lambdalog/lambdalog/cwlogs"
	"github.com/lambdalog/lambdalog/internal/testserver"
)

func TestParseConfigJSONAndYAML(t *testing.T) {
	j, err := cwlogs.ParseConfig([]byte(`{"destination":"cloudwatch","level":"debug","group":"/app/x","stream":"{date}/{function}","function":"f","format":"#mini","flush_interval":"250ms","full_policy":"drop-oldest"}`))
	if err != nil {
		t.Fatal(err)
	}
	y, err := cwlogs.ParseConfig([]byte("destination: cloudwatch\nlevel: debug\ngroup: /app/x\nstream: '{date}/{function}'\nfunction: f\nformat: '#mini'\nflush_interval: 250ms\nfull_policy: drop-oldest\n"))
	if err != nil {
		t.Fatal(err)
	}
	if j != y {
		t.Fatalf("JSON %+v != YAML %+v", j, y)
	}
	if err := j.Validate(); err != nil {
		t.Fatal(err)
	}
	if _, err := cwlogs.ParseConfig([]byte(`{"destinaton":"stdout"}`)); err == nil || !strings.Contains(err.Error(), "destinaton") {
		t.Fatalf("unknown JSON field: err = %v, want it named", err)
	}
	if _, err := cwlogs.ParseConfig([]byte("levle: info\n")); err == nil || !strings.Contains(err.Error(), "levle") {
		t.Fatalf("unknown YAML field: err = %v, want it named", err)
	}
}

func TestConfigErrorsNameFieldAndAllowedValues(t *testing.T) {
	cases := []struct {
		cfg       cwlogs.Config
		field     string
		allowedIn string
	}{
		{cwlogs.Config{Destination: "kinesis"}, `"destination"`, `"cloudwatch", "stdout" or "discard"`},
		{cwlogs.Config{Destination: "stdout", Level: "loud"}, `"level"`, "DEBUG, INFO"},
		{cwlogs.Config{Destination: "stdout", Format: "#fancy"}, `"format"`, "#standard"},
		{cwlogs.Config{Destination: "stdout", Format: "{lvl} "}, `"format"`, "{level}"},
		{cwlogs.Config{Destination: "stdout", FlushInterval: "soon"}, `"flush_interval"`, "Go duration"},
		{cwlogs.Config{Destination: "stdout", FullPolicy: "panic"}, `"full_policy"`, `"drop-oldest"`},
		{cwlogs.Config{Group: "bad group!", Stream: "s"}, `"group"`, "[.-_/#A-Za-z0-9]"},
		{cwlogs.Config{Group: "g", Stream: "a:b"}, `"stream"`, "without ':'"},
		{cwlogs.Config{Group: "g", Stream: "{function}"}, `"stream"`, "AWS_LAMBDA_FUNCTION_NAME"},
		{cwlogs.Config{Group: "g", Stream: "{month}"}, `"stream"`, "{date} and {function}"},
	}
	for _, c := range cases {
		err := c.cfg.Validate()
		if err == nil || !strings.Contains(err.Error(), c.field) || !strings.Contains(err.Error(), c.allowedIn) {
			t.Errorf("Validate(%+v) = %v; want field %s and %q", c.cfg, err, c.field, c.allowedIn)
		}
	}
}

func TestApplyEnvOverridesDocument(t *testing.T) {
	doc, _ := cwlogs.ParseConfig([]byte("destination: stdout\nlevel: info\ngroup: g\n"))
	env := map[string]string{"CWLOGS_DESTINATION": "discard", "CWLOGS_LEVEL": "error", "AWS_LAMBDA_FUNCTION_NAME": "fn", "CWLOGS_STDOUT": "true"}
	c, err := doc.ApplyEnv(func(k string) (string, bool) { v, ok := env[k]; return v, ok })
	if err != nil {
		t.Fatal(err)
	}
	if c.Destination != "discard" || c.Level != "error" || c.Group != "g" || c.Function != "fn" || !c.Stdout {
		t.Fatalf("ApplyEnv = %+v", c)
	}
	env["CWLOGS_STDOUT"] = "maybe"
	if _, err := doc.ApplyEnv(func(k string) (string, bool) { v, ok := env[k]; return v, ok }); err == nil || !strings.Contains(err.Error(), "CWLOGS_STDOUT") {
		t.Fatalf("bad CWLOGS_STDOUT: err = %v", err)
	}
}

// textLine logs one record through a text-format App and returns the line.
func textLine(t *testing.T, format string, level slog.Level, msg string, args ...any) string {
	t.Helper()
	srv := testserver.Serve(t, "--memory")
	api := newAPI(srv.URL)
	app, err := cwlogs.Config{Group: "g", Stream: "text-{function}", Function: "checkout", Format: format, Level: "debug"}.Open(context.Background(), api)
	if err != nil {
		t.Fatal(err)
	}
	app.Logger.Log(context.Background(), level, msg, args...)
	if err := app.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	ev := readAll(t, api, "g", app.Stream())
	if len(ev) != 1 {
		t.Fatalf("stream %s holds %d events, want 1", app.Stream(), len(ev))
	}
	return *ev[0].Message
}

func TestTextFormatsOfTheSeed(t *testing.T) {
	cases := []struct {
		format string
		level  slog.Level
		want   string
	}{
		{"#standard", slog.LevelInfo, "INFO: checkout: textLine: paid order=42"},
		{"#short", slog.LevelWarn, "WARNING: checkout: paid order=42"},
		{"#simple", slog.LevelError, "checkout: paid order=42"},
		{"#mini", slog.LevelInfo, "checkout: paid order=42"},
		{"#mini", slog.LevelError, "ERROR: checkout: paid order=42"},
		{"[{level}] {func} | ", slog.LevelDebug, "[DEBUG] checkout | paid order=42"},
	}
	for _, c := range cases {
		if got := textLine(t, c.format, c.level, "paid", "order", 42); got != c.want {
			t.Errorf("format %q: got %q, want %q", c.format, got, c.want)
		}
	}
}

func TestJSONFormatAndStreamPlaceholders(t *testing.T) {
	srv := testserver.Serve(t, "--memory")
	api := newAPI(srv.URL)
	app, err := cwlogs.Config{Group: "/app/shop", Stream: "{date}/{function}", Function: "pay", Level: "warn"}.Open(context.Background(), api)
	if err != nil {
		t.Fatal(err)
	}
	want := time.Now().UTC().Format("2006/01/02") + "/pay"
	if app.Stream() != want {
		t.Fatalf("stream = %q, want %q", app.Stream(), want)
	}
	app.Logger.Info("below level")
	app.Logger.Warn("card declined", "order", 7)
	app.Close(context.Background())
	ev := readAll(t, api, "/app/shop", want)
	if len(ev) != 1 || !strings.Contains(*ev[0].Message, `"message":"card declined"`) || !strings.Contains(*ev[0].Message, `"level":"WARN"`) {
		t.Fatalf("stored %d events: %v", len(ev), ev)
	}
}

func FuzzParseConfig(f *testing.F) {
	f.Add([]byte(`{"destination":"cloudwatch","group":"g","stream":"{date}/{function}","function":"f","format":"#mini"}`))
	f.Add([]byte("destination: stdout\nformat: '[{level}] {caller} '\nlevel: warn\n"))
	f.Add([]byte("stream: '{date'\ngroup: g\n"))
	f.Fuzz(func(t *testing.T, doc []byte) {
		c, err := cwlogs.ParseConfig(doc)
		if err != nil {
			return
		}
		_ = c.Validate() // must not panic
	})
}

func TestLoadConfigFileThenEnvironment(t *testing.T) {
	path := filepath.Join(t.TempDir(), "logging.yaml")
	if err := os.WriteFile(path, []byte("destination: cloudwatch\ngroup: /app/a\nstream: s\nlevel: info\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("CWLOGS_LEVEL", "debug")
	c, err := cwlogs.LoadConfig(path)
	if err != nil {
		t.Fatal(err)
	}
	if c.Group != "/app/a" || c.Level != "debug" {
		t.Fatalf("LoadConfig = %+v, want group from the file and level from the environment", c)
	}
	os.WriteFile(path, []byte("destination: [\n"), 0o600)
	if _, err := cwlogs.LoadConfig(path); err == nil || !strings.Contains(err.Error(), path) {
		t.Fatalf("broken file: err = %v, want it to name %s", err, path)
	}
}
