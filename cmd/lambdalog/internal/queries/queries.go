// Package queries runs Logs Insights queries over the log store in the
// background, as CloudWatch Logs does behind StartQuery and GetQueryResults.
//
// # Running a query
//
// Start resolves nothing and checks nothing of the query's text: the caller
// (the API) has parsed it with package insights and resolved its log
// groups. Start registers the query, Scheduled, and returns its id; a
// goroutine then runs it, Running, and ends it Complete, Failed, Cancelled
// (Stop) or Timeout (Options.Timeout, 60 minutes as on AWS). At most
// Options.MaxConcurrent queries (100, AWS's quota) run at once per manager;
// one more is refused with ErrTooManyQueries. Ended queries and their
// results are kept for Options.Retention (7 days, as on AWS), in memory: a
// restart forgets them, as a query id is only an id.
//
// A query reads the streams of its log groups in parallel, one part of a
// stream per worker at a time (Options.Workers, default GOMAXPROCS), each
// worker with its own insights.Evaluator: a stream of more than partBytes
// (16 MiB) of events is read in parts of its time range, so that the
// workers end together. A query whose first rows are the newest
// (insights.Query.NewestFirst) reads the newest parts first and each part
// newest first, so that its evaluators keep them with the least work. One
// that keeps only the newest events (insights.Query.KeepsNewest, such as
// fields @timestamp, @message | sort @timestamp desc | limit 20) reads whole
// streams, newest first, and stops where the events left are older than
// the newest rows all workers have kept (an insights.Horizon they share);
// the events it does not read count in its statistics as they would have
// (store.ScanOptions.Horizon). Streams with no event in the time range are
// skipped from their stored first and last timestamps. Events are read in
// place with store.Scan, and the query's pre-filter runs on the raw bytes
// before an event is fed; the events it rejects count as scanned. Partial
// results (GetQueryResults while Running) merge the workers' evaluators
// into one and render it, at most every 200 ms (partialInterval; the first
// time 200 ms after the query started running): in between, GetQueryResults
// returns the partial results last rendered. A worker yields to such a merge
// every few thousand events it reads, whether the pre-filter passes them or
// not.
//
// Subqueries (filter ... in (SOURCE ...), appendcols, join) run first, in
// order, over the same time range, each over the log groups its own SOURCE
// names.
//
// # Pointers
//
// A result row's @ptr is EncodePointer of the event's region, log group,
// stream, timestamp and sequence number: opaque, URL-safe, and enough for
// GetLogRecord to find the event again with DecodePointer.
package queries

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"runtime"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/lambdalog/lambdalog/cmd/lambdalog/internal/awsapi"
	"github.com/lambdalog/lambdalog/cmd/lambdalog/internal/store"
	"github.com/lambdalog/lambdalog/insights"
)

// AWS's limits of Logs Insights, which the API and the console both apply.
const (
	// MaxGroups is how many log groups one query (or saved query) may read.
	MaxGroups = 50
	// MaxDefinitions is how many saved queries a region holds.
	MaxDefinitions = 1000
)

// Status is a query's status, as GetQueryResults reports it.
type Status string

// The statuses of a query.
const (
	Scheduled Status = "Scheduled"
	Running   Status = "Running"
	Complete  Status = "Complete"
	Failed    Status = "Failed"
	Cancelled Status = "Cancelled"
	Timeout   Status = "Timeout"
)

// Ended reports whether the query has stopped running.
func (s Status) Ended() bool { return s != Scheduled && s != Running }

// Errors returned by the Manager.
var (
	ErrTooManyQueries = errors.New("too many queries are running")
	ErrNotFound       = errors.New("query does not exist")
	ErrNotRunning     = errors.New("query is not running")
)

// Options configure a Manager.
type Options struct {
	// MaxConcurrent is how many queries may run at once; default 100.
	MaxConcurrent int
	// Timeout ends a query that runs longer, with status Timeout; default 60 min.
	Timeout time.Duration
	// Retention is how long an ended query's results are kept; default 7 days.
	Retention time.Duration
	// Workers is how many streams a query reads at once; default GOMAXPROCS.
	Workers int
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// Logger receives failures of queries; nil means slog.Default().
	Logger *slog.Logger
}

// Manager runs queries over a log store. It is safe for concurrent use.
type Manager struct {
	store *store.Store
	opts  Options
	// partBytes is partBytes, or less in tests.
	partBytes int64

	mu      sync.Mutex
	byID    map[string]*query
	running int
	closing bool
	wg      sync.WaitGroup
}

// New returns a Manager over st.
func New(st *store.Store, opts Options) *Manager {
	if opts.MaxConcurrent <= 0 {
		opts.MaxConcurrent = 100
	}
	if opts.Timeout <= 0 {
		opts.Timeout = time.Hour
	}
	if opts.Retention <= 0 {
		opts.Retention = 7 * 24 * time.Hour
	}
	if opts.Workers <= 0 {
		opts.Workers = runtime.GOMAXPROCS(0)
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	return &Manager{store: st, opts: opts, partBytes: partBytes, byID: map[string]*query{}}
}

// MaxConcurrent returns how many queries may run at once.
func (m *Manager) MaxConcurrent() int { return m.opts.MaxConcurrent }

// Spec is a query to start.
type Spec struct {
	Region, Account string
	// Text is the query string as the client sent it.
	Text string
	// Query is Text compiled.
	Query *insights.Query
	// Groups are the log groups to read, by name.
	Groups []string
	// Start and End are the time range in epoch milliseconds, both
	// inclusive.
	Start, End int64
	// Limit is the number of rows when the query sets none; 0 means
	// insights.DefaultLimit.
	Limit int
}

// Info describes a query.
type Info struct {
	ID      string
	Spec    Spec
	Created time.Time
	Status  Status
	// Ended is when the query ended; zero while it runs.
	Ended time.Time
	// Err says why a Failed query failed.
	Err error
}

// Snapshot is what a query has produced so far.
type Snapshot struct {
	Info
	Result *insights.Result
	Stats  insights.Statistics
}

// query is one query, running or ended.
type query struct {
	spec    Spec
	id      string
	created time.Time
	cancel  context.CancelFunc
	stopped bool // Stop was called

	mu      sync.Mutex // guards the fields below and serialises merges
	status  Status
	ended   time.Time
	err     error
	master  *insights.Evaluator
	workers []*worker
	final   *insights.Result
	// The partial results last rendered, while the query runs, and when.
	partial      *insights.Result
	partialStats insights.Statistics
	partialAt    time.Time
}

// partialInterval is how long partial results are reused before they are
// rendered again: rendering merges every worker's evaluator and renders
// every row, and clients poll GetQueryResults in a loop.
const partialInterval = 200 * time.Millisecond

// worker is one goroutine's evaluator; mu is held while it feeds events.
type worker struct {
	mu sync.Mutex
	ev *insights.Evaluator
}

// Start starts a query and returns its id.
func (m *Manager) Start(spec Spec) (string, error) {
	now := m.opts.Now()
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.closing {
		return "", errors.New("queries: the server is shutting down")
	}
	m.forgetExpired(now)
	if m.running >= m.opts.MaxConcurrent {
		return "", ErrTooManyQueries
	}
	ctx, cancel := context.WithTimeout(context.Background(), m.opts.Timeout)
	q := &query{spec: spec, id: awsapi.NewID(), created: now, cancel: cancel, status: Scheduled}
	m.byID[q.id] = q
	m.running++
	m.wg.Go(func() {
		defer cancel()
		m.run(ctx, q)
		m.mu.Lock()
		m.running--
		m.mu.Unlock()
	})
	return q.id, nil
}

// forgetExpired drops the queries that ended more than Retention ago; m.mu is held.
func (m *Manager) forgetExpired(now time.Time) {
	for id, q := range m.byID {
		q.mu.Lock()
		expired := q.status.Ended() && now.Sub(q.ended) > m.opts.Retention
		q.mu.Unlock()
		if expired {
			delete(m.byID, id)
		}
	}
}

func (m *Manager) get(region, id string) (*query, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	q, ok := m.byID[id]
	if !ok || q.spec.Region != region {
		return nil, ErrNotFound
	}
	return q, nil
}

// Results returns what query id has produced so far.
func (m *Manager) Results(region, id string) (Snapshot, error) {
	q, err := m.get(region, id)
	if err != nil {
		return Snapshot{}, err
	}
	q.mu.Lock()
	defer q.mu.Unlock()
	s := Snapshot{Info: q.info()}
	switch {
	case q.final != nil:
		s.Result, s.Stats = q.final, q.master.Statistics()
	case q.master != nil:
		if now := m.opts.Now(); now.Sub(q.partialAt) >= partialInterval {
			for _, w := range q.workers {
				w.mu.Lock()
				err := q.master.Merge(w.ev)
				w.mu.Unlock()
				if err != nil {
					return Snapshot{}, err
				}
			}
			q.partial, q.partialStats, q.partialAt = q.master.Results(), q.master.Statistics(), now
		}
		s.Result, s.Stats = q.partial, q.partialStats
	default:
		s.Result = &insights.Result{Columns: q.spec.Query.Columns()}
	}
	return s, nil
}

// info returns q's description; q.mu is held.
func (q *query) info() Info {
	return Info{ID: q.id, Spec: q.spec, Created: q.created, Status: q.status, Ended: q.ended, Err: q.err}
}

// Stop cancels a running query; it returns ErrNotRunning if it has ended.
func (m *Manager) Stop(region, id string) error {
	q, err := m.get(region, id)
	if err != nil {
		return err
	}
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.status.Ended() {
		return ErrNotRunning
	}
	q.stopped = true
	q.cancel()
	return nil
}

// List returns the region's queries, newest first.
func (m *Manager) List(region string) []Info {
	m.mu.Lock()
	qs := make([]*query, 0, len(m.byID))
	for _, q := range m.byID {
		if q.spec.Region == region {
			qs = append(qs, q)
		}
	}
	m.mu.Unlock()
	infos := make([]Info, len(qs))
	for i, q := range qs {
		q.mu.Lock()
		infos[i] = q.info()
		q.mu.Unlock()
	}
	slices.SortFunc(infos, func(a, b Info) int { return b.Created.Compare(a.Created) })
	return infos
}

// Close cancels the running queries and waits for them to end.
func (m *Manager) Close() {
	m.mu.Lock()
	m.closing = true
	for _, q := range m.byID {
		q.cancel()
	}
	m.mu.Unlock()
	m.wg.Wait()
}

// run runs q to its end and records how it ended.
func (m *Manager) run(ctx context.Context, q *query) {
	res, err := m.evaluate(ctx, q, q.spec, true)
	q.mu.Lock()
	defer q.mu.Unlock()
	q.ended = m.opts.Now()
	switch {
	case err == nil:
		q.status, q.final = Complete, res
	case q.stopped:
		q.status = Cancelled
	case errors.Is(err, context.DeadlineExceeded):
		q.status = Timeout
	default:
		q.status, q.err = Failed, err
		m.opts.Logger.Warn("Logs Insights query failed", "queryId", q.id, "error", err)
	}
	if q.final == nil && q.master != nil {
		q.final = q.master.Results() // what it had when it ended
	}
}

// evaluate runs spec's query and its subqueries; top is the query the
// client started, whose evaluators q exposes for partial results.
func (m *Manager) evaluate(ctx context.Context, q *query, spec Spec, top bool) (*insights.Result, error) {
	var subresults []*insights.Result
	for _, sub := range spec.Query.Subqueries() {
		groups, err := m.ResolveSource(ctx, spec.Region, sub.Source())
		if err != nil {
			return nil, fmt.Errorf("subquery %q: %w", sub.String(), err)
		}
		res, err := m.evaluate(ctx, q, Spec{Region: spec.Region, Account: spec.Account, Query: sub, Groups: groups,
			Start: spec.Start, End: spec.End, Limit: insights.MaxLimit}, false)
		if err != nil {
			return nil, err
		}
		subresults = append(subresults, res)
	}
	opts := insights.Options{Limit: spec.Limit, Start: spec.Start, End: spec.End, Now: m.opts.Now(),
		Pointer: EncodePointer, Subresults: subresults}
	if spec.Query.KeepsNewest() {
		opts.Horizon = insights.NewHorizon()
	}
	master, err := spec.Query.NewEvaluator(opts)
	if err != nil {
		return nil, err
	}
	jobs, err := m.streams(ctx, spec, opts.Horizon == nil)
	if err != nil {
		return nil, err
	}
	workers := make([]*worker, min(m.opts.Workers, max(len(jobs), 1)))
	for i := range workers {
		ev, err := spec.Query.NewEvaluator(opts)
		if err != nil {
			return nil, err
		}
		workers[i] = &worker{ev: ev}
	}
	if top {
		q.mu.Lock()
		q.status, q.master, q.workers = Running, master, workers
		// The first partial results are rendered one interval after the
		// start: a query that ends sooner is never rendered twice.
		q.partial, q.partialAt = &insights.Result{Columns: spec.Query.Columns()}, m.opts.Now()
		q.mu.Unlock()
	}
	next := make(chan stream, len(jobs))
	for _, j := range jobs {
		next <- j
	}
	close(next)
	errs := make([]error, len(workers))
	var wg sync.WaitGroup
	for i, w := range workers {
		wg.Go(func() { errs[i] = m.scan(ctx, spec, opts.Horizon, w, next) })
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	q.mu.Lock() // partial results may be merging the same workers
	defer q.mu.Unlock()
	for _, w := range workers {
		if err := master.Merge(w.ev); err != nil {
			return nil, err
		}
	}
	return master.Results(), nil
}

// stream is the part of a stream to read: its events from start to end
// (epoch milliseconds, end excluded).
type stream struct {
	group, name string
	start, end  int64
}

// partBytes is about how many bytes of events a worker reads at a time
// when it can read a stream in parts: small enough that the workers end
// together, whatever else the machine runs; large enough that starting a
// part costs nothing.
const partBytes = 16 << 20

// streams lists the streams of spec's groups that may hold events in its
// range, as parts of spec's range. With split, a large stream is cut in
// parts of about partBytes, by time (as if its events were spread evenly
// from its first to its last), newest first for a query that reads newest
// first; otherwise each stream is one part.
func (m *Manager) streams(ctx context.Context, spec Spec, split bool) ([]stream, error) {
	var out []stream
	for _, g := range spec.Groups {
		err := m.store.ListStreams(ctx, spec.Region, g, "", func(st store.Stream) bool {
			if !st.HasEvents || st.LastEventTimestamp < spec.Start || st.FirstEventTimestamp > spec.End {
				return true
			}
			lo, hi := max(st.FirstEventTimestamp, spec.Start), min(st.LastEventTimestamp, spec.End)
			parts := int64(1)
			if split {
				parts = min(max(st.StoredBytes/m.partBytes, 1), 16, hi-lo+1)
			}
			for i := range parts {
				p := stream{group: g, name: st.Name, start: lo + (hi-lo+1)*i/parts, end: lo + (hi-lo+1)*(i+1)/parts}
				// The first and last parts reach the ends of the range, so
				// that no event in it is left out.
				if i == 0 {
					p.start = spec.Start
				}
				if i == parts-1 {
					p.end = spec.End + 1
				}
				out = append(out, p)
			}
			return true
		})
		if err != nil && !errors.Is(err, store.ErrGroupNotFound) { // a group deleted meanwhile has no events
			return nil, err
		}
	}
	if spec.Query.NewestFirst() {
		slices.SortStableFunc(out, func(a, b stream) int { return cmp.Compare(b.end, a.end) })
	}
	return out, nil
}

// yieldEvery is how many events a worker reads between chances for a
// partial-results merge to take its evaluator.
const yieldEvery = 4096

// scan feeds w the events of the streams it takes from next; with a
// horizon, newest first and only until the horizon's cutoff.
func (m *Manager) scan(ctx context.Context, spec Spec, horizon *insights.Horizon, w *worker, next <-chan stream) error {
	pre := spec.Query.PreFilter()
	o := store.ScanOptions{Reverse: spec.Query.NewestFirst()}
	if horizon != nil {
		o.Horizon = horizon.Cutoff
	}
	ev := insights.Event{Account: spec.Account, Region: spec.Region}
	// Events the pre-filter rejects are counted here, and handed to the
	// evaluator's statistics whenever the worker yields.
	var read int
	var rejected, rejectedBytes int64
	match := func(msg []byte) bool {
		if read++; read == yieldEvery {
			read = 0
			w.ev.AddScanned(rejected, rejectedBytes)
			rejected, rejectedBytes = 0, 0
			w.mu.Unlock()
			w.mu.Lock()
		}
		if pre != nil && !pre(msg) {
			rejected++
			rejectedBytes += int64(len(msg))
			return false
		}
		return true
	}
	feed := func(v *store.EventView) error {
		ev.Timestamp, ev.IngestionTime, ev.Message, ev.ID, ev.Flat = v.Timestamp, v.IngestionTime, v.Message, v.Seq, v.Flat
		w.ev.Feed(&ev)
		return nil
	}
	o.Match = match
	w.mu.Lock()
	defer w.mu.Unlock()
	for st := range next {
		ev.LogGroup, ev.LogStream = st.group, st.name
		o.Start, o.End = st.start, st.end
		stats, err := m.store.Scan(ctx, spec.Region, st.group, st.name, o, feed)
		w.ev.AddScanned(rejected, rejectedBytes)
		w.ev.AddUnread(stats.Unread, stats.UnreadBytes)
		rejected, rejectedBytes = 0, 0
		if err != nil && !errors.Is(err, store.ErrGroupNotFound) && !errors.Is(err, store.ErrStreamNotFound) {
			return err
		}
	}
	return nil
}

// ResolveSource returns the names of the region's log groups that a SOURCE
// command selects, in name order.
func (m *Manager) ResolveSource(ctx context.Context, region string, src *insights.Source) ([]string, error) {
	if src == nil {
		return nil, errors.New("the query names no log groups")
	}
	var out []string
	err := m.store.ListGroups(ctx, region, "", func(g store.Group) bool {
		if sourceSelects(src, g) {
			out = append(out, g.Name)
		}
		return true
	})
	return out, err
}

func sourceSelects(src *insights.Source, g store.Group) bool {
	if slices.Contains(src.LogGroups, g.Name) {
		return true
	}
	class := g.Class
	if class == "" {
		class = "STANDARD"
	}
	if len(src.Classes) > 0 && !slices.Contains(src.Classes, class) || len(src.Classes) == 0 && class != "STANDARD" {
		return false
	}
	if src.AllLogGroups {
		return true
	}
	for _, p := range src.NamePrefixes {
		if strings.HasPrefix(g.Name, p) {
			return true
		}
	}
	return false
}
