package store

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
)

// maxQueued is how many message bytes PutEventsAsync lets wait for the
// committer before it blocks its callers.
const maxQueued = 32 << 20

// errClosed is returned by PutEventsAsync after Close.
var errClosed = errors.New("store: closed")

// queue holds the writes of PutEventsAsync until the committer writes them.
type queue struct {
	mu     sync.Mutex
	puts   []queuedPut
	bytes  int        // message bytes in puts
	room   *sync.Cond // on mu: signalled when the committer takes puts
	closed bool
	// progress is closed, and replaced, each time settled advances.
	progress chan struct{}
	wake     chan struct{} // one token: puts are waiting
	exited   chan struct{} // closed when the committer has returned

	queued  atomic.Uint64 // puts queued so far, counted under mu
	settled atomic.Uint64 // the first settled puts are committed or dropped
}

type queuedPut struct {
	region, group, stream string
	events                []Event
}

// startQueue starts the committer of PutEventsAsync.
func (s *Store) startQueue() {
	q := &s.queue
	q.room = sync.NewCond(&q.mu)
	q.progress = make(chan struct{})
	q.wake = make(chan struct{}, 1)
	q.exited = make(chan struct{})
	go s.commitLoop()
}

// PutEventsAsync appends events to a stream as PutEvents does, but returns
// once they are queued, without waiting for the disk: it is for writers
// that must not wait for an fsync, such as the Lambda emulator storing a
// function's output. A committer goroutine writes the queued events with
// PutEvents (so they are synced and Options.AfterPut sees them as always):
// each stream's events in the order queued, every stream of a round
// concurrently, so that one fsync commits them all.
//
// Reads never return a queued event that a crash could still lose, and
// never miss one queued before them: Events, MergedEvents, Scan, Stream
// and ListStreams first wait until every write queued before the call has
// been committed, and the event reads, once their iterator is open, until
// every write it could see has been synced (see Durability in the package
// doc). A write that fails (its stream deleted meanwhile, a full disk) is
// logged and dropped. A crash loses at most writes no read has seen: those
// still queued or in the fsync under way.
//
// PutEventsAsync takes ownership of events and their messages. It blocks
// while more than 32 MiB of messages are queued, when the disk falls
// behind, and fails only after Close.
func (s *Store) PutEventsAsync(region, group, stream string, events []Event) error {
	if len(events) == 0 {
		return nil
	}
	n := 0
	for i := range events {
		n += len(events[i].Message)
	}
	q := &s.queue
	q.mu.Lock()
	for q.bytes > maxQueued && !q.closed {
		q.room.Wait()
	}
	if q.closed {
		q.mu.Unlock()
		return errClosed
	}
	q.puts = append(q.puts, queuedPut{region: region, group: group, stream: stream, events: events})
	q.bytes += n
	q.queued.Add(1)
	q.mu.Unlock()
	select {
	case q.wake <- struct{}{}:
	default:
	}
	return nil
}

// Settle waits until every write PutEventsAsync queued before the call has
// been committed or dropped, its AfterPut call included. It returns early
// with ctx's error, or the store's fatal error.
//
// The store's reads call it before they look at the store, so that they see
// what was queued before them, and the event reads again once they have
// their iterator, so that none of what they return can be lost to a crash
// (Pebble makes a batch visible before its fsync ends). A reader of what
// AfterPut derives from the events (the server's metric store) calls it
// first, so that what was derived from events queued before it is there.
//
// It costs two atomic loads when nothing is queued. Called with the ctx the
// committer hands AfterPut, it returns at once: the committer would be
// waiting for itself.
func (s *Store) Settle(ctx context.Context) error {
	q := &s.queue
	want := q.queued.Load()
	if q.settled.Load() >= want || ctx.Value(committerKey{}) != nil {
		return nil
	}
	for q.settled.Load() < want {
		q.mu.Lock()
		progress := q.progress
		q.mu.Unlock()
		if q.settled.Load() >= want {
			break
		}
		select {
		case <-progress:
		case <-ctx.Done():
			return ctx.Err()
		case <-s.db.Failed():
			return s.db.Err()
		}
	}
	return nil
}

// commitLoop is the committer: it takes every queued write, commits them,
// and marks them settled, until Close has been called and the queue is
// empty.
func (s *Store) commitLoop() {
	q := &s.queue
	defer close(q.exited)
	var puts []queuedPut
	for {
		q.mu.Lock()
		puts, q.puts = q.puts, puts[:0]
		q.bytes = 0
		upTo, closed := q.queued.Load(), q.closed
		q.room.Broadcast()
		q.mu.Unlock()
		if len(puts) == 0 {
			if closed {
				return
			}
			<-q.wake
			continue
		}
		s.commitPuts(puts)
		clear(puts)
		q.mu.Lock()
		q.settled.Store(upTo)
		close(q.progress)
		q.progress = make(chan struct{})
		q.mu.Unlock()
	}
}

// committerKey marks the context of the committer's writes, which AfterPut
// receives.
type committerKey struct{}

// commitPuts writes puts with PutEvents: one call per stream, with the
// stream's events in the order queued, and the streams concurrently, so
// that Pebble commits them with one fsync.
func (s *Store) commitPuts(puts []queuedPut) {
	type streamKey struct{ region, group, stream string }
	byStream := make(map[streamKey][]Event, 1)
	order := make([]streamKey, 0, 1)
	for _, p := range puts {
		k := streamKey{p.region, p.group, p.stream}
		if evs, ok := byStream[k]; ok {
			byStream[k] = append(evs, p.events...)
		} else {
			byStream[k] = p.events
			order = append(order, k)
		}
	}
	ctx := context.WithValue(context.Background(), committerKey{}, true)
	put := func(k streamKey) {
		evs := byStream[k]
		if _, err := s.PutEvents(ctx, k.region, k.group, k.stream, evs); err != nil {
			s.logger.Error("store: queued log events dropped", "group", k.group, "stream", k.stream, "events", len(evs), "err", err)
		}
	}
	var wg sync.WaitGroup
	for _, k := range order[1:] {
		wg.Go(func() { put(k) })
	}
	put(order[0])
	wg.Wait()
}

// closeQueue commits what is queued and stops the committer; later
// PutEventsAsync calls fail. It gives up when the database has failed,
// since the committer may then be stuck inside Pebble.
func (s *Store) closeQueue() {
	q := &s.queue
	q.mu.Lock()
	q.closed = true
	q.room.Broadcast()
	q.mu.Unlock()
	select {
	case q.wake <- struct{}{}:
	default:
	}
	select {
	case <-q.exited:
	case <-s.db.Failed():
	}
}
