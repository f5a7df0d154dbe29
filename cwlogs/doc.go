// Package cwlogs ships application log records to one shared CloudWatch Logs
// log stream, so that several cooperating Lambda functions can write a single,
// application-wide story that filters per function ({ $.function_name = "a" })
// or per transaction ({ $.correlation_id = "..." }).
//
// A [Client] is an [io.Writer] that accepts one complete log record per Write
// (the shape produced by the logger package's JSON handler). Writes copy the
// record into a pre-allocated arena and return at once; background senders
// cut the arena into PutLogEvents batches that respect every AWS limit:
//
//   - at most 10,000 events per batch;
//   - at most 1,048,576 bytes per batch, counted as the UTF-8 message bytes
//     plus 26 bytes per event;
//   - a batch never spans more than 24 hours;
//   - events inside a batch are sent in chronological order (sorted stably,
//     so records with equal timestamps keep their write order).
//
// A record larger than the 1 MB event limit is truncated, not split: its
// first bytes are kept (cut at a UTF-8 boundary) and the visible marker
// " …[cwlogs: truncated N bytes]" is appended, so the event stays one record
// and the loss is obvious to a reader. Truncations are counted in
// [Stats.Truncated]. Invalid UTF-8 is replaced by U+FFFD before it is
// counted, so batch sizes are exact.
//
// Batches are sent when a batch is full, when the oldest buffered record is
// older than [Options.FlushInterval] (1 s by default), on [Client.Flush] and
// on [Client.Close]. Inside Lambda, records must be flushed at the end of
// every invocation (the execution environment may be frozen after the
// handler returns): [Client.InvocationEnd] is the hook for the logger
// middleware (logger.WithInvocationEnd; [App.LoggerOptions] wires it), and
// [Client.FlushFunc] suits aws-lambda-go's lambda.WithEnableSIGTERM.
//
// Failed requests are retried with jittered exponential backoff on
// throttling, 5xx responses and network errors; the log group and stream are
// created on ResourceNotFoundException. Events that CloudWatch rejects as too
// old, too new or expired are reported through [Options.OnRejected] and
// counted. Memory is bounded by [Options.BufferBytes]; when it is full the
// [Options.FullPolicy] decides whether writers block (up to
// [Options.BlockTimeout]) or the oldest buffered batch is dropped. Every
// outcome is counted in [Stats]; when a request's outcome could not be known
// (the connection broke after the request was sent) and it is retried, its
// events are counted as possible duplicates.
//
// [Config] builds a ready *slog.Logger from code, environment variables or a
// JSON/YAML document, with destinations cloudwatch, stdout or discard.
package cwlogs
