// Package sdkhttp is the HTTP client lambdalog gives aws-sdk-go-v2 when it
// talks to a lambdalog server or to AWS: the SDK's default client, made to
// send a copy of each request body.
//
// aws-sdk-go-v2 (smithy-go) closes the request body as soon as Do returns,
// while net/http's write loop may still be reading it; the write loop then
// fails and closes the connection under the response body being read
// ("deserialization failed ... use of closed network connection",
// aws/aws-sdk-go-v2#2737). On loopback it happens to a few requests in ten
// thousand, against any server. The SDK's default retryer hides it by
// sending the request again, which would store a PutLogEvents batch twice
// and which a client configured for one attempt does not do; with a copy of
// the body it cannot happen, so every call is exactly one request.
package sdkhttp

import (
	"bytes"
	"fmt"
	"io"
	"net/http"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
)

// Client returns c (the SDK's default client when c is nil) made to send a
// copy of each request body.
func Client(c aws.HTTPClient) aws.HTTPClient {
	if c == nil {
		c = awshttp.NewBuildableClient()
	}
	return ownBodyClient{c}
}

type ownBodyClient struct{ c aws.HTTPClient }

func (o ownBodyClient) Do(req *http.Request) (*http.Response, error) {
	if req.Body == nil || req.Body == http.NoBody {
		return o.c.Do(req)
	}
	body, err := io.ReadAll(req.Body)
	if err != nil {
		return nil, fmt.Errorf("read request body: %w", err)
	}
	req = req.Clone(req.Context())
	req.Body = io.NopCloser(bytes.NewReader(body))
	req.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(body)), nil }
	return o.c.Do(req)
}
