// Package metricsapi serves the CloudWatch metrics API (service
// GraniteServiceVersion20100801) over a metricstore.Store: ListMetrics,
// GetMetricStatistics, GetMetricData and PutMetricData.
//
// Two wire protocols are served, the ones the machine's clients pick:
//
//   - Smithy RPC v2 CBOR (aws-sdk-go-v2 service/cloudwatch v1.75, boto3 with
//     botocore 1.43): POST /service/GraniteServiceVersion20100801/operation/<Op>
//     with "smithy-protocol: rpc-v2-cbor" and a CBOR body (gzip-compressed for
//     PutMetricData by aws-sdk-go-v2).
//   - AWS JSON 1.0 (the aws CLI v1 1.45 on botocore 1.43): POST / with
//     "X-Amz-Target: GraniteServiceVersion20100801.<Op>", timestamps as epoch
//     seconds.
//
// Errors are {"__type", "message"} documents in the request's encoding with the
// status code of the service model, plus the "x-amzn-query-error: <Code>;Sender"
// header the service's awsQueryCompatible trait calls for, so clients report the
// same codes as AWS (InvalidParameterValue, MissingParameter,
// InvalidParameterCombination, InvalidNextToken, InternalServiceError).
//
// Local limitations, each an InvalidParameterValue error saying so: GetMetricData
// runs MetricStat queries only (no metric math Expressions) and the statistics
// SampleCount, Average, Sum, Minimum, Maximum and pNN; PutMetricData rejects
// StatisticValues and needs whole-number Counts. ListMetrics ignores
// RecentlyActive and the cross-account options; GetMetricData returns one page.
// The awsQuery protocol (form-encoded Action=..., used by older SDKs) is not
// served.
package metricsapi
