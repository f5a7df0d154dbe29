// Package e2e holds the black-box end-to-end tests of the lambdalog binary.
//
// The tests build ./cmd/lambdalog, start `lambdalog serve` (or `lambdalog
// dev`, with functions) on free loopback ports and drive it with the clients
// users have: the aws CLI v1 and v2, boto3, the AWS X-Ray SDK for Python and
// aws-sdk-go-v2, for CloudWatch Logs (Insights included), CloudWatch metrics,
// X-Ray and STS. They also kill the server with SIGKILL while a writer is
// sending and check that every acknowledged batch survives, and run the
// README's tour as written with both CLIs (TestREADMETour). The package has no
// non-test code besides this comment.
//
// The aws CLI v1 (on PATH as aws), the v2 (Debian's awscli: /usr/bin/aws,
// which `aws logs tail` and the awsQuery protocol need) and python3 with boto3
// and aws-xray-sdk must be installed. When one is missing the tests that need
// it fail if the environment variable CI is "true" and are skipped otherwise.
package e2e
