// Package metrics records custom CloudWatch metrics from AWS Lambda functions in the
// CloudWatch Embedded Metric Format (EMF).
//
// A function prints one JSON object per flush to standard output (or any io.Writer);
// CloudWatch Logs extracts the metrics from it asynchronously, without an API call.
// The output has the same shape as Powertools for AWS Lambda (Python) emits for the
// same calls, and honours the same environment variables:
//
//   - POWERTOOLS_METRICS_NAMESPACE: the namespace when [WithNamespace] is not given.
//   - POWERTOOLS_SERVICE_NAME: the "service" dimension when [WithService] is not given.
//   - POWERTOOLS_METRICS_DISABLED: "true" turns every flush into a no-op.
//
// A [Metrics] value holds the configuration shared by all invocations and is created
// once, at init. Each invocation records into its own [Recorder], kept on the
// invocation's context.Context, so several invocations may run at once
// (AWS_LAMBDA_MAX_CONCURRENCY). [Handler] and [HandlerNoOutput] wrap an aws-lambda-go
// handler: they put a Recorder on the context, flush it after every invocation (also
// when the handler returns an error or panics) and can emit a ColdStart metric.
//
// Every EMF object the package writes is valid: names, units, values and dimensions
// are checked when they are added (errors wrap [ErrInvalid]), a flush splits the data
// into objects of at most 100 metrics and at most 100 values per metric, timestamps
// are epoch milliseconds, and StorageResolution appears only for high-resolution
// metrics.
package metrics
