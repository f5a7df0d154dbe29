package pebbledb

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/cockroachdb/pebble/v2"
	"github.com/cockroachdb/pebble/v2/sstable"
	"github.com/cockroachdb/pebble/v2/vfs"
)

// ErrFailed is wrapped by the errors of every call on a database after a
// fatal storage error, and by the error given to Options.OnFatal.
var ErrFailed = errors.New("storage stopped after a fatal error; restart lambdalog")

// FormatMajorVersion is the format Open gives a database whose options leave
// it unset: the first with sstable format v6, which MinLZ compression needs.
// See the package documentation for what it does to an existing directory.
const FormatMajorVersion = pebble.FormatTableFormatV6

// compression is the block compression of every level whose options leave it
// unset: Pebble's fastest profile, MinLZ (Snappy on arm64, where MinLZ has no
// assembly).
func compression() *sstable.CompressionProfile { return sstable.FastestCompression }

// Options configure Open.
type Options struct {
	// Name prefixes messages and errors, e.g. "store".
	Name string
	// InMemory keeps the database in memory (Pebble's vfs.NewMem); the
	// directory is ignored and there is no floor and no log to inspect.
	InMemory bool
	// MinFreeBytes is the free-space floor: writes are refused while the
	// disk has less available. 0 means DefaultMinFreeBytes; negative
	// disables the floor.
	MinFreeBytes int64
	// Logger receives storage errors and the recovery report; nil means
	// slog.Default().
	Logger *slog.Logger
	// OnFatal, when set, is called once, on its own goroutine, with the
	// first fatal storage error after Open has returned. It must stop the
	// process without waiting for calls in progress (see the package doc).
	OnFatal func(error)
}

// DB is an open Pebble database under the package's failure policy. Its
// methods shadow those of pebble.DB that the stores call, adding the
// fail-fast check and, for writes, the conversion of a panic into a fatal
// error; Admit guards writes that add data. It is safe for concurrent use.
type DB struct {
	*pebble.DB
	name     string
	dir      string
	fs       vfs.FS
	logger   *slog.Logger
	floor    *floor // nil when disabled or in memory
	fail     *failure
	recovery *WALRecovery
	// flushFree is the free space above which Close flushes first.
	flushFree int64
}

// Open opens (creating if needed) the Pebble database in dir with po, whose
// Logger, EventListener and, for an in-memory database, FS it sets; an unset
// FormatMajorVersion becomes the package's FormatMajorVersion, and an unset
// level compression MinLZ.
func Open(dir string, po *pebble.Options, o Options) (*DB, error) {
	d := &DB{name: o.Name, dir: dir, logger: o.Logger, flushFree: o.MinFreeBytes}
	if d.logger == nil {
		d.logger = slog.Default()
	}
	if d.flushFree <= 0 {
		d.flushFree = DefaultMinFreeBytes
	}
	d.fail = &failure{name: o.Name, logger: d.logger, onFatal: o.OnFatal, abort: make(chan error, 1), stopped: make(chan struct{})}
	po.Logger = pebbleLogger{d.fail}
	if po.FormatMajorVersion == pebble.FormatDefault {
		po.FormatMajorVersion = FormatMajorVersion
	}
	for i := range po.Levels {
		if po.Levels[i].Compression == nil {
			po.Levels[i].Compression = compression
		}
	}
	po.EventListener = &pebble.EventListener{BackgroundError: d.fail.backgroundError}
	if po.FlushDelayDeleteRange == 0 {
		po.FlushDelayDeleteRange = 2 * time.Second
	}
	if o.InMemory {
		po.FS, d.dir = vfs.NewMem(), ""
	} else {
		if po.FS == nil {
			po.FS = vfs.Default
		}
		d.fs = po.FS
		if o.MinFreeBytes >= 0 {
			d.floor = &floor{fs: po.FS, dir: dir, min: o.MinFreeBytes}
			if d.floor.min == 0 {
				d.floor.min = DefaultMinFreeBytes
			}
		}
		rep, err := inspectWAL(po.FS, dir)
		if err != nil {
			return nil, fmt.Errorf("%s: open %s: %w", d.name, dir, err)
		}
		d.recovery = rep
	}
	db, err := d.open(po)
	if err != nil {
		if errors.Is(err, syscall.ENOSPC) {
			return nil, fmt.Errorf("%s: cannot open %s: %w (%s available): free space on that disk or move the data directory to a larger one, then start again (%w)",
				d.name, dir, ErrDiskFull, formatBytes(d.available()), err)
		}
		return nil, fmt.Errorf("%s: open %s: %w", d.name, dir, err)
	}
	d.DB = db
	if d.recovery != nil {
		d.logger.Warn(d.name+": dropped write-ahead-log data at recovery", "report", d.recovery.String())
	}
	if err := d.Admit(0); errors.Is(err, ErrDiskFull) {
		d.logger.Warn(d.name+": writes are refused until space is freed", "err", err.Error())
	}
	return d, nil
}

// open runs pebble.Open on its own goroutine and gives up on it when Pebble
// meets a fatal error or a full disk, which could keep it from returning.
func (d *DB) open(po *pebble.Options) (*pebble.DB, error) {
	type result struct {
		db  *pebble.DB
		err error
	}
	done := make(chan result, 1)
	go func() {
		var r result
		defer func() {
			if p := recover(); p != nil {
				r.err = fmt.Errorf("pebble panicked: %v", p)
			}
			done <- r
		}()
		r.db, r.err = pebble.Open(d.dir, po)
	}()
	select {
	case r := <-done:
		if r.err == nil {
			r.err = d.fail.opened()
		}
		return r.db, r.err
	case err := <-d.fail.abort:
		return nil, err
	}
}

// available is the space available on the disk holding the database, or 0
// when it cannot be measured.
func (d *DB) available() int64 {
	u, err := d.fs.GetDiskUsage(d.dir)
	if err != nil {
		return 0
	}
	return int64(min(u.AvailBytes, 1<<62))
}

// Recovery returns what Open had to drop from the write-ahead log, or nil.
func (d *DB) Recovery() *WALRecovery { return d.recovery }

// Err returns the fatal error that stopped the database, or nil.
func (d *DB) Err() error { return d.fail.err() }

// Failed returns a channel that is closed when a fatal error stops the
// database: a goroutine waiting for work that may be stuck inside Pebble
// waits for it too.
func (d *DB) Failed() <-chan struct{} { return d.fail.stopped }

// Admit is called before a write that adds about n bytes. It returns the
// fatal error after one, and an error wrapping ErrDiskFull when the write
// would take the disk below the free-space floor.
func (d *DB) Admit(n int) error {
	if err := d.fail.err(); err != nil {
		return err
	}
	if d.floor == nil {
		return nil
	}
	if err := d.floor.admit(n); err != nil {
		return fmt.Errorf("%s: %w", d.name, err)
	}
	return nil
}

// Commit applies b, a batch of this database, durably (pebble.Sync).
func (d *DB) Commit(b *pebble.Batch) (err error) {
	if err := d.fail.err(); err != nil {
		return err
	}
	defer d.recoverWrite(&err)
	return d.DB.Apply(b, pebble.Sync)
}

// Set shadows pebble.DB.Set.
func (d *DB) Set(key, value []byte, o *pebble.WriteOptions) (err error) {
	if err := d.fail.err(); err != nil {
		return err
	}
	defer d.recoverWrite(&err)
	return d.DB.Set(key, value, o)
}

// Delete shadows pebble.DB.Delete.
func (d *DB) Delete(key []byte, o *pebble.WriteOptions) (err error) {
	if err := d.fail.err(); err != nil {
		return err
	}
	defer d.recoverWrite(&err)
	return d.DB.Delete(key, o)
}

// DeleteRange shadows pebble.DB.DeleteRange.
func (d *DB) DeleteRange(start, end []byte, o *pebble.WriteOptions) (err error) {
	if err := d.fail.err(); err != nil {
		return err
	}
	defer d.recoverWrite(&err)
	return d.DB.DeleteRange(start, end, o)
}

// recoverWrite turns a panic out of a Pebble write into a fatal error:
// Pebble panics on write-ahead-log errors while holding the commit
// pipeline's lock, so the database cannot be written again.
func (d *DB) recoverWrite(err *error) {
	if p := recover(); p != nil {
		*err = d.fail.fatal(fmt.Errorf("pebble panicked: %v", p))
	}
}

// Get shadows pebble.DB.Get.
func (d *DB) Get(key []byte) ([]byte, io.Closer, error) {
	if err := d.fail.err(); err != nil {
		return nil, nil, err
	}
	return d.DB.Get(key)
}

// NewIter shadows pebble.DB.NewIter.
func (d *DB) NewIter(o *pebble.IterOptions) (*pebble.Iterator, error) {
	return d.NewIterWithContext(context.Background(), o)
}

// NewIterWithContext shadows pebble.DB.NewIterWithContext.
func (d *DB) NewIterWithContext(ctx context.Context, o *pebble.IterOptions) (*pebble.Iterator, error) {
	if err := d.fail.err(); err != nil {
		return nil, err
	}
	return d.DB.NewIterWithContext(ctx, o)
}

// Close flushes the memtables, when the disk has room for them, so that the
// next Open replays no log, and closes the database. After a fatal error it
// returns that error and leaves the database to the process exit.
func (d *DB) Close() error {
	if err := d.fail.err(); err != nil {
		return err
	}
	if d.dir != "" && d.available() >= d.flushFree {
		// Close waits for the flush; one that fails ends with Close.
		if _, err := d.DB.AsyncFlush(); err != nil {
			d.logger.Warn(d.name+": flush before close", "err", err.Error())
		}
	}
	return d.DB.Close()
}

// failure records the fatal error of a database and reports it.
type failure struct {
	name    string
	logger  *slog.Logger
	onFatal func(error)
	abort   chan error    // Open's way out when pebble.Open cannot return
	stopped chan struct{} // closed by the fatal error

	failed atomic.Pointer[error]

	mu         sync.Mutex
	isOpen     bool
	lastLog    time.Time // of a background error
	suppressed int       // background errors not logged since
}

// err returns the fatal error, or nil.
func (f *failure) err() error {
	if p := f.failed.Load(); p != nil {
		return *p
	}
	return nil
}

// fatal records the first fatal error, logs it and reports it to OnFatal
// (or, during Open, to Open), and returns the recorded error.
func (f *failure) fatal(cause error) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.err(); err != nil {
		return err
	}
	hint := ""
	if errors.Is(cause, syscall.ENOSPC) {
		hint = " (the disk is full: free space, then start again)"
	}
	err := fmt.Errorf("%s: %w%s: %w", f.name, ErrFailed, hint, cause)
	f.failed.Store(&err)
	close(f.stopped)
	f.logger.Error(err.Error())
	if !f.isOpen {
		f.abortOpen(cause)
	} else if f.onFatal != nil {
		go f.onFatal(err)
	}
	return err
}

// opened marks the end of Open and returns the fatal error met during it.
func (f *failure) opened() error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.isOpen = true
	return f.err()
}

func (f *failure) abortOpen(err error) {
	select {
	case f.abort <- err:
	default:
	}
}

// backgroundError logs an error of a flush or compaction, at most once per
// 10 s (Pebble retries a failing flush at once, in a loop). During Open, a
// full disk ends Open: Pebble would retry its flush until space returns.
func (f *failure) backgroundError(err error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if !f.isOpen && errors.Is(err, syscall.ENOSPC) {
		f.abortOpen(err)
	}
	if now := time.Now(); now.Sub(f.lastLog) >= 10*time.Second {
		f.logger.Error(f.name+": background flush or compaction failed; Pebble retries it", "err", err.Error(), "similar errors not logged", f.suppressed)
		f.lastLog, f.suppressed = now, 0
		return
	}
	f.suppressed++
}

// pebbleLogger is Pebble's Logger: informational messages are dropped,
// errors logged, and Fatalf is a fatal error that never returns.
type pebbleLogger struct{ f *failure }

func (pebbleLogger) Infof(string, ...any) {}

func (l pebbleLogger) Errorf(format string, args ...any) {
	l.f.logger.Error(l.f.name + ": pebble: " + fmt.Sprintf(format, args...))
}

// Fatalf records the fatal error and blocks the calling goroutine for good:
// Pebble may hold its mutexes here, and unwinding (a panic) would leave them
// held for every later call.
func (l pebbleLogger) Fatalf(format string, args ...any) {
	err := &fatalError{msg: fmt.Sprintf(format, args...)}
	if !strings.HasPrefix(err.msg, "pebble: ") {
		err.msg = "pebble: " + err.msg
	}
	for _, a := range args {
		if cause, ok := a.(error); ok {
			err.cause = cause
			break
		}
	}
	l.f.fatal(err)
	select {}
}

// fatalError is the message of a Pebble Fatalf and the first error among
// its arguments, so that errors.Is finds, for example, syscall.ENOSPC.
type fatalError struct {
	msg   string
	cause error
}

func (e *fatalError) Error() string { return e.msg }
func (e *fatalError) Unwrap() error { return e.cause }
