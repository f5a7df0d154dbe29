package lambdaemu

import (
	"context"
	"encoding/json"
	"regexp"
	"strings"
	"testing"
	"time"
)

var (
	reInitStart = regexp.MustCompile(`^INIT_START Runtime Version: provided:al2023\.v\d+\tRuntime Version ARN: arn:aws:lambda:us-east-1::runtime:[0-9a-f]{64}\n$`)
	reStart     = regexp.MustCompile(`^START RequestId: ([0-9a-f-]{36}) Version: \$LATEST\n$`)
	reEnd       = regexp.MustCompile(`^END RequestId: ([0-9a-f-]{36})\n$`)
	reReport    = regexp.MustCompile(`^REPORT RequestId: ([0-9a-f-]{36})\tDuration: (\d+\.\d\d) ms\tBilled Duration: (\d+) ms\tMemory Size: 128 MB\tMax Memory Used: (\d+) MB\t(Init Duration: (\d+\.\d\d) ms\t)?((?s:.*))\n$`)
	reStream    = regexp.MustCompile(`^\d{4}/\d\d/\d\d/\[\$LATEST\][0-9a-f]{32}$`)
)

func invoke(t *testing.T, emu *Emulator, name, payload string) *InvokeOutput {
	t.Helper()
	out, err := emu.Invoke(context.Background(), name, InvokeInput{Payload: []byte(payload)})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func TestColdThenWarmInvocationFraming(t *testing.T) {
	emu, st := newTestEmulator(t, behave(t, "fn"))
	first := invoke(t, emu, "fn", `{"print":["hello from handler","second line"]}`)
	second := invoke(t, emu, "fn", `{}`)
	if first.ErrorType != "" || second.ErrorType != "" {
		t.Fatalf("errors: %q %q: %s", first.ErrorType, second.ErrorType, first.Payload)
	}
	if first.LogStream != second.LogStream {
		t.Fatalf("warm invocation used a new environment: %s vs %s", first.LogStream, second.LogStream)
	}
	if !reStream.MatchString(first.LogStream) {
		t.Fatalf("stream name %q", first.LogStream)
	}
	var resp struct {
		RequestID string            `json:"request_id"`
		ARN       string            `json:"function_arn"`
		Trace     string            `json:"trace_id"`
		Deadline  int64             `json:"deadline_ms"`
		Env       map[string]string `json:"env"`
	}
	if err := json.Unmarshal(first.Payload, &resp); err != nil {
		t.Fatalf("payload %s: %v", first.Payload, err)
	}
	if left := time.Until(time.UnixMilli(resp.Deadline)); left < time.Second || left > 2*time.Second {
		t.Errorf("deadline %v away, want about the 2 s timeout", left)
	}
	if resp.RequestID != first.RequestID || resp.ARN != "arn:aws:lambda:us-east-1:123456789012:function:fn" {
		t.Errorf("context: %+v, want request id %s", resp, first.RequestID)
	}
	if !strings.HasPrefix(resp.Trace, "Root=1-") {
		t.Errorf("trace id %q", resp.Trace)
	}
	for k, want := range map[string]string{
		"AWS_LAMBDA_FUNCTION_NAME": "fn", "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": "128",
		"AWS_LAMBDA_FUNCTION_VERSION": "$LATEST", "AWS_LAMBDA_LOG_GROUP_NAME": "/aws/lambda/fn",
		"AWS_LAMBDA_LOG_STREAM_NAME": first.LogStream, "AWS_REGION": "us-east-1", "_HANDLER": "bootstrap", "TZ": ":UTC",
	} {
		if got := resp.Env[k]; got != want {
			t.Errorf("env %s = %q, want %q", k, got, want)
		}
	}
	msgs := messages(t, st, "/aws/lambda/fn", first.LogStream)
	if len(msgs) != 10 {
		t.Fatalf("got %d events, want 10:\n%s", len(msgs), strings.Join(msgs, ""))
	}
	if !reInitStart.MatchString(msgs[0]) || msgs[1] != "behave: init\n" {
		t.Errorf("init lines: %q %q", msgs[0], msgs[1])
	}
	checkInvocation(t, msgs[2:7], first.RequestID, true, "hello from handler\n", "second line\n")
	checkInvocation(t, msgs[7:], second.RequestID, false)
	if first.Log != strings.Join(msgs[2:7], "") {
		t.Errorf("tail log %q, want %q", first.Log, strings.Join(msgs[2:7], ""))
	}
}

// checkInvocation checks START, the output lines, END and REPORT.
func checkInvocation(t *testing.T, msgs []string, id string, cold bool, lines ...string) []string {
	t.Helper()
	if len(msgs) != len(lines)+3 {
		t.Fatalf("invocation has %d events, want %d: %q", len(msgs), len(lines)+3, msgs)
	}
	if m := reStart.FindStringSubmatch(msgs[0]); m == nil || m[1] != id {
		t.Errorf("START line %q for %s", msgs[0], id)
	}
	for i, l := range lines {
		if msgs[1+i] != l {
			t.Errorf("line %d = %q, want %q", i, msgs[1+i], l)
		}
	}
	if m := reEnd.FindStringSubmatch(msgs[len(msgs)-2]); m == nil || m[1] != id {
		t.Errorf("END line %q", msgs[len(msgs)-2])
	}
	rep := reReport.FindStringSubmatch(msgs[len(msgs)-1])
	if rep == nil || rep[1] != id {
		t.Fatalf("REPORT line %q", msgs[len(msgs)-1])
	}
	var dur, billed, used float64
	json.Unmarshal([]byte(rep[2]), &dur)
	json.Unmarshal([]byte(rep[3]), &billed)
	json.Unmarshal([]byte(rep[4]), &used)
	var initDur float64
	json.Unmarshal([]byte(rep[6]), &initDur)
	if dur < 0 || dur > 2000 {
		t.Errorf("Duration %v ms implausible", dur)
	}
	if billed < dur+initDur || billed > dur+initDur+1 {
		t.Errorf("Billed Duration %v for duration %v + init %v", billed, dur, initDur)
	}
	if used < 2 || used > 128 {
		t.Errorf("Max Memory Used %v MB implausible", used)
	}
	if cold != (rep[5] != "") {
		t.Errorf("cold=%v but REPORT %q", cold, msgs[len(msgs)-1])
	}
	if cold && (initDur <= 0 || initDur > 5000) {
		t.Errorf("Init Duration %v implausible", initDur)
	}
	return rep
}

// TestEndpointAndCredentials: once SetEndpoint names the local APIs, new
// environments get the service-specific endpoint variables of the services
// lambdalog serves (the function's own variables win), and placeholder
// credentials when lambdalog has none, as Lambda always provides some.
func TestEndpointAndCredentials(t *testing.T) {
	t.Setenv("AWS_ACCESS_KEY_ID", "")
	t.Setenv("AWS_PROFILE", "")
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", "")
	t.Setenv("HOME", t.TempDir()) // no ~/.aws/credentials
	t.Setenv("AWS_SESSION_TOKEN", "leftover")
	fn := behave(t, "fn")
	fn.Env = map[string]string{"AWS_ENDPOINT_URL_XRAY": "http://elsewhere:1"}
	emu, _ := newTestEmulator(t, fn)
	env := func() map[string]string {
		t.Helper()
		var resp struct {
			Env map[string]string `json:"env"`
		}
		out := invoke(t, emu, "fn", `{}`)
		if err := json.Unmarshal(out.Payload, &resp); err != nil {
			t.Fatalf("payload %s: %v", out.Payload, err)
		}
		return resp.Env
	}
	before := env()
	for _, k := range []string{"AWS_ENDPOINT_URL_LAMBDA", "AWS_ENDPOINT_URL_CLOUDWATCH_LOGS", "AWS_ENDPOINT_URL", "AWS_SESSION_TOKEN"} {
		if v, ok := before[k]; ok {
			t.Errorf("before SetEndpoint: %s=%q", k, v)
		}
	}
	if before["AWS_ACCESS_KEY_ID"] != placeholderKeyID || before["AWS_SECRET_ACCESS_KEY"] != placeholderSecret {
		t.Errorf("credentials %q %q, want the placeholders", before["AWS_ACCESS_KEY_ID"], before["AWS_SECRET_ACCESS_KEY"])
	}

	emu.SetEndpoint("http://127.0.0.1:4588")
	if got := emu.Endpoint(); got != "http://127.0.0.1:4588" {
		t.Fatalf("Endpoint() = %q", got)
	}
	// The warm environment keeps its environment; a new one gets the URL.
	emu.mu.Lock()
	idle := emu.pools["fn"].idle
	emu.pools["fn"].idle = nil
	emu.mu.Unlock()
	stopAll(idle)
	after := env()
	for k, want := range map[string]string{
		"AWS_ENDPOINT_URL_LAMBDA": "http://127.0.0.1:4588", "AWS_ENDPOINT_URL_CLOUDWATCH_LOGS": "http://127.0.0.1:4588",
		"AWS_ENDPOINT_URL_CLOUDWATCH": "http://127.0.0.1:4588", "AWS_ENDPOINT_URL_XRAY": "http://elsewhere:1",
	} {
		if got := after[k]; got != want {
			t.Errorf("%s = %q, want %q", k, got, want)
		}
	}
	if v, ok := after["AWS_ENDPOINT_URL"]; ok {
		t.Errorf("AWS_ENDPOINT_URL=%q: it would send every service, S3 included, to lambdalog", v)
	}
}

// TestCallerCredentialsPassed: lambdalog's own credentials reach the
// function unchanged.
func TestCallerCredentialsPassed(t *testing.T) {
	t.Setenv("AWS_ACCESS_KEY_ID", "AKIDCALLER")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "callersecret")
	t.Setenv("AWS_SESSION_TOKEN", "callertoken")
	emu, _ := newTestEmulator(t, behave(t, "fn"))
	var resp struct {
		Env map[string]string `json:"env"`
	}
	out := invoke(t, emu, "fn", `{}`)
	if err := json.Unmarshal(out.Payload, &resp); err != nil {
		t.Fatalf("payload %s: %v", out.Payload, err)
	}
	if e := resp.Env; e["AWS_ACCESS_KEY_ID"] != "AKIDCALLER" || e["AWS_SECRET_ACCESS_KEY"] != "callersecret" || e["AWS_SESSION_TOKEN"] != "callertoken" {
		t.Errorf("credentials %q %q %q", e["AWS_ACCESS_KEY_ID"], e["AWS_SECRET_ACCESS_KEY"], e["AWS_SESSION_TOKEN"])
	}
}
