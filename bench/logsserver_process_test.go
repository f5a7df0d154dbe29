package bench

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
)

// logsServer is a CloudWatch Logs–compatible server process under benchmark.
type logsServer struct {
	name string
	url  string
	cmd  *exec.Cmd
}

var logsURLInLine = regexp.MustCompile(`http://[^\s]+`)

// startLambdalog builds ../cmd/lambdalog and runs `lambdalog serve` with a
// durable store in a temporary directory on disk.
func startLambdalog(b *testing.B) *logsServer {
	b.Helper()
	dir := b.TempDir()
	bin := filepath.Join(dir, "lambdalog")
	build := exec.Command("go", "build", "-o", bin, "./cmd/lambdalog")
	build.Dir = ".." // the main module
	if out, err := build.CombinedOutput(); err != nil {
		b.Fatalf("go build ./cmd/lambdalog: %v\n%s", err, out)
	}
	cmd := exec.Command(bin, "serve", "--addr", "127.0.0.1:0", "--data", filepath.Join(dir, "data"))
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		b.Fatal(err)
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		b.Fatalf("start lambdalog serve: %v", err)
	}
	s := &logsServer{name: "lambdalog", cmd: cmd}
	b.Cleanup(s.stop)
	found := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			if u := logsURLInLine.FindString(sc.Text()); u != "" {
				select {
				case found <- strings.TrimRight(u, "/"):
				default:
				}
			}
		}
		io.Copy(io.Discard, stdout)
	}()
	select {
	case s.url = <-found:
	case <-time.After(30 * time.Second):
		b.Fatal("lambdalog serve printed no http:// URL in 30s")
	}
	return s
}

// startMoto runs moto's standalone server (`moto_server`) on a free port.
func startMoto(b *testing.B) *logsServer {
	b.Helper()
	port, err := logsFreePort()
	if err != nil {
		b.Fatal(err)
	}
	cmd := exec.Command("moto_server", "-p", strconv.Itoa(port))
	if err := cmd.Start(); err != nil {
		b.Fatalf("start moto_server (installed with the machine's Python): %v", err)
	}
	s := &logsServer{name: "moto", url: fmt.Sprintf("http://127.0.0.1:%d", port), cmd: cmd}
	b.Cleanup(s.stop)
	for start := time.Now(); ; time.Sleep(100 * time.Millisecond) {
		resp, err := http.Get(s.url + "/moto-api/")
		if err == nil {
			resp.Body.Close()
			return s
		}
		if time.Since(start) > 30*time.Second {
			b.Fatalf("moto_server not answering on %s after 30s: %v", s.url, err)
		}
	}
}

func logsFreePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, fmt.Errorf("find a free port: %w", err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

func (s *logsServer) stop() {
	s.cmd.Process.Kill()
	s.cmd.Wait()
}

// memoryMB returns the server's resident set size and its peak (VmRSS and
// VmHWM from /proc/PID/status) in MiB.
func (s *logsServer) memoryMB() (rss, hwm float64, err error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", s.cmd.Process.Pid))
	if err != nil {
		return 0, 0, fmt.Errorf("read memory of %s: %w", s.name, err)
	}
	for line := range strings.Lines(string(b)) {
		f := strings.Fields(line)
		if len(f) != 3 || f[2] != "kB" {
			continue
		}
		kb, _ := strconv.ParseFloat(f[1], 64)
		switch f[0] {
		case "VmRSS:":
			rss = kb / 1024
		case "VmHWM:":
			hwm = kb / 1024
		}
	}
	return rss, hwm, nil
}
