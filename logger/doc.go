// Package logger is a structured JSON logger for Go AWS Lambda functions, built on log/slog.
//
// It writes one JSON object per line in the shape Powertools for AWS Lambda uses in Python,
// TypeScript, Java and .NET (keys level, location, message, timestamp, service, cold_start,
// function_name, function_memory_size, function_arn, function_request_id, correlation_id,
// xray_trace_id, ...), so the CloudWatch Logs Insights queries and Lambda's JSON log-level
// filtering people already use keep working.
//
// Use [New] (or [NewHandler] for another writer) for a logger configured from options and the
// Powertools environment variables, and wrap the Lambda handler with [Wrap] (or [WrapAction],
// [WrapNoEvent]) so that every invocation gets a logger carrying its keys, available from
// [FromContext]. That logger is a [Logger]: a *slog.Logger whose calls at a disabled level
// return before reaching log/slog. Several invocations may run at once (AWS_LAMBDA_MAX_CONCURRENCY > 1): all
// per-invocation state lives on the context.Context.
//
// The encoder is hand-written and allocation free for the common attribute kinds; values under
// sensitive keys (Authorization, password, AWS_SESSION_TOKEN, ...) are written as "***"
// wherever the logger serializes attributes, maps, structs or events.
package logger
