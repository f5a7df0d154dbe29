package lambdaemu

import (
	"encoding/json"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

func errorDoc(t *testing.T, payload []byte) (typ, msg string) {
	t.Helper()
	var d struct{ ErrorType, ErrorMessage string }
	if err := json.Unmarshal(payload, &d); err != nil {
		t.Fatalf("error payload %s: %v", payload, err)
	}
	return d.ErrorType, d.ErrorMessage
}

func TestTimeoutReplacesEnvironment(t *testing.T) {
	fn := behave(t, "slow")
	fn.Timeout = time.Second
	emu, st := newTestEmulator(t, fn)
	warm := invoke(t, emu, "slow", `{}`)
	out := invoke(t, emu, "slow", `{"sleep_ms":5000,"print":["working"]}`)
	if out.ErrorType != "Sandbox.Timedout" {
		t.Fatalf("error type %q", out.ErrorType)
	}
	typ, msg := errorDoc(t, out.Payload)
	if want := "RequestId: " + out.RequestID + " Error: Task timed out after 1.00 seconds"; typ != "Sandbox.Timedout" || msg != want {
		t.Errorf("payload %s, want message %q", out.Payload, want)
	}
	msgs := messages(t, st, "/aws/lambda/slow", out.LogStream)[5:]
	if len(msgs) != 5 {
		t.Fatalf("events %q", msgs)
	}
	if !regexp.MustCompile(`^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z ` + out.RequestID + ` Task timed out after 1\.00 seconds\n$`).MatchString(msgs[2]) {
		t.Errorf("timeout line %q", msgs[2])
	}
	rep := checkInvocation(t, append(msgs[:2:2], msgs[3:]...), out.RequestID, false, "working\n")
	if rep[7] != "Status: timeout\t" {
		t.Errorf("REPORT tail %q", rep[7])
	}
	if d, _ := strconv.ParseFloat(rep[2], 64); d < 1000 {
		t.Errorf("timed out Duration %v ms < timeout", d)
	}
	again := invoke(t, emu, "slow", `{}`)
	if again.LogStream == warm.LogStream || again.ErrorType != "" {
		t.Errorf("after a timeout the environment must be replaced: %s (err %q)", again.LogStream, again.ErrorType)
	}
	if n := len(streams(t, st, "/aws/lambda/slow")); n != 2 {
		t.Errorf("%d streams, want 2", n)
	}
}

func TestCrashIsRuntimeExitError(t *testing.T) {
	emu, st := newTestEmulator(t, behave(t, "crash"))
	out := invoke(t, emu, "crash", `{"exit":2,"print":["bye"]}`)
	typ, msg := errorDoc(t, out.Payload)
	want := "RequestId: " + out.RequestID + " Error: Runtime exited with error: exit status 2"
	if out.ErrorType != "Runtime.ExitError" || typ != "Runtime.ExitError" || msg != want {
		t.Fatalf("got %q %s", out.ErrorType, out.Payload)
	}
	msgs := messages(t, st, "/aws/lambda/crash", out.LogStream)[2:]
	if len(msgs) != 6 || msgs[2] != want+"\n" || msgs[3] != "Runtime.ExitError\n" {
		t.Fatalf("events %q", msgs)
	}
	rep := checkInvocation(t, append(msgs[:2:2], msgs[4:]...), out.RequestID, true, "bye\n")
	if rep[7] != "Status: error\tError Type: Runtime.ExitError\t" {
		t.Errorf("REPORT tail %q", rep[7])
	}
	if next := invoke(t, emu, "crash", `{}`); next.ErrorType != "" || next.LogStream == out.LogStream {
		t.Errorf("after a crash: %q in %s", next.ErrorType, next.LogStream)
	}
}

func TestOutOfMemoryKillsEnvironment(t *testing.T) {
	fn := behave(t, "oom")
	fn.Timeout = 20 * time.Second
	emu, st := newTestEmulator(t, fn)
	out := invoke(t, emu, "oom", `{"alloc_mb":400}`)
	typ, msg := errorDoc(t, out.Payload)
	want := "RequestId: " + out.RequestID + " Error: Runtime exited with error: signal: killed"
	if typ != "Runtime.OutOfMemory" || msg != want {
		t.Fatalf("payload %s", out.Payload)
	}
	msgs := messages(t, st, "/aws/lambda/oom", out.LogStream)
	last := msgs[len(msgs)-1]
	if !strings.Contains(last, "\tMax Memory Used: 128 MB\t") || !strings.HasSuffix(last, "\tStatus: error\tError Type: Runtime.OutOfMemory\t\n") {
		t.Errorf("REPORT %q", last)
	}
	if msgs[len(msgs)-4] != want+"\n" || msgs[len(msgs)-3] != "Runtime.OutOfMemory\n" {
		t.Errorf("events %q", msgs)
	}
}

func TestInitError(t *testing.T) {
	emu, st := newTestEmulator(t, Function{Name: "broken", Command: []string{bin(t, "initerror")}})
	out := invoke(t, emu, "broken", `{}`)
	if out.ErrorType != "Runtime.ExitError" {
		t.Fatalf("error type %q: %s", out.ErrorType, out.Payload)
	}
	// Lambda reports the failed init, retries it in the invoke phase
	// (suppressed init) in the same environment, then fails the invocation.
	msgs := messages(t, st, "/aws/lambda/broken", out.LogStream)
	if len(msgs) != 11 {
		t.Fatalf("events %q", msgs)
	}
	for _, i := range []int{0, 3} {
		if !strings.HasPrefix(msgs[i], "INIT_START Runtime Version: ") {
			t.Errorf("event %d %q, want INIT_START", i, msgs[i])
		}
	}
	for i, phase := range map[int]string{2: "init", 5: "invoke"} {
		if !strings.HasSuffix(msgs[i-1], "init: REQUIRED_SETTING is not set\n") {
			t.Errorf("init output %q", msgs[i-1])
		}
		re := `^INIT_REPORT Init Duration: \d+\.\d\d ms\tPhase: ` + phase + `\tStatus: error\tError Type: Runtime.ExitError\n$`
		if !regexp.MustCompile(re).MatchString(msgs[i]) {
			t.Errorf("INIT_REPORT %q, want phase %s", msgs[i], phase)
		}
	}
	if msgs[7] != "RequestId: "+out.RequestID+" Error: Runtime exited with error: exit status 1\n" || msgs[8] != "Runtime.ExitError\n" {
		t.Errorf("error lines %q", msgs[7:9])
	}
	// Max Memory Used is not checked: a process that exits within
	// milliseconds of its start may never be sampled (see doc.go).
	report := regexp.MustCompile(`^REPORT RequestId: ` + out.RequestID + `\tDuration: \d+\.\d\d ms\tBilled Duration: \d+ ms\tMemory Size: 128 MB\tMax Memory Used: \d+ MB\tStatus: error\tError Type: Runtime.ExitError\t\n$`)
	if msgs[6] != "START RequestId: "+out.RequestID+" Version: $LATEST\n" || msgs[9] != "END RequestId: "+out.RequestID+"\n" || !report.MatchString(msgs[10]) {
		t.Errorf("invocation events %q", msgs[6:])
	}
	// The next invocation gets a new environment.
	if next := invoke(t, emu, "broken", `{}`); next.LogStream == out.LogStream || next.ErrorType != "Runtime.ExitError" {
		t.Errorf("second invocation: stream %s, error %q", next.LogStream, next.ErrorType)
	}
}

// TestSuppressedInitRecovers: when the init retried in the invoke phase
// succeeds, the invocation runs in that environment, whose REPORT has no
// Init Duration, and the environment stays warm.
func TestSuppressedInitRecovers(t *testing.T) {
	fn := Function{Name: "flaky", Command: []string{bin(t, "initerror")}, Env: map[string]string{"FAIL_FIRST_INIT": filepath.Join(t.TempDir(), "marker")}}
	emu, st := newTestEmulator(t, fn)
	out := invoke(t, emu, "flaky", `{}`)
	if out.ErrorType != "" || string(out.Payload) != `"ok"` {
		t.Fatalf("got %q %s", out.ErrorType, out.Payload)
	}
	next := invoke(t, emu, "flaky", `{}`)
	if next.ErrorType != "" || next.LogStream != out.LogStream {
		t.Fatalf("second invocation: %q in stream %s, want success in %s", next.ErrorType, next.LogStream, out.LogStream)
	}
	msgs := messages(t, st, "/aws/lambda/flaky", out.LogStream)
	if len(msgs) != 10 {
		t.Fatalf("events %q", msgs)
	}
	if !strings.HasPrefix(msgs[0], "INIT_START ") || !strings.HasSuffix(msgs[1], "init: first attempt fails\n") ||
		!regexp.MustCompile(`^INIT_REPORT Init Duration: \d+\.\d\d ms\tPhase: init\tStatus: error\tError Type: Runtime.ExitError\n$`).MatchString(msgs[2]) ||
		!strings.HasPrefix(msgs[3], "INIT_START ") {
		t.Errorf("init events %q", msgs[:4])
	}
	checkInvocation(t, msgs[4:7], out.RequestID, false)
	checkInvocation(t, msgs[7:], next.RequestID, false)
}
func TestHandledErrorKeepsEnvironmentWarm(t *testing.T) {
	emu, _ := newTestEmulator(t, behave(t, "fails"))
	out := invoke(t, emu, "fails", `{"fail":"bad input"}`)
	typ, msg := errorDoc(t, out.Payload)
	if out.ErrorType != "errorString" || typ != "errorString" || msg != "bad input" {
		t.Fatalf("got %q %s", out.ErrorType, out.Payload)
	}
	if next := invoke(t, emu, "fails", `{}`); next.LogStream != out.LogStream {
		t.Errorf("a handled error must not replace the environment")
	}
}

func TestParallelInvocationsGetTheirOwnEnvironments(t *testing.T) {
	emu, st := newTestEmulator(t, behave(t, "par"))
	const n = 4
	var wg sync.WaitGroup
	outs := make([]*InvokeOutput, n)
	for i := range n {
		wg.Go(func() { outs[i] = invoke(t, emu, "par", `{"sleep_ms":300}`) })
	}
	wg.Wait()
	seen := map[string]bool{}
	for _, o := range outs {
		seen[o.LogStream] = true
	}
	if len(seen) != n || len(streams(t, st, "/aws/lambda/par")) != n || emu.Environments("par") != n {
		t.Fatalf("%d parallel invocations used %d environments", n, len(seen))
	}
	for _, o := range outs {
		msgs := messages(t, st, "/aws/lambda/par", o.LogStream)
		checkInvocation(t, msgs[2:], o.RequestID, true)
	}
}

func TestIdleEnvironmentsAreReaped(t *testing.T) {
	st := newTestStore(t)
	emu, err := New(Options{Sink: StoreSink(st, "us-east-1"), IdleTimeout: 100 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	defer emu.Close()
	if err := emu.AddFunction(behave(t, "idle")); err != nil {
		t.Fatal(err)
	}
	invoke(t, emu, "idle", `{}`)
	deadline := time.Now().Add(5 * time.Second)
	for emu.Environments("idle") != 0 {
		if time.Now().After(deadline) {
			t.Fatal("idle environment never reaped")
		}
		time.Sleep(50 * time.Millisecond)
	}
}
