package testserver

import (
	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/lambdalog/lambdalog/internal/sdkhttp"
)

// HTTPClient returns c (the SDK's default client when c is nil) made to send a copy of each
// request body (see package sdkhttp), for the aws-sdk-go-v2 clients of tests and benchmarks:
// with it every call is exactly one request.
func HTTPClient(c aws.HTTPClient) aws.HTTPClient { return sdkhttp.Client(c) }
