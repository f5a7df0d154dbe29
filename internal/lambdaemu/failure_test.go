package lambdaemu

import (
	"encoding/json"
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
	msgs := messages(t, st, "/aws/lambda/broken", out.LogStream)
	if len(msgs) != 8 {
		t.Fatalf("events %q", msgs)
	}
	if !strings.HasSuffix(msgs[1], "init: REQUIRED_SETTING is not set\n") {
		t.Errorf("init output %q", msgs[1])
	}
	if !regexp.MustCompile(`^INIT_REPORT Init Duration: \d+\.\d\d ms\tPhase: init\tStatus: error\tError Type: Runtime.ExitError\n$`).MatchString(msgs[2]) {
		t.Errorf("INIT_REPORT %q", msgs[2])
	}
	if msgs[4] != "RequestId: "+out.RequestID+" Error: Runtime exited with error: exit status 1\n" {
		t.Errorf("error line %q", msgs[4])
	}
	rep := checkInvocation(t, append(msgs[3:4:4], msgs[6:]...), out.RequestID, false)
	if rep[7] != "Status: error\tError Type: Runtime.ExitError\t" {
		t.Errorf("REPORT tail %q", rep[7])
	}
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
