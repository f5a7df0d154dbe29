// Package tracestore is lambdalog's durable store of X-Ray trace segments:
// the segment documents that X-Ray SDKs, the local Lambda runtime, the
// PutTraceSegments API and OTLP spans produce, kept in a Pebble database,
// and read back as assembled traces, trace summaries and service graphs.
//
// # Documents
//
// ParseDocument validates a segment document as X-Ray does (see its rules)
// and extracts what the store keys and indexes it by: the trace id, the
// segment id, start_time, whether it is in progress, and, for a subsegment
// sent on its own ("type": "subsegment"), its parent_id. Documents are
// stored as received.
//
// # Key layout
//
// Integers are big-endian, so that byte order is numeric order; times are
// epoch milliseconds with the sign bit flipped.
//
//	d <trace id:16> <segment id:8>  -> state:1 (0 in progress, 1 complete), then the document
//	t <start ms:8> <trace id:16>              -> empty: the earliest start_time of a batch's documents of the trace
//	u <stored ms:8> <trace id:16>             -> empty: a batch stored documents of the trace then
//	r <trace id:16>                           -> stored ms:8 of the last batch with documents of the trace
//
// A trace id 1-xxxxxxxx-yyyyyyyyyyyyyyyyyyyyyyyy is stored as its 16 bytes
// (the 8 and the 24 hex digits), so one prefix scan of d reads a trace.
// Put writes one synced batch: a Pebble merge operand under each
// document's d key, and for each trace in the batch a t, a u and an r key.
// The merge operator keeps a complete document over an in-progress one
// whatever order they arrive in, and the newer of two of the same state.
// Every key is written blind (no read before the write), so concurrent
// writers need no lock.
//
// # Assembly
//
// Trace reads a trace's documents (one per segment id, after the merge)
// and assembles them: each subsegment sent on its own is joined to
// the segment or subsegment its parent_id names, among the subsegments in
// the order of their start; a subsegment whose parent is the
// AWS::Lambda::Function segment joins that segment's Invocation subsegment,
// as X-Ray shows it (Lambda gives a function its segment's id as the
// parent). A subsegment whose parent is not in the trace (yet), or whose
// parents form a cycle, stays on its own (an orphan, listed among the
// segments; the trace is then partial). X-Ray's inferred segments are added
// for the subsegments of calls (namespace aws or remote) that no segment
// of the trace continues: the same times, errors, http and aws objects,
// "inferred": true, the subsegment as parent, and for AWS services the
// origin X-Ray gives them (DynamoDB -> AWS::DynamoDB::Table, ...).
//
// # Listing
//
// Query returns the traces of a time range, newest first, page by page,
// filtered by a predicate: ByStart ranges over the t index (the trace's
// earliest start_time, X-Ray's TimeRangeType TraceId) and ByUpdate over the
// u index (when the trace was last stored, X-Ray's TimeRangeType Event).
// A trace has many index entries, one per batch; it is returned at exactly
// one: the t entry of its earliest document start, or the u entry the r key
// names. So each trace is returned once over all the pages, and a trace
// started before the range whose later documents fall in it is not. A page
// ends after Limit traces or after Budget time spent examining them; its
// Next cursor is the last index key examined.
//
// # Summaries and graphs
//
// Trace.Summary computes a GetTraceSummaries entry (see Summary for the
// fields' rules). A GraphBuilder accumulates traces into a service graph:
// a node per service (segment name and origin), with an edge for each
// call: from the segment holding the parent_id of a segment to it, and from
// a client node to each segment whose parent is not in the trace.
// ServiceGraph builds the graph of a time range's newest MaxGraphTraces
// traces.
//
// # Retention
//
// A trace is kept for Options.Retention (30 days, as X-Ray) after its last
// document was stored. A background sweep (Options.SweepInterval) walks the
// u entries older than that, deletes the documents and the r key of each
// trace whose r key is older too, then the expired u entries with one
// DeleteRange, and the t entries older than the cutoff of the traces it
// deleted (a trace that started before the cutoff and was updated since
// keeps its entry). Index entries of deleted traces that remain (a start
// time in the future) are skipped by reads.
//
// # Disk space and fatal errors
//
// As the other stores (package pebbledb): Put is refused with ErrDiskFull
// below the free-space floor, reads and the sweep go on, and a fatal
// storage error stops the store (Options.OnFatal; later calls fail with
// ErrFailed).
package tracestore
