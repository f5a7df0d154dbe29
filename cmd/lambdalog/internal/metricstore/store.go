package metricstore

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"sync/atomic"
	"time"

	"github.com/cockroachdb/pebble/v2"

	"github.com/lambdalog/lambdalog/cmd/lambdalog/internal/emf"
	"github.com/lambdalog/lambdalog/cmd/lambdalog/internal/pebbledb"
)

// Errors returned by Store methods. Test with errors.Is.
var (
	// ErrDiskFull: Put or Ingest was refused because the disk holding the
	// store is below the free-space floor (Options.MinFreeBytes), or Open
	// found the disk too full. Writes resume by themselves when space is
	// freed.
	ErrDiskFull = pebbledb.ErrDiskFull
	// ErrFailed: the store stopped after a fatal storage error (reported
	// to Options.OnFatal); every later call fails with it.
	ErrFailed = pebbledb.ErrFailed
)

// WALRecovery reports write-ahead-log data that Open could not replay; see
// Store.Recovery.
type WALRecovery = pebbledb.WALRecovery

// Dimension is a name/value pair that is part of a metric's identity.
type Dimension struct {
	Name, Value string
}

// Series identifies one metric: namespace, name and its dimensions.
type Series struct {
	Namespace  string
	Name       string
	Dimensions []Dimension // sorted by Name
}

// Point is one data point to store: a series, its unit, one or more values
// recorded at the same time, and the storage resolution (1 or 60 seconds).
type Point struct {
	Series
	Unit              string
	Values            []float64
	Timestamp         time.Time
	StorageResolution int
}

// Options configure Open.
type Options struct {
	// InMemory keeps everything in memory (Pebble's vfs.NewMem); Dir is then
	// ignored.
	InMemory bool
	// MinFreeBytes is the free-space floor: Put and Ingest fail with
	// ErrDiskFull while the disk holding the store has less available;
	// reads go on. 0 means pebbledb.DefaultMinFreeBytes (256 MiB); negative
	// disables it.
	MinFreeBytes int64
	// Logger receives storage errors and the recovery report; nil means
	// slog.Default().
	Logger *slog.Logger
	// OnFatal is called once, on its own goroutine, with the first fatal
	// storage error (wrapping ErrFailed). Calls in progress may never
	// return, so it must stop the process, not close the store.
	OnFatal func(error)
}

// Store is a durable metric store. It is safe for concurrent use.
type Store struct {
	db         *pebbledb.DB
	seq        atomic.Uint64
	invalidEMF atomic.Int64
}

// Open opens (creating if needed) the store in dir.
func Open(dir string, opts Options) (*Store, error) {
	if !opts.InMemory && dir == "" {
		return nil, errors.New("metricstore: a directory is required unless InMemory is set")
	}
	db, err := pebbledb.Open(dir, &pebble.Options{}, pebbledb.Options{
		Name: "metricstore", InMemory: opts.InMemory, MinFreeBytes: opts.MinFreeBytes, Logger: opts.Logger, OnFatal: opts.OnFatal,
	})
	if err != nil {
		return nil, err
	}
	s := &Store{db: db}
	s.seq.Store(uint64(time.Now().UnixNano()))
	return s, nil
}

// Recovery returns what Open had to drop from the write-ahead log (already
// logged at WARN), or nil when the replay was complete.
func (s *Store) Recovery() *WALRecovery { return s.db.Recovery() }

// Close flushes (when the disk has room) and closes the store. After a
// fatal error it returns that error.
func (s *Store) Close() error {
	if err := s.db.Close(); err != nil {
		return fmt.Errorf("metricstore: close: %w", err)
	}
	return nil
}

// Put stores points durably (one synced batch). Dimensions are sorted here; a
// point with no values, a duplicate dimension name or an empty namespace or name
// is rejected and nothing is written.
func (s *Store) Put(ctx context.Context, points []Point) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	b := s.db.NewBatch()
	defer b.Close()
	var key, val []byte
	for i := range points {
		p := &points[i]
		if p.Namespace == "" || p.Name == "" || len(p.Values) == 0 {
			return fmt.Errorf("metricstore: point %d: namespace, name and at least one value are required", i)
		}
		if p.Timestamp.UnixMilli() < 0 {
			return fmt.Errorf("metricstore: point %d: timestamp %v is before 1970", i, p.Timestamp)
		}
		dims := slices.Clone(p.Dimensions)
		slices.SortFunc(dims, func(a, b Dimension) int { return strings.Compare(a.Name, b.Name) })
		for k := 1; k < len(dims); k++ {
			if dims[k].Name == dims[k-1].Name {
				return fmt.Errorf("metricstore: point %d: dimension %q appears twice", i, dims[k].Name)
			}
		}
		unit := p.Unit
		if unit == "" {
			unit = "None"
		}
		res := p.StorageResolution
		if res != 1 {
			res = 60
		}
		key = appendSeries(append(key[:0], prefixSeries), Series{p.Namespace, p.Name, dims})
		if err := b.Set(key, nil, nil); err != nil {
			return fmt.Errorf("metricstore: put: %w", err)
		}
		key[0] = prefixData
		key = binary.BigEndian.AppendUint64(key, uint64(p.Timestamp.UnixMilli()))
		key = binary.BigEndian.AppendUint64(key, s.seq.Add(1))
		val = appendPoint(val[:0], unit, res, p.Values)
		if err := b.Set(key, val, nil); err != nil {
			return fmt.Errorf("metricstore: put: %w", err)
		}
	}
	if err := s.db.Admit(b.Len()); err != nil {
		return err
	}
	if err := s.db.Commit(b); err != nil {
		return fmt.Errorf("metricstore: commit: %w", err)
	}
	return nil
}

// Ingest extracts the EMF data points of log event messages received at ingest
// and stores them in one durable commit. It returns the number of points stored.
// Messages that are not EMF store nothing. Invalid EMF documents are counted (see
// InvalidEMF) and skipped, and the first such error (wrapping emf.ErrInvalid) is
// returned after the valid ones are stored: the caller keeps every message as an
// ordinary log event either way.
func (s *Store) Ingest(ctx context.Context, ingest time.Time, messages ...[]byte) (int, error) {
	var points []Point
	var invalid error
	for _, message := range messages {
		dps, err := emf.Extract(message, ingest)
		switch {
		case errors.Is(err, emf.ErrNotEMF):
			continue
		case err != nil:
			s.invalidEMF.Add(1)
			if invalid == nil {
				invalid = err
			}
			continue
		}
		for _, dp := range dps {
			dims := make([]Dimension, len(dp.Dimensions))
			for j, d := range dp.Dimensions {
				dims[j] = Dimension(d)
			}
			points = append(points, Point{
				Series:            Series{dp.Namespace, dp.Name, dims},
				Unit:              dp.Unit,
				Values:            dp.Values,
				Timestamp:         time.UnixMilli(dp.Timestamp),
				StorageResolution: dp.StorageResolution,
			})
		}
	}
	if len(points) > 0 {
		if err := s.Put(ctx, points); err != nil {
			return 0, err
		}
	}
	return len(points), invalid
}

// InvalidEMF returns how many messages Ingest found to be invalid EMF since Open.
func (s *Store) InvalidEMF() int64 { return s.invalidEMF.Load() }
