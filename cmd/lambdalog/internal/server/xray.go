package server

import (
	"errors"
	"fmt"
	"net"
	"strconv"

	"github.com/lambdalog/lambdalog/cmd/lambdalog/internal/awsapi"
	"github.com/lambdalog/lambdalog/cmd/lambdalog/internal/xrayapi"
	"github.com/lambdalog/lambdalog/cmd/lambdalog/internal/xraydaemon"
)

// XRayDaemon is the X-Ray daemon address of a Server: segment documents
// over UDP into the trace store, and on the same port over TCP the X-Ray
// API (unsigned: SDKs ask the daemon for sampling rules and targets, which
// the AWS daemon signs and forwards).
type XRayDaemon struct {
	*xraydaemon.Daemon
	// Addr is host:port, as AWS_XRAY_DAEMON_ADDRESS names it.
	Addr string
	// Listener serves the TCP side; pass it to Run with the others.
	Listener Listener
	// Moved says why the daemon is not on the address asked for; "" when
	// it is.
	Moved string
}

// ListenXRay opens the X-Ray daemon on addr (host:port), UDP and TCP. flag
// names the option that sets the address, for errors. When fallback is
// set and the address is taken (another X-Ray daemon, another lambdalog),
// the daemon takes free ports on the same host instead and Moved says so;
// without it that is an error.
func (s *Server) ListenXRay(addr, flag string, fallback bool) (*XRayDaemon, error) {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return nil, fmt.Errorf("%s %s: %w", flag, addr, err)
	}
	x, err := s.listenXRay(addr, flag)
	if err != nil && fallback && xraydaemon.IsAddrInUse(err) {
		for range 5 {
			x, err = s.listenXRay(net.JoinHostPort(host, "0"), flag)
			if err == nil || !xraydaemon.IsAddrInUse(err) {
				break
			}
		}
		if err == nil {
			x.Moved = fmt.Sprintf("%s is in use (another X-Ray daemon?), so the X-Ray daemon listens on %s; pass %s to choose", addr, x.Addr, flag)
		}
	}
	if xraydaemon.IsAddrInUse(err) {
		return nil, fmt.Errorf("%s is already in use: pass another address with %s (port 0 picks a free one), or stop what listens there", addr, flag)
	}
	return x, err
}

// listenXRay opens UDP on addr, then checks that TCP can have the same port.
func (s *Server) listenXRay(addr, flag string) (*XRayDaemon, error) {
	d, err := xraydaemon.Listen(addr, s.Traces, xraydaemon.Options{Logger: s.logger})
	if err != nil {
		return nil, err
	}
	host := d.Addr().IP.String()
	tcpAddr := net.JoinHostPort(host, strconv.Itoa(d.Addr().Port))
	ln, err := net.Listen("tcp", tcpAddr)
	if err != nil {
		return nil, errors.Join(err, d.Close())
	}
	ln.Close() // Run listens again; the port stays free in between, but for a race
	router := awsapi.NewRouter(awsapi.Options{Logger: s.logger}, xrayapi.New(s.Traces, s.xray))
	return &XRayDaemon{Daemon: d, Addr: tcpAddr, Listener: Listener{Name: "xray", Addr: tcpAddr, Flag: flag, Handler: router}}, nil
}
