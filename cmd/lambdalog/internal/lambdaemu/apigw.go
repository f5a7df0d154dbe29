package lambdaemu

import (
	"cmp"
	"encoding/base64"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/url"
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

// APIGateway returns an API Gateway front for the functions' Api (REST,
// payload format 1.0) and HttpApi (payload format 2.0) routes, like
// `sam local start-api`.
func (e *Emulator) APIGateway() http.Handler {
	var routes []*apiRoute
	rest := false
	for _, fn := range e.Functions() {
		for _, r := range fn.Routes {
			routes = append(routes, &apiRoute{Route: r, function: fn.Name, segs: splitPath(r.Path)})
			rest = rest || r.Kind == "Api"
		}
	}
	return http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		p := newGatewayPath(req)
		var best *apiRoute
		var params map[string]string
		for _, r := range routes {
			segs, vals := p.restSegs, p.restVals
			if r.Kind != "Api" {
				segs, vals = p.httpSegs, p.httpSegs
			}
			if ps, ok := r.match(req.Method, segs, vals); ok && (best == nil || r.specificity() > best.specificity()) {
				best, params = r, ps
			}
		}
		switch {
		case best == nil && rest:
			gatewayError(w, http.StatusForbidden, "Missing Authentication Token")
		case best == nil:
			gatewayError(w, http.StatusNotFound, "Not Found")
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
	out, ok := e.invokeFromGateway(req, r.function, ev)
	var resp events.APIGatewayProxyResponse
	if !ok || json.Unmarshal(out, &resp) != nil || resp.StatusCode == 0 {
		gatewayError(w, http.StatusBadGateway, "Internal server error")
		return
	}
	writeHeaders(w, resp.Headers, resp.MultiValueHeaders)
	writeBody(w, resp.StatusCode, resp.Body, resp.IsBase64Encoded)
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
	out, ok := e.invokeFromGateway(req, r.function, ev)
	if !ok {
		gatewayError(w, http.StatusInternalServerError, "Internal Server Error")
		return
	}
	var resp events.APIGatewayV2HTTPResponse
	var probe map[string]json.RawMessage
	if json.Unmarshal(out, &probe) != nil || probe["statusCode"] == nil {
		// Payload 2.0 infers the response from a non-proxy result.
		w.Header().Set("Content-Type", "application/json")
		writeBody(w, http.StatusOK, string(out), false)
		return
	}
	if json.Unmarshal(out, &resp) != nil {
		gatewayError(w, http.StatusInternalServerError, "Internal Server Error")
		return
	}
	writeHeaders(w, resp.Headers, resp.MultiValueHeaders)
	for _, c := range resp.Cookies {
		w.Header().Add("Set-Cookie", c)
	}
	writeBody(w, resp.StatusCode, resp.Body, resp.IsBase64Encoded)
}

// invokeFromGateway invokes a function with an API Gateway event; ok is
// false when the function failed.
func (e *Emulator) invokeFromGateway(req *http.Request, name string, ev any) ([]byte, bool) {
	payload, err := json.Marshal(ev)
	if err != nil {
		return nil, false
	}
	out, err := e.Invoke(req.Context(), name, InvokeInput{Payload: payload, TraceID: req.Header.Get("X-Amzn-Trace-Id")})
	if out == nil {
		e.opts.Logger.Error("lambdaemu: API Gateway invoke", "function", name, "err", err)
		return nil, false
	}
	return out.Payload, out.ErrorType == ""
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

func writeBody(w http.ResponseWriter, status int, body string, b64 bool) {
	b := []byte(body)
	if b64 {
		d, err := base64.StdEncoding.DecodeString(body)
		if err != nil {
			gatewayError(w, http.StatusBadGateway, "Internal server error")
			return
		}
		b = d
	}
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
