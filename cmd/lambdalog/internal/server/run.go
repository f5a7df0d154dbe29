package server

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"sync"
	"syscall"
	"time"
)

// Listener is one address to serve.
type Listener struct {
	// Name names the address in the ready callback and file, e.g. "api".
	Name string
	// Addr is the host:port to listen on; port 0 picks a free one.
	Addr string
	// Flag is the command-line flag that sets Addr, named in errors.
	Flag string
	// Handler serves the requests.
	Handler http.Handler
}

// Connection limits of every listener.
const (
	maxConns          = 1024
	readHeaderTimeout = 10 * time.Second
	idleTimeout       = 2 * time.Minute
	maxHeaderBytes    = 64 << 10
	shutdownTimeout   = 10 * time.Second
)

// Run listens on every listener, calls ready with each one's URL by name,
// and serves until ctx is cancelled or a listener fails; it then shuts all
// of them down, waiting up to 10 s for requests in flight, and returns
// every error met. It does not close the stores.
func Run(ctx context.Context, logger *slog.Logger, ls []Listener, ready func(urls map[string]string) error) error {
	var lns []net.Listener
	closeAll := func() {
		for _, ln := range lns {
			ln.Close()
		}
	}
	urls := map[string]string{}
	for _, l := range ls {
		ln, err := net.Listen("tcp", l.Addr)
		if err != nil {
			closeAll()
			if errors.Is(err, syscall.EADDRINUSE) {
				return fmt.Errorf("%s is already in use: pass another address with %s (port 0 picks a free one), or stop what listens there", l.Addr, l.Flag)
			}
			return fmt.Errorf("listen on %s (%s): %w", l.Addr, l.Flag, err)
		}
		lns = append(lns, limitListener(ln, maxConns))
		urls[l.Name] = "http://" + ln.Addr().String()
	}
	errLog := slog.NewLogLogger(logger.Handler(), slog.LevelWarn)
	srvs := make([]*http.Server, len(ls))
	errc := make(chan error, len(ls))
	for i, l := range ls {
		srvs[i] = &http.Server{
			Handler:           l.Handler,
			ReadHeaderTimeout: readHeaderTimeout,
			IdleTimeout:       idleTimeout,
			MaxHeaderBytes:    maxHeaderBytes,
			ErrorLog:          errLog,
		}
		go func() { errc <- srvs[i].Serve(lns[i]) }()
	}
	var err error
	if ready != nil {
		err = ready(urls)
	}
	if err == nil {
		select {
		case err = <-errc:
		case <-ctx.Done():
		}
	}
	shutdownCtx, cancel := context.WithTimeout(context.Background(), shutdownTimeout)
	defer cancel()
	errs := []error{err}
	for _, s := range srvs {
		if err := s.Shutdown(shutdownCtx); err != nil {
			errs = append(errs, fmt.Errorf("shutdown: %w", err))
		}
	}
	return errors.Join(errs...)
}

// WriteReadyFile writes urls as a JSON object to path, atomically, so that a
// script or test waiting for the file to appear reads it whole.
func WriteReadyFile(path string, urls map[string]string) error {
	b, err := json.MarshalIndent(urls, "", "  ")
	if err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), ".ready-*")
	if err != nil {
		return fmt.Errorf("ready file: %w", err)
	}
	_, werr := tmp.Write(append(b, '\n'))
	cerr := tmp.Close()
	if err := errors.Join(werr, cerr); err != nil {
		os.Remove(tmp.Name())
		return fmt.Errorf("ready file: %w", err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		os.Remove(tmp.Name())
		return fmt.Errorf("ready file: %w", err)
	}
	return nil
}

// limitListener accepts at most n connections at once; further ones wait in
// the kernel's backlog until one closes.
func limitListener(ln net.Listener, n int) net.Listener {
	return &limitedListener{Listener: ln, slots: make(chan struct{}, n), closed: make(chan struct{})}
}

type limitedListener struct {
	net.Listener
	slots     chan struct{}
	closed    chan struct{}
	closeOnce sync.Once
}

func (l *limitedListener) Accept() (net.Conn, error) {
	select {
	case l.slots <- struct{}{}:
	case <-l.closed:
		return nil, net.ErrClosed
	}
	c, err := l.Listener.Accept()
	if err != nil {
		<-l.slots
		return nil, err
	}
	return &limitedConn{Conn: c, release: func() { <-l.slots }}, nil
}

func (l *limitedListener) Close() error {
	l.closeOnce.Do(func() { close(l.closed) })
	return l.Listener.Close()
}

type limitedConn struct {
	net.Conn
	releaseOnce sync.Once
	release     func()
}

func (c *limitedConn) Close() error {
	err := c.Conn.Close()
	c.releaseOnce.Do(c.release)
	return err
}
