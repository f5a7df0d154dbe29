// Package xraydaemon is the X-Ray daemon's UDP side: it receives segment
// documents that X-Ray SDKs (and lambdalog's tracer) send to
// AWS_XRAY_DAEMON_ADDRESS and stores them in a trace store.
//
// # Protocol
//
// Each datagram is a header line and one segment document:
//
//	{"format": "json", "version": 1}\n{"trace_id": ..., "id": ..., ...}
//
// The header is parsed as JSON (SDKs differ in its spacing): its format
// must equal "json" in any case and its version 1, as the AWS daemon
// checks. The document is validated with tracestore.ParseDocument. A
// datagram failing either is counted in Stats.Rejected and dropped, as the
// daemon drops it; nothing is answered over UDP.
//
// # Throughput
//
// One goroutine reads datagrams (the socket's receive buffer is made as
// large as the system allows, up to Options.ReadBuffer, so that bursts
// wait in the kernel rather than being dropped; on Linux up to 64 of them
// with one recvmmsg system call), validates them and copies them into the
// pending batch; another stores batches with
// tracestore.Store.Put, one synced Pebble batch each. The reader hands the
// pending batch over whenever the writer is idle, so a lone segment is
// stored at once and under load batches grow to what arrived during the
// previous commit (group commit), up to Options.MaxBatch documents, beyond
// which the reader waits for the writer. A batch the store refuses (disk
// full) is counted in Stats.Failed and logged.
package xraydaemon

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/lambdalog/lambdalog/cmd/lambdalog/internal/tracestore"
)

// Options configure a Daemon.
type Options struct {
	// ReadBuffer is the socket receive buffer asked for; 0 means 64 MiB.
	// The kernel may grant less (net.core.rmem_max) unless the process may
	// raise it (CAP_NET_ADMIN).
	ReadBuffer int
	// MaxBatch is the most documents stored in one batch, and so how many
	// the reader holds while the store is busy before it leaves datagrams
	// waiting in the socket; 0 means 100,000 (some 35 MB).
	MaxBatch int
	// Logger receives rejected datagrams (at most one line every 10 s) and
	// storage failures; nil means slog.Default().
	Logger *slog.Logger
}

// Stats count datagrams since the daemon started.
type Stats struct {
	// Received datagrams, Stored documents, Rejected datagrams (bad header
	// or document), and documents whose batch the store Failed to write.
	Received, Stored, Rejected, Failed int64
}

// Daemon receives segment documents over UDP.
type Daemon struct {
	conn  *net.UDPConn
	store *tracestore.Store
	opts  Options

	received, stored, rejected, failed atomic.Int64

	batches chan *batch
	free    sync.Pool // *batch
	done    chan struct{}
	wg      sync.WaitGroup
	stop    sync.Once

	logMu      sync.Mutex
	lastLog    time.Time
	suppressed int
}

// Listen opens the UDP socket on addr (host:port) for store.
func Listen(addr string, store *tracestore.Store, opts Options) (*Daemon, error) {
	if opts.ReadBuffer <= 0 {
		opts.ReadBuffer = 64 << 20
	}
	if opts.MaxBatch <= 0 {
		opts.MaxBatch = 100000
	}
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	ua, err := net.ResolveUDPAddr("udp", addr)
	if err != nil {
		return nil, err
	}
	conn, err := net.ListenUDP("udp", ua)
	if err != nil {
		return nil, err
	}
	setReadBuffer(conn, opts.ReadBuffer)
	d := &Daemon{conn: conn, store: store, opts: opts, batches: make(chan *batch), done: make(chan struct{})}
	d.free.New = func() any { return &batch{} }
	d.wg.Add(2)
	go d.read()
	go d.write()
	return d, nil
}

// setReadBuffer asks for a receive buffer of n bytes: beyond
// net.core.rmem_max when the process may (forceReadBuffer), else up to it.
func setReadBuffer(conn *net.UDPConn, n int) {
	if !forceReadBuffer(conn, n) {
		_ = conn.SetReadBuffer(n)
	}
}

// Addr is the address the daemon listens on.
func (d *Daemon) Addr() *net.UDPAddr { return d.conn.LocalAddr().(*net.UDPAddr) }

// Stats returns the counts so far.
func (d *Daemon) Stats() Stats {
	return Stats{Received: d.received.Load(), Stored: d.stored.Load(), Rejected: d.rejected.Load(), Failed: d.failed.Load()}
}

// Close stops reading, stores what was received, and closes the socket.
func (d *Daemon) Close() error {
	var err error
	d.stop.Do(func() {
		close(d.done)
		err = d.conn.Close()
		d.wg.Wait()
	})
	return err
}

// batch is documents waiting to be stored, their bytes in chunks of an
// arena that the batch reuses.
type batch struct {
	docs   []tracestore.Document
	chunks [][]byte
}

const chunkSize = 1 << 20

// copyDoc copies raw into the batch's arena.
func (b *batch) copyDoc(raw []byte) []byte {
	n := len(raw)
	if len(b.chunks) == 0 || cap(b.chunks[len(b.chunks)-1])-len(b.chunks[len(b.chunks)-1]) < n {
		b.chunks = append(b.chunks, make([]byte, 0, max(chunkSize, n)))
	}
	c := &b.chunks[len(b.chunks)-1]
	start := len(*c)
	*c = append(*c, raw...)
	return (*c)[start : start+n : start+n]
}

func (b *batch) reset() {
	clear(b.docs)
	b.docs = b.docs[:0]
	if len(b.chunks) > 0 {
		b.chunks[0] = b.chunks[0][:0]
		clear(b.chunks[1:])
		b.chunks = b.chunks[:1]
	}
}

// maxDatagram is the largest UDP payload.
const maxDatagram = 65535

// recvBatch is the most datagrams one system call reads.
const recvBatch = 64

// read receives datagrams until Close.
func (d *Daemon) read() {
	defer d.wg.Done()
	defer close(d.batches)
	pending := d.free.Get().(*batch)
	defer func() {
		if len(pending.docs) > 0 {
			d.batches <- pending
		}
	}()
	r, err := newReceiver(d.conn, recvBatch)
	if err != nil {
		d.opts.Logger.Error("xraydaemon: read", "err", err)
		return
	}
	receive := func(p []byte) {
		d.received.Add(1)
		doc, err := Decode(p)
		if err != nil {
			d.rejected.Add(1)
			d.logRejected(err)
			return
		}
		doc.Raw = pending.copyDoc(doc.Raw)
		pending.docs = append(pending.docs, doc)
	}
	var deadline bool // a read deadline is set
	for {
		// With documents pending (the writer was busy), look again within
		// a millisecond even if nothing arrives; else wait for a datagram.
		if want := len(pending.docs) > 0; want != deadline {
			var t time.Time
			if want {
				t = time.Now().Add(time.Millisecond)
			}
			_ = d.conn.SetReadDeadline(t)
			deadline = want
		}
		err := r.read(receive)
		switch {
		case errors.Is(err, os.ErrDeadlineExceeded):
			deadline = false
			_ = d.conn.SetReadDeadline(time.Time{})
		case err != nil:
			select {
			case <-d.done:
			default:
				if !errors.Is(err, net.ErrClosed) {
					d.opts.Logger.Error("xraydaemon: read", "err", err)
				}
			}
			return
		}
		pending = d.handOff(pending, len(pending.docs) >= d.opts.MaxBatch)
	}
}

// handOff gives the pending batch to the writer if it is idle (or waits
// for it when wait is set) and returns the batch to fill next.
func (d *Daemon) handOff(pending *batch, wait bool) *batch {
	if len(pending.docs) == 0 {
		return pending
	}
	if wait {
		d.batches <- pending
		return d.free.Get().(*batch)
	}
	select {
	case d.batches <- pending:
		return d.free.Get().(*batch)
	default:
		return pending
	}
}

// write stores batches until the reader closes the channel.
func (d *Daemon) write() {
	defer d.wg.Done()
	for b := range d.batches {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		err := d.store.Put(ctx, b.docs)
		cancel()
		if err != nil {
			d.failed.Add(int64(len(b.docs)))
			d.opts.Logger.Error("xraydaemon: storing segments", "documents", len(b.docs), "err", err)
		} else {
			d.stored.Add(int64(len(b.docs)))
		}
		b.reset()
		d.free.Put(b)
	}
}

func (d *Daemon) logRejected(err error) {
	d.logMu.Lock()
	defer d.logMu.Unlock()
	if now := time.Now(); now.Sub(d.lastLog) >= 10*time.Second {
		d.opts.Logger.Warn("xraydaemon: dropped a datagram", "err", err, "similar drops not logged", d.suppressed)
		d.lastLog, d.suppressed = now, 0
		return
	}
	d.suppressed++
}

// ErrHeader: a datagram does not start with the daemon protocol's header.
var ErrHeader = errors.New(`datagram does not start with the header {"format": "json", "version": 1} and a newline`)

// Decode reads one datagram: the header line, then a segment document,
// validated. The document's Raw aliases p.
func Decode(p []byte) (tracestore.Document, error) {
	nl := bytes.IndexByte(p, '\n')
	if nl < 0 {
		return tracestore.Document{}, ErrHeader
	}
	if !validHeader(p[:nl]) {
		return tracestore.Document{}, fmt.Errorf("%w (got %q)", ErrHeader, clip(p[:nl]))
	}
	return tracestore.ParseDocument(p[nl+1:])
}

// The headers X-Ray SDKs send, recognised without decoding.
var (
	headerCompact = []byte(`{"format":"json","version":1}`)
	headerSpaced  = []byte(`{"format": "json", "version": 1}`)
)

func validHeader(h []byte) bool {
	h = bytes.TrimSpace(h)
	if bytes.Equal(h, headerCompact) || bytes.Equal(h, headerSpaced) {
		return true
	}
	var v struct {
		Format  string          `json:"format"`
		Version json.RawMessage `json:"version"`
	}
	return json.Unmarshal(h, &v) == nil && strings.EqualFold(v.Format, "json") && string(v.Version) == "1"
}

func clip(b []byte) string {
	if len(b) > 64 {
		return string(b[:64]) + "..."
	}
	return string(b)
}

// IsAddrInUse reports whether err is a listen failure because the
// address is taken.
func IsAddrInUse(err error) bool { return errors.Is(err, syscall.EADDRINUSE) }
