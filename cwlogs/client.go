package cwlogs

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"
	"unicode/utf8"

	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
)

// API is the part of the CloudWatch Logs client that cwlogs uses.
// *cloudwatchlogs.Client implements it.
type API interface {
	PutLogEvents(ctx context.Context, in *cloudwatchlogs.PutLogEventsInput, optFns ...func(*cloudwatchlogs.Options)) (*cloudwatchlogs.PutLogEventsOutput, error)
	CreateLogGroup(ctx context.Context, in *cloudwatchlogs.CreateLogGroupInput, optFns ...func(*cloudwatchlogs.Options)) (*cloudwatchlogs.CreateLogGroupOutput, error)
	CreateLogStream(ctx context.Context, in *cloudwatchlogs.CreateLogStreamInput, optFns ...func(*cloudwatchlogs.Options)) (*cloudwatchlogs.CreateLogStreamOutput, error)
}

// Client ships records to one log stream. It is safe for concurrent use.
type Client struct {
	api  API
	opts Options

	mu       sync.Mutex
	cur      *segment
	free     []*segment
	queue    []*segment // sealed, waiting for a sender, oldest first
	inflight []*segment
	nsegs    int
	maxSegs  int
	sealSeq  uint64
	closed   bool
	changed  chan struct{} // closed and replaced whenever a segment is recycled
	work     chan struct{}
	epoch    time.Time // origin of segment.firstAt (monotonic clock)

	ctx    context.Context // cancelled when Close gives up
	cancel context.CancelFunc
	stop   chan struct{}
	wg     sync.WaitGroup

	enqueued, sent, retried, dropped, rejected, truncated, dups, requests atomic.Uint64

	ensureMu sync.Mutex // serialises group/stream creation
}

// New starts a Client that sends to opts.Group/opts.Stream through api
// (usually a *cloudwatchlogs.Client). The caller must Close it.
func New(api API, opts Options) (*Client, error) {
	if api == nil {
		return nil, errors.New("cwlogs: nil API client")
	}
	if err := validateName("group", opts.Group); err != nil {
		return nil, err
	}
	if err := validateName("stream", opts.Stream); err != nil {
		return nil, err
	}
	opts = opts.withDefaults()
	c := &Client{
		api:     api,
		opts:    opts,
		maxSegs: max(2, (opts.BufferBytes+MaxBatchBytes-1)/MaxBatchBytes),
		changed: make(chan struct{}),
		stop:    make(chan struct{}),
		epoch:   time.Now(),
	}
	c.work = make(chan struct{}, c.maxSegs+1)
	c.ctx, c.cancel = context.WithCancel(context.Background())
	c.cur = newSegment()
	c.nsegs = 1
	for range opts.Senders {
		c.wg.Add(1)
		go c.sendLoop()
	}
	c.wg.Add(1)
	go c.ageLoop()
	return c, nil
}

func validateName(field, v string) error {
	if v == "" || len(v) > 512 {
		return fmt.Errorf("cwlogs: %s name must be 1-512 characters, got %d", field, len(v))
	}
	return nil
}

// Write enqueues p as one log event timestamped now. A trailing newline is
// removed; an empty record is ignored. Write never waits for the network;
// it returns len(p) and a nil error unless the client is closed or the
// record was dropped under the Block policy.
func (c *Client) Write(p []byte) (int, error) {
	n := len(p)
	if n > 0 && p[n-1] == '\n' {
		p = p[:n-1]
	}
	if len(p) == 0 {
		return n, nil
	}
	return n, c.put(time.Now().UnixMilli(), p)
}

// WriteEvent enqueues msg as one log event with timestamp t.
func (c *Client) WriteEvent(t time.Time, msg []byte) error {
	if len(msg) == 0 {
		return nil
	}
	return c.put(t.UnixMilli(), msg)
}

func (c *Client) put(ts int64, msg []byte) error {
	msg, cut := prepare(msg)
	if cut {
		c.truncated.Add(1)
	}
	c.mu.Lock()
	if c.closed {
		c.mu.Unlock()
		return ErrClosed
	}
	for c.cur == nil || !c.cur.fits(ts, len(msg)) {
		c.sealLocked()
		if err := c.nextSegmentLocked(); err != nil {
			c.mu.Unlock()
			c.dropped.Add(1)
			return err
		}
	}
	c.cur.add(ts, msg)
	if len(c.cur.ents) == 1 {
		c.cur.firstAt = time.Since(c.epoch) // one clock read per batch, not per event
	}
	c.mu.Unlock()
	c.enqueued.Add(1)
	return nil
}

// prepare makes msg a valid CloudWatch message: invalid UTF-8 becomes
// U+FFFD (so the byte count sent is the byte count measured) and a message
// over MaxMessageBytes is truncated. The fast path does not allocate.
func prepare(msg []byte) (out []byte, truncated bool) {
	if !utf8.Valid(msg) {
		msg = bytes.ToValidUTF8(msg, []byte("\uFFFD"))
	}
	if len(msg) > MaxMessageBytes {
		return truncate(msg), true
	}
	return msg, false
}

// truncate cuts msg to fit MaxMessageBytes with a visible marker.
func truncate(msg []byte) []byte {
	marker := fmt.Sprintf(" …[cwlogs: truncated %d bytes]", len(msg))
	keep := MaxMessageBytes - len(marker)
	for keep > 0 && !utf8.RuneStart(msg[keep]) {
		keep--
	}
	marker = fmt.Sprintf(" …[cwlogs: truncated %d bytes]", len(msg)-keep)
	out := make([]byte, 0, keep+len(marker))
	return append(append(out, msg[:keep]...), marker...)
}

// sealLocked queues the current segment for sending if it holds events
// and leaves c.cur nil; the next write installs a fresh segment.
func (c *Client) sealLocked() {
	if c.cur == nil || len(c.cur.ents) == 0 {
		return
	}
	c.sealSeq++
	c.cur.seq = c.sealSeq
	c.queue = append(c.queue, c.cur)
	c.cur = nil
	select {
	case c.work <- struct{}{}:
	default:
	}
}

// nextSegmentLocked installs an empty current segment, applying the full
// policy when no memory is left. Called with c.mu held; may release it
// while blocking.
func (c *Client) nextSegmentLocked() error {
	var deadline time.Time
	for {
		switch {
		case c.closed:
			return ErrClosed
		case c.cur != nil: // another writer installed one while we waited
			return nil
		case len(c.free) > 0:
			c.cur = c.free[len(c.free)-1]
			c.free = c.free[:len(c.free)-1]
			return nil
		case c.nsegs < c.maxSegs:
			c.nsegs++
			c.cur = newSegment()
			return nil
		case c.opts.FullPolicy == DropOldest && len(c.queue) > 0:
			old := c.queue[0]
			c.queue = c.queue[1:]
			n := len(old.ents)
			c.dropped.Add(uint64(n))
			old.reset()
			c.cur = old
			c.broadcastLocked()
			c.report(fmt.Errorf("%w: dropped %d oldest events", ErrBufferFull, n))
			return nil
		}
		// Wait for a sender to recycle a segment.
		if deadline.IsZero() {
			deadline = time.Now().Add(c.opts.BlockTimeout)
		}
		wait := time.Until(deadline)
		if wait <= 0 {
			return ErrBufferFull
		}
		ch := c.changed
		c.mu.Unlock()
		t := time.NewTimer(wait)
		select {
		case <-ch:
		case <-t.C:
		}
		t.Stop()
		c.mu.Lock()
	}
}

func (c *Client) broadcastLocked() {
	close(c.changed)
	c.changed = make(chan struct{})
}

func (c *Client) report(err error) {
	if c.opts.OnError != nil {
		c.opts.OnError(err)
	}
}

// Flush sends every record written before the call and waits until each
// is stored, rejected or dropped, or until ctx is done.
func (c *Client) Flush(ctx context.Context) error {
	c.mu.Lock()
	c.sealLocked()
	target := c.sealSeq
	c.mu.Unlock()
	for {
		c.mu.Lock()
		done := c.doneThroughLocked(target)
		ch := c.changed
		c.mu.Unlock()
		if done {
			return nil
		}
		select {
		case <-ch:
		case <-ctx.Done():
			return fmt.Errorf("cwlogs: flush: %w", ctx.Err())
		}
	}
}

func (c *Client) doneThroughLocked(target uint64) bool {
	for _, s := range c.queue {
		if s.seq <= target {
			return false
		}
	}
	for _, s := range c.inflight {
		if s.seq <= target {
			return false
		}
	}
	return true
}

// Close flushes, stops the senders and releases the client. Events still
// undelivered when ctx is done are counted as dropped and reported in the
// returned error. Writes after Close return ErrClosed.
func (c *Client) Close(ctx context.Context) error {
	c.mu.Lock()
	if c.closed {
		c.mu.Unlock()
		return ErrClosed
	}
	c.closed = true
	c.broadcastLocked() // wake writers blocked on a full buffer
	c.mu.Unlock()
	err := c.Flush(ctx)
	c.cancel() // abort requests still retrying
	close(c.stop)
	c.wg.Wait()
	c.mu.Lock()
	var lost int
	for _, s := range c.queue {
		lost += len(s.ents)
	}
	c.queue = nil
	c.mu.Unlock()
	c.dropped.Add(uint64(lost))
	if err != nil {
		st := c.Stats()
		return fmt.Errorf("cwlogs: close: %d events dropped in total: %w", st.Dropped, err)
	}
	return nil
}

// FlushFunc returns a func that flushes with the given timeout, for hooks
// that take no arguments such as the end-of-invocation hook or aws-lambda-go's
// lambda.WithEnableSIGTERM. Errors go to Options.OnError.
func (c *Client) FlushFunc(timeout time.Duration) func() {
	return func() {
		ctx, cancel := context.WithTimeout(context.Background(), timeout)
		defer cancel()
		if err := c.Flush(ctx); err != nil {
			c.report(err)
		}
	}
}

// InvocationEnd returns a hook for logger.WithInvocationEnd that flushes at
// the end of every Lambda invocation, waiting at most timeout even if the
// invocation's context is already cancelled, because the execution
// environment may be frozen or killed once the handler returns.
func (c *Client) InvocationEnd(timeout time.Duration) func(ctx context.Context, err error) {
	return func(ctx context.Context, _ error) {
		ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), timeout)
		defer cancel()
		if err := c.Flush(ctx); err != nil {
			c.report(err)
		}
	}
}

// Stats returns a snapshot of the counters.
func (c *Client) Stats() Stats {
	return Stats{
		Enqueued:           c.enqueued.Load(),
		Sent:               c.sent.Load(),
		Retried:            c.retried.Load(),
		Dropped:            c.dropped.Load(),
		Rejected:           c.rejected.Load(),
		Truncated:          c.truncated.Load(),
		PossibleDuplicates: c.dups.Load(),
		Requests:           c.requests.Load(),
	}
}

// ageLoop seals the current segment once its oldest record has waited
// FlushInterval and no other batch is waiting for a sender.
func (c *Client) ageLoop() {
	defer c.wg.Done()
	tick := max(c.opts.FlushInterval/4, time.Millisecond)
	t := time.NewTicker(tick)
	defer t.Stop()
	for {
		select {
		case <-c.stop:
			return
		case <-t.C:
		}
		c.mu.Lock()
		// While a sealed batch still waits for a sender (the senders are
		// behind or retrying), keep filling the current batch instead of
		// sealing small ones, so a stalled endpoint does not exhaust the
		// buffer with half-empty batches.
		if c.cur != nil && len(c.cur.ents) > 0 && len(c.queue) == 0 &&
			time.Since(c.epoch)-c.cur.firstAt >= c.opts.FlushInterval {
			c.sealLocked()
		}
		c.mu.Unlock()
	}
}
