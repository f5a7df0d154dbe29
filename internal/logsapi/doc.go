// Package logsapi serves the CloudWatch Logs API (AWS JSON 1.1 protocol)
// over a store.Store, so that the aws CLI, boto3 and the AWS SDKs work
// against lambdalog unchanged.
//
// Requests are POST / with X-Amz-Target: Logs_20140328.<Operation> and a
// JSON body. Errors are {"__type":"<Shape>","message":"..."} with the
// shape also in X-Amzn-ErrorType, 400 for client errors and 500 for
// server errors. Validation follows the botocore service model's
// constraints and AWS's wording. The region comes from the SigV4
// credential scope (us-east-1 when the request is unsigned); each region
// has its own data. When credentials are configured every request must
// carry a valid SigV4 signature.
//
// PutLogEvents and GetLogEvents/FilterLogEvents are the hot paths: their
// request body is decoded and their event lists encoded by hand-written,
// allocation-light code instead of encoding/json.
package logsapi
