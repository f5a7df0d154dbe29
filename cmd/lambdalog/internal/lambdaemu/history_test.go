package lambdaemu

import (
	"context"
	"testing"
)

// TestInvocationsRecordsWhatREPORTSays invokes a function cold, warm with a
// function error, and into a crash: Invocations lists them newest first
// with the REPORT line's figures and the error type the caller received.
func TestInvocationsRecordsWhatREPORTSays(t *testing.T) {
	emu, _ := newTestEmulator(t, behave(t, "hist"))
	ctx := context.Background()
	var ids []string
	for _, payload := range []string{`{}`, `{"fail":"boom"}`, `{"exit":3}`} {
		out, err := emu.Invoke(ctx, "hist", InvokeInput{Payload: []byte(payload)})
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, out.RequestID)
	}
	invs := emu.Invocations("hist")
	if len(invs) != 3 {
		t.Fatalf("got %d invocations, want 3: %+v", len(invs), invs)
	}
	crash, failed, cold := invs[0], invs[1], invs[2]
	if cold.RequestID != ids[0] || failed.RequestID != ids[1] || crash.RequestID != ids[2] {
		t.Errorf("order: %s %s %s, want newest first of %v", crash.RequestID, failed.RequestID, cold.RequestID, ids)
	}
	if cold.InitDuration <= 0 || failed.InitDuration != 0 {
		t.Errorf("init durations %v (cold) and %v (warm)", cold.InitDuration, failed.InitDuration)
	}
	if cold.Status != "success" || cold.ErrorType != "" || cold.MemoryMB != 128 || cold.MaxMemoryUsedMB < 1 || cold.Duration <= 0 {
		t.Errorf("cold invocation %+v", cold)
	}
	if failed.Status != "success" || failed.ErrorType == "" {
		t.Errorf("a function error is status success with its error type: %+v", failed)
	}
	if crash.Status != "error" || crash.ErrorType != "Runtime.ExitError" {
		t.Errorf("crash %+v", crash)
	}
	if cold.LogStream == "" || cold.LogStream != failed.LogStream || cold.TraceID == "" {
		t.Errorf("log streams %q %q, trace %q", cold.LogStream, failed.LogStream, cold.TraceID)
	}
	if got := emu.Invocations("nope"); len(got) != 0 {
		t.Errorf("unknown function: %v", got)
	}
}
