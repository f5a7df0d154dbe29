// Package subscriptions delivers the events a log group takes in to the
// Lambda functions its subscription filters name, as CloudWatch Logs does,
// for `lambdalog dev`, whose functions (package lambdaemu) are the only
// destinations it reaches.
//
// # What is delivered
//
// A Deliverer is offered every batch of events the log store commits
// (Offer, the store's AfterPut hook). An event is delivered through each
// subscription filter of its group (logsapi.Subscriptions) that existed when
// the event was ingested (its creation time at or before the ingestion
// time) and whose pattern matches the event's message, with the filter
// patterns of FilterLogEvents (package filterpattern). Events ingested
// before a filter was created are never delivered through it.
//
// A filter delivers when its destinationArn is the ARN of a function dev
// runs, arn:aws:lambda:REGION:ACCOUNT:function:NAME as lambdaemu's
// Emulator.FunctionARN gives it, with or without the :$LATEST qualifier,
// and the log group is in the function's region. Any other destination
// (a Kinesis stream, a Firehose stream, a CloudWatch Logs destination of
// another account, a function dev does not run, another version or alias)
// stays stored only: its events go nowhere, and the first batch that
// cannot go to a filter's destination is logged at WARN.
//
// # Loops
//
// The events of a function's own log group are never delivered to it: a
// filter on the group a function logs into, naming that function, delivers
// nothing (logged at WARN once per filter), since every delivery would add
// the invocation's own START, END and REPORT lines to the group and deliver
// them again, for ever. AWS keeps account-level subscription policies from
// sending a Lambda destination its own log group's events; it only
// recommends against such a filter on a group ("Log recursion
// prevention"), and lambdalog applies the rule to every filter. Longer
// loops (function A's group delivering to B, B's to A) are not detected.
//
// # Batches
//
// Matching events are delivered in batches, one per log stream and filter,
// as AWS does: a batch holds events of one stream matched by one filter, in
// the order they were stored, and is sent one second after its first event
// (batchWindow), or sooner once it holds 10,000 events or 1 MiB of messages
// (each counted as its UTF-8 bytes plus 26, as PutLogEvents counts them).
// Each batch is one asynchronous (Event) invocation of the function with
// the payload
//
//	{"awslogs":{"data":"<base64 of the gzip of the JSON below>"}}
//
//	{"messageType":"DATA_MESSAGE","owner":"<account>","logGroup":"<group>",
//	 "logStream":"<stream>","subscriptionFilters":["<filter name>"],
//	 "logEvents":[{"id":"<eventId>","timestamp":<ms>,"message":"<message>"},...]}
//
// where owner is the function's account and each id is the eventId
// FilterLogEvents gives the same event (logsapi.EventID). A batch whose
// payload would exceed Lambda's 1 MiB limit on asynchronous payloads is
// split in two, and again until it fits; a single event too large for it
// is dropped and logged. The CONTROL_MESSAGE that AWS writes to a new
// Kinesis or Firehose destination to check that it is reachable is not
// sent: AWS documents it for those destinations, not for Lambda, which it
// checks by its invoke permission instead, and a function would only have
// to skip it.
//
// # Retries
//
// A batch whose invocation fails (the function returns an error, crashes
// or times out) is sent again, as Lambda retries an asynchronous
// invocation: three attempts in all (Lambda's default maximumRetryAttempts
// of 2), the second one second after the first fails and the third two
// seconds after the second (Lambda waits about one and two minutes; dev
// shortens the waits so that a fix shows at once). A batch that fails every
// attempt is dropped and logged at WARN, where Lambda would send it to the
// function's on-failure destination. Batches are delivered by up to four
// invocations at a time (senders), in no guaranteed order, as Lambda does
// not order asynchronous invocations either.
//
// # Back-pressure
//
// Offer runs on PutEvents' path, so it never blocks and never matches
// patterns: it copies the events (the store's AfterPut must not keep them)
// into a bounded queue, 64 MiB of messages or 1,024 batches, and returns.
// Matching, batching and invoking happen on the Deliverer's own
// goroutines. When the queue is full, because functions take in events
// more slowly than the groups receive them, the events offered are dropped
// and counted (Stats.Dropped), with one WARN for each run of drops, rather
// than slowing down PutLogEvents and the functions' own logging: CloudWatch
// Logs too lets a throttled subscription fall behind without refusing
// events. Close stops delivery: batches not yet sent are dropped, and
// invocations in progress are waited for.
package subscriptions
