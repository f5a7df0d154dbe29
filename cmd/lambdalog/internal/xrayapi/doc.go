// Package xrayapi serves the X-Ray API and X-Ray's OTLP/HTTP traces
// endpoint over a trace store (package tracestore), as awsapi.APIs.
//
// # The X-Ray API
//
// API speaks restJson as the botocore model defines X-Ray (signing name
// xray): every operation is POST /<path> with a JSON body; timestamps are
// epoch seconds; errors carry their shape in X-Amzn-ErrorType and
// {"__type","message"} in the body: InvalidRequestException (400) for
// invalid input, ThrottledException (429) when the server holds too many
// request bodies, ServiceUnavailableException (503) when the disk is full.
// A request signed for xray at a path lambdalog does not emulate gets an
// UnknownOperationException naming it.
//
//   - PutTraceSegments (/TraceSegments): each document is validated
//     (tracestore.ParseDocument); the valid ones are stored in one synced
//     batch, the others listed in UnprocessedTraceSegments with the
//     DocumentError's code and message. At most 5000 documents a request.
//   - PutTelemetryRecords (/TelemetryRecords): validated and accepted; the
//     daemon health counters are not kept.
//   - GetTraceSummaries (/TraceSummaries): the traces of [StartTime,
//     EndTime], newest first, 100 a page with NextToken; TimeRangeType
//     TraceId (default) ranges over the traces' start, Event and Service
//     over when they were last stored; FilterExpression in X-Ray's language
//     (package xrayfilter: an expression it does not support answers
//     InvalidRequestException naming the keyword); Sampling and
//     SamplingStrategy are accepted and every matching trace is returned.
//     TracesProcessedCount counts the traces examined for the page.
//   - BatchGetTraces (/Traces): up to 100 ids; each trace with its segment
//     documents as tracestore assembles them (subsegments sent apart joined
//     in, inferred segments added); ids not stored or malformed are listed
//     in UnprocessedTraceIds. No pagination.
//   - GetServiceGraph (/ServiceGraph): the graph of the newest
//     tracestore.MaxGraphTraces traces started in the range; only the
//     Default group exists. GetTraceGraph (/TraceGraph): the graph of the
//     given traces.
//   - GetSamplingRules (/GetSamplingRules) and GetSamplingTargets
//     (/SamplingTargets): X-Ray's Default rule (reservoir 1 a second,
//     fixed rate 5%), the only rule; statistics for another rule come back
//     in UnprocessedStatistics.
//
// # OTLP
//
// OTLP serves POST /v1/traces as X-Ray's OTLP endpoint does: an
// ExportTraceServiceRequest in protobuf (application/x-protobuf) or OTLP/JSON
// (application/json, ids in hex), optionally gzip-encoded, at most 5 MB
// uncompressed and 10,000 spans. Each span becomes a segment document (see
// otlpSpan.document for the mapping; a W3C trace id becomes
// 1-<first 8 hex>-<last 24>): span attributes listed in
// aws.xray.annotations become annotations, the unmapped ones metadata in the
// default namespace. Spans that do not make a valid document are counted in
// the response's partial_success; errors are google.rpc.Status messages.
// It is registered on the same Router as the X-Ray API, with the same
// signing name, as on AWS.
package xrayapi
