package awsapi

import (
	"context"
	"sync"
)

// budget is a counting semaphore over bytes: acquire waits until n bytes are
// free. A request larger than the whole budget waits until nothing else is
// held, so it still runs alone.
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
