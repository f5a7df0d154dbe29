package cwlogs_test

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/lambdalog/lambdalog/cwlogs"
	"github.com/lambdalog/lambdalog/internal/testserver"
)

// fault is what the proxy does with one PutLogEvents request.
type fault int

const (
	pass        fault = iota
	throttle          // 400 ThrottlingException, nothing stored
	unavailable       // 500 ServiceUnavailableException, nothing stored
	resetBefore       // connection reset before the server sees the request
	resetAfter        // request stored by the server, then the connection is reset
)

// faultProxy is a real reverse proxy in front of a real server that
// injects faults into PutLogEvents calls according to plan.
type faultProxy struct {
	*httptest.Server
	rp     *httputil.ReverseProxy
	n      atomic.Int64
	plan   func(n int64) fault
	counts sync.Map // fault -> *atomic.Int64
}

func newFaultProxy(t *testing.T, backend string, plan func(n int64) fault) *faultProxy {
	u, err := url.Parse(backend)
	if err != nil {
		t.Fatal(err)
	}
	p := &faultProxy{rp: httputil.NewSingleHostReverseProxy(u), plan: plan}
	p.Server = httptest.NewServer(http.HandlerFunc(p.serve))
	t.Cleanup(p.Close)
	return p
}

func (p *faultProxy) count(f fault) int64 {
	v, _ := p.counts.LoadOrStore(f, new(atomic.Int64))
	return v.(*atomic.Int64).Load()
}

func (p *faultProxy) serve(w http.ResponseWriter, r *http.Request) {
	f := pass
	if strings.HasSuffix(r.Header.Get("X-Amz-Target"), ".PutLogEvents") {
		f = p.plan(p.n.Add(1))
	}
	v, _ := p.counts.LoadOrStore(f, new(atomic.Int64))
	v.(*atomic.Int64).Add(1)
	awsError := func(status int, typ string) {
		w.Header().Set("Content-Type", "application/x-amz-json-1.1")
		w.WriteHeader(status)
		fmt.Fprintf(w, `{"__type":%q,"message":"injected by test proxy"}`, typ)
	}
	switch f {
	case pass:
		p.rp.ServeHTTP(w, r)
	case throttle:
		awsError(400, "ThrottlingException")
	case unavailable:
		awsError(500, "ServiceUnavailableException")
	case resetBefore:
		reset(w)
	case resetAfter:
		rec := httptest.NewRecorder()
		p.rp.ServeHTTP(rec, r)
		reset(w)
	}
}

// reset aborts the client's connection with a TCP RST.
func reset(w http.ResponseWriter) {
	conn, _, err := http.NewResponseController(w).Hijack()
	if err != nil {
		panic(err)
	}
	conn.(*net.TCPConn).SetLinger(0)
	conn.Close()
}

// checkDelivered asserts every written event is stored once, except for at
// most PossibleDuplicates extra copies.
func checkDelivered(t *testing.T, url, group, stream string, written []string, st cwlogs.Stats) {
	t.Helper()
	ev := readAll(t, newAPI(url), group, stream)
	seen := map[string]int{}
	for i, e := range ev {
		seen[*e.Message]++
		if i > 0 && *e.Timestamp < *ev[i-1].Timestamp {
			t.Fatalf("event %d out of order", i)
		}
	}
	for _, m := range written {
		if seen[m] == 0 {
			t.Fatalf("event %q lost (stats %+v)", m, st)
		}
	}
	if extra := uint64(len(ev) - len(seen)); extra > st.PossibleDuplicates {
		t.Fatalf("%d duplicate events stored, but only %d reported as possible duplicates", extra, st.PossibleDuplicates)
	}
	if len(seen) != len(written) {
		t.Fatalf("stored %d distinct events, wrote %d", len(seen), len(written))
	}
	t.Logf("stored %d events (%d distinct); stats %+v", len(ev), len(seen), st)
}

func TestFaultsThrottling5xxAndResets(t *testing.T) {
	srv := testserver.Serve(t, "--memory")
	faults := []fault{throttle, unavailable, resetBefore, resetAfter}
	proxy := newFaultProxy(t, srv.URL, func(n int64) fault {
		if n%2 == 0 { // every other request fails, cycling through the faults
			return faults[(n/2)%int64(len(faults))]
		}
		return pass
	})
	var errs atomic.Int64
	c, err := cwlogs.New(newAPI(proxy.URL), cwlogs.Options{
		Group: "g", Stream: "faults", FlushInterval: 5 * time.Millisecond,
		RetryBase: time.Millisecond, RetryMax: 20 * time.Millisecond,
		OnError: func(error) { errs.Add(1) },
	})
	if err != nil {
		t.Fatal(err)
	}
	var written []string
	for i := range 3000 {
		m := fmt.Sprintf("event-%05d", i)
		written = append(written, m)
		c.Write([]byte(m))
		if i%100 == 0 {
			time.Sleep(2 * time.Millisecond) // spread over many batches
		}
	}
	closeClient(t, c)
	st := c.Stats()
	if st.Dropped != 0 || st.Rejected != 0 || errs.Load() != 0 {
		t.Fatalf("stats %+v, %d errors: nothing may be dropped", st, errs.Load())
	}
	for _, f := range faults {
		if proxy.count(f) == 0 {
			t.Fatalf("fault %d never injected; the test did not exercise it", f)
		}
	}
	if st.Retried == 0 || st.PossibleDuplicates == 0 {
		t.Fatalf("stats %+v: retries and possible duplicates must be counted", st)
	}
	checkDelivered(t, srv.URL, "g", "faults", written, st)
}

func TestServerKilledAndRestarted(t *testing.T) {
	data := t.TempDir()
	srv := testserver.Serve(t, "--data", data)
	addr := strings.TrimPrefix(srv.URL, "http://")
	c, err := cwlogs.New(newAPI(srv.URL), cwlogs.Options{
		Group: "g", Stream: "restart", FlushInterval: 5 * time.Millisecond,
		RetryBase: 5 * time.Millisecond, RetryMax: 100 * time.Millisecond,
	})
	if err != nil {
		t.Fatal(err)
	}
	var written []string
	done := make(chan struct{})
	go func() {
		defer close(done)
		for i := 0; i < 4000; i++ {
			m := fmt.Sprintf("event-%05d", i)
			written = append(written, m)
			c.Write([]byte(m))
			if i%20 == 0 {
				time.Sleep(time.Millisecond)
			}
		}
	}()
	time.Sleep(100 * time.Millisecond)
	srv.Kill() // SIGKILL mid-stream
	time.Sleep(300 * time.Millisecond)
	srv2 := testserver.Serve(t, "--data", data, "--addr", addr)
	<-done
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	if err := c.Close(ctx); err != nil {
		t.Fatalf("Close: %v", err)
	}
	st := c.Stats()
	if st.Dropped != 0 || st.Retried == 0 {
		t.Fatalf("stats %+v: want retries and nothing dropped", st)
	}
	checkDelivered(t, srv2.URL, "g", "restart", written, st)
}

func TestFullBufferPolicies(t *testing.T) {
	srv := testserver.Serve(t, "--memory")
	stall := make(chan struct{})
	proxy := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select { // hold every request until the test ends
		case <-stall:
		case <-r.Context().Done():
		}
		w.WriteHeader(503)
	}))
	defer proxy.Close()
	defer close(stall)
	_ = srv
	big := []byte(strings.Repeat("z", 400_000)) // two per 1 MiB batch

	t.Run("block", func(t *testing.T) {
		c, err := cwlogs.New(newAPI(proxy.URL), cwlogs.Options{Group: "g", Stream: "s",
			BufferBytes: 1, Senders: 1, FullPolicy: cwlogs.Block, BlockTimeout: 50 * time.Millisecond})
		if err != nil {
			t.Fatal(err)
		}
		var fullErrs int
		for range 10 {
			if _, err := c.Write(big); err == cwlogs.ErrBufferFull {
				fullErrs++
			}
		}
		st := c.Stats()
		if fullErrs == 0 || st.Dropped != uint64(fullErrs) {
			t.Fatalf("%d ErrBufferFull, stats %+v: want drops reported to the writer and counted", fullErrs, st)
		}
		ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
		defer cancel()
		if err := c.Close(ctx); err == nil {
			t.Fatal("Close with undeliverable events returned nil")
		}
		if st := c.Stats(); st.Dropped+st.Sent != 10 {
			t.Fatalf("after Close stats %+v: every event must be sent or counted as dropped", st)
		}
	})
	t.Run("drop-oldest", func(t *testing.T) {
		var reported atomic.Int64
		c, err := cwlogs.New(newAPI(proxy.URL), cwlogs.Options{Group: "g", Stream: "s",
			BufferBytes: 1, Senders: 1, FullPolicy: cwlogs.DropOldest,
			OnError: func(error) { reported.Add(1) }})
		if err != nil {
			t.Fatal(err)
		}
		start := time.Now()
		for range 20 {
			if _, err := c.Write(big); err != nil {
				t.Fatalf("Write under DropOldest: %v", err)
			}
		}
		if d := time.Since(start); d > 5*time.Second {
			t.Fatalf("writes waited %v under DropOldest", d)
		}
		if st := c.Stats(); st.Dropped == 0 || reported.Load() == 0 {
			t.Fatalf("stats %+v: oldest batches must be dropped and reported", st)
		}
		ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
		defer cancel()
		c.Close(ctx)
		if st := c.Stats(); st.Dropped+st.Sent != 20 {
			t.Fatalf("after Close stats %+v: every event must be sent or counted as dropped", st)
		}
	})
}
