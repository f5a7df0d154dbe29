package lambdaemu

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"sync"
	"syscall"
)

// maxLine is the longest output line kept as one event (Lambda's event
// limit is 256 KB); longer lines are split.
const maxLine = 256 * 1024

// outputPipe carries a runtime process's stdout and stderr (one pipe for
// both, as on Lambda) and splits it into lines.
//
// Reads happen under mu, both in the background reader and in drain, so
// drain can guarantee that everything the process wrote before it made a
// Runtime API call has been turned into events before END is logged.
type outputPipe struct {
	w      *os.File // the process's end, closed in the parent after start
	r      *os.File
	onLine func(string)

	mu   sync.Mutex
	buf  []byte
	read [32 * 1024]byte
	done chan struct{}
}

func newOutputPipe(onLine func(string)) (*outputPipe, error) {
	var p [2]int
	if err := syscall.Pipe2(p[:], syscall.O_CLOEXEC); err != nil {
		return nil, fmt.Errorf("create output pipe: %w", err)
	}
	if err := syscall.SetNonblock(p[0], true); err != nil {
		syscall.Close(p[0])
		syscall.Close(p[1])
		return nil, fmt.Errorf("create output pipe: %w", err)
	}
	return &outputPipe{
		r:      os.NewFile(uintptr(p[0]), "runtime-output"),
		w:      os.NewFile(uintptr(p[1]), "runtime-output-w"),
		onLine: onLine,
		done:   make(chan struct{}),
	}, nil
}

// run reads until the write end is closed by every process holding it.
func (o *outputPipe) run() {
	defer close(o.done)
	defer o.r.Close()
	rc, err := o.r.SyscallConn()
	if err != nil {
		return
	}
	eof := false
	for !eof {
		err := rc.Read(func(fd uintptr) bool {
			o.mu.Lock()
			defer o.mu.Unlock()
			n, err := o.readLocked(int(fd))
			switch {
			case errors.Is(err, syscall.EAGAIN):
				return false
			case errors.Is(err, syscall.EINTR):
				return true
			}
			eof = err != nil || n == 0
			return true
		})
		if err != nil {
			eof = true
		}
	}
	o.mu.Lock()
	if len(o.buf) > 0 {
		o.onLine(string(o.buf))
		o.buf = o.buf[:0]
	}
	o.mu.Unlock()
}

// readLocked reads one chunk and emits its complete lines.
func (o *outputPipe) readLocked(fd int) (int, error) {
	n, err := syscall.Read(fd, o.read[:])
	if n <= 0 {
		return 0, err
	}
	o.buf = append(o.buf, o.read[:n]...)
	for {
		i := bytes.IndexByte(o.buf, '\n')
		if i < 0 {
			if len(o.buf) >= maxLine {
				o.onLine(string(o.buf[:maxLine]))
				o.buf = append(o.buf[:0], o.buf[maxLine:]...)
				continue
			}
			return n, nil
		}
		o.onLine(string(o.buf[:min(i, maxLine)]))
		o.buf = append(o.buf[:0], o.buf[i+1:]...)
	}
}

// drain emits every line already written to the pipe.
func (o *outputPipe) drain() {
	rc, err := o.r.SyscallConn()
	if err != nil {
		return
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	_ = rc.Control(func(fd uintptr) {
		for {
			n, err := o.readLocked(int(fd))
			if errors.Is(err, syscall.EINTR) {
				continue
			}
			if err != nil || n == 0 {
				return
			}
		}
	})
}
