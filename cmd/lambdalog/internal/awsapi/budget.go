package awsapi

import (
	"context"
	"errors"
	"io"
	"sync"
)

// budget is a counting semaphore over bytes: acquire waits until n bytes are
// free. An acquire larger than the whole budget waits until nothing else is
// held, so it still goes ahead alone.
type budget struct {
	mu      sync.Mutex
	size    int64
	used    int64
	waiting int           // acquirers waiting on freed
	freed   chan struct{} // closed and replaced when bytes are released while some wait
}

func newBudget(size int64) *budget {
	return &budget{size: size, freed: make(chan struct{})}
}

func (b *budget) acquire(ctx context.Context, n int64) error {
	for {
		b.mu.Lock()
		if b.used == 0 || b.used+n <= b.size {
			b.used += n
			b.mu.Unlock()
			return nil
		}
		freed := b.freed
		b.waiting++
		b.mu.Unlock()
		var err error
		select {
		case <-freed:
		case <-ctx.Done():
			err = ctx.Err()
		}
		b.mu.Lock()
		b.waiting--
		b.mu.Unlock()
		if err != nil {
			return err
		}
	}
}

func (b *budget) release(n int64) {
	if n <= 0 {
		return
	}
	b.mu.Lock()
	b.used -= n
	if b.waiting > 0 {
		close(b.freed)
		b.freed = make(chan struct{})
	}
	b.mu.Unlock()
}

// errNoRoom is budgetReader's error when the budget had no room in time.
var errNoRoom = errors.New("no room for the request body under the in-flight limit")

// budgetReader reads a request body, first taking from the budget the bytes
// each read may return, in chunks, so that the budget counts the bytes that
// have arrived, not those a client declared.
type budgetReader struct {
	r    io.Reader
	b    *budget
	ctx  context.Context // bounds the wait for room
	held int64           // taken from b; released by the caller when the body is dropped
}

const budgetChunk = 64 << 10

func (br *budgetReader) Read(p []byte) (int, error) {
	if len(p) > budgetChunk {
		p = p[:budgetChunk]
	}
	want := int64(len(p))
	if err := br.b.acquire(br.ctx, want); err != nil {
		return 0, errNoRoom
	}
	n, err := br.r.Read(p)
	br.held += int64(n)
	br.b.release(want - int64(n))
	return n, err
}
