package tracer

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/lambdacontext"
)

// daemon is an X-Ray daemon for tests: it listens on a loopback UDP port and decodes each
// datagram as the real daemon does (a JSON header line, then one segment document).
type daemon struct {
	t    testing.TB
	conn *net.UDPConn
	docs chan document
	done chan struct{}
}

// document is one datagram's segment document.
type document struct {
	size int            // bytes of the datagram
	raw  []byte         // the document
	m    map[string]any // decoded
}

func newDaemon(t testing.TB) *daemon {
	t.Helper()
	conn, err := net.ListenUDP("udp", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Fatal(err)
	}
	_ = conn.SetReadBuffer(8 << 20)
	d := &daemon{t: t, conn: conn, docs: make(chan document, 100000), done: make(chan struct{})}
	go d.read()
	t.Cleanup(func() {
		conn.Close()
		<-d.done
	})
	return d
}

func (d *daemon) addr() string { return d.conn.LocalAddr().String() }

func (d *daemon) read() {
	defer close(d.done)
	buf := make([]byte, 1<<16)
	for {
		n, err := d.conn.Read(buf)
		if err != nil {
			return
		}
		doc, err := decodeDatagram(buf[:n])
		if err != nil {
			d.t.Errorf("daemon: %v: %q", err, buf[:min(n, 200)])
			continue
		}
		d.docs <- doc
	}
}

// decodeDatagram checks the header line as the daemon does (format json, version 1) and decodes
// the document.
func decodeDatagram(b []byte) (document, error) {
	header, body, ok := bytes.Cut(b, []byte("\n"))
	if !ok {
		return document{}, errors.New("no header line")
	}
	var h struct {
		Format  string `json:"format"`
		Version int    `json:"version"`
	}
	if err := json.Unmarshal(header, &h); err != nil || h.Format != "json" || h.Version != 1 {
		return document{}, errors.New("bad header")
	}
	var m map[string]any
	if err := json.Unmarshal(body, &m); err != nil {
		return document{}, err
	}
	return document{size: len(b), raw: bytes.Clone(body), m: m}, nil
}

// collect waits for n documents.
func (d *daemon) collect(n int) []document {
	d.t.Helper()
	var docs []document
	timeout := time.After(10 * time.Second)
	for len(docs) < n {
		select {
		case doc := <-d.docs:
			docs = append(docs, doc)
		case <-timeout:
			d.t.Fatalf("daemon got %d documents, want %d", len(docs), n)
		}
	}
	return docs
}

// nothingSent checks that no document arrived before a marker sent now: what the tracer sent
// during an invocation is in the socket's queue before anything sent after it returned.
func (d *daemon) nothingSent() {
	d.t.Helper()
	c, err := net.Dial("udp", d.addr())
	if err != nil {
		d.t.Fatal(err)
	}
	defer c.Close()
	c.Write([]byte(daemonHeader + `{"name":"marker"}`))
	if doc := d.collect(1)[0]; doc.m["name"] != "marker" {
		d.t.Fatalf("the tracer sent %s", doc.raw)
	}
}

// Trace headers of the tests.
const (
	testRoot   = "1-5759e988-bd862e3fe1be46a994272793"
	testParent = "53995c3f42cd8ad8"
	sampled    = "Root=" + testRoot + ";Parent=" + testParent + ";Sampled=1"
	notSampled = "Root=" + testRoot + ";Parent=" + testParent + ";Sampled=0"
)

// invokeCtx is the context aws-lambda-go's runtime loop gives a handler.
func invokeCtx(requestID, traceHeader string) context.Context {
	ctx := lambdacontext.NewContext(context.Background(), &lambdacontext.LambdaContext{
		AwsRequestID:       requestID,
		InvokedFunctionArn: "arn:aws:lambda:us-east-1:123456789012:function:orders",
	})
	return context.WithValue(ctx, "x-amzn-trace-id", traceHeader) //nolint:staticcheck // aws-lambda-go's key
}

// newTestTracer returns an enabled tracer sending to d, whatever the environment says.
func newTestTracer(t testing.TB, d *daemon, opts ...Option) *Tracer {
	t.Helper()
	tr, err := New(append([]Option{WithDisabled(false), WithService("orders"), WithDaemonAddress(d.addr()),
		WithCaptureResponse(true), WithCaptureError(true)}, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { tr.Shutdown(context.Background()) })
	return tr
}
