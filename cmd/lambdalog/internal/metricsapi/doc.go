// Package metricsapi serves the CloudWatch metrics API (service
// GraniteServiceVersion20100801) over a metricstore.Store: ListMetrics,
// GetMetricStatistics, GetMetricData and PutMetricData.
//
// Three wire protocols are served, the ones the machine's clients pick:
//
//   - Smithy RPC v2 CBOR (aws-sdk-go-v2 service/cloudwatch v1.75, boto3 with
//     botocore 1.43): POST /service/GraniteServiceVersion20100801/operation/<Op>
//     with "smithy-protocol: rpc-v2-cbor" and a CBOR body (gzip-compressed for
//     PutMetricData by aws-sdk-go-v2).
//   - AWS JSON 1.0 (the aws CLI v1 1.45 on botocore 1.43): POST / with
//     "X-Amz-Target: GraniteServiceVersion20100801.<Op>", timestamps as epoch
//     seconds.
//   - awsQuery (the aws CLI v2 2.9 that Debian packages, and every SDK
//     generated before CloudWatch moved to JSON and CBOR): POST / with a
//     form body Action=<Op>&Version=2010-08-01&..., answered in XML
//     (package awsquery). Its numbers, booleans and timestamps (ISO 8601)
//     arrive as text and are parsed as the other protocols' values are
//     checked.
//
// The Router asks Match before it reads the body, and an awsQuery request
// has neither a path nor a header that names CloudWatch: Match takes a form
// POST to / only when its SigV4 credential scope names the service
// "monitoring" (awsquery.IsRequest), which every SDK and CLI signs for. An
// unsigned awsQuery request, or one signed for another service, is left to
// the other APIs and, failing them, to the Router's
// UnknownOperationException.
//
// Errors are {"__type", "message"} documents in the request's encoding with the
// status code of the service model, plus the "x-amzn-query-error: <Code>;Sender"
// header the service's awsQueryCompatible trait calls for, so clients report the
// same codes as AWS (InvalidParameterValue, MissingParameter,
// InvalidParameterCombination, InvalidNextToken, InternalServiceError). awsQuery
// requests get those codes in an ErrorResponse document, plus the protocol's
// own: MissingAction, InvalidAction (an unknown Action, or a Version other
// than 2010-08-01) and MalformedQueryString (404, as AWS documents it).
//
// Local limitations, each an InvalidParameterValue error saying so: GetMetricData
// runs MetricStat queries only (no metric math Expressions) and the statistics
// SampleCount, Average, Sum, Minimum, Maximum and pNN; PutMetricData rejects
// StatisticValues and needs whole-number Counts. ListMetrics ignores
// RecentlyActive and the cross-account options; GetMetricData returns one page.
// Timestamps must fall after 1970.
package metricsapi
