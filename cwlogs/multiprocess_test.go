package cwlogs_test

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/lambdalog/lambdalog/cwlogs"
	"github.com/lambdalog/lambdalog/internal/testserver"
	"github.com/lambdalog/lambdalog/logger"
)

// TestMain lets the test binary act as one simulated function process.
func TestMain(m *testing.M) {
	if name := os.Getenv("CWLOGS_TEST_WORKER"); name != "" {
		os.Exit(workerProcess(name))
	}
	if url := os.Getenv("CWLOGS_TEST_FANOUT"); url != "" {
		os.Exit(fanoutProcess(url))
	}
	os.Exit(testserver.Main(m))
}

func workerProcess(name string) int {
	events, _ := strconv.Atoi(os.Getenv("CWLOGS_TEST_EVENTS"))
	c, err := cwlogs.New(newAPI(os.Getenv("CWLOGS_TEST_ENDPOINT")), cwlogs.Options{Group: "/app/shared", Stream: "one"})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	log := slog.New(logger.NewHandler(c)).With("function_name", name)
	for i := range events {
		ctx := logger.WithCorrelationID(context.Background(), fmt.Sprintf("tx-%d", i))
		log.InfoContext(ctx, "step", "function_request_id", fmt.Sprintf("%s-%d", name, i), "seq", i)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if err := c.Close(ctx); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	if st := c.Stats(); st.Sent != uint64(events) {
		fmt.Fprintf(os.Stderr, "stats %+v\n", st)
		return 1
	}
	return 0
}

type record struct {
	Function    string `json:"function_name"`
	RequestID   string `json:"function_request_id"`
	Correlation string `json:"correlation_id"`
	Seq         int    `json:"seq"`
}

func TestWorkerProcessesShareOneStream(t *testing.T) {
	srv := testserver.Serve(t, "--memory")
	const procs, events = 4, 5000
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	cmds := make([]*exec.Cmd, procs)
	for p := range procs {
		cmd := exec.Command(self)
		cmd.Env = append(os.Environ(), "CWLOGS_TEST_WORKER=fn-"+strconv.Itoa(p),
			"CWLOGS_TEST_EVENTS="+strconv.Itoa(events), "CWLOGS_TEST_ENDPOINT="+srv.URL)
		cmd.Stderr = os.Stderr
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		cmds[p] = cmd
	}
	for p, cmd := range cmds {
		if err := cmd.Wait(); err != nil {
			t.Fatalf("worker %d: %v", p, err)
		}
	}
	ev := readAll(t, newAPI(srv.URL), "/app/shared", "one")
	if len(ev) != procs*events {
		t.Fatalf("stream holds %d events, want %d", len(ev), procs*events)
	}
	seen := map[string]bool{}
	for i, e := range ev {
		if i > 0 && *e.Timestamp < *ev[i-1].Timestamp {
			t.Fatalf("event %d out of timestamp order", i)
		}
		var r record
		if err := json.Unmarshal([]byte(*e.Message), &r); err != nil {
			t.Fatalf("event %d is not JSON: %v", i, err)
		}
		if r.Correlation != fmt.Sprintf("tx-%d", r.Seq) || r.RequestID != fmt.Sprintf("%s-%d", r.Function, r.Seq) {
			t.Fatalf("event %d lacks its keys: %s", i, *e.Message)
		}
		if seen[r.RequestID] {
			t.Fatalf("duplicate %s", r.RequestID)
		}
		seen[r.RequestID] = true
	}
}

func TestApplogExample(t *testing.T) {
	srv := testserver.Serve(t, "--memory")
	bin := filepath.Join(t.TempDir(), "applog")
	if out, err := exec.Command("go", "build", "-o", bin, "github.com/lambdalog/lambdalog/examples/applog").CombinedOutput(); err != nil {
		t.Fatalf("build applog: %v\n%s", err, out)
	}
	out, err := exec.Command(bin, "-endpoint", srv.URL, "-group", "/app/demo", "-stream", "tx", "-functions", "3", "-events", "2000").Output()
	if err != nil {
		t.Fatalf("applog: %v\n%s", err, out)
	}
	if !regexp.MustCompile(`^sent=6000 retried=0 dropped=0 rejected=0 seconds=[0-9.]+\n$`).Match(out) {
		t.Fatalf("summary line %q", out)
	}
	perTx := map[string]map[string]bool{}
	for _, e := range readAll(t, newAPI(srv.URL), "/app/demo", "tx") {
		var r record
		if err := json.Unmarshal([]byte(*e.Message), &r); err != nil {
			t.Fatal(err)
		}
		if perTx[r.Correlation] == nil {
			perTx[r.Correlation] = map[string]bool{}
		}
		perTx[r.Correlation][r.Function] = true
	}
	if len(perTx) != 2000 {
		t.Fatalf("%d transactions, want 2000", len(perTx))
	}
	for tx, fns := range perTx {
		if len(fns) != 3 {
			t.Fatalf("transaction %s seen by %d functions, want 3", tx, len(fns))
		}
	}
	// A bad flag value fails with a clear message.
	if err := exec.Command(bin, "-functions", "0").Run(); err == nil {
		t.Fatal("applog -functions 0 succeeded")
	}
}

// fanoutProcess logs one record through a Config with Stdout set.
func fanoutProcess(url string) int {
	app, err := cwlogs.Config{Group: "fan", Stream: "out", Stdout: true}.Open(context.Background(), newAPI(url))
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	app.Logger.Info("both places", "n", 1)
	if err := app.Close(context.Background()); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	return 0
}

func TestFanOutToStdoutAndCloudWatch(t *testing.T) {
	srv := testserver.Serve(t, "--memory")
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(self)
	cmd.Env = append(os.Environ(), "CWLOGS_TEST_FANOUT="+srv.URL)
	cmd.Stderr = os.Stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatal(err)
	}
	ev := readAll(t, newAPI(srv.URL), "fan", "out")
	if len(ev) != 1 || string(out) != *ev[0].Message+"\n" || !strings.Contains(string(out), `"message":"both places"`) {
		t.Fatalf("stdout %q, stream %v: want the same JSON record in both", out, ev)
	}
}
