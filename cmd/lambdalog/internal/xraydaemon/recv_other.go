//go:build !linux || !(amd64 || arm64)

package xraydaemon

import "net"

// receiver reads one datagram at a time.
type receiver struct {
	conn *net.UDPConn
	buf  []byte
}

func newReceiver(conn *net.UDPConn, _ int) (*receiver, error) {
	return &receiver{conn: conn, buf: make([]byte, maxDatagram)}, nil
}

// read waits for a datagram (within the connection's read deadline) and
// calls fn with it; the bytes are valid until fn returns.
func (r *receiver) read(fn func([]byte)) error {
	n, err := r.conn.Read(r.buf)
	if err != nil {
		return err
	}
	fn(r.buf[:n])
	return nil
}

// forceReadBuffer is Linux's; elsewhere SetReadBuffer does what it can.
func forceReadBuffer(*net.UDPConn, int) bool { return false }
