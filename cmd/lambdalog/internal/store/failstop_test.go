package store_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/lambdalog/lambdalog/cmd/lambdalog/internal/store"
	"github.com/lambdalog/lambdalog/cmd/lambdalog/internal/tmpfs"
)

// The fail-stop tests run the store in a child process (this test binary,
// running TestChildProcess), as the server runs it: a store that failed
// keeps goroutines blocked inside Pebble until the process exits.
const (
	childModeEnv = "LAMBDALOG_STORE_TEST_CHILD"
	childDirEnv  = "LAMBDALOG_STORE_TEST_DIR"
	// childFatalExit is the exit status of a child whose OnFatal ran, as
	// the server's would.
	childFatalExit = 3
	childOpenExit  = 4
)

// TestChildProcess is the child process of the fail-stop tests.
func TestChildProcess(t *testing.T) {
	dir := os.Getenv(childDirEnv)
	switch os.Getenv(childModeEnv) {
	case "fill":
		childFill(dir)
	case "write":
		childWrite(dir)
	case "open":
		if _, err := store.Open(dir, store.Options{SweepInterval: -1}); err != nil {
			fmt.Printf("OPEN ERROR %v\n", err)
			os.Exit(childOpenExit)
		}
		fmt.Println("OPENED")
		os.Exit(0)
	default:
		t.Skip("runs only as the child process of the fail-stop tests")
	}
}

// childWrite writes walBatches batches of 10 events, acknowledging each,
// and waits to be killed.
func childWrite(dir string) {
	ctx := context.Background()
	st, err := store.Open(dir, store.Options{SweepInterval: -1})
	if err == nil {
		_, err = st.CreateGroup(ctx, "r", store.Group{Name: "g"})
	}
	if err == nil {
		err = st.CreateStream(ctx, "r", "g", "s")
	}
	if err != nil {
		fmt.Printf("SETUP ERROR %v\n", err)
		os.Exit(1)
	}
	for b := range walBatches {
		if _, err := st.PutEvents(ctx, "r", "g", "s", batch(b, 10)); err != nil {
			fmt.Printf("PUT ERROR %v\n", err)
			os.Exit(1)
		}
		fmt.Printf("ACK %d\n", b)
	}
	fmt.Println("DONE")
	select {}
}

// childFill writes with the floor disabled until Pebble fails, then checks
// that later calls fail fast, and exits as the server's OnFatal does.
func childFill(dir string) {
	ctx := context.Background()
	fatal := make(chan error, 1)
	st, err := store.Open(dir, store.Options{SweepInterval: -1, MinFreeBytes: -1, OnFatal: func(err error) { fatal <- err }})
	if err != nil {
		fmt.Printf("OPEN ERROR %v\n", err)
		os.Exit(1)
	}
	if _, err := st.CreateGroup(ctx, "r", store.Group{Name: "g"}); err != nil {
		fmt.Printf("SETUP ERROR %v\n", err)
		os.Exit(1)
	}
	if err := st.CreateStream(ctx, "r", "g", "s"); err != nil {
		fmt.Printf("SETUP ERROR %v\n", err)
		os.Exit(1)
	}
	go func() {
		for b := 0; ; b++ {
			if _, err := st.PutEvents(ctx, "r", "g", "s", batch(b, 500)); err != nil {
				fmt.Printf("PUT ERROR %v\n", err)
				return
			}
			fmt.Printf("ACK %d\n", b)
		}
	}()
	select {
	case err := <-fatal:
		fmt.Printf("FATAL %v\n", err)
	case <-time.After(3 * time.Minute):
		fmt.Println("HANG: no fatal error within 3 minutes")
		os.Exit(1)
	}
	later := map[string]func() error{
		"PutEvents": func() error { _, err := st.PutEvents(ctx, "r", "g", "s", batch(1<<20, 1)); return err },
		"Group":     func() error { _, err := st.Group(ctx, "r", "g"); return err },
		"Events": func() error {
			it, err := st.Events(ctx, "r", "g", "s", store.Range{})
			if err == nil {
				it.Close()
			}
			return err
		},
		"DeleteGroup": func() error { return st.DeleteGroup(ctx, "r", "g") },
		"Close":       st.Close,
	}
	for _, name := range []string{"PutEvents", "Group", "Events", "DeleteGroup", "Close"} {
		done := make(chan error, 1)
		go func() { done <- later[name]() }()
		select {
		case err := <-done:
			fmt.Printf("LATER %s failed fast: %t\n", name, errors.Is(err, store.ErrFailed))
		case <-time.After(10 * time.Second):
			fmt.Printf("LATER %s hangs\n", name)
		}
	}
	os.Exit(childFatalExit)
}

// runChild runs TestChildProcess in mode on dir and returns its exit status
// and standard output.
func runChild(t *testing.T, mode, dir string) (int, string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, os.Args[0], "-test.run=^TestChildProcess$")
	cmd.Env = append(os.Environ(), childModeEnv+"="+mode, childDirEnv+"="+dir)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	var exit *exec.ExitError
	if err != nil && !errors.As(err, &exit) {
		t.Fatalf("child %s: %v", mode, err)
	}
	if ctx.Err() != nil {
		t.Fatalf("child %s hangs; output:\n%s\n%s", mode, out, stderr.String())
	}
	t.Logf("child %s exited with %d; stderr:\n%s", mode, cmd.ProcessState.ExitCode(), stderr.String())
	return cmd.ProcessState.ExitCode(), string(out)
}

// TestFailStopOnFullDisk runs a store with the floor disabled on a 256 MiB
// tmpfs until Pebble fails to write, and checks that the process does not
// hang: OnFatal is called with an error that says the disk is full, and
// later calls fail fast with ErrFailed. A start on the still-full disk then
// fails with a one-line error that says so; once the disk has room again
// the store opens with every acknowledged event intact.
func TestFailStopOnFullDisk(t *testing.T) {
	dir := tmpfs.Mount(t, 256*mib)
	data := filepath.Join(dir, "data")

	code, out := runChild(t, "fill", data)
	if code != childFatalExit {
		t.Fatalf("child exited with %d, want %d (OnFatal); output:\n%s", code, childFatalExit, out)
	}
	fatal := regexp.MustCompile(`(?m)^FATAL (.*)$`).FindStringSubmatch(out)
	if fatal == nil || !strings.Contains(fatal[1], "the disk is full") || !strings.Contains(fatal[1], "no space left on device") {
		t.Fatalf("OnFatal's error does not say the disk is full:\n%s", out)
	}
	for _, name := range []string{"PutEvents", "Group", "Events", "DeleteGroup", "Close"} {
		if !strings.Contains(out, "LATER "+name+" failed fast: true") {
			t.Errorf("%s after the fatal error does not fail fast with ErrFailed:\n%s", name, out)
		}
	}
	acked := 0
	for _, m := range regexp.MustCompile(`(?m)^ACK (\d+)$`).FindAllStringSubmatch(out, -1) {
		b, _ := strconv.Atoi(m[1])
		if b != acked {
			t.Fatalf("acknowledgements out of order:\n%s", out)
		}
		acked++
	}
	t.Logf("%d batches acknowledged before the fatal error: %s", acked, fatal[1])
	if acked < 10 {
		t.Fatalf("only %d batches acknowledged", acked)
	}

	code, out = runChild(t, "open", data)
	line := strings.TrimSuffix(strings.TrimPrefix(out, "OPEN ERROR "), "\n")
	if code != childOpenExit || strings.Contains(line, "\n") || !errorsSay(line, "disk full", data, "free space") {
		t.Fatalf("a start on the full disk: exit %d, want %d and one line that says the disk is full, where and what to do:\n%s", code, childOpenExit, out)
	}
	t.Logf("start on the full disk: %s", line)

	tmpfs.Resize(t, dir, 1024*mib)
	st, err := store.Open(data, store.Options{SweepInterval: -1})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	n := countEvents(t, st, "g", "s")
	// The batch being written when Pebble failed was not acknowledged; it
	// may or may not be there, but whole.
	if n != acked*500 && n != (acked+1)*500 {
		t.Fatalf("%d events after the restart, want %d acknowledged (+500 unacknowledged)", n, acked*500)
	}
	if r := st.Recovery(); r != nil && r.Damaged {
		t.Fatalf("recovery after the fatal error reports damage: %v", r)
	}
	if _, err := st.PutEvents(context.Background(), "r", "g", "s", batch(acked+1, 500)); err != nil {
		t.Fatalf("write after the restart: %v", err)
	}
}

// errorsSay reports whether s contains every one of words.
func errorsSay(s string, words ...string) bool {
	for _, w := range words {
		if !strings.Contains(s, w) {
			return false
		}
	}
	return true
}
