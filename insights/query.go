package insights

import (
	"math"
	"sync"
	"sync/atomic"
	"time"
)

// Query is a compiled Logs Insights QL query. It is immutable and safe for
// concurrent use; each goroutine that evaluates it uses its own Evaluator.
type Query struct {
	src        string
	start, end int // the query's span in src (a subquery's, inside its parentheses)
	source     *Source
	cmds       []*command
	subs       []*Query // subqueries whose results the caller supplies
	plan       *plan
}

// String returns the text of the query.
func (q *Query) String() string { return q.src[q.start:q.end] }

// Source returns the log groups and data sources named by the query's
// SOURCE command, or nil when the query has none (the caller then names
// the log groups, as StartQuery's logGroupNames do).
func (q *Query) Source() *Source { return q.source }

// Limit returns the number of rows the query returns at most: the last
// limit (or head, or tail) command at the end of the pipeline, or 0 when
// the query sets none, in which case the caller's limit (StartQuery's
// limit, or DefaultLimit) applies.
func (q *Query) Limit() int { return q.plan.limit }

// IsStats reports whether the query aggregates (has a stats or
// countFrequent command): its rows are then aggregates without @ptr, not
// log events.
func (q *Query) IsStats() bool { return q.plan.isStats }

// NewestFirst reports whether the query's first rows are limited to the
// newest: it has a limit (its own or the default one) before any stats or
// dedup, and its rows there are in the default order or sorted by
// @timestamp descending first. A caller that can feed events newest first
// should: the query then keeps its first rows with the least work.
func (q *Query) NewestFirst() bool { return q.plan.newestFirst }

// KeepsNewest reports whether the query is NewestFirst and every event makes
// exactly one of its first rows: it has no filter (nor unnest, join or
// subquery) before its first limit, as in fields @timestamp, @message | sort
// @timestamp desc | limit 20. Events older than the limit-th newest row
// cannot change the result of such a query, and it matches every event it
// reads. A caller that reads events newest first can therefore stop once
// every event left is older than the cutoff of a Horizon shared by its
// evaluators (Options.Horizon), and count the events it did not read with
// AddUnread, which gives the statistics reading them would have.
func (q *Query) KeepsNewest() bool { return q.plan.newest }

// Horizon follows, for the evaluators of a query that KeepsNewest, the
// timestamp of the limit-th newest row they have kept: an event older than
// that cannot change the query's result. It is safe for concurrent use.
type Horizon struct {
	cut atomic.Int64 // math.MinInt64 until limit rows have been kept
	mu  sync.Mutex
	ts  []int64 // the newest timestamps, a min-heap of at most limit
}

// NewHorizon returns a Horizon for the evaluators of one query.
func NewHorizon() *Horizon {
	h := &Horizon{}
	h.cut.Store(math.MinInt64)
	return h
}

// Cutoff returns the timestamp (epoch milliseconds) below which events
// cannot change the query's result, or math.MinInt64 while every event can.
func (h *Horizon) Cutoff() int64 { return h.cut.Load() }

// keep records a kept row's timestamp; limit is the rows the query keeps.
func (h *Horizon) keep(ts int64, limit int) {
	if ts <= h.cut.Load() {
		return // it leaves the newest timestamps as they are
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	switch {
	case len(h.ts) < limit:
		h.ts = append(h.ts, ts)
		for i := len(h.ts) - 1; i > 0 && h.ts[(i-1)/2] > h.ts[i]; i = (i - 1) / 2 {
			h.ts[i], h.ts[(i-1)/2] = h.ts[(i-1)/2], h.ts[i]
		}
	case ts > h.ts[0]:
		h.ts[0] = ts
		for i := 0; ; {
			c := 2*i + 1
			if c >= len(h.ts) {
				break
			}
			if c+1 < len(h.ts) && h.ts[c+1] < h.ts[c] {
				c++
			}
			if h.ts[i] <= h.ts[c] {
				break
			}
			h.ts[i], h.ts[c] = h.ts[c], h.ts[i]
			i = c
		}
	default:
		return
	}
	if len(h.ts) == limit {
		h.cut.Store(h.ts[0])
	}
}

// Columns returns the names of the columns of the query's results, in
// order, without @ptr: unaliased expressions are named by their text as
// written, such as count(*) or bin(5m). A row leaves out the columns whose
// value is absent; commands that add columns depending on the data (such
// as addtotals and autoregress) add them to the end.
func (q *Query) Columns() []string { return append([]string(nil), q.plan.columns...) }

// Subqueries returns the queries whose results this query needs before it
// runs, in the order Options.Subresults must give them: the subqueries of
// filter ... in (SOURCE ...), the subquery of appendcols, and for join, a
// query over the right side's log groups selecting the fields the rest of
// the query uses. Each has its own Source and runs over the same time
// range as the query.
func (q *Query) Subqueries() []*Query { return append([]*Query(nil), q.subs...) }

// LookupTables returns the names of the lookup tables the query's lookup
// and cidrlookup commands read, which Options.LookupTables must supply.
func (q *Query) LookupTables() []string { return append([]string(nil), q.plan.tables...) }

// Source is what a SOURCE command selects. Log groups match when their name
// starts with one of NamePrefixes (every log group when AllLogGroups), is
// in one of AccountIdentifiers (any account when empty) and has one of
// Classes (STANDARD when empty); LogGroups are groups named exactly
// (SOURCE '/aws/lambda/x', the form subqueries use).
type Source struct {
	NamePrefixes       []string
	AllLogGroups       bool // logGroups() without namePrefix
	AccountIdentifiers []string
	Classes            []string // STANDARD, INFREQUENT_ACCESS
	DataSources        []string
	LogGroups          []string
	// Start and End are the START= and END= of SOURCE 'name' START=...
	// END=..., when given.
	Start, End TimeBound
}

// TimeBound is a START= or END= of a SOURCE command: epoch milliseconds, or
// a time relative to when the query runs (now, -1d).
type TimeBound struct {
	Set      bool
	Relative bool  // Millis is an offset from now (zero or negative)
	Millis   int64 // epoch milliseconds, or the offset when Relative
}

// At returns the bound's time in epoch milliseconds for a query running at
// now.
func (b TimeBound) At(now time.Time) int64 {
	if b.Relative {
		return now.UnixMilli() + b.Millis
	}
	return b.Millis
}

// Event is a log event fed to an Evaluator.
type Event struct {
	Timestamp     int64 // epoch milliseconds
	IngestionTime int64 // epoch milliseconds
	Account       string
	Region        string
	LogGroup      string
	LogStream     string
	// Message is the event's text. The Evaluator reads it only during
	// Feed and copies what it keeps, so it may alias a buffer the caller
	// reuses.
	Message []byte
	// ID identifies the event within its stream for the caller: with the
	// other fields of an EventRef it is what Options.Pointer turns into
	// @ptr.
	ID uint64
	// Flat records that FlatJSON(Message) is true, as a store that checked
	// each event when it stored it knows: the Evaluator then finds the
	// fields a query reads by searching for their keys instead of reading
	// the message whole. Leave it false when unknown; set wrongly, it gives
	// wrong fields.
	Flat bool
}

// EventRef identifies the event behind a result row, for Options.Pointer.
type EventRef struct {
	Account, Region, LogGroup, LogStream string
	Timestamp                            int64
	ID                                   uint64
}

// LookupTable is a lookup table for the lookup and cidrlookup commands:
// a header row of column names and the rows, as the CSV uploaded with
// CreateLookupTable holds them.
type LookupTable struct {
	Columns []string
	Rows    [][]string
}

// Options configure an Evaluator.
type Options struct {
	// Limit is the number of rows to return when the query sets no limit
	// (StartQuery's limit); 0 means DefaultLimit.
	Limit int
	// Start and End are the query's time range, epoch milliseconds, for
	// queryStartTime(), queryEndTime() and queryTimeRange().
	Start, End int64
	// Now is when the query started, for now(); the zero time means the
	// time NewEvaluator is called.
	Now time.Time
	// Pointer returns the @ptr of the event behind a result row. It is
	// called only for rows that are returned, when Results builds them.
	// Without it, rows have no @ptr.
	Pointer func(EventRef) string
	// Subresults are the results of q.Subqueries(), in order.
	Subresults []*Result
	// LookupTables supplies the tables named by q.LookupTables().
	LookupTables map[string]*LookupTable
	// Horizon, for a query that KeepsNewest, is shared by the evaluators
	// of the query that read disjoint parts of its events in parallel:
	// each records in it the timestamps of the rows it keeps. Other
	// queries leave it untouched.
	Horizon *Horizon
}

// Statistics are the counters of GetQueryResults' statistics.
type Statistics struct {
	// RecordsMatched counts the rows that passed the query's filters up to
	// its first aggregation, sort limit or dedup (before limit).
	RecordsMatched int64
	// RecordsScanned counts the events read, including those the caller
	// skipped with the pre-filter and reported with AddScanned.
	RecordsScanned int64
	// BytesScanned is the size of the messages of those events.
	BytesScanned int64
}

// Field is one field of a result row.
type Field struct {
	Name  string `json:"field"`
	Value string `json:"value"`
}

// Result is what a query produced so far: rows of fields, each value a
// string, as GetQueryResults returns them.
type Result struct {
	// Rows are in the query's order. Each row lists the query's columns
	// that have a value, in column order, then @ptr for rows that are log
	// events (when Options.Pointer is set).
	Rows [][]Field
	// Columns are the names of the columns of the rows, without @ptr.
	Columns []string
}
