// Package e2e holds the black-box end-to-end tests of the lambdalog binary.
//
// The tests build ./cmd/lambdalog, start `lambdalog serve` on a free loopback
// port and drive it with the clients users have: the aws CLI, boto3 (through
// testdata/boto3_e2e.py) and aws-sdk-go-v2. They also kill the server with
// SIGKILL while a writer is sending and check that every acknowledged batch
// survives. The package has no non-test code besides this comment.
//
// The aws CLI (v1 for the API commands, v2 for `aws logs tail`) and python3
// with boto3 must be installed. When one is missing the tests that need it
// fail if the environment variable CI is "true" and are skipped otherwise.
package e2e
