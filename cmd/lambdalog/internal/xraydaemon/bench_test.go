package xraydaemon

import (
	"context"
	"fmt"
	"net"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/lambdalog/lambdalog/cmd/lambdalog/internal/tracestore"
)

// BenchmarkXRayIngest sends b.N segment documents (traces of 100: a
// segment and 99 subsegments of an AWS call, about 330 bytes each) over
// UDP to a daemon storing into a durable store on disk, paced at a given
// rate (rate=max: as fast as two sender goroutines can), and reports the
// rate at which they were stored (segments/s: b.N over the time from the
// first datagram sent to the last document committed) and how many were
// lost: sent but not in the store, counted by reading every trace back.
// Run it with a fixed count, e.g.
//
//	go test -run '^$' -bench XRayIngest -benchtime 1000000x ./internal/xraydaemon
func BenchmarkXRayIngest(b *testing.B) {
	for _, rate := range []int{100_000, 0} {
		name := "rate=" + strconv.Itoa(rate)
		if rate == 0 {
			name = "rate=max"
		}
		b.Run(name, func(b *testing.B) { benchIngest(b, rate) })
	}
}

func benchIngest(b *testing.B, rate int) {
	store := openStore(b, filepath.Join(b.TempDir(), "traces"))
	d, err := Listen("127.0.0.1:0", store, Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer d.Close()
	epoch := time.Now().Unix()
	b.SetBytes(int64(len(datagram(nil, epoch, 1))))
	b.ResetTimer()
	begin := time.Now()
	// Two senders, one datagram in two each, so that the sending side is
	// not what limits the rate on two cores.
	const senders = 2
	errs := make(chan error, senders)
	for k := range senders {
		go func() {
			errs <- send(d.Addr(), epoch, k, senders, b.N, rate, begin)
		}()
	}
	for range senders {
		if err := <-errs; err != nil {
			b.Fatal(err)
		}
	}
	sendTime := time.Since(begin)
	// Wait until everything received is stored and nothing more arrives.
	var st Stats
	for last, idle := int64(-1), 0; idle < 20; time.Sleep(10 * time.Millisecond) {
		st = d.Stats()
		if st.Received == int64(b.N) && st.Stored+st.Rejected+st.Failed == st.Received {
			break
		}
		if st.Received == last {
			idle++
		} else {
			last, idle = st.Received, 0
		}
	}
	elapsed := time.Since(begin)
	b.StopTimer()
	if err := d.Close(); err != nil {
		b.Fatal(err)
	}
	stored := countStored(b, store, time.Unix(epoch, 0))
	b.ReportMetric(float64(stored)/elapsed.Seconds(), "stored/s")
	b.ReportMetric(float64(b.N)/sendTime.Seconds(), "sent/s")
	b.ReportMetric(float64(int64(b.N)-stored), "lost")
	b.ReportMetric(0, "ns/op")
	if st.Rejected+st.Failed > 0 {
		b.Errorf("%d rejected, %d failed", st.Rejected, st.Failed)
	}
	if rate > 0 && stored != int64(b.N) {
		b.Errorf("sent %d at %d/s, stored %d (%d received by the daemon)", b.N, rate, stored, st.Received)
	}
}

// send sends datagrams k, k+step, ... below n, paced to rate a second
// over all senders (0: as fast as it can).
func send(to *net.UDPAddr, epoch int64, k, step, n, rate int, begin time.Time) error {
	conn, err := net.DialUDP("udp", nil, to)
	if err != nil {
		return err
	}
	defer conn.Close()
	buf := make([]byte, 0, 512)
	for i := k; i < n; i += step {
		if rate > 0 && (i-k)%(100*step) == 0 {
			for time.Since(begin) < time.Duration(float64(i)/float64(rate)*float64(time.Second)) {
				time.Sleep(50 * time.Microsecond)
			}
		}
		buf = datagram(buf[:0], epoch, i)
		if _, err := conn.Write(buf); err != nil {
			return err
		}
	}
	return nil
}

// datagram appends datagram i: document i%100 of trace i/100, the segment
// for 0, else a subsegment of an AWS call.
func datagram(buf []byte, epoch int64, i int) []byte {
	const perTrace = 100
	trace, n := i/perTrace, i%perTrace
	start := float64(epoch) + float64(n)/1000
	buf = append(buf, `{"format":"json","version":1}`+"\n"...)
	if n == 0 {
		return fmt.Appendf(buf, `{"trace_id":"1-%08x-%024x","id":"%016x","name":"orders","start_time":%.6f,"end_time":%.6f,"origin":"AWS::Lambda::Function","aws":{"account_id":"123456789012"}}`,
			epoch, trace, 1, start, start+0.2)
	}
	return fmt.Appendf(buf, `{"type":"subsegment","parent_id":"%016x","trace_id":"1-%08x-%024x","id":"%016x","name":"DynamoDB","namespace":"aws","start_time":%.6f,"end_time":%.6f,`+
		`"aws":{"operation":"GetItem","region":"us-east-1","table_name":"orders","request_id":"V6PB0K3S7QT1DEJ8AXH3LTHBRVVV4KQNSO5AEMVJF66Q9ASUAAJG"},"http":{"response":{"status":200}}}`,
		1, epoch, trace, n+1, start, start+0.002)
}

// countStored counts the documents in the store by reading every trace.
func countStored(b *testing.B, store *tracestore.Store, epoch time.Time) int64 {
	var n int64
	q := tracestore.Query{Start: epoch.Add(-time.Minute), End: time.Now().Add(time.Hour), Limit: 100000, Budget: time.Hour}
	for {
		page, err := store.Query(context.Background(), q)
		if err != nil {
			b.Fatal(err)
		}
		for _, t := range page.Traces {
			n += int64(t.Documents)
		}
		if page.Next == "" {
			return n
		}
		q.Cursor = page.Next
	}
}
