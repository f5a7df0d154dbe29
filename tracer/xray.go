package tracer

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"strconv"
	"strings"
	"sync"
	"syscall"

	sdktrace "go.opentelemetry.io/otel/sdk/trace"
)

// EnvDaemonAddress is the environment variable that gives the X-Ray daemon's address; Lambda
// sets it for functions with active tracing.
const EnvDaemonAddress = "AWS_XRAY_DAEMON_ADDRESS"

// DefaultDaemonAddress is the daemon's address when AWS_XRAY_DAEMON_ADDRESS is not set.
const DefaultDaemonAddress = "127.0.0.1:2000"

// daemonHeader precedes every document sent to the daemon, as the X-Ray SDK for Go writes it.
const daemonHeader = `{"format": "json", "version": 1}` + "\n"

// MaxDatagram is the largest datagram the exporter sends: the daemon header line and one
// segment document, under the 64 KB X-Ray allows a document.
const MaxDatagram = 64000

// XRayExporter is an OpenTelemetry SpanExporter that sends spans to the X-Ray daemon as segment
// documents over UDP, one document per datagram (see the package documentation for the
// documents). It is safe for concurrent use; exports are serialized.
type XRayExporter struct {
	addr string

	mu    sync.Mutex
	conn  *net.UDPConn
	enc   encoder
	spans []span // ExportSpans' spans, reused
}

var _ sdktrace.SpanExporter = (*XRayExporter)(nil)

// NewXRayExporter returns an exporter sending to the daemon at address, which is host:port or
// the daemon's two-address form "tcp:host:port udp:host:port" (in either order; only the UDP
// address is used). An empty address means AWS_XRAY_DAEMON_ADDRESS, or 127.0.0.1:2000 when that
// is not set. It opens a UDP socket and starts no goroutine.
func NewXRayExporter(address string) (*XRayExporter, error) {
	if address == "" {
		address = os.Getenv(EnvDaemonAddress)
		if address == "" {
			address = DefaultDaemonAddress
		}
	}
	udp, err := parseDaemonAddress(address)
	if err != nil {
		return nil, err
	}
	raddr, err := net.ResolveUDPAddr("udp", udp)
	if err != nil {
		return nil, fmt.Errorf("tracer: X-Ray daemon address %q: %w", address, err)
	}
	conn, err := net.DialUDP("udp", nil, raddr)
	if err != nil {
		return nil, fmt.Errorf("tracer: X-Ray daemon address %q: %w", address, err)
	}
	e := &XRayExporter{addr: udp, conn: conn}
	e.enc.buf = append(make([]byte, 0, 4096), daemonHeader...)
	e.enc.header = len(daemonHeader)
	e.enc.max = MaxDatagram
	return e, nil
}

// parseDaemonAddress returns the UDP address of an AWS_XRAY_DAEMON_ADDRESS value.
func parseDaemonAddress(s string) (string, error) {
	fields := strings.Fields(s)
	var udp string
	switch len(fields) {
	case 1:
		udp = strings.TrimPrefix(fields[0], "udp:")
	case 2:
		for _, f := range fields {
			if rest, ok := strings.CutPrefix(f, "udp:"); ok {
				udp = rest
			} else if !strings.HasPrefix(f, "tcp:") {
				udp = ""
				break
			}
		}
	}
	host, port, err := net.SplitHostPort(udp)
	if udp == "" || err != nil {
		return "", fmt.Errorf("tracer: X-Ray daemon address %q: want host:port or \"tcp:host:port udp:host:port\"", s)
	}
	if n, err := strconv.Atoi(port); err != nil || n <= 0 || n > 65535 || host == "" {
		return "", fmt.Errorf("tracer: X-Ray daemon address %q: bad host or port", s)
	}
	return udp, nil
}

// Address returns the UDP address the exporter sends to.
func (e *XRayExporter) Address() string { return e.addr }

// ExportSpans sends the documents of spans: each span whose parent is not among them is one
// document, with its descendants among them nested as subsegments when the datagram stays
// under MaxDatagram, else sent on their own. A span that does not fit even alone and without
// its metadata and stack traces is dropped. The error reports what could not be sent.
func (e *XRayExporter) ExportSpans(_ context.Context, spans []sdktrace.ReadOnlySpan) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	for _, s := range spans {
		e.spans = append(e.spans, s)
	}
	err := e.exportLocked(e.spans)
	clear(e.spans)
	e.spans = e.spans[:0]
	return err
}

// export is ExportSpans for the tracer's processor, whose batches hold its own spans too.
func (e *XRayExporter) export(spans []span) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.exportLocked(spans)
}

func (e *XRayExporter) exportLocked(spans []span) error {
	if e.conn == nil {
		return errors.New("tracer: X-Ray exporter is shut down")
	}
	return e.enc.encode(spans, e.send)
}

// send writes one datagram. A connected UDP socket reports an earlier datagram's ICMP "port
// unreachable" on the next write, which is then not sent: that write is tried once more.
func (e *XRayExporter) send(datagram []byte) error {
	_, err := e.conn.Write(datagram)
	if errors.Is(err, syscall.ECONNREFUSED) {
		_, err = e.conn.Write(datagram)
	}
	if err != nil {
		return fmt.Errorf("tracer: sending to the X-Ray daemon at %s: %w", e.addr, err)
	}
	return nil
}

// Shutdown closes the socket; later exports fail.
func (e *XRayExporter) Shutdown(context.Context) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.conn == nil {
		return nil
	}
	err := e.conn.Close()
	e.conn = nil
	return err
}
