package store

// Prefetch batch limits: a batch is handed over when it holds this many
// events or message bytes. Each stream has at most three batches in flight
// (one being filled, one queued, one being consumed).
const (
	prefetchEvents = 512
	prefetchBytes  = 256 << 10
)

// eventSource is a forward, ordered stream of events.
type eventSource interface {
	Next() bool
	Event() *EventView
	Close() error
}

// prefetchIter runs one stream's filtered scan in its own goroutine and
// hands over copies of the matching events in batches, so that a filter
// over several streams uses every core while the merge stays ordered.
type prefetchIter struct {
	batches chan *eventBatch
	stop    chan struct{}
	err     error // written by the scanner before it closes batches
	cur     *eventBatch
	i       int
}

type eventBatch struct {
	evs  []EventView
	ends []int // end offset of each event's message in buf
	buf  []byte
}

// prefetch starts scanning it; the returned source owns it.
func prefetch(it *EventIter) *prefetchIter {
	p := &prefetchIter{batches: make(chan *eventBatch, 1), stop: make(chan struct{})}
	go p.scan(it)
	return p
}

func (p *prefetchIter) scan(it *EventIter) {
	defer close(p.batches)
	defer func() {
		if err := it.Close(); err != nil {
			p.err = err
		}
	}()
	b := &eventBatch{}
	send := func() bool {
		start := 0
		for i, end := range b.ends {
			b.evs[i].Message = b.buf[start:end:end]
			start = end
		}
		select {
		case p.batches <- b:
			b = &eventBatch{}
			return true
		case <-p.stop:
			return false
		}
	}
	for it.Next() {
		e := it.Event()
		b.buf = append(b.buf, e.Message...)
		b.ends = append(b.ends, len(b.buf))
		b.evs = append(b.evs, EventView{Stream: e.Stream, Timestamp: e.Timestamp, IngestionTime: e.IngestionTime, Seq: e.Seq, Flat: e.Flat})
		if (len(b.evs) >= prefetchEvents || len(b.buf) >= prefetchBytes) && !send() {
			return
		}
	}
	if len(b.evs) > 0 {
		send()
	}
}

// Next advances to the next event and reports whether there is one.
func (p *prefetchIter) Next() bool {
	p.i++
	for p.cur == nil || p.i >= len(p.cur.evs) {
		b, ok := <-p.batches
		if !ok {
			p.cur = nil
			return false
		}
		p.cur, p.i = b, 0
	}
	return true
}

// Event returns the current event; valid until the next call to Next.
func (p *prefetchIter) Event() *EventView { return &p.cur.evs[p.i] }

// Close stops the scanner, waits for it to release its Pebble iterator
// and reports any read error.
func (p *prefetchIter) Close() error {
	close(p.stop)
	for range p.batches {
	}
	return p.err
}
