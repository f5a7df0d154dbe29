// Package store is lambdalog's embedded log storage: log groups, log
// streams and their events, kept per AWS region in a Pebble database.
//
// # Why Pebble
//
// Log data is append-heavy, ordered by time and read by range scans. Pebble
// (github.com/cockroachdb/pebble/v2) is a pure-Go LSM tree: appends are
// sequential WAL writes plus memtable inserts, range scans over sorted keys
// are its strength, DeleteRange drops a whole expired time range in O(1)
// writes, and concurrent synced batches are group-committed into one WAL
// fsync. That last property is what lets many writers ingest durably at
// high rates. It needs no cgo, so lambdalog stays one static binary.
//
// # Key layout
//
// All integers are big-endian so that byte order equals numeric order.
//
//	m seq                              -> uint64 reserved id ceiling
//	g <region> 0x00 <group name>       -> JSON groupRecord (id, creation, retention, tags, ...)
//	s <group id:8> <stream name>       -> stream id:8, creation time:8
//	t <stream id:8>                    -> stream stats, combined by a Pebble merge operator
//	c <stream id:8> <ts:8> <seq:8>     -> event chunk (below)
//	f <kind> <region> 0x00 <group name> 0x00 <filter name> -> JSON Filter (metric and subscription filters)
//
// The event timestamp is stored with its sign bit flipped so negative
// timestamps sort before positive ones. seq is drawn from one store-wide
// counter, so (timestamp, seq) orders events totally across all streams;
// FilterLogEvents merges streams by it and resumes after it.
//
// # Event chunks
//
// Pebble's costs (memtable insert, flush, compaction, iteration) are mostly
// per key, so events are not stored one per key: each PutEvents call sorts
// its events by timestamp, gives them consecutive seqs and cuts them into
// chunks of at most 256 events, 16 KiB and 1 s of timestamps. A chunk's key
// holds the (ts, seq) of its first event; its value is the ingestion time:8
// with its top bit set, ten bytes that a reader from before flags takes for
// an overflowing uvarint (so that it reports the chunk as corrupt rather
// than misread it), and then, per event, uvarint(ts - first ts),
// uvarint(message length << 1 | flat) and the message; the i-th event's seq
// is the first seq + i. flat is what Options.FlatJSON said of the message
// (insights.FlatJSON: a flat, escape-free JSON object, whose fields a query
// finds without reading it whole). Chunks written before the flag, whose
// ingestion time's top bit is clear, hold uvarint(message length) instead,
// and read as not flat: an existing directory needs no rewrite. Chunks of
// concurrent or late writers may overlap in time, so a reader merges the
// chunks it has open by (ts, seq); since a chunk spans at most 1 s, a read
// starting at time T seeks to T - 1 s, and a backward read opens every
// chunk that starts within 1 s of the next event it would return.
//
// # Storage format
//
// The database is at Pebble's format major version FormatTableFormatV6
// (pebbledb.FormatMajorVersion), its blocks compressed with MinLZ: a query
// scanning events spends most of its storage time decoding blocks, and MinLZ
// decodes about twice as fast as Snappy. Blocks are 128 KiB before
// compression (about eight chunks), so that a scan reads, allocates, caches
// and indexes few of them; the block cache is 64 MiB.
//
// A data directory written by an earlier lambdalog (Pebble's oldest
// supported format, Snappy blocks of 32 KiB) is upgraded in place, one way,
// the first time Open opens it: Pebble ratchets the directory's format
// version, every table already written stays readable as it is until a
// compaction rewrites it in the new format, and new tables are written in
// it. Nothing is converted up front, so the upgrade takes no time; an
// earlier lambdalog, built on the same Pebble release, still opens the
// upgraded directory. The flat flag of event chunks works the same way,
// one way: chunks written before it stay as they are and read as not flat,
// while a lambdalog from before it reports the chunks written since as
// corrupt (an error, never wrong events) and reads the older ones.
//
// # Invariants
//
//   - Group and stream ids come from the same counter as event seqs and are
//     never reused: deleting and re-creating a name yields a new id, so stale
//     events can never reappear.
//   - The counter is persisted as a reserved ceiling (m seq) written with
//     Sync before any id below it is handed out, so ids stay unique across
//     crashes.
//   - Stream stats (first/last event timestamp, last ingestion time, stored
//     bytes, stored events) are merge operands written in the same batch as
//     the events they describe; the merge (min, max, max, sum, sum) is
//     commutative, so concurrent writers to one stream need no lock and a
//     crash never leaves stats disagreeing with events. The event count is
//     unknown (-1, which wins every merge) in stats written before events
//     were counted (32 bytes instead of 40) and once the retention sweep has
//     deleted events of the stream.
//   - Metadata changes (create/delete/update) are serialised by one mutex;
//     event writes and reads take no store lock. A PutEvents racing with the
//     deletion of its stream may leave events under the dead stream id; no
//     read can reach them.
//
// # Durability
//
// Every write is committed with pebble.Sync before the method returns, so
// an acknowledged PutEvents survives kill -9 and power loss. Pebble
// group-commits concurrently synced batches, so N concurrent writers share
// fsyncs.
//
// PutEventsAsync is the one write that returns before its fsync: it queues
// the events, and a committer goroutine writes everything queued with
// PutEvents, the streams of a round concurrently so that they share one
// fsync, then marks the round settled. The durability promise moves from
// the writer to the readers: every read of events or stream statistics
// (Events, MergedEvents, Scan, Stream, ListStreams) first waits until the
// writes queued before it have settled, so what was queued is readable as
// soon as PutEventsAsync returns; and an event read (Events, MergedEvents,
// Scan) waits again once its Pebble iterator is open, until every queued
// write the iterator could see has settled, because Pebble makes a batch
// visible before its fsync completes. So nothing a read has returned can be
// lost by a crash; a crash loses at most writes no reader has seen. Both
// waits cost two atomic loads when nothing is queued, and a read waits for
// at most the round in progress and the next. Settle is the same wait for
// readers of what AfterPut derives from the events (the server's metrics
// API). Close commits the queue.
//
// Close flushes the memtables (when the disk has room), so a store
// closed cleanly needs no write-ahead-log replay at the next Open. After a
// crash, Open reports at WARN, and through Recovery, any write-ahead-log
// data that Pebble's replay drops (package pebbledb).
//
// # Disk space and fatal errors
//
// Writes that add data (PutEvents, CreateGroup, CreateStream, UpdateGroup,
// PutFilter) are refused with ErrDiskFull while the disk holding the store
// has less than Options.MinFreeBytes available; reads, deletes and the
// retention sweep go on, and writes resume by themselves when space is
// freed. A fatal storage error stops the store: it is reported once to
// Options.OnFatal and every later call fails at once with ErrFailed (see
// package pebbledb for what Pebble does and why the process must stop).
//
// # Retention
//
// Reads hide events older than a group's retention period. A background
// sweep (Options.SweepInterval) removes them with DeleteRange per stream,
// up to the chunks that start 1 s before the cutoff (later chunks may hold
// live events). Stream stats are not rewound by the sweep; the first time it
// deletes events of a stream, it marks the stream's event count unknown, in
// the same batch.
//
// # Scans
//
// Scan reads a stream's chunks in place, forward or backward. A backward scan
// with a horizon (the timestamp below which the caller needs no events, as a
// query keeping the newest rows has) stops where every event left is older,
// since a chunk spans at most 1 s; the events it skips are counted from the
// stream's stats when those describe them exactly (event count known, every
// event of the stream in the range, none expired), without reading them.
package store
