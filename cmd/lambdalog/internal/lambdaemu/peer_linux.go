package lambdaemu

import (
	"encoding/binary"
	"errors"
	"fmt"
	"net"
	"os"
	"strconv"
	"sync/atomic"
	"syscall"
)

// guardRuntimeAPI returns the listener of an environment's Runtime API. On
// Linux it accepts a connection only when the peer socket is an open file
// of the environment's runtime process or one of its descendants: the
// kernel is asked (sock_diag) for the inode of the socket at the other end,
// which is then looked up among the processes' /proc/PID/fd links. Any
// other connection is closed before a byte is read, so another local
// process can neither take an event nor post a response. The check runs
// once per connection (runtimes keep one keep-alive connection) and costs
// one netlink request and a read of the runtime's fd table.
func guardRuntimeAPI(ln net.Listener, e *environment) net.Listener {
	return &runtimeListener{Listener: ln, env: e}
}

// runtimeListener accepts the connections of one environment's processes.
type runtimeListener struct {
	net.Listener
	env    *environment
	warned atomic.Bool
}

func (l *runtimeListener) Accept() (net.Conn, error) {
	for {
		c, err := l.Listener.Accept()
		if err != nil {
			return nil, err
		}
		peer, err := peerSocket(c)
		// proc is set before the runtime starts: nil means a stranger.
		if p := l.env.proc.Load(); err == nil && p != nil && p.owns(peer) {
			return c, nil
		}
		if !l.warned.Swap(true) {
			l.refused(c, peer, err) // while the peer still holds its socket
		}
		c.Close()
	}
}

// refused logs the first connection an environment refused.
func (l *runtimeListener) refused(c net.Conn, peer socket, err error) {
	attrs := []any{"function", l.env.fn.Name, "peer", c.RemoteAddr().String()}
	if err != nil {
		attrs = append(attrs, "err", err)
	} else {
		attrs = append(attrs, "uid", peer.uid)
		if pid := socketOwner(peer); pid != 0 {
			attrs = append(attrs, "pid", pid)
		}
	}
	l.env.emu.opts.Logger.Warn("lambdaemu: refused a Runtime API connection from a process outside the function's environment (further ones are not logged)", attrs...)
}

// owns reports whether the socket is an open file of the process or one
// of its descendants.
func (p *process) owns(s socket) bool {
	<-p.spawned
	pid := int(p.pid.Load())
	if pid == 0 {
		return false
	}
	link := s.link()
	found := false
	walkTree(pid, func(pid int) bool {
		found = hasFile(pid, link)
		return !found
	})
	return found
}

// hasFile reports whether one of the process's file descriptors links to
// link.
func hasFile(pid int, link string) bool {
	dir := "/proc/" + strconv.Itoa(pid) + "/fd/"
	f, err := os.Open(dir)
	if err != nil {
		return false
	}
	names, _ := f.Readdirnames(-1)
	f.Close()
	for _, n := range names {
		if l, err := os.Readlink(dir + n); err == nil && l == link {
			return true
		}
	}
	return false
}

// socketOwner returns the pid of a process (of those this user may
// inspect) that has the socket open, or 0.
func socketOwner(s socket) int {
	d, err := os.Open("/proc")
	if err != nil {
		return 0
	}
	names, _ := d.Readdirnames(-1)
	d.Close()
	link := s.link()
	for _, n := range names {
		if pid, err := strconv.Atoi(n); err == nil && hasFile(pid, link) {
			return pid
		}
	}
	return 0
}

// socket is the kernel's view of the far end of a connection.
type socket struct {
	inode uint32
	uid   uint32
}

// link is how /proc/PID/fd shows the socket.
func (s socket) link() string { return "socket:[" + strconv.FormatUint(uint64(s.inode), 10) + "]" }

// sock_diag (linux/sock_diag.h, linux/inet_diag.h).
const (
	netlinkSockDiag  = 4  // NETLINK_SOCK_DIAG
	sockDiagByFamily = 20 // SOCK_DIAG_BY_FAMILY
	sizeofDiagReq    = 56 // struct inet_diag_req_v2
	sizeofDiagMsg    = 72 // struct inet_diag_msg
)

// peerSocket finds the socket at the other end of a loopback TCP
// connection: the socket whose local address is c's remote address and
// whose remote address is c's local address. It asks the kernel with one
// sock_diag request, an exact lookup by address (/proc/net/tcp would list
// every socket, and reading it walks the whole connection table: several
// milliseconds). A dual-stack IPv6 socket connected to 127.0.0.1 is found
// too.
func peerSocket(c net.Conn) (socket, error) {
	src, ok1 := c.RemoteAddr().(*net.TCPAddr)
	dst, ok2 := c.LocalAddr().(*net.TCPAddr)
	if !ok1 || !ok2 || src.IP.To4() == nil || dst.IP.To4() == nil {
		return socket{}, fmt.Errorf("not an IPv4 TCP connection: %s", c.RemoteAddr())
	}
	ne := binary.NativeEndian
	req := make([]byte, syscall.SizeofNlMsghdr+sizeofDiagReq)
	ne.PutUint32(req[0:], uint32(len(req)))
	ne.PutUint16(req[4:], sockDiagByFamily)
	ne.PutUint16(req[6:], syscall.NLM_F_REQUEST)
	r := req[syscall.SizeofNlMsghdr:]
	r[0], r[1] = syscall.AF_INET, syscall.IPPROTO_TCP
	ne.PutUint32(r[4:], ^uint32(0)) // any state
	id := r[8:]                     // struct inet_diag_sockid
	binary.BigEndian.PutUint16(id[0:], uint16(src.Port))
	binary.BigEndian.PutUint16(id[2:], uint16(dst.Port))
	copy(id[4:], src.IP.To4())
	copy(id[20:], dst.IP.To4())
	ne.PutUint64(id[40:], ^uint64(0)) // INET_DIAG_NOCOOKIE

	fd, err := syscall.Socket(syscall.AF_NETLINK, syscall.SOCK_DGRAM|syscall.SOCK_CLOEXEC, netlinkSockDiag)
	if err != nil {
		return socket{}, fmt.Errorf("sock_diag: %w", err)
	}
	defer syscall.Close(fd)
	if err := syscall.Sendto(fd, req, 0, &syscall.SockaddrNetlink{Family: syscall.AF_NETLINK}); err != nil {
		return socket{}, fmt.Errorf("sock_diag: %w", err)
	}
	buf := make([]byte, 1024)
	n, _, err := syscall.Recvfrom(fd, buf, 0)
	if err != nil {
		return socket{}, fmt.Errorf("sock_diag: %w", err)
	}
	msgs, err := syscall.ParseNetlinkMessage(buf[:n])
	if err != nil {
		return socket{}, fmt.Errorf("sock_diag: %w", err)
	}
	for _, m := range msgs {
		switch {
		case m.Header.Type == syscall.NLMSG_ERROR && len(m.Data) >= 4:
			return socket{}, fmt.Errorf("sock_diag: peer socket: %w", syscall.Errno(-int32(ne.Uint32(m.Data))))
		case m.Header.Type == sockDiagByFamily && len(m.Data) >= sizeofDiagMsg:
			return socket{uid: ne.Uint32(m.Data[64:]), inode: ne.Uint32(m.Data[68:])}, nil
		}
	}
	return socket{}, errors.New("sock_diag: no answer")
}
