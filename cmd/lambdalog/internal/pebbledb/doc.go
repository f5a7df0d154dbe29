// Package pebbledb opens the Pebble databases of lambdalog's stores (the log
// store and the metric store) with the failure policy they share: a
// free-space floor, fail-stop on fatal storage errors, and a report of
// write-ahead-log data that a restart could not replay.
//
// # Free-space floor
//
// A write that adds data calls DB.Admit with its size first. Admit refuses it
// with an error wrapping ErrDiskFull when the file system holding the
// database has less than Options.MinFreeBytes available (DefaultMinFreeBytes
// unless set; negative disables the floor). The free space is measured with
// statfs at most once a second; in between, each admitted write is charged
// twice its size (its write-ahead-log record and the table it is later
// flushed to), and a write that the estimate would put below the floor is
// measured again before it is refused, so refusals always rest on a fresh
// measurement and writes resume by themselves as soon as space returns.
// Reads, deletes and retention sweeps do not call Admit: they keep working
// below the floor, and deletes are what frees space. A memtable holding a
// range deletion is flushed after FlushDelayDeleteRange (2 s unless the
// caller sets it), so that Pebble can drop the deleted tables and the space
// is returned to the file system.
//
// The floor exists because Pebble cannot survive a full disk: a failed
// write-ahead-log write is sticky, after which every commit fails and some
// panic while holding the commit pipeline's lock. Refusing writes while
// there is still room keeps the database healthy: what it has accepted can
// still be flushed and compacted.
//
// # Fail-stop
//
// If Pebble reports a fatal error anyway (its Logger.Fatalf, for example a
// write-ahead-log write that failed, or a panic out of a write), the
// database is marked failed: every later call returns an error wrapping
// ErrFailed at once, without entering Pebble, and Options.OnFatal is called
// once, from its own goroutine, with that error. Pebble calls Fatalf while
// it may hold its own mutexes, so Fatalf never returns or unwinds: the
// goroutine that called it blocks for good, and so may calls already inside
// Pebble. OnFatal must therefore stop the process (log and os.Exit) rather
// than wait for calls in progress or close the database. A failed database
// is not closed: Close returns the fatal error and leaves the files to the
// process exit.
//
// # Opening
//
// Open runs pebble.Open on its own goroutine. If it fails, meets a fatal
// error or a full disk (Pebble retries a failing flush forever and would
// never return), Open returns a one-line error; a full disk wraps
// ErrDiskFull and says where and what to do. After such an error the process
// should exit: a goroutine may be left inside Pebble holding the directory's
// lock.
//
// # Format and compression
//
// Open gives a database the format major version FormatMajorVersion
// (Pebble's FormatTableFormatV6, the first whose sstables can use MinLZ)
// unless the caller's options set one, and compresses the blocks of every
// level with MinLZ (Snappy on arm64, where MinLZ has no assembly) unless they
// set another compression. MinLZ decodes about twice as fast as Snappy,
// which is all Pebble's older table formats offer, and compresses JSON logs
// a little better; a scan of the log store spends most of its storage time
// decoding blocks.
//
// Pebble ratchets a database's format forward when it opens it and never
// back. A directory written by an earlier lambdalog (Pebble's oldest
// supported format, Snappy blocks) is upgraded the first time this version
// opens it: Pebble records the new format in the directory's format marker
// and options file; the tables already written stay as they are, readable,
// until compactions rewrite them in the new format with the new
// compression, and every new table is written so. Since every lambdalog
// build uses the same Pebble release, an earlier lambdalog still opens an
// upgraded directory (at the format the directory has); a program built on
// a Pebble release older than v2.1 does not.
//
// # Write-ahead-log recovery
//
// Pebble replays the newest write-ahead log at Open and, as it must after a
// crash, silently stops at the first record it cannot read: the tail of a
// log cut by a crash during a write is normal. Open reads that log the same
// way first and, when the replay would stop before the end of the data
// written to the log, scans the rest of the file for intact chunks of the
// same log and reports what is dropped (Recovery, logged at WARN): how many
// write batches and bytes, and whether anything beyond one cut batch is
// lost, which no crash explains. Logs written at FormatMajorVersion also
// record how far they were synced, from which Pebble can tell damage to
// synced data from a cut tail, and it refuses to replay such a log; Open then
// zeroes the log from the last intact record on before Pebble opens it, so
// that the replay stops there and the database opens with what the report
// says, as it does for a log without sync offsets. Damage to an older log, a
// table or the MANIFEST makes Pebble refuse to open with its own error.
//
// Close flushes the memtables first (when the disk has room), so a cleanly
// closed database needs no log replay and log damage after a clean stop
// loses nothing.
package pebbledb
