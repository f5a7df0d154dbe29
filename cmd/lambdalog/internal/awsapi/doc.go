// Package awsapi serves every emulated AWS API on one address: a Router picks
// the API a request is for and does, once for all of them, what AWS's front
// end does before an operation runs.
//
// # APIs
//
// An API (CloudWatch Logs, CloudWatch metrics, the Lambda Invoke API, ...)
// implements the API interface: Spec names it and gives its SigV4 signing
// name and its body limit; Match recognises its requests from the method, the
// path and the headers, never the body; Serve runs an operation; WriteError
// renders an Error in the API's wire protocol (JSON 1.1 `__type`, restJson
// `X-Amzn-ErrorType`, CBOR, ...). APIs are tried in the order they were
// registered. A request no API matches gets an UnknownOperationException
// (400) that names the service it is for (from its SigV4 credential scope,
// its X-Amz-Target or a Lambda path), says lambdalog does not emulate it and
// lists the APIs it does, in the shape the client reads: XML
// (<ErrorResponse>) for a query-protocol form body, a bare XML <Error> for
// S3, Route 53 and CloudFront, JSON with X-Amzn-ErrorType otherwise.
//
// # What the Router does for every API
//
//   - Request ids: each request gets a fresh id, in the x-amzn-RequestId
//     header and in Request.ID.
//   - Authentication: without Credentials every request is accepted and its
//     region is the credential scope's when the request is signed, else
//     DefaultRegion. With Credentials every request must carry a SigV4
//     Authorization header. Before any of the body is read the header must
//     parse, name the configured access key id, be scoped to the API's signing
//     name, carry an X-Amz-Date within 15 minutes of the server clock and
//     on the scope's day, and sign host, x-amz-date and, where the request
//     has them, x-amz-target and content-type; a request failing any of these
//     is answered at once and its connection closed, so that an unsigned
//     client cannot make the server read, or hold memory for, its body. The
//     signature itself, which covers the body's SHA-256, is checked once the
//     body is read, by re-signing the request with aws-sdk-go-v2's signer.
//   - Bodies: read incrementally up to the API's MaxBody (a larger body is a
//     RequestEntityTooLarge Error), never pre-allocated from Content-Length,
//     into pooled buffers, with a deadline (BodyTimeout) so that a body
//     trickled byte by byte cannot hold a connection. The bytes of all the
//     bodies being read or served at once are bounded (MaxInFlightBytes):
//     bytes are counted as they arrive, not as a client declares them, and
//     a read that finds no room waits up to BodyTimeout, after which the
//     request gets a ThrottlingException.
//   - Panics in an API are recovered and answered with an internal error in
//     the API's protocol; http.ErrAbortHandler is re-raised.
//
// Errors the Router raises itself use the codes declared as constants here;
// an API's WriteError may translate them to the shape its service uses.
package awsapi
