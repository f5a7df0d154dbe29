// Package httpadapter serves ordinary net/http handlers — an
// http.ServeMux with patterns such as "GET /hello/{name}", chi, or any
// http.Handler — behind AWS Lambda HTTP events, so the same handler runs in
// Lambda, in tests and behind net/http's server.
//
//	mux := http.NewServeMux()
//	mux.HandleFunc("GET /hello/{name}", hello)
//	lambda.Start(httpadapter.New(httpadapter.JSONErrors(mux)))
//
// # Event sources
//
// One Adapter answers API Gateway REST APIs (payload format 1.0, also used by
// HTTP APIs configured for 1.0), HTTP APIs (payload 2.0), Application Load
// Balancers (with or without multi-value headers), Lambda function URLs and
// VPC Lattice (event structure V2). The source is detected from each event
// (see Source) or fixed with WithSource. Adapter.Invoke implements
// aws-lambda-go's lambda.Handler and decodes the raw event bytes once, with a
// purpose-built decoder; the per-source Serve methods accept aws-lambda-go's
// typed events for callers that already hold one.
//
// # Requests
//
// The handler gets the *http.Request net/http's server would have built:
// Method; URL.Path decoded and URL.RawPath kept when the path was sent
// percent-encoded (so ServeMux patterns and r.PathValue work); URL.RawQuery
// from the multi-value (or single-value) query parameters, escaped for API
// Gateway and VPC Lattice, which deliver them decoded, and passed verbatim for
// ALB, which delivers them as the client sent them; rawQueryString for
// payload 2.0; Header with every value of multi-value headers; the payload 2.0
// cookies joined into one Cookie header; Host from the Host header or the
// domain name; the body, base64-decoded when isBase64Encoded, with
// ContentLength; RemoteAddr "ip:0" from the source IP (ALB and VPC Lattice:
// the right-most X-Forwarded-For entry). HTTP API named stages ("/prod/...")
// are removed from the path as API Gateway routes do; WithBasePath removes a
// custom domain's base path mapping.
//
// r.Context() is derived from the invocation's context (lambdacontext,
// deadline) and carries the original event: APIGatewayV1Event,
// APIGatewayV2Event, ALBEvent, FunctionURLEvent and VPCLatticeEvent return it
// typed, authorizer claims included. It is decoded on first use only.
//
// # Responses
//
// The response is buffered (Flush is a no-op; Lambda's buffered invoke mode
// cannot stream) and encoded for the source: REST and ALB-with-multi-value
// responses use multiValueHeaders; payload 2.0 and function URL responses use
// headers (repeated values joined with ", ") and move Set-Cookie into
// cookies; ALB and VPC Lattice responses carry statusDescription. Single-value
// ALB and VPC Lattice responses join repeated values with ", " too, except
// Set-Cookie, of which only the last is kept (ALB's rule for duplicate
// headers): enable multi-value headers on the target group to set several
// cookies. A body whose
// Content-Type is textual (text/*, JSON, XML, JavaScript, form data, YAML)
// and valid UTF-8 is sent as a string; any other body, or one with a
// Content-Encoding, is base64-encoded. An unset Content-Type is sniffed as
// net/http does, and HEAD responses carry no body. A response whose JSON
// would exceed MaxResponseBytes (Lambda's 6 MB limit) makes Invoke fail with
// an error saying so, and the error is logged.
//
// A panicking handler gets a 500 response {"message":"Internal Server
// Error"} and the panic is logged with its stack (see Recover). The request id
// (API Gateway and function URLs) or X-Amzn-Trace-Id (ALB, VPC Lattice) is set
// as the logger's correlation id.
//
// # Middleware
//
// CORS, Gzip, Recover and JSONErrors are plain func(http.Handler)
// http.Handler middleware, so they behave the same under net/http's server.
//
// # Compared with aws-lambda-go-api-proxy
//
// The bench module runs the same events through awslabs/aws-lambda-go-api-proxy
// (v0.16.2) and this package side by side. They agree on method, path,
// single-value query strings, headers and bodies. They differ where this
// package follows AWS and net/http instead:
//   - ALB query parameters arrive percent-encoded; api-proxy escapes them
//     again ("a%20b" reaches the handler as "a%2520b"); here they pass as sent.
//   - api-proxy builds query strings by iterating Go maps, so parameter order
//     is random; here it follows the event.
//   - api-proxy leaves the HTTP API stage in the path ("/prod/hello"); here
//     it is removed, so routes match on every stage.
//   - api-proxy sets RemoteAddr to a bare IP (breaking net.SplitHostPort) and
//     none for ALB; here it is "ip:0" and ALB uses X-Forwarded-For.
//   - api-proxy adds one Cookie header per payload 2.0 cookie; here they are
//     joined into one, as browsers send them.
//   - api-proxy splits every payload 2.0 header value at commas (except a
//     fixed list of headers), breaking values such as If-None-Match: "x,y";
//     here the value is kept whole, as net/http presents one header line.
//   - api-proxy fails the invocation when a handler writes nothing; here the
//     response is 200 with an empty body, as under net/http.
//   - api-proxy keeps the Host header in r.Header and leaves r.Host as the
//     domain name; here r.Host is the Host header, as net/http does.
//   - api-proxy decides binary bodies by UTF-8 validity only; here the
//     Content-Type and Content-Encoding decide too, so gzip output is base64.
//   - api-proxy has no function URL or VPC Lattice support, no panic
//     recovery and no response size check.
package httpadapter
