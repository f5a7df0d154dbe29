package store

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/cockroachdb/pebble/v2"

	"github.com/lambdalog/lambdalog/cmd/lambdalog/internal/pebbledb"
)

// Errors returned by Store methods. Test with errors.Is.
var (
	ErrGroupNotFound  = errors.New("log group does not exist")
	ErrStreamNotFound = errors.New("log stream does not exist")
	ErrGroupExists    = errors.New("log group already exists")
	ErrStreamExists   = errors.New("log stream already exists")
	// ErrDiskFull: a write was refused because the disk holding the store
	// is below the free-space floor (Options.MinFreeBytes), or Open found
	// the disk too full to open the store. Writes resume by themselves
	// when space is freed.
	ErrDiskFull = pebbledb.ErrDiskFull
	// ErrFailed: the store stopped after a fatal storage error (reported
	// to Options.OnFatal); every later call fails with it.
	ErrFailed = pebbledb.ErrFailed
)

// WALRecovery reports write-ahead-log data that Open could not replay; see
// Store.Recovery.
type WALRecovery = pebbledb.WALRecovery

// Options configure a Store. The zero value is a durable store on disk
// using the wall clock.
type Options struct {
	// InMemory keeps everything in memory (Pebble's vfs.NewMem); the
	// directory is ignored and nothing survives Close.
	InMemory bool
	// Now returns the current time; nil means time.Now. Tests inject a
	// clock to exercise retention without sleeping.
	Now func() time.Time
	// SweepInterval is how often expired events are deleted; 0 means one
	// minute, negative disables the background sweep (Sweep can still be
	// called).
	SweepInterval time.Duration
	// Logger receives background errors; nil means slog.Default().
	Logger *slog.Logger
	// AfterPut, when set, is called by PutEvents with the events it has just
	// committed durably, before PutEvents returns. The server derives metrics
	// from them (EMF, metric filters). It must not keep in.Events. For the
	// writes of PutEventsAsync it runs on the committer, which reads of the
	// store may be waiting for, so it must not block for long.
	AfterPut func(ctx context.Context, in Ingested)
	// MinFreeBytes is the free-space floor: writes that add data
	// (PutEvents, creating groups and streams, updating groups, putting
	// filters) fail with ErrDiskFull while the disk holding the store has
	// less available; reads, deletes and the retention sweep go on. 0
	// means pebbledb.DefaultMinFreeBytes (256 MiB); negative disables it.
	MinFreeBytes int64
	// OnFatal is called once, on its own goroutine, with the first fatal
	// storage error (wrapping ErrFailed), e.g. Pebble failing to write its
	// log on a full disk. Calls in progress may never return, so it must
	// stop the process (log and os.Exit), not close the store.
	OnFatal func(error)
	// FlatJSON, when set, is asked of each event's message as PutEvents
	// stores it; the answer is kept with the event (one bit) and given to
	// readers as EventView.Flat. The server sets insights.FlatJSON, so
	// that queries need not check each message again.
	FlatJSON func(msg []byte) bool
}

// Store is the embedded log database. It is safe for concurrent use.
type Store struct {
	db       *pebbledb.DB
	now      func() time.Time
	logger   *slog.Logger
	afterPut func(ctx context.Context, in Ingested)
	flat     func(msg []byte) bool

	metaMu    sync.Mutex    // serialises metadata read-modify-write
	filterGen atomic.Uint64 // see FilterGeneration

	seqMu      sync.Mutex // guards seqCeiling updates
	nextSeq    atomic.Uint64
	seqCeiling atomic.Uint64

	queue queue // writes of PutEventsAsync

	stop      chan struct{}
	done      chan struct{}
	closeOnce sync.Once
	closeErr  error
}

// seqReserve is how many ids are reserved per durable ceiling write.
const seqReserve = 1 << 22

// Open opens (creating if needed) the store in dir.
func Open(dir string, opts Options) (*Store, error) {
	return open(dir, opts, pebbleOptions())
}

// blockSize is the target size of an sstable block before compression.
// Large blocks mean fewer block reads, allocations, cache insertions and
// index steps in the long sequential scans that queries and filters do; a
// block holds about eight 16 KiB event chunks.
const blockSize = 128 << 10

// cacheSize is the block cache, which holds decompressed blocks: the store's
// metadata, and the events of recent queries when they fit (about 170,000
// events of 400 bytes).
const cacheSize = 64 << 20

// pebbleOptions returns the store's Pebble options. The format and the
// compression are pebbledb's.
func pebbleOptions() *pebble.Options {
	po := &pebble.Options{
		Merger:                      statsMerger,
		MemTableSize:                32 << 20,
		MemTableStopWritesThreshold: 4,
		L0CompactionThreshold:       4,
		L0StopWritesThreshold:       32,
		CacheSize:                   cacheSize,
	}
	for i := range po.Levels {
		po.Levels[i].BlockSize = blockSize
	}
	return po
}

// open opens the store in dir with Pebble options po.
func open(dir string, opts Options, po *pebble.Options) (*Store, error) {
	logger := opts.Logger
	if logger == nil {
		logger = slog.Default()
	}
	db, err := pebbledb.Open(dir, po, pebbledb.Options{
		Name: "store", InMemory: opts.InMemory, MinFreeBytes: opts.MinFreeBytes, Logger: logger, OnFatal: opts.OnFatal,
	})
	if err != nil {
		return nil, err
	}
	s := &Store{db: db, now: opts.Now, logger: logger, afterPut: opts.AfterPut, flat: opts.FlatJSON, stop: make(chan struct{}), done: make(chan struct{})}
	if s.now == nil {
		s.now = time.Now
	}
	v, closer, err := db.Get(seqKey)
	switch {
	case err == nil:
		if len(v) == 8 {
			s.nextSeq.Store(binary.BigEndian.Uint64(v))
			s.seqCeiling.Store(binary.BigEndian.Uint64(v))
		}
		closer.Close()
	case !errors.Is(err, pebble.ErrNotFound):
		db.Close()
		return nil, fmt.Errorf("store: read id counter: %w", err)
	}
	if s.nextSeq.Load() == 0 {
		s.nextSeq.Store(1)
	}
	s.startQueue()
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
// logged at WARN), or nil when the replay was complete.
func (s *Store) Recovery() *WALRecovery { return s.db.Recovery() }

// Close commits the writes PutEventsAsync has queued, stops the retention
// sweep, flushes (when the disk has room, so that the next Open replays no
// log) and closes the database. After a fatal error it returns that error.
// Calling it again returns the first call's result.
func (s *Store) Close() error {
	s.closeOnce.Do(func() {
		s.closeQueue()
		close(s.stop)
		select {
		case <-s.done:
		case <-s.db.Failed(): // the sweep may be stuck inside Pebble
		}
		if err := s.db.Close(); err != nil {
			s.closeErr = fmt.Errorf("store: close: %w", err)
		}
	})
	return s.closeErr
}

// nowMillis is the store clock in epoch milliseconds.
func (s *Store) nowMillis() int64 { return s.now().UnixMilli() }

// reserveIDs returns the first of n fresh, never reused ids.
func (s *Store) reserveIDs(n uint64) (uint64, error) {
	end := s.nextSeq.Add(n)
	first := end - n
	if end <= s.seqCeiling.Load() {
		return first, nil
	}
	s.seqMu.Lock()
	defer s.seqMu.Unlock()
	if c := s.seqCeiling.Load(); end > c {
		ceiling := end + seqReserve
		if err := s.db.Set(seqKey, binary.BigEndian.AppendUint64(nil, ceiling), pebble.Sync); err != nil {
			return 0, fmt.Errorf("store: reserve ids: %w", err)
		}
		s.seqCeiling.Store(ceiling)
	}
	return first, nil
}
