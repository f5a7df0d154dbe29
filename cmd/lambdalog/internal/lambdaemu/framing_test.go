package lambdaemu

import (
	"encoding/json"
	"regexp"
	"strings"
	"testing"
	"time"
)

func TestTracedReportHasXRayLine(t *testing.T) {
	fn := behave(t, "traced")
	fn.Tracing = true
	emu, st := newTestEmulator(t, fn)
	out := invoke(t, emu, "traced", `{}`)
	msgs := messages(t, st, "/aws/lambda/traced", out.LogStream)
	rep := checkInvocation(t, msgs[2:], out.RequestID, true)
	if !regexp.MustCompile(`^\nXRAY TraceId: 1-[0-9a-f]{8}-[0-9a-f]{24}\tSegmentId: [0-9a-f]{16}\tSampled: true\t$`).MatchString(rep[7]) {
		t.Errorf("XRAY line %q", rep[7])
	}
}

func TestJSONFraming(t *testing.T) {
	fn := Function{Name: "j", Command: []string{"x"}, LogFormat: "json", SystemLogLevel: "info"}
	if err := fn.normalize(); err != nil {
		t.Fatal(err)
	}
	f := newFramer(&fn, "eu-west-1")
	at := time.Date(2024, 5, 6, 7, 8, 9, 123e6, time.UTC)
	got := f.report(at, report{requestID: "r1", duration: 1234567 * time.Nanosecond, init: 5 * time.Millisecond, memoryMB: 128, maxUsedMB: 20, status: statusSuccess})
	want := `{"time":"2024-05-06T07:08:09.123Z","type":"platform.report","record":{"metrics":{"billedDurationMs":7,"durationMs":1.234,"initDurationMs":5,"maxMemoryUsedMB":20,"memorySizeMB":128},"requestId":"r1","status":"success"}}`
	if got != want {
		t.Errorf("report\n got %s\nwant %s", got, want)
	}
	got = f.report(at, report{requestID: "r2", duration: 3 * time.Second, memoryMB: 128, maxUsedMB: 20, status: statusTimeout, errorType: "Sandbox.Timedout"})
	want = `{"time":"2024-05-06T07:08:09.123Z","type":"platform.report","record":{"errorType":"Sandbox.Timedout","metrics":{"billedDurationMs":3000,"durationMs":3000,"maxMemoryUsedMB":20,"memorySizeMB":128},"requestId":"r2","status":"timeout"}}`
	if got != want {
		t.Errorf("timeout report\n got %s\nwant %s", got, want)
	}
	if got := f.start(at, "r1"); got != `{"time":"2024-05-06T07:08:09.123Z","type":"platform.start","record":{"requestId":"r1","version":"$LATEST"}}` {
		t.Errorf("start %s", got)
	}
	if f.end("r1") != "" {
		t.Error("JSON format has no END record")
	}
	var rec map[string]any
	if err := json.Unmarshal([]byte(f.initStart(at)), &rec); err != nil || rec["type"] != "platform.initStart" {
		t.Errorf("initStart %v %v", rec, err)
	}
	if got := f.initReport(at, 2500*time.Microsecond, "invoke", statusError, "Runtime.ExitError"); got != `{"time":"2024-05-06T07:08:09.123Z","type":"platform.initReport","record":{"errorType":"Runtime.ExitError","initializationType":"on-demand","metrics":{"durationMs":2.5},"phase":"invoke","status":"error"}}` {
		t.Errorf("initReport %s", got)
	}
	fn.SystemLogLevel = "WARN"
	if f := newFramer(&fn, "eu-west-1"); f.start(at, "r1") != "" || f.initReport(at, time.Millisecond, "init", statusError, "Runtime.ExitError") == "" {
		t.Error("SystemLogLevel WARN must drop INFO platform records only")
	}
}

func TestTextInitReport(t *testing.T) {
	f := framer{region: "us-east-1", name: "f"}
	for _, c := range []struct {
		phase     string
		status    status
		typ, want string
	}{
		{"init", statusError, "Runtime.ExitError", "INIT_REPORT Init Duration: 12.35 ms\tPhase: init\tStatus: error\tError Type: Runtime.ExitError\n"},
		{"invoke", statusError, "Runtime.Unknown", "INIT_REPORT Init Duration: 12.35 ms\tPhase: invoke\tStatus: error\tError Type: Runtime.Unknown\n"},
		{"init", statusTimeout, "", "INIT_REPORT Init Duration: 12.35 ms\tPhase: init\tStatus: timeout\n"},
	} {
		if got := f.initReport(time.Now(), 12345*time.Microsecond, c.phase, c.status, c.typ); got != c.want {
			t.Errorf("got %q, want %q", got, c.want)
		}
	}
}

func TestApplicationLogLevelFilter(t *testing.T) {
	fn := Function{Name: "j", Command: []string{"x"}, LogFormat: "JSON", ApplicationLogLevel: "warn"}
	if err := fn.normalize(); err != nil {
		t.Fatal(err)
	}
	for line, keep := range map[string]bool{
		`{"level":"INFO","message":"m"}`:    false,
		`{"level":"debug","message":"m"}`:   false,
		`{"level":"WARNING","message":"m"}`: true,
		`{"level":"ERROR","message":"m"}`:   true,
		`{"message":"no level"}`:            true,
		`plain text`:                        true,
		`{broken`:                           true,
	} {
		if keepAppLine(&fn, line) != keep {
			t.Errorf("%s: keep=%v", line, !keep)
		}
	}
}

func TestFunctionValidation(t *testing.T) {
	for _, tc := range []struct {
		fn   Function
		want string
	}{
		{Function{Name: "bad name!", Command: []string{"x"}}, "must be 1-64 letters"},
		{Function{Name: "f"}, "no executable"},
		{Function{Name: "f", Command: []string{"x"}, Timeout: 901 * time.Second}, "timeout 15m1s out of range"},
		{Function{Name: "f", Command: []string{"x"}, Env: map[string]string{"AWS_REGION": "x"}}, "AWS_REGION is reserved"},
		{Function{Name: "f", Command: []string{"x"}, ApplicationLogLevel: "LOUD"}, `log level "LOUD"`},
		{Function{Name: "f", Command: []string{"x"}, Routes: []Route{{Kind: "Api", Path: "x"}}}, "must start with /"},
	} {
		if err := tc.fn.normalize(); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%+v: %v, want %q", tc.fn, err, tc.want)
		}
	}
}
