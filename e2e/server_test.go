package e2e

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

// binDir holds the lambdalog binary built for this test run.
var binDir string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "lambdalog-e2e-")
	if err != nil {
		fmt.Fprintln(os.Stderr, "e2e:", err)
		os.Exit(1)
	}
	binDir = dir
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

var (
	buildOnce sync.Once
	buildErr  error
)

// lambdalogBinary builds ./cmd/lambdalog once per test run and returns its path.
func lambdalogBinary(t testing.TB) string {
	t.Helper()
	bin := filepath.Join(binDir, "lambdalog")
	buildOnce.Do(func() {
		cmd := exec.Command("go", "build", "-o", bin, "./cmd/lambdalog")
		cmd.Dir = ".." // the module root
		if out, err := cmd.CombinedOutput(); err != nil {
			buildErr = fmt.Errorf("go build ./cmd/lambdalog: %v\n%s", err, out)
		}
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return bin
}

// requireTool fails the test when CI=true and skips it otherwise if the
// command-line tool name cannot be run.
func requireTool(t *testing.T, name string, args ...string) {
	t.Helper()
	err := exec.Command(name, args...).Run()
	if err == nil {
		return
	}
	msg := fmt.Sprintf("%s %s: %v (install it to run this test)", name, strings.Join(args, " "), err)
	if os.Getenv("CI") == "true" {
		t.Fatal(msg)
	}
	t.Skip(msg)
}

// server is one running `lambdalog serve` process.
type server struct {
	URL string // base URL of the CloudWatch Logs API, e.g. http://127.0.0.1:41234

	cmd  *exec.Cmd
	done chan struct{} // closed when the process has exited
	mu   sync.Mutex
	out  bytes.Buffer // everything the process wrote, for failure messages
}

var listenLine = regexp.MustCompile(`http://[^\s]+`)

// startServer runs `lambdalog serve --addr 127.0.0.1:0` with the extra
// arguments (for example "--memory" or "--data", dir) and waits until it
// prints the URL it listens on. The process is killed when the test ends.
func startServer(t testing.TB, args ...string) *server {
	t.Helper()
	s := &server{done: make(chan struct{})}
	bin := lambdalogBinary(t)
	s.cmd = exec.Command(bin, append([]string{"serve", "--addr", "127.0.0.1:0"}, args...)...)
	stdout, err := s.cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	s.cmd.Stderr = &lockedWriter{s}
	if err := s.cmd.Start(); err != nil {
		t.Fatalf("start lambdalog serve: %v", err)
	}
	t.Cleanup(s.kill)

	urls := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			line := sc.Text()
			fmt.Fprintln(&lockedWriter{s}, line)
			if strings.Contains(line, "http://") {
				select {
				case urls <- strings.TrimRight(listenLine.FindString(line), "/"):
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
		t.Fatalf("lambdalog serve exited before listening: %v\n%s", s.cmd.ProcessState, s.output())
	case <-time.After(20 * time.Second):
		t.Fatalf("lambdalog serve printed no http:// line in 20s:\n%s", s.output())
	}
	return nil
}

// lockedWriter appends to the server's output buffer.
type lockedWriter struct{ s *server }

func (w *lockedWriter) Write(p []byte) (int, error) {
	w.s.mu.Lock()
	defer w.s.mu.Unlock()
	return w.s.out.Write(p)
}

func (s *server) output() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.out.String()
}

// kill sends SIGKILL, as a crash would, and waits for the process to exit.
func (s *server) kill() {
	select {
	case <-s.done:
		return
	default:
	}
	s.cmd.Process.Kill()
	<-s.done
}

// stop sends SIGTERM and waits for a graceful exit with status 0.
func (s *server) stop(ctx context.Context) error {
	if err := s.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		return fmt.Errorf("SIGTERM: %w", err)
	}
	select {
	case <-s.done:
	case <-ctx.Done():
		s.kill()
		return fmt.Errorf("no exit after SIGTERM: %w", ctx.Err())
	}
	if !s.cmd.ProcessState.Success() {
		return fmt.Errorf("exit after SIGTERM: %v\n%s", s.cmd.ProcessState, s.output())
	}
	return nil
}
