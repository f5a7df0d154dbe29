package subscriptions

import (
	"context"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/lambdalog/lambdalog/cmd/lambdalog/internal/lambdaemu"
	"github.com/lambdalog/lambdalog/cmd/lambdalog/internal/logsapi"
	"github.com/lambdalog/lambdalog/cmd/lambdalog/internal/store"
)

// Limits and timings of delivery; see the package documentation.
const (
	batchWindow    = time.Second
	maxBatchEvents = 10_000
	maxBatchBytes  = 1 << 20
	eventOverhead  = 26 // bytes PutLogEvents counts for each event besides its message
	senders        = 4
	queueBatches   = 1024
	// DefaultQueueBytes is the default Options.QueueBytes.
	DefaultQueueBytes = 64 << 20
)

// retryDelays are the waits before the second and third attempts.
var retryDelays = [...]time.Duration{time.Second, 2 * time.Second}

// Options configures a Deliverer.
type Options struct {
	// Logger reports what cannot be delivered; nil means slog.Default().
	Logger *slog.Logger
	// QueueBytes bounds the messages waiting to be matched; 0 means
	// DefaultQueueBytes.
	QueueBytes int64
}

// Stats counts events a Deliverer did not deliver.
type Stats struct {
	// Dropped counts the events offered while the queue was full.
	Dropped uint64
	// Failed counts the events of batches that failed every attempt or could
	// not be sent (too large for an asynchronous invocation).
	Failed uint64
}

// Deliverer delivers the events of log groups to the functions their
// subscription filters name. Its methods are safe for concurrent use.
type Deliverer struct {
	subs       *logsapi.Subscriptions
	fns        *lambdaemu.Emulator
	logger     *slog.Logger
	queueBytes int64

	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup
	queue  chan *ingested
	ready  chan *batch // batches for the senders

	queued   atomic.Int64 // message bytes in queue
	dropping atomic.Bool  // the last Offer dropped its events
	dropped  atomic.Uint64
	failed   atomic.Uint64

	warnMu sync.Mutex
	warned map[string]bool // filters whose destination was reported
}

// ingested is a batch of events as Offer queues it.
type ingested struct {
	region string
	group  store.Group
	stream string
	events []store.Event // messages copied into one buffer
	seq    uint64        // of events[0]
	subs   []*logsapi.Subscription
	bytes  int64
}

// batch is a batch of matching events on its way to one function.
type batch struct {
	key                   batchKey
	region, group, stream string
	sub                   *logsapi.Subscription
	events                []logEvent
	bytes                 int
	deadline              time.Time
	sent                  bool
}

// batchKey identifies the batch being filled for a stream and a filter.
type batchKey struct {
	group  uint64 // store.Group.ID
	stream string
	sub    *logsapi.Subscription
}

// New returns a Deliverer of the subscription filters of st to the
// functions of fns, running until Close.
func New(st *store.Store, fns *lambdaemu.Emulator, opts Options) *Deliverer {
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	if opts.QueueBytes <= 0 {
		opts.QueueBytes = DefaultQueueBytes
	}
	d := &Deliverer{
		subs: logsapi.NewSubscriptions(st), fns: fns, logger: opts.Logger, queueBytes: opts.QueueBytes,
		queue: make(chan *ingested, queueBatches), ready: make(chan *batch), warned: map[string]bool{},
	}
	d.ctx, d.cancel = context.WithCancel(context.Background())
	d.wg.Add(1 + senders)
	go d.dispatch()
	for range senders {
		go d.send()
	}
	return d
}

// Offer queues the events of in for delivery when in's group has
// subscription filters, without blocking; it is the log store's AfterPut
// hook and does not keep in.Events. Events offered after Close, or while
// the queue is full, are not delivered.
func (d *Deliverer) Offer(ctx context.Context, in store.Ingested) {
	if d.ctx.Err() != nil {
		return
	}
	subs, err := d.subs.Of(ctx, in.Region, in.Group)
	if err != nil {
		d.logger.Warn("subscription filters", "group", in.Group.Name, "error", err)
	}
	var live []*logsapi.Subscription
	for _, s := range subs {
		if s.Created <= in.Millis {
			live = append(live, s)
		}
	}
	if len(live) == 0 {
		return
	}
	size := 0
	for _, e := range in.Events {
		size += len(e.Message)
	}
	if d.queued.Add(int64(size)) > d.queueBytes {
		d.queued.Add(-int64(size))
		d.drop(in)
		return
	}
	it := &ingested{region: in.Region, group: in.Group, stream: in.Stream, seq: in.Seq, subs: live, bytes: int64(size),
		events: make([]store.Event, len(in.Events))}
	buf := make([]byte, 0, size)
	for i, e := range in.Events {
		n := len(buf)
		buf = append(buf, e.Message...)
		it.events[i] = store.Event{Timestamp: e.Timestamp, Message: buf[n:len(buf):len(buf)]}
	}
	select {
	case d.queue <- it:
		d.dropping.Store(false)
	default:
		d.queued.Add(-it.bytes)
		d.drop(in)
	}
}

// drop counts the events of in as dropped, with a WARN for the first
// drop of a run.
func (d *Deliverer) drop(in store.Ingested) {
	total := d.dropped.Add(uint64(len(in.Events)))
	if d.dropping.CompareAndSwap(false, true) {
		d.logger.Warn("subscription delivery is behind: dropping events until it catches up",
			"group", in.Group.Name, "stream", in.Stream, "dropped", total)
	}
}

// Stats returns the counts of events not delivered since New.
func (d *Deliverer) Stats() Stats {
	return Stats{Dropped: d.dropped.Load(), Failed: d.failed.Load()}
}

// Close stops delivery, dropping the batches not yet sent, and waits for
// the invocations in progress. Offer does nothing after it.
func (d *Deliverer) Close() {
	d.cancel()
	d.wg.Wait()
}

// dispatch matches queued events against their filters and fills the
// batches, handing each to the senders when it is full or its window ends.
func (d *Deliverer) dispatch() {
	defer d.wg.Done()
	open := map[batchKey]*batch{}
	var due []*batch // batches by deadline: open ones, and handed ones not yet removed
	timer := time.NewTimer(batchWindow)
	timer.Stop()
	// hand gives b to a sender, waiting for one to be free; false once closed.
	hand := func(b *batch) bool {
		delete(open, b.key)
		b.sent = true
		select {
		case d.ready <- b:
			return true
		case <-d.ctx.Done():
			return false
		}
	}
	for {
		select {
		case <-d.ctx.Done():
			return
		case it := <-d.queue:
			d.queued.Add(-it.bytes)
			for i, e := range it.events {
				var id string
				size := len(e.Message) + eventOverhead
				for _, s := range it.subs {
					if !s.Pattern.MatchBytes(e.Message) {
						continue
					}
					if id == "" {
						id = logsapi.EventID(store.Position{Timestamp: e.Timestamp, Seq: it.seq + uint64(i)})
					}
					k := batchKey{it.group.ID, it.stream, s}
					b := open[k]
					if b != nil && (len(b.events) == maxBatchEvents || b.bytes+size > maxBatchBytes) {
						if !hand(b) {
							return
						}
						b = nil
					}
					if b == nil {
						b = &batch{key: k, region: it.region, group: it.group.Name, stream: it.stream, sub: s, deadline: time.Now().Add(batchWindow)}
						open[k] = b
						due = append(due, b)
					}
					b.events = append(b.events, logEvent{ID: id, Timestamp: e.Timestamp, Message: string(e.Message)})
					b.bytes += size
				}
			}
		case <-timer.C:
		}
		now := time.Now()
		for len(due) > 0 && (due[0].sent || !due[0].deadline.After(now)) {
			b := due[0]
			due = due[1:]
			if !b.sent && !hand(b) {
				return
			}
		}
		if len(due) > 0 {
			timer.Reset(due[0].deadline.Sub(now))
		}
	}
}

// send delivers the batches dispatch hands over, one at a time.
func (d *Deliverer) send() {
	defer d.wg.Done()
	for {
		select {
		case <-d.ctx.Done():
			return
		case b := <-d.ready:
			d.deliver(b)
		}
	}
}

// deliver sends b to its filter's function, split into payloads that fit
// an asynchronous invocation, each with its retries.
func (d *Deliverer) deliver(b *batch) {
	fn, account, why := d.destination(b)
	if why != "" {
		d.warnOnce(b, why)
		return
	}
	msg := message{MessageType: "DATA_MESSAGE", Owner: account, LogGroup: b.group, LogStream: b.stream,
		SubscriptionFilters: []string{b.sub.Name}}
	payloads, err := encodeBatch(&msg, b.events)
	if err != nil {
		left := len(b.events)
		for _, p := range payloads {
			left -= p.events
		}
		d.failed.Add(uint64(left))
		d.logger.Warn("subscription delivery: events not sent", "group", b.group, "stream", b.stream,
			"filter", b.sub.Name, "function", fn, "events", left, "error", err)
	}
	for _, p := range payloads {
		if !d.invoke(fn, b, p) {
			return
		}
	}
}

// destination returns the name and account of the function dev runs that
// b's filter names, or why b goes nowhere.
func (d *Deliverer) destination(b *batch) (name, account, why string) {
	arn := strings.TrimSuffix(b.sub.DestinationArn, ":$LATEST")
	// arn:aws:lambda:REGION:ACCOUNT:function:NAME
	parts := strings.Split(arn, ":")
	if len(parts) != 7 || parts[2] != "lambda" || parts[5] != "function" {
		return "", "", "is not a Lambda function: lambdalog dev delivers only to its own functions, the filter is only stored"
	}
	for _, fn := range d.fns.Functions() {
		if d.fns.FunctionARN(fn.Name) != arn {
			continue
		}
		if parts[3] != b.region {
			return "", "", "is a function of region " + parts[3] + ": a log group delivers only to functions of its own region"
		}
		if fn.LogGroup == b.group {
			return "", "", "is the function that logs into this group: its events are not delivered to it, which would loop"
		}
		return fn.Name, parts[4], ""
	}
	return "", "", "is not a function this lambdalog dev runs (nor its $LATEST version)"
}

// warnOnce logs why b's filter delivers nothing, once per filter and reason.
func (d *Deliverer) warnOnce(b *batch, why string) {
	key := b.region + "\x00" + b.group + "\x00" + b.sub.Name + "\x00" + b.sub.DestinationArn + "\x00" + why
	d.warnMu.Lock()
	seen := d.warned[key]
	d.warned[key] = true
	d.warnMu.Unlock()
	if !seen {
		d.logger.Warn("subscription filter delivers nothing: its destination "+why,
			"group", b.group, "filter", b.sub.Name, "destination", b.sub.DestinationArn)
	}
}

// invoke sends one payload of b to function fn, retrying a failed
// invocation; false when the Deliverer is closing.
func (d *Deliverer) invoke(fn string, b *batch, p payload) bool {
	for attempt := 0; ; attempt++ {
		out, err := d.fns.Invoke(d.ctx, fn, lambdaemu.InvokeInput{Payload: p.event})
		if d.ctx.Err() != nil {
			return false
		}
		if err != nil { // the function is gone, or the emulator stopped
			d.logger.Warn("subscription delivery: cannot invoke", "function", fn, "group", b.group, "filter", b.sub.Name, "error", err)
			return true
		}
		if out.ErrorType == "" {
			return true
		}
		if attempt == len(retryDelays) {
			d.failed.Add(uint64(p.events))
			d.logger.Warn("subscription delivery failed every attempt: batch dropped", "function", fn, "group", b.group,
				"stream", b.stream, "filter", b.sub.Name, "attempts", attempt+1, "errorType", out.ErrorType, "requestId", out.RequestID)
			return true
		}
		d.logger.Info("subscription delivery failed: retrying", "function", fn, "group", b.group, "filter", b.sub.Name,
			"errorType", out.ErrorType, "requestId", out.RequestID, "retryIn", retryDelays[attempt])
		select {
		case <-time.After(retryDelays[attempt]):
		case <-d.ctx.Done():
			return false
		}
	}
}
