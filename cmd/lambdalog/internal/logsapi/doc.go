// Package logsapi serves the CloudWatch Logs API (AWS JSON 1.1 protocol)
// over a store.Store, so that the aws CLI, boto3 and the AWS SDKs work
// against lambdalog unchanged.
//
// Requests are POST / with X-Amz-Target: Logs_20140328.<Operation> and a
// JSON body. Errors are {"__type":"<Shape>","message":"..."} with the
// shape also in X-Amzn-ErrorType, 400 for client errors and 500 for
// server errors. A request body that is not valid UTF-8 is refused with a
// SerializationException before it is decoded, as AWS's JSON parser refuses
// it, so names that differ only in invalid bytes never become one name.
// Validation follows the botocore service model's constraints and AWS's
// wording. The region comes from the SigV4 credential scope (us-east-1
// when the request is unsigned); each region has its own data. When
// credentials are configured every request must carry a valid SigV4
// signature.
//
// PutLogEvents and GetLogEvents/FilterLogEvents are the hot paths: their
// request body is decoded and their event lists encoded by hand-written,
// allocation-light code instead of encoding/json.
//
// # Filter patterns and filter definitions
//
// FilterLogEvents, TestMetricFilter, PutMetricFilter and
// PutSubscriptionFilter take filter patterns in the full CloudWatch Logs
// language (package filterpattern). FilterLogEvents matches the raw bytes
// of each event while several streams are scanned in parallel; an event
// that does not match costs no allocation. A pattern that cannot be parsed
// is an InvalidParameterException with the message AWS gives for it; the
// model's limit of 1024 characters and the language's limit of 2 regular
// expressions per pattern are enforced.
//
// Metric filters (PutMetricFilter, DescribeMetricFilters,
// DeleteMetricFilter) and subscription filters (PutSubscriptionFilter,
// DescribeSubscriptionFilters, DeleteSubscriptionFilter) are validated and
// stored with the log group, and deleted with it. Per log group there may be
// 100 metric filters and 2 subscription filters (LimitExceededException,
// "Resource limit exceeded."), and at most 5 filters of each kind may use
// regular expressions. A metric transformation's metricValue is a number or
// a field of the pattern ($.field for JSON patterns, $name for
// space-delimited ones); dimensions (at most 3) must be such fields and
// exclude defaultValue.
//
// Subscription filters are stored, not executed: they deliver nothing to
// their destinationArn (which must be an ARN; it is not checked to exist).
// TestMetricFilter shows what a pattern matches and extracts, exactly as AWS
// reports it.
//
// # Metric filters publish
//
// Metric filters publish to the metric store as CloudWatch Logs does
// (MetricPublisher, called by the server for every batch the log store
// takes in, from PutLogEvents or the local runtime):
//
//   - Only events ingested after the filter was created count; filters do
//     not look back.
//   - An event the pattern matches adds the transformation's metricValue: the
//     number itself, or the number in the field it names ($.selector for a
//     JSON pattern; for a space-delimited one $name, or $N for the Nth field
//     when it is unnamed or covered by ..., as TestMetricFilter's
//     extractedValues name them). A field that is
//     a JSON number, or a string or space-delimited field holding a decimal
//     number, counts; any other value (text, an object, null, a missing
//     field) publishes nothing for that event.
//   - An event it does not match adds defaultValue, when the filter has one
//     (so that with 0, Sum counts the matches and Average is their share).
//   - Each dimension takes its value from the field it names in the matching
//     event: a string's value, a number's token, true or false. A dimension
//     whose field the event lacks (or holds an object, an array, null, or
//     text over 1024 bytes) is left out of that data point, as AWS publishes
//     a dimension only when the event has its value.
//   - The unit is the transformation's unit, None when it has none.
//   - The values of one metric (namespace, name, dimensions) in one minute of
//     event time form one data point at the minute's start, with a storage
//     resolution of 60 seconds, as CloudWatch stores a standard-resolution
//     metric: every statistic, percentiles included, sees each value.
//
// Not emulated: fieldSelectionCriteria and emitSystemFieldDimensions (every
// local event comes from this account and region), applyOnTransformedLogs
// (there are no log transformers), and AWS's disabling of a filter whose
// dimensions produce over 1000 distinct values.
//
// # FilterLogEvents pages
//
// A page holds at most limit events (default and maximum 10,000) and 1 MiB
// (messages plus 26 bytes per event). A call with a filter pattern is also
// bounded in time: it scans the selected streams' time range window by
// window (a window is one merged read of every selected stream), and it
// starts no window that it expects to end more than one second after the
// call began. The first window is sized from the streams' statistics to
// hold 32 MiB of messages; each next one to take a quarter of a second at
// the rate of the one before (at most eight times and at least half as
// wide). A call that stops this way answers with the matches found and a
// nextToken that resumes at the next window, even when the page holds fewer
// events than the limit or none, as AWS's pages may; following nextToken
// (as aws logs filter-log-events and the SDK paginators do) returns every
// matching event once, in order. A call always scans at least one window,
// so paging always progresses. A call without a pattern reads only the
// events it returns.
//
// # Live Tail
//
// StartLiveTail answers, as AWS does, with an event stream (content type
// application/vnd.amazon.eventstream, framed by aws-sdk-go-v2's encoder,
// which its clients decode) over HTTP/1.1 chunked encoding, each message
// flushed as it is written: an
// initial-response event ({}), a sessionStart event echoing the request
// with its requestId and a new sessionId, then a sessionUpdate event every
// second, empty when nothing new matched. The sessions live in a LiveTail,
// which the log store's AfterPut hook feeds (LiveTail.Offer): a session
// sees the events stored after it started, from PutLogEvents or the local
// runtime, in its log groups (1 to 10, by name or by ARN of this account
// and region, not ending with *), in the streams it names
// (logStreamNames) or whose names start with one of its prefixes
// (logStreamNamePrefixes), both only with a single log group and not
// together, and matching its logEventFilterPattern. An event carries its
// stream, the identifier the request named its group by, its message,
// timestamp and ingestion time, in the order the events were stored.
//
// Limits, as AWS sets them: an update carries at most 500 events; when
// more matched during its second, it carries a uniform random sample of
// them and sessionMetadata.sampled is true. An update also carries at most
// 4 MiB of messages and fits in one event stream message (16 MiB), beyond
// which it samples too. For a client that reads slower than updates come,
// the 10 newest updates (and at most 16 MiB of them) wait, the oldest being
// dropped. A session ends after 3 hours (LiveTailOptions.MaxDuration) with a
// SessionTimeoutException in the stream; when the client closes the stream
// or its connection; when a write to the client blocks for a minute; and
// when the server shuts down, with a SessionStreamingException. At most 15
// sessions (LiveTailOptions.MaxSessions) may be open at once per region:
// the next StartLiveTail is a LimitExceededException. An ARN of another
// account is an AccessDeniedException; a group that does not exist, or an
// ARN of another region, a ResourceNotFoundException. Offer copies the
// events a session keeps, never waits for a client, and costs one atomic
// load while no session is open.
//
// The SDKs send StartLiveTail to "stream-" followed by the endpoint's host
// (AWS serves it from stream-logs.REGION.amazonaws.com), also for a
// configured endpoint URL; a client of a local server turns that off
// (botocore and the aws CLI: AWS_DISABLE_HOST_PREFIX_INJECTION=true;
// aws-sdk-go-v2: smithyhttp.DisableEndpointHostPrefix in an APIOption), or
// makes the prefixed name resolve to the server. The server answers
// whatever the Host header.
package logsapi
