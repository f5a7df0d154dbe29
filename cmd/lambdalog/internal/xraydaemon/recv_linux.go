//go:build linux && (amd64 || arm64)

package xraydaemon

import (
	"net"
	"syscall"
	"unsafe"
)

// mmsghdr is struct mmsghdr of recvmmsg(2) on 64-bit Linux.
type mmsghdr struct {
	hdr syscall.Msghdr
	len uint32
	_   [4]byte
}

// receiver reads datagrams in batches: one recvmmsg(2) returns all the
// datagrams waiting, up to len(bufs), so that a burst costs one system
// call, not one per datagram.
type receiver struct {
	raw  syscall.RawConn
	bufs [][]byte
	msgs []mmsghdr
	iovs []syscall.Iovec
}

func newReceiver(conn *net.UDPConn, batch int) (*receiver, error) {
	raw, err := conn.SyscallConn()
	if err != nil {
		return nil, err
	}
	r := &receiver{raw: raw, bufs: make([][]byte, batch), msgs: make([]mmsghdr, batch), iovs: make([]syscall.Iovec, batch)}
	for i := range r.bufs {
		r.bufs[i] = make([]byte, maxDatagram)
		r.iovs[i].Base = &r.bufs[i][0]
		r.iovs[i].SetLen(maxDatagram)
		r.msgs[i].hdr.Iov = &r.iovs[i]
		r.msgs[i].hdr.Iovlen = 1
	}
	return r, nil
}

// read waits for datagrams (within the connection's read deadline) and
// calls fn with each one received; the bytes are valid until fn returns.
func (r *receiver) read(fn func([]byte)) error {
	var n int
	var errno syscall.Errno
	err := r.raw.Read(func(fd uintptr) bool {
		for i := range r.msgs {
			r.msgs[i].len = 0
		}
		got, _, e := syscall.Syscall6(syscall.SYS_RECVMMSG, fd, uintptr(unsafe.Pointer(&r.msgs[0])), uintptr(len(r.msgs)), syscall.MSG_DONTWAIT, 0, 0)
		if e == syscall.EAGAIN || e == syscall.EWOULDBLOCK {
			return false // wait until the socket is readable
		}
		n, errno = int(got), e
		return true
	})
	if err != nil {
		return err
	}
	if errno != 0 {
		return &net.OpError{Op: "recvmmsg", Net: "udp", Err: errno}
	}
	for i := range n {
		fn(r.bufs[i][:r.msgs[i].len])
	}
	return nil
}

// forceReadBuffer sets the socket's receive buffer with SO_RCVBUFFORCE,
// which passes net.core.rmem_max for a process with CAP_NET_ADMIN.
func forceReadBuffer(conn *net.UDPConn, n int) bool {
	raw, err := conn.SyscallConn()
	if err != nil {
		return false
	}
	var serr error
	err = raw.Control(func(fd uintptr) { serr = syscall.SetsockoptInt(int(fd), syscall.SOL_SOCKET, syscall.SO_RCVBUFFORCE, n) })
	return err == nil && serr == nil
}
