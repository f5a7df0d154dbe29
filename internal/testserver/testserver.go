// Package testserver runs the real lambdalog binary for tests: it builds cmd/lambdalog once per
// test process and starts `lambdalog serve` (Serve) or `lambdalog dev` (Dev), waiting for the
// addresses they write to their --ready-file, so that tests talk to the server a user runs, over
// real sockets. HTTPClient is the HTTP client for their SDK clients.
//
// A test package that uses it calls Main from its TestMain, which removes the built binary
// when the tests end:
//
//	func TestMain(m *testing.M) { os.Exit(testserver.Main(m)) }
package testserver

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"syscall"
	"testing"
	"time"
)

var (
	buildOnce sync.Once
	binDir    string
	binPath   string
	buildErr  error
)

// Main runs the tests and then removes the binary Binary built; it returns m.Run's exit code.
func Main(m *testing.M) int {
	code := m.Run()
	if binDir != "" {
		os.RemoveAll(binDir)
	}
	return code
}

// Binary builds cmd/lambdalog once per test process and returns the path of the binary.
func Binary(t testing.TB) string {
	t.Helper()
	buildOnce.Do(func() {
		if binDir, buildErr = os.MkdirTemp("", "lambdalog-bin-"); buildErr != nil {
			return
		}
		binPath = filepath.Join(binDir, "lambdalog")
		out, err := exec.Command("go", "build", "-o", binPath, "github.com/lambdalog/lambdalog/cmd/lambdalog").CombinedOutput()
		if err != nil {
			buildErr = fmt.Errorf("go build ./cmd/lambdalog: %v\n%s", err, out)
		}
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return binPath
}

// Server is one running `lambdalog serve` or `lambdalog dev` process.
type Server struct {
	URL  string            // base URL of the APIs, e.g. http://127.0.0.1:41234
	URLs map[string]string // every address of its ready file by name: "api", "apiGateway", "xray"

	cmd  *exec.Cmd
	done chan struct{} // closed when the process has exited
	out  Buffer        // everything the process printed, for failure messages
}

// Serve runs `lambdalog serve --addr 127.0.0.1:0 args...` (args such as "--memory", or
// "--data", dir; a later --addr wins) and waits until it has written its --ready-file. The
// process is killed when the test ends.
func Serve(t testing.TB, args ...string) *Server {
	t.Helper()
	s := start(t, "", nil, 30*time.Second, append([]string{"serve", "--addr", "127.0.0.1:0"}, args...)...)
	t.Cleanup(s.Kill)
	return s
}

// Dev runs `lambdalog dev args...` in dir (the test's directory when empty) with env (the
// test's environment when nil), and waits until it has written its --ready-file, which
// takes as long as building its functions. When the test ends it is stopped with SIGINT,
// as a user stops it, and the test fails unless it then exits with status 0.
func Dev(t testing.TB, dir string, env []string, args ...string) *Server {
	t.Helper()
	s := start(t, dir, env, 3*time.Minute, append([]string{"dev"}, args...)...)
	t.Cleanup(func() {
		if err := s.cmd.Process.Signal(os.Interrupt); err != nil {
			return // already exited
		}
		select {
		case <-s.done:
			if !s.cmd.ProcessState.Success() {
				t.Errorf("lambdalog dev after SIGINT: %v\n%s", s.cmd.ProcessState, s.Output())
			}
		case <-time.After(30 * time.Second):
			s.Kill()
			t.Errorf("lambdalog dev did not stop within 30 s of SIGINT")
		}
	})
	return s
}

// start runs the binary with args and a --ready-file, and waits for the file.
func start(t testing.TB, dir string, env []string, timeout time.Duration, args ...string) *Server {
	t.Helper()
	s := &Server{done: make(chan struct{})}
	ready := filepath.Join(t.TempDir(), "ready.json")
	s.cmd = exec.Command(Binary(t), append(args[:1:1], append([]string{"--ready-file", ready}, args[1:]...)...)...)
	s.cmd.Dir, s.cmd.Env = dir, env
	s.cmd.Stdout = &s.out
	s.cmd.Stderr = &s.out
	if err := s.cmd.Start(); err != nil {
		t.Fatalf("start lambdalog %s: %v", args[0], err)
	}
	go func() {
		s.cmd.Wait()
		close(s.done)
	}()
	urls, err := WaitReady(ready, s.done, timeout)
	if err != nil {
		s.Kill()
		t.Fatalf("lambdalog %s: %v\n%s", args[0], err, s.Output())
	}
	s.URL, s.URLs = urls["api"], urls
	return s
}

// WaitReady waits for a lambdalog --ready-file at path and returns the URLs it
// holds by name ("api", "apiGateway"), failing when exited is closed first or
// after timeout.
func WaitReady(path string, exited <-chan struct{}, timeout time.Duration) (map[string]string, error) {
	deadline := time.After(timeout)
	tick := time.NewTicker(10 * time.Millisecond)
	defer tick.Stop()
	for {
		if b, err := os.ReadFile(path); err == nil {
			var urls map[string]string
			if err := json.Unmarshal(b, &urls); err != nil {
				return nil, fmt.Errorf("ready file %s: %w", path, err)
			}
			return urls, nil
		}
		select {
		case <-exited:
			return nil, errors.New("exited before it was ready")
		case <-deadline:
			return nil, fmt.Errorf("not ready (no %s) after %s", path, timeout)
		case <-tick.C:
		}
	}
}

// Output returns everything the server has printed so far.
func (s *Server) Output() string { return s.out.String() }

// Kill sends SIGKILL, as a crash would, and waits for the process to exit.
func (s *Server) Kill() {
	select {
	case <-s.done:
		return
	default:
	}
	s.cmd.Process.Kill()
	<-s.done
}

// Stop sends SIGTERM and waits for a graceful exit with status 0.
func (s *Server) Stop(ctx context.Context) error {
	if err := s.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		return fmt.Errorf("SIGTERM: %w", err)
	}
	select {
	case <-s.done:
	case <-ctx.Done():
		s.Kill()
		return fmt.Errorf("no exit after SIGTERM: %w", ctx.Err())
	}
	if !s.cmd.ProcessState.Success() {
		return fmt.Errorf("exit after SIGTERM: %v\n%s", s.cmd.ProcessState, s.Output())
	}
	return nil
}
