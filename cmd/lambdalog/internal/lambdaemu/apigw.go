package lambdaemu

import (
	"cmp"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"reflect"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/aws/aws-lambda-go/events"
)

// apiRoute is one route of the API Gateway front.
type apiRoute struct {
	Route
	function string
	segs     []string
}

// match returns the path parameters when the path, split into segments,
// matches the route template: literal parts of the template are compared
// with segs, parameters take their values from vals (the same segments as
// the API passes them on).
func (r *apiRoute) match(method string, segs, vals []string) (map[string]string, bool) {
	if r.Method != "ANY" && !strings.EqualFold(r.Method, method) {
		return nil, false
	}
	params := map[string]string{}
	for i, s := range r.segs {
		if strings.HasPrefix(s, "{") && strings.HasSuffix(s, "+}") {
			if i >= len(segs) {
				return nil, false
			}
			params[s[1:len(s)-2]] = strings.Join(vals[i:], "/")
			return params, true
		}
		if i >= len(segs) {
			return nil, false
		}
		if strings.HasPrefix(s, "{") && strings.HasSuffix(s, "}") {
			params[s[1:len(s)-1]] = vals[i]
		} else if s != segs[i] {
			return nil, false
		}
	}
	return params, len(segs) == len(r.segs)
}

// specificity orders routes: more literal segments first, greedy last.
func (r *apiRoute) specificity() int {
	n := 0
	for _, s := range r.segs {
		switch {
		case strings.HasSuffix(s, "+}"):
			n -= 1000
		case !strings.HasPrefix(s, "{"):
			n += 10
		default:
			n++
		}
	}
	if r.Method != "ANY" {
		n++
	}
	return n
}

func splitPath(p string) []string {
	p = strings.Trim(p, "/")
	if p == "" {
		return nil
	}
	return strings.Split(p, "/")
}

// gatewayRoutes are the routes of the API Gateway front.
type gatewayRoutes struct {
	routes []*apiRoute
	rest   bool // some route is a REST API's
}

func newGatewayRoutes(fns []Function) *gatewayRoutes {
	g := &gatewayRoutes{}
	for _, fn := range fns {
		for _, r := range fn.Routes {
			g.routes = append(g.routes, &apiRoute{Route: r, function: fn.Name, segs: splitPath(r.Path)})
			g.rest = g.rest || r.Kind == "Api"
		}
	}
	return g
}

// APIGateway returns an API Gateway front for the functions' Api (REST,
// payload format 1.0) and HttpApi (payload format 2.0) routes, like
// `sam local start-api`. It follows the functions as they are added,
// replaced and removed.
//
// Its answers are API Gateway's, and the reasons for its errors are told
// to Options.Messages: a request that matches no route gets API Gateway's
// 403 "Missing Authentication Token" (404 "Not Found" when only HTTP APIs
// exist) and the routes that exist are listed; a function that fails, or
// whose response is not a proxy integration response, gets 502 "Internal
// server error" (500 "Internal Server Error" from an HTTP API) and what was
// wrong is told, with the function's name and the invocation's request id.
func (e *Emulator) APIGateway() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		g := e.gateway.Load()
		p := newGatewayPath(req)
		var best *apiRoute
		var params map[string]string
		for _, r := range g.routes {
			segs, vals := p.restSegs, p.restVals
			if r.Kind != "Api" {
				segs, vals = p.httpSegs, p.httpSegs
			}
			if ps, ok := r.match(req.Method, segs, vals); ok && (best == nil || r.specificity() > best.specificity()) {
				best, params = r, ps
			}
		}
		switch {
		case best == nil && g.rest:
			gatewayError(w, http.StatusForbidden, "Missing Authentication Token")
			e.noRoute(req, g, `403 {"message":"Missing Authentication Token"}`)
		case best == nil:
			gatewayError(w, http.StatusNotFound, "Not Found")
			e.noRoute(req, g, `404 {"message":"Not Found"}`)
		case best.Kind == "Api":
			e.serveREST(w, req, best, p.raw, params)
		case p.httpErr != nil:
			gatewayError(w, http.StatusBadRequest, "Bad Request")
		default:
			for k, v := range params {
				params[k], _ = url.PathUnescape(v) // cannot fail: the whole path decoded
			}
			e.serveHTTPAPI(w, req, best, p.http, params)
		}
	})
}

// gatewayPath is a request's path as each kind of API Gateway API sees it.
//
// A REST API passes the path on exactly as the client sent it, percent
// encoding and dot segments included: in path, requestContext.path and
// the path parameters. An HTTP API decodes the path once and routes on
// that (so %2F separates segments; a decoded "?" ends the path), then
// decodes it again for rawPath, requestContext.http.path and the path
// parameters (so %252F arrives as "/"), and answers 400 when that second
// decoding fails (a literal %25 followed by no hex pair).
type gatewayPath struct {
	raw      string   // as sent
	restSegs []string // raw segments decoded, compared with literal parts
	restVals []string // raw segments
	httpSegs []string // segments decoded once
	http     string   // decoded twice
	httpErr  error    // the second decoding failed
}

func newGatewayPath(req *http.Request) gatewayPath {
	p := gatewayPath{raw: req.URL.EscapedPath()}
	if target, _, _ := strings.Cut(req.RequestURI, "?"); strings.HasPrefix(target, "/") {
		p.raw = target
	}
	p.restVals = splitPath(p.raw)
	p.restSegs = make([]string, len(p.restVals))
	for i, s := range p.restVals {
		if u, err := url.PathUnescape(s); err == nil {
			s = u
		}
		p.restSegs[i] = s
	}
	once, err := url.PathUnescape(p.raw)
	once, _, _ = strings.Cut(once, "?")
	p.httpSegs = splitPath(once)
	p.http, p.httpErr = url.PathUnescape(once)
	p.httpErr = cmp.Or(err, p.httpErr)
	return p
}

func gatewayError(w http.ResponseWriter, status int, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]string{"message": msg})
}

// requestBody reads the body, base64-encoding it when it is not UTF-8.
func requestBody(req *http.Request) (string, bool, error) {
	b, err := io.ReadAll(io.LimitReader(req.Body, 10<<20))
	if err != nil {
		return "", false, err
	}
	if utf8.Valid(b) {
		return string(b), false, nil
	}
	return base64.StdEncoding.EncodeToString(b), true, nil
}

func clientIP(req *http.Request) string {
	host, _, err := net.SplitHostPort(req.RemoteAddr)
	if err != nil {
		return req.RemoteAddr
	}
	return host
}

func (e *Emulator) serveREST(w http.ResponseWriter, req *http.Request, r *apiRoute, path string, params map[string]string) {
	body, b64, err := requestBody(req)
	if err != nil {
		gatewayError(w, http.StatusBadRequest, "Bad Request")
		return
	}
	now := time.Now()
	hdr, mhdr := map[string]string{}, map[string][]string{}
	for k, v := range req.Header {
		hdr[k], mhdr[k] = v[len(v)-1], v
	}
	hdr["X-Forwarded-For"], mhdr["X-Forwarded-For"] = clientIP(req), []string{clientIP(req)}
	hdr["X-Forwarded-Proto"], mhdr["X-Forwarded-Proto"] = "http", []string{"http"}
	q, mq := map[string]string{}, map[string][]string{}
	for k, v := range req.URL.Query() {
		q[k], mq[k] = v[len(v)-1], v
	}
	ev := events.APIGatewayProxyRequest{
		Resource: r.Path, Path: path, HTTPMethod: req.Method,
		Headers: hdr, MultiValueHeaders: mhdr, QueryStringParameters: nilIfEmpty(q), MultiValueQueryStringParameters: nilIfEmpty(mq),
		PathParameters: nilIfEmpty(params), Body: body, IsBase64Encoded: b64,
		RequestContext: events.APIGatewayProxyRequestContext{
			AccountID: e.opts.AccountID, ResourceID: "123456", Stage: "Prod", RequestID: newRequestID(),
			Identity:     events.APIGatewayRequestIdentity{SourceIP: clientIP(req), UserAgent: req.UserAgent()},
			ResourcePath: r.Path, HTTPMethod: req.Method, APIID: "1234567890", Protocol: req.Proto,
			RequestTime: now.UTC().Format("02/Jan/2006:15:04:05 -0700"), RequestTimeEpoch: now.UnixMilli(), Path: path,
		},
	}
	call := e.invokeFromGateway(req, r.function, ev)
	var resp events.APIGatewayProxyResponse
	if call.failed() {
		call.fail(w, http.StatusBadGateway, "Internal server error", call.why)
		return
	}
	if err := json.Unmarshal(call.out.Payload, &resp); err != nil || resp.StatusCode == 0 {
		call.fail(w, http.StatusBadGateway, "Internal server error", malformed(call.out.Payload, err))
		return
	}
	answer, err := responseBody(resp.Body, resp.IsBase64Encoded)
	if err != nil {
		call.fail(w, http.StatusBadGateway, "Internal server error", err.Error())
		return
	}
	writeHeaders(w, resp.Headers, resp.MultiValueHeaders)
	writeBody(w, resp.StatusCode, answer)
}

func (e *Emulator) serveHTTPAPI(w http.ResponseWriter, req *http.Request, r *apiRoute, path string, params map[string]string) {
	body, b64, err := requestBody(req)
	if err != nil {
		gatewayError(w, http.StatusBadRequest, "Bad Request")
		return
	}
	now := time.Now()
	hdr := map[string]string{}
	for k, v := range req.Header {
		if !strings.EqualFold(k, "Cookie") {
			hdr[strings.ToLower(k)] = strings.Join(v, ",")
		}
	}
	hdr["x-forwarded-for"], hdr["x-forwarded-proto"] = clientIP(req), "http"
	var cookies []string
	for _, c := range req.Cookies() {
		cookies = append(cookies, c.String())
	}
	q := map[string]string{}
	for k, v := range req.URL.Query() {
		q[k] = strings.Join(v, ",")
	}
	routeKey := strings.ToUpper(r.Method) + " " + r.Path
	if r.Method == "ANY" {
		routeKey = "ANY " + r.Path
	}
	ev := events.APIGatewayV2HTTPRequest{
		Version: "2.0", RouteKey: routeKey, RawPath: path, RawQueryString: req.URL.RawQuery,
		Cookies: cookies, Headers: hdr, QueryStringParameters: nilIfEmpty(q), PathParameters: nilIfEmpty(params),
		Body: body, IsBase64Encoded: b64,
		RequestContext: events.APIGatewayV2HTTPRequestContext{
			RouteKey: routeKey, AccountID: e.opts.AccountID, Stage: "$default", RequestID: newRequestID(),
			APIID: "1234567890", DomainName: req.Host, DomainPrefix: strings.Split(req.Host, ".")[0],
			Time: now.UTC().Format("02/Jan/2006:15:04:05 -0700"), TimeEpoch: now.UnixMilli(),
			HTTP: events.APIGatewayV2HTTPRequestContextHTTPDescription{
				Method: req.Method, Path: path, Protocol: req.Proto, SourceIP: clientIP(req), UserAgent: req.UserAgent(),
			},
		},
	}
	call := e.invokeFromGateway(req, r.function, ev)
	if call.failed() {
		call.fail(w, http.StatusInternalServerError, "Internal Server Error", call.why)
		return
	}
	out := call.out.Payload
	var resp events.APIGatewayV2HTTPResponse
	var probe map[string]json.RawMessage
	if json.Unmarshal(out, &probe) != nil || probe["statusCode"] == nil {
		// Payload 2.0 infers the response from a non-proxy result.
		w.Header().Set("Content-Type", "application/json")
		writeBody(w, http.StatusOK, out)
		return
	}
	if err := json.Unmarshal(out, &resp); err != nil {
		call.fail(w, http.StatusInternalServerError, "Internal Server Error", malformed(out, err))
		return
	}
	answer, err := responseBody(resp.Body, resp.IsBase64Encoded)
	if err != nil {
		call.fail(w, http.StatusInternalServerError, "Internal Server Error", err.Error())
		return
	}
	writeHeaders(w, resp.Headers, resp.MultiValueHeaders)
	for _, c := range resp.Cookies {
		w.Header().Add("Set-Cookie", c)
	}
	writeBody(w, resp.StatusCode, answer)
}

// gatewayCall is one invocation of a function by the API Gateway front.
type gatewayCall struct {
	e        *Emulator
	req      *http.Request
	function string
	out      *InvokeOutput // nil when the invocation could not be made
	why      string        // why it failed, when it did
}

func (c *gatewayCall) failed() bool { return c.why != "" }

// fail answers the client as API Gateway does (status and message) and
// tells the terminal why.
func (c *gatewayCall) fail(w http.ResponseWriter, status int, msg, why string) {
	gatewayError(w, status, msg)
	id := ""
	if c.out != nil {
		id = " (request id " + c.out.RequestID + ")"
	}
	c.e.note("API Gateway answered %s %s with %d {\"message\":%q}: function %s%s %s",
		c.req.Method, c.req.URL.RequestURI(), status, msg, c.function, id, why)
}

// invokeFromGateway invokes a function with an API Gateway event. The
// call has failed when the invocation could not be made or the function
// returned an error.
func (e *Emulator) invokeFromGateway(req *http.Request, name string, ev any) *gatewayCall {
	c := &gatewayCall{e: e, req: req, function: name}
	payload, err := json.Marshal(ev)
	if err != nil {
		c.why = "could not be sent the event: " + err.Error()
		return c
	}
	c.out, err = e.Invoke(req.Context(), name, InvokeInput{Payload: payload, TraceID: req.Header.Get("X-Amzn-Trace-Id")})
	switch {
	case c.out == nil:
		c.why = "could not be invoked: " + err.Error()
	case c.out.ErrorType != "":
		var doc struct{ ErrorType, ErrorMessage string }
		_ = json.Unmarshal(c.out.Payload, &doc)
		c.why = "failed with " + c.out.ErrorType
		if doc.ErrorMessage != "" {
			c.why += ": " + doc.ErrorMessage
		}
	}
	return c
}

// malformed says why a function's response is not a proxy integration
// response; err is json.Unmarshal's error, nil when the statusCode is
// missing.
func malformed(payload []byte, err error) string {
	const want = `; API Gateway wants {"statusCode": 200, "headers": {...}, "body": "..."}`
	shown := string(payload)
	if len(shown) > 200 {
		shown = shown[:200] + "..."
	}
	var te *json.UnmarshalTypeError
	switch {
	case errors.As(err, &te) && te.Field != "":
		return fmt.Sprintf("returned a response whose %s is a JSON %s, not %s%s", te.Field, te.Value, jsonKind(te.Type), want)
	case err != nil:
		return fmt.Sprintf("returned %s, which is not a JSON object%s", shown, want)
	}
	return fmt.Sprintf("returned a response without a statusCode: %s%s", shown, want)
}

// jsonKind names the JSON value that decodes into t.
func jsonKind(t reflect.Type) string {
	switch t.Kind() {
	case reflect.String:
		return "a string"
	case reflect.Bool:
		return "a boolean"
	case reflect.Map, reflect.Struct:
		return "an object"
	case reflect.Slice, reflect.Array:
		return "an array"
	}
	return "a number"
}

// responseBody returns a proxy response's body, decoded when it is base64.
func responseBody(body string, b64 bool) ([]byte, error) {
	if !b64 {
		return []byte(body), nil
	}
	b, err := base64.StdEncoding.DecodeString(body)
	if err != nil {
		return nil, fmt.Errorf("returned isBase64Encoded true with a body that is not base64 (%v)", err)
	}
	return b, nil
}

// noRoute tells the terminal that a request matched no route, and which
// routes exist.
func (e *Emulator) noRoute(req *http.Request, g *gatewayRoutes, answer string) {
	var b strings.Builder
	fmt.Fprintf(&b, "API Gateway has no route for %s %s, so it answered %s, as API Gateway does. ", req.Method, req.URL.Path, answer)
	if len(g.routes) == 0 {
		b.WriteString("No function has an Api or HttpApi event.")
	} else {
		b.WriteString("The routes are:")
		for _, r := range g.routes {
			fmt.Fprintf(&b, "\nlambdalog:   %s %s %s (function %s)", r.Kind, r.Method, r.Path, r.function)
		}
	}
	e.note("%s", b.String())
}

// writeHeaders copies a proxy response's headers.
func writeHeaders(w http.ResponseWriter, single map[string]string, multi map[string][]string) {
	for k, v := range single {
		w.Header().Set(k, v)
	}
	for k, vs := range multi {
		for _, v := range vs {
			w.Header().Add(k, v)
		}
	}
}

func writeBody(w http.ResponseWriter, status int, b []byte) {
	w.Header().Set("Content-Length", strconv.Itoa(len(b)))
	w.WriteHeader(status)
	_, _ = w.Write(b)
}

// nilIfEmpty makes empty maps null in events, as API Gateway sends them.
func nilIfEmpty[V any](m map[string]V) map[string]V {
	if len(m) == 0 {
		return nil
	}
	return m
}
