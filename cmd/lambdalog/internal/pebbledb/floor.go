package pebbledb

import (
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/cockroachdb/pebble/v2/vfs"
)

// ErrDiskFull is wrapped by the errors of writes refused because the disk
// holding the database is below the free-space floor, and by Open's error
// when the disk is too full to open the database.
var ErrDiskFull = errors.New("disk full")

// DefaultMinFreeBytes is the free-space floor used when Options.MinFreeBytes
// is 0: 256 MiB. Below the floor Pebble must still be able to flush the
// memtables it has accepted (the log store allows up to four of 32 MiB),
// preallocate its next write-ahead log (a little more than one memtable) and
// compact; twice the memtable budget covers that with room to spare for the
// metric store on the same disk.
const DefaultMinFreeBytes = 256 << 20

// A measurement is trusted for measureEvery and for measureStep bytes of
// admitted writes: a statfs call costs about a microsecond, so measuring
// after every few MiB keeps the floor close to the truth at no cost, while
// Pebble's own background writes (flushes, compactions, the next log's
// preallocation) are seen within a second.
const (
	measureEvery = time.Second
	measureStep  = 4 << 20
)

// floor refuses writes when the file system holding dir has less than min
// bytes available.
type floor struct {
	fs  vfs.FS
	dir string
	min int64

	mu      sync.Mutex   // serialises measurements
	allowed atomic.Int64 // bytes admitted without measuring: min(measureStep, free - min), or 0
	since   atomic.Int64 // bytes admitted since the last measurement
	next    atomic.Int64 // when the measurement expires, in Unix nanoseconds
}

// admit refuses a write of n bytes, with an error wrapping ErrDiskFull, when
// it would leave less than the floor.
func (f *floor) admit(n int) error {
	if f.since.Add(int64(n)) <= f.allowed.Load() && time.Now().UnixNano() < f.next.Load() {
		return nil
	}
	free, err := f.measure()
	if err != nil {
		return nil // the floor is best effort: a write is not refused on a guess
	}
	if free-int64(n) < f.min {
		return fmt.Errorf("%w: %s available on the disk holding %s, below the %s floor; writes resume by themselves once space is freed",
			ErrDiskFull, formatBytes(free), f.dir, formatBytes(f.min))
	}
	f.since.Add(int64(n))
	return nil
}

// measure reads the available space and restarts the allowance from it.
func (f *floor) measure() (int64, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	u, err := f.fs.GetDiskUsage(f.dir)
	if err != nil {
		return 0, err
	}
	free := int64(min(u.AvailBytes, 1<<62))
	f.since.Store(0)
	f.allowed.Store(max(0, min(measureStep, free-f.min)))
	f.next.Store(time.Now().Add(measureEvery).UnixNano())
	return free, nil
}

// formatBytes formats n as MiB with one decimal.
func formatBytes(n int64) string {
	return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
}
