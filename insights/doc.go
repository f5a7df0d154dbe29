// Package insights parses CloudWatch Logs Insights queries (the Logs
// Insights query language, queryLanguage CWLI) and evaluates them over a
// stream of log events, as the AWS pages "CloudWatch Logs Insights language
// query syntax" (CWL_QuerySyntax and the pages it links to) describe the
// language. It knows nothing of where events are stored: a server feeds it
// the events of the log groups and time range a query covers.
//
// # Use
//
// Parse compiles a query once. A *Query tells a server what it needs before
// running: Source (the log groups of a SOURCE command), Limit, IsStats,
// Columns, Subqueries and LookupTables, and PreFilter, a test on raw message
// bytes that rejects events that cannot produce a row before anything is
// decoded. Evaluation also skips what the raw bytes show to be useless: a
// parse whose pattern needs a text (a literal part of its glob, a text
// every match of its regex holds) that the raw message lacks leaves the
// event as a pattern that does not match leaves it, without reading the
// source field, and a field that a parse sets is looked for in the JSON of
// an event it did not match only if the raw message holds the field's name
// (either way, for a field read from JSON, a message with a backslash,
// with which an escape could spell the text, is read in full). NewEvaluator
// makes an Evaluator, which takes events one at a time
// with Feed, in any order, and returns with Results the rows produced so far
// (partial results while running, final results at the end) and with
// Statistics the counters of GetQueryResults (recordsMatched, recordsScanned,
// bytesScanned).
//
// Evaluators of one query can run over disjoint sets of events in parallel,
// one per goroutine, and be combined with Merge, which leaves the merged
// evaluator empty and ready to be fed again. Everything an evaluator keeps
// merges exactly: aggregation states, the rows kept for sort and limit (a
// bounded heap), dedup's rows. A server that scans log groups and streams in
// parallel runs one evaluator per scanner, merges them into one from time to
// time to publish partial results, and once more at the end.
//
// Two more properties let such a server read less. NewestFirst says that the
// query's first rows are limited to the newest events: fed newest first, its
// evaluators keep them with little work. KeepsNewest says more: every event
// makes one such row, so events older than the limit-th newest row kept so
// far cannot change the result. Evaluators sharing a Horizon
// (Options.Horizon) record the rows they keep in it, and a server reading
// newest first stops where the events left are older than its Cutoff,
// counting those it did not read with AddUnread.
//
// Rows are returned as AWS returns them: lists of (field, value) with every
// value a string. Timestamps render as 2006-01-02 15:04:05.000 (UTC);
// unaliased columns are named by their expression's text as written
// (count(*), bin(5m)); absent values are left out of a row; rows that are
// log events end with @ptr, made by Options.Pointer from the event's
// EventRef only for the rows returned; aggregated rows have no @ptr. Events
// come newest first unless the query sorts.
//
// # Evaluation
//
// A query compiles to a plan of segments: each is a run of per-row stages
// (filter, fields, parse, unnest, lookup, ...) ended by a barrier that needs
// many rows (stats, limit, dedup, tail, the end of the query, or a command
// over the whole table such as accum). Only the first segment sees events;
// its barrier keeps a bounded, mergeable state; the later segments run over
// that state's rows when Results is called.
//
// An event's fields are read lazily, only those the query uses: system
// fields directly, Lambda fields by parsing the platform line once, and JSON
// fields by reading the message once with internal/jsonscan, descending only
// into the objects that hold a field the query reads. String values alias
// the event's message until a row is kept, when they are copied; once its
// buffers have grown, an Evaluator allocates nothing per event on the paths
// of filters, stats and top-N sorts, except to grow aggregation state (a
// new group, pct's values).
//
// # Commands
//
//   - fields and display project and compute columns (expr as alias). With
//     several fields commands and no display, the columns are all their
//     fields, in order of first appearance; only the last display counts.
//     Without fields, display or stats the columns are @timestamp, @message
//     and then the fields parse (and unnest) create.
//   - filter (and its aliases where, and filterIndex, which has no index to
//     use locally and filters) keeps the rows a condition holds for. After a
//     stats it filters the aggregated rows, like SQL's HAVING. search with a
//     quoted string is filter @message like "string".
//   - stats agg [as name], ... [by expr [as name], ...] [offset period]
//     aggregates; up to 10 stats in a query, each later one reading the
//     columns of the one before (any other field is an error: "Unknown
//     symbols found in or after stats"). Items may be arithmetic over
//     aggregations and may use the items before them.
//   - sort expr [asc|desc], ...; order is an alias.
//   - limit n (1 to 100,000; limit any n is limit n) and head n; tail n keeps
//     the last n rows in order.
//   - parse field "glob with *" as f1, f2, ... and parse field
//     /regex with (?<name>...)/.
//   - dedup f1, f2: the first row in sort order for each combination of
//     values; rows where a field is absent are all kept; only limit may
//     follow.
//   - SOURCE logGroups(namePrefix: [...], accountIdentifiers: [...], class:
//     [...]), SOURCE dataSource([...]) and SOURCE 'name' START=ms END=ms, as
//     the first command: Query.Source reports what it selects.
//   - unnest field into name, and expand field, one row per list element.
//   - unmask does nothing: nothing is masked locally.
//   - lookup table key [as field], ... OUTPUT|OUTPUTNEW col [as field], ...
//     and cidrlookup table ipField [AS cidrColumn] OUTPUT ..., with the
//     tables supplied in Options.LookupTables.
//   - join type=inner|left left=a right=b where a.f = b.f (SOURCE 'group'),
//     filter f in (SOURCE ... | ...), and appendcols [override=bool] [max=n]
//     (subquery): the subqueries (for join, one reading the right side's
//     fields the query uses) are run by the caller, which passes their
//     results in Options.Subresults.
//   - addtotals, accum, autoregress, filldown, fillmissing, sessionize,
//     outlier and countFrequent (exact counts in _approxcount).
//   - pattern, anomaly, diff, relevantfields and logcompare need AWS's
//     machine-learning models: Parse rejects them, naming the command as
//     not supported locally.
//
// # Expressions
//
// Arithmetic + - * / % ^ (^ is power and binds tightest, right to left; a
// result that is not a finite number, as of a division by zero, is absent);
// comparisons = != < > <= >=; and, or, not and !; in [...] and not in;
// like "substring" (case-sensitive), like /regex/, =~ /regex/, not like, !~;
// (?i) in a regex for case-insensitive matching. Strings are quoted with '
// or "; inside them \" \' \\ \n \t \r are escapes and other backslashes are
// kept. Regular expressions are Go's RE2 (no lookaround or backreferences;
// named groups are (?<name>...) or (?P<name>...)). Field names are letters,
// digits, _, . and a leading @; others are written in backticks (`foo-bar`,
// @`aws.tag.stack-name`). # starts a comment outside strings, regexes and
// backticks. Commands, keywords and function names are case-insensitive;
// field names are not. true and false are boolean literals.
//
// Every function on the function pages is supported except the ones of the
// machine-learning commands: numeric (abs, ceil, floor, greatest, least, log,
// round, sqrt, haversine, toNumber, toInt, toLong, toDouble), string
// (isempty, isblank, concat, ltrim, rtrim, trim, strlen, toupper, tolower,
// substr, replace, regexReplace, strcontains, startsWith, endsWith,
// urlencode, urldecode, base64encode, base64decode, split, hexToAscii,
// hexToDec, decToHex), datetime (bin, datefloor, dateceil, fromMillis,
// toMillis, now, parseDate, formatDate and strftime), general (ispresent,
// coalesce, if, case, isNumeric, messageSize, queryStartTime, queryEndTime,
// queryTimeRange), IP (isValidIp, isValidIpV4, isValidIpV6, isIpInSubnet,
// isIpv4InSubnet, isIpv6InSubnet, ipv4ToNumber, isPrivateIP, isPublicIP,
// isReservedIP), JSON (jsonParse, jsonStringify, jsonArraySize,
// jsonArrayContains; maps and lists are read with m.key, m.`dotted.key` and
// l[i]), hashing (md5, sha256); the aggregations count(*), count(),
// count(f), count_distinct and countDistinct, avg, sum, min, max, pct (and
// percentile), stddev, variance, values, topk, earliest, latest, sortsFirst,
// sortsLast, and the time-series functions rate, countOverTime and
// sumOverTime (also spelled count_over_time, sum_over_time) and histogram.
//
// # Fields
//
// Every event has @message, @timestamp, @ingestionTime, @logStream, @log
// (account:group), @ptr, and, when the caller sets them, @aws.account and
// @aws.region. A message that is a JSON object (after white space) is
// flattened: a.b for nested keys, items.0.sku for array elements, at most
// the first 200 leaves in document order; a key starting with @ is named
// with another @ (@@example.com). In log groups whose name starts with
// /aws/lambda/ the first embedded JSON object of a line is flattened too
// (the runtime's timestamp, request id and level precede it). A
// default-format (version 2) VPC flow log record gives accountId, srcAddr,
// dstAddr, ... by position. Lambda's platform lines give @type (START, END,
// REPORT), @requestId, @duration, @billedDuration, @memorySize and
// @maxMemoryUsed (in bytes, megabytes counted as 1,000,000), @initDuration,
// @xrayTraceId and @xraySegmentId, from the text lines and from the JSON
// records of the JSON log format (platform.start, platform.report).
//
// # Decisions where the documentation is silent or ambiguous
//
//   - sort without a direction is ascending. The order is the documented
//     natural sort: values that are not numbers first, compared chunk by
//     chunk (runs of digits by length, then value; other characters by code
//     point), then numbers by value. Numbers are numeric values (JSON
//     numbers, results of arithmetic and aggregations, timestamps) and text
//     made only of digits. Absent values come last in either direction.
//     Events that tie keep the default order, newest first, then by log
//     group, stream and event id descending, except after a sort whose first
//     key is ascending: then oldest first and by event id ascending, so that `sort @timestamp asc` lists the events of one
//     millisecond in the order they were written.
//   - Comparisons are numeric when both sides are numbers or numeric text,
//     textual when neither is; < > <= >= between a number and other text
//     are false; = and != are each other's negation for present values;
//     every comparison with an absent value, a map or a list is false.
//     Timestamps compare as epoch milliseconds and never equal text that is
//     not a number (Insights does not filter on human-readable timestamps).
//   - Booleans, including JSON true and false, render as 1 and 0. JSON null
//     values, and empty objects and arrays, are absent. A message that is not
//     well-formed JSON has no JSON fields, as CloudWatch Logs discovers the
//     fields of JSON messages only: the whole message is checked, also after
//     the last field a query reads (which is why reading a field costs a pass
//     over the message wherever the field is). Of duplicate keys the first
//     counts.
//   - Numbers read from an event render as written (1.50 stays 1.50);
//     computed numbers render without a fraction when whole, otherwise in
//     the shortest form that reads back exactly.
//   - The query's limit command wins over the caller's limit
//     (Options.Limit, StartQuery's limit); without either it is 10,000.
//     Commands over the whole table (accum, addtotals, autoregress,
//     filldown, fillmissing, outlier, sessionize, appendcols) see at most
//     that many rows.
//   - stats rows come in ascending order of their group values (AWS leaves
//     the order unspecified); an absent group value makes a group of its
//     own, which sorts last. A stats over no rows returns no rows.
//   - bin periods are aligned to the epoch in UTC: days at midnight, weeks on
//     Mondays, months on the first, quarters and years from January; counts
//     above a unit's natural maximum are capped as documented (bin(300s) is
//     bin(60s)). offset shifts the bins' values later by the duration.
//     dateceil leaves a time that is already on a boundary unchanged.
//   - pct is the nearest-rank percentile, an actual value of the group,
//     computed exactly for up to 10,000 values per group; beyond, a DDSketch
//     gives it within 0.5% (AWS documents pct as exact in wording only, and
//     count_distinct as approximate at high cardinality). count_distinct is
//     exact up to 4,096 distinct values per group, then a HyperLogLog
//     estimate (about 1.6% error). values lists the distinct values in sort
//     order, the first 1,000 of them. stddev and variance are the population's. min and max compare
//     numbers as numbers, and prefer numbers to text. earliest and latest
//     keep the first value seen among rows with the same @timestamp.
//   - parse with a glob matches anywhere in the text: each * takes the
//     shortest text up to the next literal part, a trailing * the rest.
//     When a pattern does not match, the fields it names keep the values
//     they had (usually absent).
//   - unnest turns a list into one row per element (an empty list into
//     none) and any other value, absent included, into one row.
//   - lookup leaves rows without a match as they are; cidrlookup takes the
//     longest matching prefix, from the table's first column unless AS names
//     the column. A join's right side is read with at most 100,000 rows and
//     50,000 distinct keys.
//   - sessionize numbers sessions from 1 in order of their start;
//     outlier's mark=true adds _outlier (1 or 0); tail n returns the last n
//     rows in the order in effect.
//
// # Errors
//
// Parse returns an *Error for a query it cannot compile, with the location
// of the problem (Start and End, in characters, End inclusive) and a
// message that names the text at fault; a server returns it as
// MalformedQueryException's queryCompileError. Nothing panics, whatever the
// query or the events. Query length (10,000 characters for StartQuery) is
// the caller's to check.
package insights
