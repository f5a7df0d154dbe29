package xraydaemon

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"os"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/lambdalog/lambdalog/cmd/lambdalog/internal/tracestore"
)

func TestDecode(t *testing.T) {
	doc := `{"trace_id":"1-5759e988-bd862e3fe1be46a994272793","id":"70de5b6f19ff9a0a","name":"svc","start_time":1,"end_time":2}`
	for _, c := range []struct {
		datagram string
		err      string
	}{
		{`{"format":"json","version":1}` + "\n" + doc, ""},    // Python SDK
		{`{"format": "json", "version": 1}` + "\n" + doc, ""}, // Go SDK
		{` { "version" : 1 , "format" : "JSON" } ` + "\n" + doc + "\n", ""},
		{doc, "does not start with the header"},
		{`{"format":"json","version":2}` + "\n" + doc, "does not start with the header"},
		{`{"format":"xml","version":1}` + "\n" + doc, "does not start with the header"},
		{`{"format":"json","version":"1"}` + "\n" + doc, "does not start with the header"},
		{`not json` + "\n" + doc, "does not start with the header"},
		{`{"format":"json","version":1}` + "\n" + `{"id":"70de5b6f19ff9a0a"}`, "MissingParam"},
		{`{"format":"json","version":1}` + "\n", "JSONFormatError"},
	} {
		d, err := Decode([]byte(c.datagram))
		switch {
		case c.err == "" && (err != nil || d.Trace.String() != "1-5759e988-bd862e3fe1be46a994272793"):
			t.Errorf("%q: %v", c.datagram, err)
		case c.err != "" && (err == nil || !strings.Contains(err.Error(), c.err)):
			t.Errorf("%q: got %v, want %q", c.datagram, err, c.err)
		}
	}
}

func FuzzDecode(f *testing.F) {
	f.Add([]byte(`{"format":"json","version":1}` + "\n" + `{"trace_id":"1-5759e988-bd862e3fe1be46a994272793","id":"70de5b6f19ff9a0a","name":"svc","start_time":1,"end_time":2}`))
	f.Add([]byte(`{"format": "json", "version": 1}` + "\n" + `{"type":"subsegment","parent_id":"70de5b6f19ff9a0b","trace_id":"1-5759e988-bd862e3fe1be46a994272793","id":"70de5b6f19ff9a0a","name":"s","start_time":1,"in_progress":true}`))
	f.Add([]byte("\n"))
	f.Fuzz(func(t *testing.T, p []byte) {
		d, err := Decode(p)
		if err != nil {
			return
		}
		// An accepted document is valid JSON with a trace id that round-trips.
		if _, ok := tracestore.ParseTraceID(d.Trace.String()); !ok || !json.Valid(d.Raw) {
			t.Fatalf("%q: accepted %+v", p, d)
		}
	})
}

func openStore(t testing.TB, dir string) *tracestore.Store {
	t.Helper()
	s, err := tracestore.Open(dir, tracestore.Options{InMemory: dir == "", SweepInterval: -1, MinFreeBytes: -1})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// waitStats waits until the daemon has handled n datagrams.
func waitStats(t testing.TB, d *Daemon, n int64) Stats {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		st := d.Stats()
		if st.Stored+st.Rejected+st.Failed >= n || time.Now().After(deadline) {
			return st
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func TestDaemonStoresDatagrams(t *testing.T) {
	store := openStore(t, "")
	d, err := Listen("127.0.0.1:0", store, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	conn, err := net.DialUDP("udp", nil, d.Addr())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	const root = "1-5759e988-bd862e3fe1be46a994272793"
	send := func(header, doc string) {
		if _, err := conn.Write([]byte(header + "\n" + doc)); err != nil {
			t.Fatal(err)
		}
	}
	send(`{"format":"json","version":1}`, `{"type":"subsegment","parent_id":"0000000000000001","trace_id":"`+root+`","id":"0000000000000002","name":"## handler","start_time":1.1,"in_progress":true}`)
	send(`{"format": "json", "version": 1}`, `{"trace_id":"`+root+`","id":"0000000000000001","name":"svc","start_time":1,"end_time":2}`)
	send(`{"format":"json","version":1}`, `{"type":"subsegment","parent_id":"0000000000000001","trace_id":"`+root+`","id":"0000000000000002","name":"## handler","start_time":1.1,"end_time":1.9,"annotations":{"k":"v"}}`)
	send(`{"format":"json","version":7}`, `{}`)
	send(`{"format":"json","version":1}`, `{"trace_id":"nope"}`)
	if st := waitStats(t, d, 5); st != (Stats{Received: 5, Stored: 3, Rejected: 2}) {
		t.Fatalf("stats %+v", st)
	}
	id, _ := tracestore.ParseTraceID(root)
	tr, err := store.Trace(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	if len(tr.Segments) != 1 || len(tr.Segments[0].Subsegments) != 1 || tr.Segments[0].Subsegments[0].Annotations["k"] != "v" || tr.Partial() {
		t.Errorf("trace %+v", tr.Segments)
	}
	if err := d.Close(); err != nil && !errors.Is(err, net.ErrClosed) {
		t.Error(err)
	}
	if _, err := Listen("127.0.0.1:0", store, Options{}); err != nil {
		t.Error(err)
	}
}

// TestReadBuffer checks that the socket got a large receive buffer: as
// asked for when the process may pass net.core.rmem_max, else that limit.
func TestReadBuffer(t *testing.T) {
	d, err := Listen("127.0.0.1:0", openStore(t, ""), Options{ReadBuffer: 32 << 20})
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	raw, err := d.conn.SyscallConn()
	if err != nil {
		t.Fatal(err)
	}
	var got int
	var serr error
	raw.Control(func(fd uintptr) { got, serr = syscall.GetsockoptInt(int(fd), syscall.SOL_SOCKET, syscall.SO_RCVBUF) })
	if serr != nil {
		t.Fatal(serr)
	}
	max := 32 << 20
	if b, err := os.ReadFile("/proc/sys/net/core/rmem_max"); err == nil && os.Geteuid() != 0 {
		max, _ = strconv.Atoi(strings.TrimSpace(string(b)))
	}
	// Linux doubles the size asked for (bookkeeping overhead).
	if got < max {
		t.Errorf("receive buffer %d bytes, want at least %d", got, max)
	}
	t.Logf("receive buffer %d bytes", got)
}

func TestAddrInUse(t *testing.T) {
	store := openStore(t, "")
	d, err := Listen("127.0.0.1:0", store, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	_, err = Listen(d.Addr().String(), store, Options{})
	if !IsAddrInUse(err) {
		t.Errorf("second listen on %s: %v", d.Addr(), err)
	}
	if IsAddrInUse(fmt.Errorf("other")) {
		t.Error("any error is addr in use")
	}
}
