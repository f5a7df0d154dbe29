package lambdaemu

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// runtimeAPIOf returns AWS_LAMBDA_RUNTIME_API as the behave function saw it.
func runtimeAPIOf(t *testing.T, out *InvokeOutput) string {
	t.Helper()
	var resp struct{ Env map[string]string }
	if err := json.Unmarshal(out.Payload, &resp); err != nil || resp.Env["AWS_LAMBDA_RUNTIME_API"] == "" {
		t.Fatalf("payload %s: %v", out.Payload, err)
	}
	return resp.Env["AWS_LAMBDA_RUNTIME_API"]
}

// TestRuntimeAPIRefusesOtherProcesses checks that a process outside the
// environment (here the test process, the runtime's parent) can neither
// take the next event nor post a response, while the function works.
func TestRuntimeAPIRefusesOtherProcesses(t *testing.T) {
	logFile, err := os.Create(filepath.Join(t.TempDir(), "log"))
	if err != nil {
		t.Fatal(err)
	}
	defer logFile.Close()
	emu, err := New(Options{Sink: StoreSink(newTestStore(t), "us-east-1"), Logger: slog.New(slog.NewTextHandler(logFile, nil))})
	if err != nil {
		t.Fatal(err)
	}
	defer emu.Close()
	if err := emu.AddFunction(behave(t, "guarded")); err != nil {
		t.Fatal(err)
	}
	first := invoke(t, emu, "guarded", `{}`)
	addr := runtimeAPIOf(t, first)

	// A stranger waits for the next event while an invocation is made.
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if _, err := io.WriteString(conn, "GET /2018-06-01/runtime/invocation/next HTTP/1.1\r\nHost: "+addr+"\r\n\r\n"); err != nil && !errors.Is(err, syscall.ECONNRESET) {
		t.Fatal(err)
	}
	second := make(chan *InvokeOutput, 1)
	go func() {
		out, _ := emu.Invoke(context.Background(), "guarded", InvokeInput{Payload: []byte(`{"print":["secret"]}`)})
		second <- out
	}()
	// Not a timing assertion: the deadline only keeps a broken guard from
	// hanging the test (an unguarded API would answer, or keep waiting).
	conn.SetReadDeadline(time.Now().Add(10 * time.Second))
	got, err := io.ReadAll(conn)
	if len(got) > 0 || (err != nil && !errors.Is(err, syscall.ECONNRESET)) {
		t.Errorf("stranger's GET /next got %q, %v; want the connection closed unanswered", got, err)
	}
	out := <-second
	if out == nil || out.ErrorType != "" || !strings.Contains(string(out.Payload), `"request_id":"`+out.RequestID+`"`) {
		t.Fatalf("invocation beside the stranger: %+v", out)
	}

	// Nor can it post a response for the invocation (any id).
	post, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer post.Close()
	_, _ = io.WriteString(post, "POST /2018-06-01/runtime/invocation/"+out.RequestID+"/response HTTP/1.1\r\nHost: "+addr+"\r\nContent-Length: 8\r\n\r\n\"forged\"")
	post.SetReadDeadline(time.Now().Add(10 * time.Second))
	if got, err := io.ReadAll(post); len(got) > 0 || (err != nil && !errors.Is(err, syscall.ECONNRESET)) {
		t.Errorf("stranger's POST got %q, %v", got, err)
	}
	if again := invoke(t, emu, "guarded", `{}`); again.ErrorType != "" || again.LogStream != first.LogStream {
		t.Errorf("after the refusals: %q in %s, want the warm environment %s", again.ErrorType, again.LogStream, first.LogStream)
	}

	b, err := os.ReadFile(logFile.Name())
	if err != nil {
		t.Fatal(err)
	}
	log := string(b)
	if strings.Count(log, "refused a Runtime API connection") != 1 ||
		!strings.Contains(log, " pid="+strconv.Itoa(os.Getpid())) || !strings.Contains(log, " uid="+strconv.Itoa(os.Getuid())) {
		t.Errorf("want one WARN naming this process, got:\n%s", log)
	}
}

// TestRuntimeAPIAcceptsDescendants runs the runtime under a shell that
// forks it, so the Runtime API client is a child of the environment's
// process.
func TestRuntimeAPIAcceptsDescendants(t *testing.T) {
	fn := behave(t, "wrapped")
	fn.Command = []string{"/bin/sh", "-c", fn.Command[0] + "; exit $?"}
	emu, _ := newTestEmulator(t, fn)
	for range 2 {
		if out := invoke(t, emu, "wrapped", `{}`); out.ErrorType != "" {
			t.Fatalf("%s: %s", out.ErrorType, out.Payload)
		}
	}
}

// loopbackPair returns the server end of a connection to 127.0.0.1 made
// from an IPv4 socket or, when dualStack, from an IPv6 one (its entry is
// then in /proc/net/tcp6 with an IPv4-mapped address).
func loopbackPair(t testing.TB, dualStack bool) net.Conn {
	t.Helper()
	ln, err := net.Listen("tcp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	var client net.Conn
	if dualStack {
		fd, err := syscall.Socket(syscall.AF_INET6, syscall.SOCK_STREAM, 0)
		if err != nil {
			t.Skipf("no IPv6 sockets: %v", err)
		}
		sa := &syscall.SockaddrInet6{Port: ln.Addr().(*net.TCPAddr).Port}
		copy(sa.Addr[:], net.ParseIP("127.0.0.1").To16())
		if err := syscall.Connect(fd, sa); err != nil {
			syscall.Close(fd)
			t.Skipf("no dual-stack sockets: %v", err)
		}
		f := os.NewFile(uintptr(fd), "dual-stack")
		client, err = net.FileConn(f)
		f.Close()
	} else {
		client, err = net.Dial("tcp4", ln.Addr().String())
	}
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { client.Close() })
	server, err := ln.Accept()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { server.Close() })
	return server
}

func TestPeerSocket(t *testing.T) {
	for _, dualStack := range []bool{false, true} {
		t.Run("dualStack="+strconv.FormatBool(dualStack), func(t *testing.T) {
			server := loopbackPair(t, dualStack)
			peer, err := peerSocket(server)
			if err != nil {
				t.Fatal(err)
			}
			if !hasFile(os.Getpid(), peer.link()) || int(peer.uid) != os.Getuid() {
				t.Errorf("peer %+v is not this process's socket", peer)
			}
			if pid := socketOwner(peer); pid != os.Getpid() {
				t.Errorf("socketOwner(%s) = %d, want %d", peer.link(), pid, os.Getpid())
			}
		})
	}
}

// BenchmarkRuntimePeerCheck measures the check made once per Runtime API
// connection: finding the peer socket and the fd that holds it (here in
// the benchmark's own process).
func BenchmarkRuntimePeerCheck(b *testing.B) {
	server := loopbackPair(b, false)
	pid := os.Getpid()
	for b.Loop() {
		peer, err := peerSocket(server)
		if err != nil || !hasFile(pid, peer.link()) {
			b.Fatal(err)
		}
	}
}
