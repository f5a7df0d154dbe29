// Package testserver runs the real lambdalog binary for tests: it builds cmd/lambdalog once per
// test process and starts `lambdalog serve` on a free loopback port, so that tests talk to the
// server a user runs, over real sockets. HTTPClient is the HTTP client for their SDK clients.
//
// A test package that uses it calls Main from its TestMain, which removes the built binary
// when the tests end:
//
//	func TestMain(m *testing.M) { os.Exit(testserver.Main(m)) }
package testserver

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
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

// Server is one running `lambdalog serve` process.
type Server struct {
	URL string // base URL of the API, e.g. http://127.0.0.1:41234

	cmd  *exec.Cmd
	done chan struct{} // closed when the process has exited
	mu   sync.Mutex
	out  bytes.Buffer // everything the process printed, for failure messages
}

var listenURL = regexp.MustCompile(`http://[^\s]+`)

// Serve runs `lambdalog serve --addr 127.0.0.1:0 args...` (args such as "--memory", or
// "--data", dir; a later --addr wins) and waits until it prints the URL it listens on. The
// process is killed when the test ends.
func Serve(t testing.TB, args ...string) *Server {
	t.Helper()
	s := &Server{done: make(chan struct{})}
	s.cmd = exec.Command(Binary(t), append([]string{"serve", "--addr", "127.0.0.1:0"}, args...)...)
	stdout, err := s.cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	s.cmd.Stderr = writerFunc(s.record)
	if err := s.cmd.Start(); err != nil {
		t.Fatalf("start lambdalog serve: %v", err)
	}
	t.Cleanup(s.Kill)

	urls := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			line := sc.Text()
			s.record([]byte(line + "\n"))
			if u := listenURL.FindString(line); u != "" {
				select {
				case urls <- strings.TrimRight(u, "/"):
				default:
				}
			}
		}
		io.Copy(io.Discard, stdout)
		s.cmd.Wait()
		close(s.done)
	}()
	select {
	case s.URL = <-urls:
		return s
	case <-s.done:
		t.Fatalf("lambdalog serve exited before listening: %v\n%s", s.cmd.ProcessState, s.Output())
	case <-time.After(30 * time.Second):
		t.Fatalf("lambdalog serve printed no http:// line in 30s:\n%s", s.Output())
	}
	return nil
}

type writerFunc func([]byte) (int, error)

func (f writerFunc) Write(p []byte) (int, error) { return f(p) }

func (s *Server) record(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.out.Write(p)
}

// Output returns everything the server has printed so far.
func (s *Server) Output() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.out.String()
}

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
