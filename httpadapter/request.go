package httpadapter

import (
	"context"
	"encoding/base64"
	"fmt"
	"net"
	"net/http"
	"net/textproto"
	"net/url"
	"strings"
)

// newRequest builds the server-side *http.Request for an event, the way
// net/http's server would have built it for the same HTTP request.
func (a *Adapter) newRequest(ctx context.Context, e *event) (*http.Request, error) {
	if !validMethod(e.method) {
		return nil, fmt.Errorf("httpadapter: %s event has an invalid HTTP method %q", e.source, e.method)
	}
	var body []byte
	if e.base64 {
		var err error
		if body, err = base64.StdEncoding.DecodeString(e.body); err != nil {
			return nil, fmt.Errorf("httpadapter: decode base64 body of %s event: %w", e.source, err)
		}
	}
	u := &url.URL{RawQuery: e.rawQuery}
	u.Path, u.RawPath = a.requestPath(e)

	header := make(http.Header, len(e.headers)+1)
	values := make([]string, len(e.headers))
	host := ""
	n := 0
	for _, p := range e.headers {
		k, ok := commonHeaders[p.k]
		if !ok {
			k = textproto.CanonicalMIMEHeaderKey(p.k)
		}
		if k == "Host" {
			host = p.v
			continue
		}
		if cur, ok := header[k]; ok {
			header[k] = append(cur, p.v)
			continue
		}
		values[n] = p.v
		header[k] = values[n : n+1 : n+1]
		n++
	}
	if len(e.cookies) > 0 {
		header.Add("Cookie", strings.Join(e.cookies, "; "))
	}
	if host == "" {
		host = e.domainName
	}

	r := &http.Request{
		Method:     e.method,
		URL:        u,
		Proto:      "HTTP/1.1",
		ProtoMajor: 1,
		ProtoMinor: 1,
		Header:     header,
		Host:       host,
		RemoteAddr: remoteAddr(e, header),
		RequestURI: u.RequestURI(),
	}
	switch {
	case e.base64:
		r.Body, r.ContentLength = readCloser{strings.NewReader(string(body))}, int64(len(body))
	case e.body != "":
		r.Body, r.ContentLength = readCloser{strings.NewReader(e.body)}, int64(len(e.body))
	default:
		r.Body = http.NoBody
	}
	return r.WithContext(ctx), nil
}

type readCloser struct{ *strings.Reader }

func (readCloser) Close() error { return nil }

// requestPath returns the URL path (decoded) and, when it differs from the
// default encoding, the raw path as sent. It removes the HTTP API stage
// prefix (named stages only) and the configured base path.
func (a *Adapter) requestPath(e *event) (path, rawPath string) {
	p := e.path
	if e.source == SourceAPIGatewayV2 && e.stage != "" && e.stage != "$default" {
		p = stripPrefix(p, "/"+e.stage)
	}
	if a.basePath != "" {
		p = stripPrefix(p, a.basePath)
	}
	if !strings.HasPrefix(p, "/") {
		p = "/" + p
	}
	if !strings.Contains(p, "%") {
		return p, ""
	}
	dec, err := url.PathUnescape(p)
	if err != nil {
		// Not a valid encoding, so the path arrived decoded: keep it literal.
		return p, ""
	}
	return dec, p
}

// stripPrefix removes prefix from p when it is followed by '/' or the end.
func stripPrefix(p, prefix string) string {
	if rest, ok := strings.CutPrefix(p, prefix); ok && (rest == "" || rest[0] == '/') {
		return rest
	}
	return p
}

// remoteAddr returns "ip:0": the event's source IP, or for ALB and VPC
// Lattice the right-most X-Forwarded-For entry, which the load balancer
// appended. The port is unknown, so it is 0, which keeps net.SplitHostPort
// working.
func remoteAddr(e *event, h http.Header) string {
	ip := e.sourceIP
	if ip == "" {
		if xff := h.Values("X-Forwarded-For"); len(xff) > 0 {
			last := xff[len(xff)-1]
			if i := strings.LastIndexByte(last, ','); i >= 0 {
				last = last[i+1:]
			}
			ip = strings.TrimSpace(last)
		}
	}
	if ip == "" {
		return ""
	}
	return net.JoinHostPort(ip, "0")
}

// validMethod reports whether m is an RFC 9110 token.
func validMethod(m string) bool {
	if m == "" {
		return false
	}
	for i := 0; i < len(m); i++ {
		c := m[i]
		if c <= ' ' || c >= 0x7f || strings.IndexByte(`"(),/:;<=>?@[\]{}`, c) >= 0 {
			return false
		}
	}
	return true
}

// commonHeaders maps the lower-case header names that ALB, HTTP APIs and
// function URLs send to their canonical form, sparing an allocation each.
var commonHeaders = func() map[string]string {
	m := make(map[string]string)
	for _, k := range []string{
		"Accept", "Accept-Encoding", "Accept-Language", "Authorization", "Cache-Control", "Connection",
		"Content-Encoding", "Content-Length", "Content-Type", "Cookie", "Host", "If-Modified-Since",
		"If-None-Match", "Origin", "Referer", "User-Agent", "Via", "X-Amz-Cf-Id", "X-Amzn-Trace-Id",
		"X-Api-Key", "X-Correlation-Id", "X-Forwarded-For", "X-Forwarded-Port", "X-Forwarded-Proto",
		"X-Request-Id", "Access-Control-Request-Method", "Access-Control-Request-Headers",
		"Cloudfront-Forwarded-Proto", "Cloudfront-Viewer-Country", "Sec-Fetch-Mode", "Sec-Fetch-Site",
		"Sec-Fetch-Dest", "Upgrade-Insecure-Requests", "Pragma",
	} {
		m[strings.ToLower(k)] = k
		m[k] = k
	}
	return m
}()
