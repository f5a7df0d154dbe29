package lambdaemu

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/lambdalog/lambdalog/cmd/lambdalog/internal/store"
)

// binDir holds the test functions, built on first use once per test run.
var binDir string

var (
	buildMu sync.Mutex
	built   = map[string]string{}
	failed  = map[string]error{}
)

var testFunctions = map[string]string{
	"behave":    "./testdata/behave",
	"initerror": "./testdata/initerror",
	"hello":     "../../../../examples/hello",
}

// bin returns the path of a built test function. examples/hello belongs to
// another package that may be mid-edit, so a failed build skips the test.
func bin(t testing.TB, name string) string {
	t.Helper()
	buildMu.Lock()
	defer buildMu.Unlock()
	if p, ok := built[name]; ok {
		return p
	}
	if err := failed[name]; err != nil {
		t.Skipf("%s does not build: %v", name, err)
	}
	out := filepath.Join(binDir, name)
	msg, err := exec.Command("go", "build", "-o", out, testFunctions[name]).CombinedOutput()
	if err != nil {
		failed[name] = fmt.Errorf("%v: %s", err, msg)
		if name == "hello" {
			t.Skipf("%s does not build: %v", name, failed[name])
		}
		t.Fatalf("building %s: %v", name, failed[name])
	}
	built[name] = out
	return out
}

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "lambdaemu-test")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	binDir = dir
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// newTestEmulator returns an emulator over an in-memory store with fns.
func newTestEmulator(t testing.TB, fns ...Function) (*Emulator, *store.Store) {
	t.Helper()
	st := newTestStore(t)
	emu, err := New(Options{Sink: StoreSink(st, "us-east-1")})
	if err != nil {
		t.Fatal(err)
	}
	for _, fn := range fns {
		if err := emu.AddFunction(fn); err != nil {
			t.Fatal(err)
		}
	}
	t.Cleanup(func() { emu.Close() })
	return emu, st
}

func newTestStore(t testing.TB) *store.Store {
	t.Helper()
	st, err := store.Open(t.TempDir(), store.Options{InMemory: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

// messages reads a log stream back from the store.
func messages(t testing.TB, st *store.Store, group, stream string) []string {
	t.Helper()
	it, err := st.Events(context.Background(), "us-east-1", group, stream, store.Range{})
	if err != nil {
		t.Fatalf("reading %s %s: %v", group, stream, err)
	}
	defer it.Close()
	var msgs []string
	for it.Next() {
		msgs = append(msgs, string(it.Event().Message))
	}
	return msgs
}

// streams lists a group's log streams.
func streams(t testing.TB, st *store.Store, group string) []string {
	t.Helper()
	var names []string
	err := st.ListStreams(context.Background(), "us-east-1", group, "", func(s store.Stream) bool {
		names = append(names, s.Name)
		return true
	})
	if err != nil {
		t.Fatal(err)
	}
	return names
}

func behave(t testing.TB, name string) Function {
	return Function{Name: name, Command: []string{bin(t, "behave")}, Handler: "bootstrap", Timeout: 2 * time.Second}
}
