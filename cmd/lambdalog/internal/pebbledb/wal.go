package pebbledb

import (
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	iofs "io/fs"

	"github.com/cockroachdb/pebble/v2/record"
	"github.com/cockroachdb/pebble/v2/vfs"
	"github.com/cockroachdb/pebble/v2/wal"
)

// WALRecovery reports write-ahead-log data that Open found it could not
// replay: Pebble replays the newest log up to its first unreadable record
// and drops the rest.
type WALRecovery struct {
	File string // the log file
	Size int64  // its size in bytes

	// Replayed batches were replayed: the log's records up to byte
	// ReplayedBytes, where the replay stops.
	Replayed      int
	ReplayedBytes int64

	// DroppedBatches write batches with DroppedBytes bytes of intact log
	// chunks follow in the file and are dropped. A batch whose first chunk
	// is damaged or missing is counted when later chunks of it are intact.
	DroppedBatches int
	DroppedBytes   int64

	// Damaged is false when all that is dropped is the beginning of one
	// batch at the end of the data: a crash during a write leaves that, and
	// such a batch was never acknowledged (or the log was cut at that point,
	// which cannot be told apart). True means a batch that was written in
	// full, or a later one, is lost: the log was damaged (or, after a power
	// loss, writes not yet synced reached the disk out of order).
	Damaged bool
}

// String describes the recovery in one line.
func (r *WALRecovery) String() string {
	s := fmt.Sprintf("write-ahead log %s: replay stopped at byte %d of %d after %d batches; dropped %d batches (%d bytes) that follow",
		r.File, r.ReplayedBytes, r.Size, r.Replayed, r.DroppedBatches, r.DroppedBytes)
	if r.Damaged {
		return s + ": the log is damaged and acknowledged events in them are lost"
	}
	return s + ": the last batch was cut, as a crash during a write leaves it (such a batch was never acknowledged) or as the log was truncated there"
}

// inspectWAL reads the newest write-ahead log in dir as Pebble's replay
// does and returns what the replay will drop, or nil when it drops no
// record of that log. It returns no error for a log that Pebble itself
// refuses: Open reports Pebble's error.
func inspectWAL(fs vfs.FS, dir string) (*WALRecovery, error) {
	logs, err := wal.Scan(wal.Dir{FS: fs, Dirname: dir})
	if errors.Is(err, iofs.ErrNotExist) || len(logs) == 0 {
		return nil, nil // a new database
	}
	if err != nil {
		return nil, err
	}
	ll := logs[len(logs)-1]
	if ll.NumSegments() != 1 {
		return nil, nil // lambdalog does not configure WAL failover
	}
	_, path := ll.SegmentLocation(0)
	rep := &WALRecovery{File: path}
	rr := ll.OpenForRead()
	defer rr.Close()
	var confirmed bool // the log's sync offsets show that the damage is in synced data
	for {
		r, off, err := rr.NextRecord()
		if err == nil {
			_, err = io.Copy(io.Discard, r)
		}
		if errors.Is(err, io.EOF) {
			return nil, nil
		}
		confirmed = errors.Is(err, record.ErrInvalidChunk) || errors.Is(err, record.ErrZeroedChunk)
		if !confirmed && !errors.Is(err, record.ErrUnexpectedEOF) {
			if err != nil {
				return nil, nil // an I/O error Pebble reports
			}
			rep.Replayed++
			continue
		}
		rep.ReplayedBytes = off.Physical
		break
	}
	f, err := fs.Open(path)
	if err != nil {
		return nil, fmt.Errorf("open write-ahead log: %w", err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("stat write-ahead log: %w", err)
	}
	rep.Size = st.Size()
	if err := scanChunks(f, rep, uint32(ll.Num)); err != nil {
		return nil, fmt.Errorf("read write-ahead log: %w", err)
	}
	if rep.DroppedBytes == 0 {
		return nil, nil
	}
	if confirmed {
		if err := zeroTail(fs, path, rep.ReplayedBytes, rep.Size); err != nil {
			return nil, fmt.Errorf("cut damaged write-ahead log: %w", err)
		}
	}
	return rep, nil
}

// zeroTail zeroes the log at path from offset from to its end, size. A log
// written at FormatWALSyncChunks or later records how far it was synced, and
// Pebble refuses to replay one whose synced part is damaged, where it stops
// the replay of an older log at the damage. Zeroing what follows the last
// intact record makes Pebble's replay of such a log stop there too (zeroes
// are the unwritten end of a log), so that the database opens with what the
// report says, as it did before sync offsets.
func zeroTail(fs vfs.FS, path string, from, size int64) error {
	f, err := fs.OpenReadWrite(path, vfs.WriteCategoryUnspecified)
	if err != nil {
		return err
	}
	zeros := make([]byte, walBlockSize)
	for off := from; off < size; off += int64(len(zeros)) {
		n := min(int64(len(zeros)), size-off)
		if _, err := f.WriteAt(zeros[:n], off); err != nil {
			f.Close()
			return err
		}
	}
	return errors.Join(f.Sync(), f.Close())
}

// Pebble's write-ahead-log format (record/record.go): 32 KiB blocks of
// chunks; a chunk header is checksum:4, length:2, type:1, log number:4 and,
// for the WAL-sync types, a synced offset:8; the checksum is Castagnoli
// CRC-32, masked, of the header from the type byte on and the payload. A
// record (one write batch) is a full chunk, or a first chunk, middle chunks
// and a last chunk; chunks never cross a block boundary.
const (
	walBlockSize     = 32 << 10
	recyclableHeader = 11
	walSyncHeader    = 19
)

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// scanChunks counts into rep's Dropped fields the chunks of log logNum from
// rep.ReplayedBytes to the end of the file: the chunk the replay stopped at,
// whose header is this log's though its data is damaged or cut, and every
// intact chunk after it, found by trying each byte offset, since damage
// leaves no way to know where the next chunk starts. Chunks of other logs
// (what a recycled file held before) and zeroed space are not counted.
func scanChunks(f io.ReaderAt, rep *WALRecovery, logNum uint32) error {
	buf := make([]byte, walBlockSize)
	start := rep.ReplayedBytes
	for blk := start / walBlockSize; blk*walBlockSize < rep.Size; blk++ {
		b := buf[:min(walBlockSize, rep.Size-blk*walBlockSize)]
		if _, err := f.ReadAt(b, blk*walBlockSize); err != nil && !errors.Is(err, io.EOF) {
			return err
		}
		i := 0
		if blk == start/walBlockSize {
			i = int(start % walBlockSize)
		}
		for ; i+recyclableHeader <= len(b); i++ {
			end, pos, ok := chunkAt(b, i, logNum)
			if !ok {
				if end == 0 || blk*walBlockSize+int64(i) != start {
					continue
				}
				// The chunk the replay stopped at: this log's header, with
				// its data cut by the end of the file, as by a crash, or
				// damaged.
				if end > len(b) && blk*walBlockSize+int64(len(b)) == rep.Size {
					end = len(b)
				} else {
					rep.Damaged = true
					end = min(end, len(b))
				}
			}
			// pos: 0 full, 1 first, 2 middle, 3 last.
			if pos <= 1 || rep.DroppedBatches == 0 {
				rep.DroppedBatches++
			}
			if ok && (pos == 0 || pos == 3) || rep.DroppedBatches > 1 {
				rep.Damaged = true // a batch written in full, or a second batch
			}
			rep.DroppedBytes += int64(end - i)
			i = end - 1
		}
	}
	return nil
}

// chunkAt parses a chunk header of log logNum at b[i:] and returns where the
// chunk ends, its position in its record and whether it is intact; end is
// 0 when there is no header of that log at i.
func chunkAt(b []byte, i int, logNum uint32) (end int, pos byte, ok bool) {
	typ := b[i+6]
	hdr := recyclableHeader
	switch {
	case typ >= 9 && typ <= 12:
		hdr = walSyncHeader
	case typ < 5 || typ > 12:
		return 0, 0, false
	}
	if i+hdr > len(b) || binary.LittleEndian.Uint32(b[i+7:]) != logNum {
		return 0, 0, false
	}
	end = i + hdr + int(binary.LittleEndian.Uint16(b[i+4:]))
	ok = end <= len(b) && binary.LittleEndian.Uint32(b[i:]) == maskedCRC(b[i+6:end])
	return end, (typ - 5) % 4, ok
}

func maskedCRC(b []byte) uint32 {
	c := crc32.Checksum(b, castagnoli)
	return (c>>15 | c<<17) + 0xa282ead8
}
