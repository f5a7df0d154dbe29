package cwlogs_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/lambdalog/lambdalog/cwlogs"
	"github.com/lambdalog/lambdalog/internal/testserver"
)

func closeClient(t *testing.T, c *cwlogs.Client) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := c.Close(ctx); err != nil {
		t.Fatalf("Close: %v", err)
	}
}

// checkStream asserts the stream holds exactly want (as a set), in
// timestamp order, without duplicates.
func checkStream(t *testing.T, msgs []string, ts []int64, want map[string]bool) {
	t.Helper()
	seen := map[string]bool{}
	for i, m := range msgs {
		if seen[m] {
			t.Errorf("duplicate event %q", m)
		}
		seen[m] = true
		if !want[m] {
			t.Errorf("unexpected event %q", m)
		}
		if i > 0 && ts[i] < ts[i-1] {
			t.Errorf("event %d out of timestamp order: %d < %d", i, ts[i], ts[i-1])
		}
	}
	if len(seen) != len(want) {
		t.Errorf("stored %d distinct events, want %d", len(seen), len(want))
	}
}

func TestConcurrentWritersAllStoredInOrder(t *testing.T) {
	srv := testserver.Serve(t, "--memory")
	api := newAPI(srv.URL)
	c, err := cwlogs.New(api, cwlogs.Options{Group: "/app/orders", Stream: "shared"})
	if err != nil {
		t.Fatal(err)
	}
	const writers, each = 4, 6000
	want := map[string]bool{}
	for w := range writers {
		for i := range each {
			want[fmt.Sprintf(`{"function_name":"f%d","seq":%d}`, w, i)] = true
		}
	}
	var wg sync.WaitGroup
	for w := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range each {
				fmt.Fprintf(c, `{"function_name":"f%d","seq":%d}`+"\n", w, i)
			}
		}()
	}
	wg.Wait()
	closeClient(t, c)
	st := c.Stats()
	if st.Sent != writers*each || st.Dropped != 0 || st.Rejected != 0 || st.Retried != 0 {
		t.Fatalf("stats = %+v, want %d sent and nothing else", st, writers*each)
	}
	ev := readAll(t, api, "/app/orders", "shared")
	msgs, ts := make([]string, len(ev)), make([]int64, len(ev))
	for i, e := range ev {
		msgs[i], ts[i] = *e.Message, *e.Timestamp
	}
	checkStream(t, msgs, ts, want)
}

func TestOutOfOrderTimestampsAreSortedStably(t *testing.T) {
	srv := testserver.Serve(t, "--memory")
	api := newAPI(srv.URL)
	c, err := cwlogs.New(api, cwlogs.Options{Group: "g", Stream: "s"})
	if err != nil {
		t.Fatal(err)
	}
	base := time.Now().Add(-time.Minute).Truncate(time.Millisecond)
	// Written newest first; equal timestamps must keep write order.
	c.WriteEvent(base.Add(2*time.Second), []byte("c1"))
	c.WriteEvent(base.Add(2*time.Second), []byte("c2"))
	c.WriteEvent(base.Add(time.Second), []byte("b"))
	c.WriteEvent(base, []byte("a"))
	closeClient(t, c)
	var got []string
	for _, e := range readAll(t, api, "g", "s") {
		got = append(got, *e.Message)
	}
	if strings.Join(got, ",") != "a,b,c1,c2" {
		t.Fatalf("stored order %v, want a,b,c1,c2", got)
	}
}

func TestAgeFlushWithoutExplicitFlush(t *testing.T) {
	srv := testserver.Serve(t, "--memory")
	api := newAPI(srv.URL)
	c, err := cwlogs.New(api, cwlogs.Options{Group: "g", Stream: "age", FlushInterval: 50 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	defer closeClient(t, c)
	c.Write([]byte("hello\n"))
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		if c.Stats().Sent == 1 {
			ev := readAll(t, api, "g", "age")
			if len(ev) != 1 || *ev[0].Message != "hello" {
				t.Fatalf("stored %v, want one event \"hello\"", ev)
			}
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatal("event not sent by the age flush")
}

func TestFlushWaitsForDelivery(t *testing.T) {
	srv := testserver.Serve(t, "--memory")
	api := newAPI(srv.URL)
	c, err := cwlogs.New(api, cwlogs.Options{Group: "g", Stream: "flush", FlushInterval: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	defer closeClient(t, c)
	for i := range 3 {
		fmt.Fprintf(c, "event %d", i)
	}
	if err := c.Flush(context.Background()); err != nil {
		t.Fatal(err)
	}
	if n := len(readAll(t, api, "g", "flush")); n != 3 {
		t.Fatalf("after Flush the stream holds %d events, want 3", n)
	}
}

func TestLargeRecordsAndTruncation(t *testing.T) {
	srv := testserver.Serve(t, "--memory")
	api := newAPI(srv.URL)
	c, err := cwlogs.New(api, cwlogs.Options{Group: "g", Stream: "big"})
	if err != nil {
		t.Fatal(err)
	}
	half := strings.Repeat("x", 600_000)   // two of these cannot share a batch
	huge := strings.Repeat("é", 1_500_000) // 3,000,000 bytes: over the 1 MB event limit
	c.Write([]byte(half))
	c.Write([]byte(half))
	c.Write([]byte(huge))
	closeClient(t, c)
	st := c.Stats()
	if st.Sent != 3 || st.Truncated != 1 || st.Requests < 3 {
		t.Fatalf("stats = %+v, want 3 sent in at least 3 requests with 1 truncated", st)
	}
	ev := readAll(t, api, "g", "big")
	if len(ev) != 3 {
		t.Fatalf("stored %d events, want 3", len(ev))
	}
	last := *ev[2].Message
	if len(last) > cwlogs.MaxMessageBytes || !strings.HasSuffix(last, "bytes]") || !strings.Contains(last, "[cwlogs: truncated ") {
		t.Fatalf("truncated event has %d bytes and ends %q", len(last), last[len(last)-40:])
	}
}

func TestRejectedEventsReported(t *testing.T) {
	srv := testserver.Serve(t, "--memory")
	api := newAPI(srv.URL)
	var mu sync.Mutex
	var rejected []cwlogs.RejectedEvent
	c, err := cwlogs.New(api, cwlogs.Options{Group: "g", Stream: "rej", OnRejected: func(r cwlogs.RejectedEvent) {
		mu.Lock()
		defer mu.Unlock()
		r.Message = append([]byte(nil), r.Message...)
		rejected = append(rejected, r)
	}})
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	c.WriteEvent(now.Add(-15*24*time.Hour), []byte("ancient"))
	c.WriteEvent(now, []byte("fine"))
	c.WriteEvent(now.Add(3*time.Hour), []byte("future"))
	closeClient(t, c)
	st := c.Stats()
	if st.Sent+st.Rejected != 3 || st.Rejected == 0 {
		t.Fatalf("stats = %+v, want rejected events counted", st)
	}
	mu.Lock()
	defer mu.Unlock()
	if uint64(len(rejected)) != st.Rejected {
		t.Fatalf("callback saw %d events, counter says %d", len(rejected), st.Rejected)
	}
	for _, r := range rejected {
		if string(r.Message) == "fine" {
			t.Fatalf("valid event reported as rejected: %+v", r)
		}
	}
	if ev := readAll(t, api, "g", "rej"); len(ev) != int(st.Sent) {
		t.Fatalf("stored %d events, Sent = %d", len(ev), st.Sent)
	}
}

func TestWriteAfterClose(t *testing.T) {
	srv := testserver.Serve(t, "--memory")
	c, err := cwlogs.New(newAPI(srv.URL), cwlogs.Options{Group: "g", Stream: "s"})
	if err != nil {
		t.Fatal(err)
	}
	closeClient(t, c)
	if _, err := c.Write([]byte("late")); err != cwlogs.ErrClosed {
		t.Fatalf("Write after Close = %v, want ErrClosed", err)
	}
}
