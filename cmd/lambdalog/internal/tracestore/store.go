package tracestore

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math"
	"sync"
	"time"

	"github.com/cockroachdb/pebble/v2"

	"github.com/lambdalog/lambdalog/cmd/lambdalog/internal/pebbledb"
)

// Errors returned by Store methods. Test with errors.Is.
var (
	// ErrNotFound: no document of the trace is stored.
	ErrNotFound = errors.New("trace not found")
	// ErrDiskFull: Put was refused because the disk holding the store is
	// below the free-space floor (Options.MinFreeBytes).
	ErrDiskFull = pebbledb.ErrDiskFull
	// ErrFailed: the store stopped after a fatal storage error (reported
	// to Options.OnFatal); every later call fails with it.
	ErrFailed = pebbledb.ErrFailed
)

// WALRecovery reports write-ahead-log data that Open could not replay; see
// Store.Recovery.
type WALRecovery = pebbledb.WALRecovery

// DefaultRetention is how long traces are kept, as X-Ray keeps them.
const DefaultRetention = 30 * 24 * time.Hour

// Options configure Open. The zero value is a durable store on disk.
type Options struct {
	// InMemory keeps everything in memory; the directory is ignored.
	InMemory bool
	// Retention is how long a trace is kept after its last document was
	// stored; 0 means DefaultRetention.
	Retention time.Duration
	// SweepInterval is how often expired traces are deleted; 0 means one
	// minute, negative disables the background sweep (Sweep still works).
	SweepInterval time.Duration
	// Now is the clock of ingestion times; nil means time.Now.
	Now func() time.Time
	// MinFreeBytes is the free-space floor below which Put fails with
	// ErrDiskFull; 0 means pebbledb.DefaultMinFreeBytes, negative disables
	// it.
	MinFreeBytes int64
	// Logger receives storage and sweep errors; nil means slog.Default().
	Logger *slog.Logger
	// OnFatal is called once, on its own goroutine, with the first fatal
	// storage error (wrapping ErrFailed). Calls in progress may never
	// return, so it must stop the process, not close the store.
	OnFatal func(error)
}

// Store is the durable trace store. It is safe for concurrent use.
type Store struct {
	db        *pebbledb.DB
	now       func() time.Time
	retention time.Duration
	logger    *slog.Logger

	stop      chan struct{}
	done      chan struct{}
	closeOnce sync.Once
	closeErr  error
}

// Key prefixes; see the package documentation.
const (
	prefixDoc    = 'd'
	prefixStart  = 't'
	prefixUpdate = 'u'
	prefixLatest = 'r'
)

// Open opens (creating if needed) the store in dir.
func Open(dir string, opts Options) (*Store, error) {
	if !opts.InMemory && dir == "" {
		return nil, errors.New("tracestore: a directory is required unless InMemory is set")
	}
	logger := opts.Logger
	if logger == nil {
		logger = slog.Default()
	}
	// As the log store: large memtables and a high L0 stop threshold, so
	// that bursts of segments are not held up by compactions.
	po := &pebble.Options{Merger: docMerger, MemTableSize: 32 << 20, MemTableStopWritesThreshold: 4,
		L0CompactionThreshold: 4, L0StopWritesThreshold: 32}
	db, err := pebbledb.Open(dir, po, pebbledb.Options{
		Name: "tracestore", InMemory: opts.InMemory, MinFreeBytes: opts.MinFreeBytes, Logger: logger, OnFatal: opts.OnFatal,
	})
	if err != nil {
		return nil, err
	}
	s := &Store{db: db, now: opts.Now, retention: opts.Retention, logger: logger, stop: make(chan struct{}), done: make(chan struct{})}
	if s.now == nil {
		s.now = time.Now
	}
	if s.retention <= 0 {
		s.retention = DefaultRetention
	}
	interval := opts.SweepInterval
	if interval == 0 {
		interval = time.Minute
	}
	if interval > 0 {
		go s.sweepLoop(interval)
	} else {
		close(s.done)
	}
	return s, nil
}

// Recovery returns what Open had to drop from the write-ahead log (already
// logged at WARN), or nil.
func (s *Store) Recovery() *WALRecovery { return s.db.Recovery() }

// Close stops the sweep, flushes (when the disk has room) and closes the
// database. Calling it again returns the first call's result.
func (s *Store) Close() error {
	s.closeOnce.Do(func() {
		close(s.stop)
		select {
		case <-s.done:
		case <-s.db.Failed():
		}
		if err := s.db.Close(); err != nil {
			s.closeErr = fmt.Errorf("tracestore: close: %w", err)
		}
	})
	return s.closeErr
}

// docKey is d <trace:16> <segment:8>.
func docKey(t TraceID, id SegmentID) []byte {
	k := make([]byte, 0, 25)
	k = append(k, prefixDoc)
	k = append(k, t[:]...)
	return append(k, id[:]...)
}

// Document values are a state byte, then the document.
const (
	stateInProgress = 0
	stateComplete   = 1
)

// docMerger combines the documents written under one key: a complete
// document wins over an in-progress one whatever their order, and between
// two of the same state the newer wins. So a complete document replaces
// the in-progress one with no read and no delete.
var docMerger = &pebble.Merger{
	Name: "lambdalog.tracestore.document",
	Merge: func(_, value []byte) (pebble.ValueMerger, error) {
		return &docMerge{v: append([]byte(nil), value...)}, nil
	},
}

type docMerge struct{ v []byte }

func complete(v []byte) bool { return len(v) > 0 && v[0] == stateComplete }

func (m *docMerge) MergeNewer(value []byte) error {
	if complete(value) || !complete(m.v) {
		m.v = append(m.v[:0], value...)
	}
	return nil
}

func (m *docMerge) MergeOlder(value []byte) error {
	if complete(value) && !complete(m.v) {
		m.v = append(m.v[:0], value...)
	}
	return nil
}

func (m *docMerge) Finish(bool) ([]byte, io.Closer, error) { return m.v, nil, nil }

// docRange bounds the document keys of a trace: every docKey of it is in
// [lo, hi).
func docRange(t TraceID) (lo, hi []byte) {
	lo = append([]byte{prefixDoc}, t[:]...)
	hi = append(append([]byte(nil), lo...), 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff)
	return lo, hi
}

// timeKey is <prefix> <milliseconds:8, sign bit flipped> <trace:16>.
func timeKey(prefix byte, ms int64, t TraceID) []byte {
	k := make([]byte, 0, 25)
	k = append(k, prefix)
	k = binary.BigEndian.AppendUint64(k, uint64(ms)^(1<<63))
	return append(k, t[:]...)
}

func timeBound(prefix byte, ms int64) []byte {
	return binary.BigEndian.AppendUint64([]byte{prefix}, uint64(ms)^(1<<63))
}

func latestKey(t TraceID) []byte { return append([]byte{prefixLatest}, t[:]...) }

// millis converts epoch seconds to milliseconds, rounding down.
func millis(sec float64) int64 { return int64(math.Floor(sec * 1000)) }

// Put stores documents durably, in one synced batch: a complete document
// replaces the in-progress one of the same id, whichever comes first. The
// documents' Raw bytes are copied.
func (s *Store) Put(ctx context.Context, docs []Document) error {
	if len(docs) == 0 {
		return nil
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	b := s.db.NewBatch()
	defer b.Close()
	now := s.now().UnixMilli()
	starts := make(map[TraceID]float64, min(len(docs), 64))
	var key [25]byte
	key[0] = prefixDoc
	for i := range docs {
		d := &docs[i]
		copy(key[1:17], d.Trace[:])
		copy(key[17:], d.ID[:])
		op := b.MergeDeferred(len(key), 1+len(d.Raw))
		copy(op.Key, key[:])
		op.Value[0] = stateComplete
		if d.InProgress {
			op.Value[0] = stateInProgress
		}
		copy(op.Value[1:], d.Raw)
		if err := op.Finish(); err != nil {
			return fmt.Errorf("tracestore: put: %w", err)
		}
		if st, ok := starts[d.Trace]; !ok || d.Start < st {
			starts[d.Trace] = d.Start
		}
	}
	nowBytes := binary.BigEndian.AppendUint64(nil, uint64(now))
	for t, start := range starts {
		for _, kv := range [][2][]byte{{timeKey(prefixStart, millis(start), t), nil}, {timeKey(prefixUpdate, now, t), nil}, {latestKey(t), nowBytes}} {
			if err := b.Set(kv[0], kv[1], nil); err != nil {
				return fmt.Errorf("tracestore: put: %w", err)
			}
		}
	}
	if err := s.db.Admit(b.Len()); err != nil {
		return err
	}
	if err := s.db.Commit(b); err != nil {
		return fmt.Errorf("tracestore: put: %w", err)
	}
	return nil
}

// PutSegments validates raw segment documents (ParseDocument) and stores
// them in one batch; when one is invalid it stores none and returns its
// DocumentError.
func (s *Store) PutSegments(ctx context.Context, raws ...[]byte) error {
	docs := make([]Document, len(raws))
	for i, raw := range raws {
		d, err := ParseDocument(raw)
		if err != nil {
			return err
		}
		docs[i] = d
	}
	return s.Put(ctx, docs)
}

// Trace returns an assembled trace, or ErrNotFound.
func (s *Store) Trace(ctx context.Context, id TraceID) (*Trace, error) {
	docs, limited, err := s.load(ctx, id)
	if err != nil {
		return nil, err
	}
	if len(docs) == 0 {
		return nil, ErrNotFound
	}
	t := assemble(id, docs)
	t.LimitExceeded = limited
	return t, nil
}

// load reads a trace's documents, at most maxTraceDocuments of them.
func (s *Store) load(ctx context.Context, id TraceID) (docs []storedDoc, limited bool, err error) {
	lo, hi := docRange(id)
	it, err := s.db.NewIterWithContext(ctx, &pebble.IterOptions{LowerBound: lo, UpperBound: hi})
	if err != nil {
		return nil, false, fmt.Errorf("tracestore: read trace: %w", err)
	}
	for it.First(); it.Valid(); it.Next() {
		if len(docs) == maxTraceDocuments {
			limited = true
			break
		}
		k, v := it.Key(), it.Value()
		if len(k) != 25 || len(v) < 1 {
			continue
		}
		docs = append(docs, storedDoc{raw: append([]byte(nil), v[1:]...)})
	}
	if err := it.Close(); err != nil {
		return nil, false, fmt.Errorf("tracestore: read trace: %w", err)
	}
	return docs, limited, nil
}

// latest returns when a trace was last updated (epoch milliseconds), or
// false when it is not stored.
func (s *Store) latest(id TraceID) (int64, bool, error) {
	v, closer, err := s.db.Get(latestKey(id))
	if errors.Is(err, pebble.ErrNotFound) {
		return 0, false, nil
	}
	if err != nil {
		return 0, false, fmt.Errorf("tracestore: read trace: %w", err)
	}
	defer closer.Close()
	if len(v) != 8 {
		return 0, false, nil
	}
	return int64(binary.BigEndian.Uint64(v)), true, nil
}
