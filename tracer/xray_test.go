package tracer

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-lambda-go/lambda"
)

func TestDaemonAddress(t *testing.T) {
	for in, want := range map[string]string{
		"127.0.0.1:2000":                          "127.0.0.1:2000",
		"udp:127.0.0.1:2001":                      "127.0.0.1:2001",
		"tcp:127.0.0.1:2000 udp:127.0.0.2:2001":   "127.0.0.2:2001",
		"udp:169.254.79.129:2000 tcp:127.0.0.1:1": "169.254.79.129:2000",
		"localhost:2000":                          "localhost:2000",
		"[::1]:2000":                              "[::1]:2000",
		"127.0.0.1":                               "",
		"127.0.0.1:0":                             "",
		"127.0.0.1:70000":                         "",
		":2000":                                   "",
		"tcp:127.0.0.1:2000":                      "",
		"tcp:127.0.0.1:2000 tcp:127.0.0.1:2001":   "",
		"a:1 b:2":                                 "",
		"udp:a:1 udp:b:2 udp:c:3":                 "",
	} {
		got, err := parseDaemonAddress(in)
		if got != want || (err != nil) != (want == "") {
			t.Errorf("%q: %q, %v; want %q", in, got, err, want)
		}
	}
	t.Setenv(EnvDaemonAddress, "nonsense")
	if _, err := New(WithDisabled(false)); err == nil || !strings.Contains(err.Error(), "nonsense") {
		t.Errorf("New with a bad daemon address: %v", err)
	}
}

// walk calls fn for each subsegment of a document, nested ones with their parent's id.
func walk(m map[string]any, parent string, fn func(m map[string]any, parent string)) {
	fn(m, parent)
	subs, _ := m["subsegments"].([]any)
	for _, s := range subs {
		walk(s.(map[string]any), m["id"].(string), fn)
	}
}

// A document that would be over 64 KB is split: the subsegments go on their own, with their
// parent's id; a subsegment too large alone goes without its metadata.
func TestLargeDocumentsSplit(t *testing.T) {
	d := newDaemon(t)
	tr := newTestTracer(t, d)
	big := strings.Repeat("x", 10_000)
	h := lambda.NewHandler(WrapNoEvent(tr, func(ctx context.Context) (string, error) {
		for i := range 20 {
			CaptureMethod(ctx, fmt.Sprint("part", i), func(ctx context.Context) (string, error) {
				PutAnnotation(ctx, "Part", i)
				return big, nil
			})
		}
		CaptureMethod(ctx, "huge", func(ctx context.Context) (string, error) {
			PutAnnotation(ctx, "Huge", true)
			return strings.Repeat("y", 70_000), nil
		})
		return "done", nil
	}))
	if _, err := h.Invoke(invokeCtx("req", sampled), nil); err != nil {
		t.Fatal(err)
	}
	docs := d.collect(22)
	d.nothingSent()
	parents := map[string]string{}
	var handlerID string
	for _, doc := range docs {
		if doc.size > MaxDatagram {
			t.Errorf("datagram of %d bytes", doc.size)
		}
		if doc.m["type"] != "subsegment" || doc.m["trace_id"] != testRoot {
			t.Errorf("not an independent subsegment: %.200s", doc.raw)
		}
		if _, ok := doc.m["subsegments"]; ok {
			t.Errorf("subsegments nested in a split document: %.200s", doc.raw)
		}
		walk(doc.m, doc.m["parent_id"].(string), func(m map[string]any, parent string) {
			parents[m["name"].(string)] = parent
			if m["name"] == "## handler" {
				handlerID = m["id"].(string)
			}
		})
		if doc.m["name"] == "## huge" {
			if _, ok := doc.m["metadata"]; ok || doc.m["annotations"].(map[string]any)["Huge"] != true {
				t.Errorf("huge subsegment: %.300s", doc.raw)
			}
		} else if _, ok := doc.m["metadata"]; !ok {
			t.Errorf("metadata lost: %.300s", doc.raw)
		}
	}
	if len(parents) != 22 || parents["## handler"] != testParent {
		t.Fatalf("subsegments %v", parents)
	}
	for name, p := range parents {
		if name != "## handler" && p != handlerID {
			t.Errorf("%s: parent %s, want the handler %s", name, p, handlerID)
		}
	}
}

// A subsegment that cannot fit even without metadata is dropped and reported once.
func TestUnsendableSubsegmentReported(t *testing.T) {
	d := newDaemon(t)
	var warnings bytes.Buffer
	tr := newTestTracer(t, d, WithWarnings(&warnings))
	h := lambda.NewHandler(WrapNoEvent(tr, func(ctx context.Context) (string, error) {
		return CaptureMethod(ctx, "annotated", func(ctx context.Context) (string, error) {
			return "", PutAnnotation(ctx, "Big", strings.Repeat("z", 70_000))
		})
	}))
	for range 2 {
		if _, err := h.Invoke(invokeCtx("req", sampled), nil); err != nil {
			t.Fatal(err)
		}
	}
	for _, doc := range d.collect(2) {
		if doc.m["name"] != "## handler" {
			t.Errorf("sent %.200s", doc.raw)
		}
	}
	d.nothingSent()
	if w := warnings.String(); strings.Count(w, "\n") != 1 || !strings.Contains(w, `span "## annotated"`) || !strings.Contains(w, "dropped") {
		t.Errorf("warnings: %q", w)
	}
}

// Many invocations at once, each ending spans while the others flush: every span is sent exactly
// once, nested in its parent's document or on its own with its parent's id.
func TestConcurrentInvocationsLoseNothing(t *testing.T) {
	d := newDaemon(t)
	tr := newTestTracer(t, d)
	h := lambda.NewHandler(Wrap(tr, func(ctx context.Context, n int) (int, error) {
		for i := range 3 {
			CaptureMethod(ctx, fmt.Sprint("m", i), func(ctx context.Context) (int, error) { return n, nil })
		}
		return n, nil
	}))
	const invocations = 64
	var wg sync.WaitGroup
	for i := range invocations {
		wg.Go(func() {
			header := fmt.Sprintf("Root=1-5759e988-%024x;Parent=%016x;Sampled=1", i+1, i+1)
			payload, _ := json.Marshal(i)
			if _, err := h.Invoke(invokeCtx("req", header), payload); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	seen := map[string]int{}
	handlers := map[string]string{} // trace -> handler id
	parentOf := map[string]string{}
	traceOf := map[string]string{}
	for n := 0; n < 4*invocations; {
		doc := d.collect(1)[0]
		trace := doc.m["trace_id"].(string)
		walk(doc.m, doc.m["parent_id"].(string), func(m map[string]any, parent string) {
			id := m["id"].(string)
			seen[id]++
			n++
			parentOf[id], traceOf[id] = parent, trace
			if m["name"] == "## handler" {
				handlers[trace] = id
			}
		})
	}
	d.nothingSent()
	if len(seen) != 4*invocations || len(handlers) != invocations {
		t.Fatalf("%d spans in %d traces, want %d in %d", len(seen), len(handlers), 4*invocations, invocations)
	}
	for id, n := range seen {
		p := parentOf[id]
		if n != 1 || (p != handlers[traceOf[id]] && id != handlers[traceOf[id]]) {
			t.Errorf("span %s: sent %d times, parent %s", id, n, p)
		}
	}
}

// FuzzDaemonAddress: any AWS_XRAY_DAEMON_ADDRESS value gives a host:port or an error naming it.
func FuzzDaemonAddress(f *testing.F) {
	for _, s := range []string{"127.0.0.1:2000", "tcp:127.0.0.1:2000 udp:127.0.0.2:2001", "udp:[::1]:1", " : ", "udp: tcp:"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		addr, err := parseDaemonAddress(s)
		if err != nil {
			if addr != "" || !strings.Contains(err.Error(), fmt.Sprintf("%q", s)) {
				t.Fatalf("%q: %q, %v", s, addr, err)
			}
			return
		}
		if host, port, err := net.SplitHostPort(addr); err != nil || host == "" || port == "" || !strings.Contains(s, addr) {
			t.Fatalf("%q: %q", s, addr)
		}
	})
}
