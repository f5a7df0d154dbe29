package httpadapter

import (
	"errors"
	"fmt"
	"net/url"
	"strings"
)

// pair is one header or query parameter; multi-value members appear as
// several pairs with the same key, in event order.
type pair struct{ k, v string }

// event is the source-independent form of an HTTP event: what the adapter
// needs to build an *http.Request and to encode the response.
type event struct {
	source     Source
	method     string
	path       string // as sent: may be percent-encoded
	rawQuery   string // encoded query string, without '?'
	headers    []pair
	cookies    []string // v2 and function URL "cookies"
	body       string
	base64     bool
	requestID  string
	stage      string
	sourceIP   string
	domainName string
	multiValue bool // ALB and v1: the request used multiValueHeaders
}

// wireEvent holds every field of every supported event shape, filled by a
// single pass over the payload.
type wireEvent struct {
	version, httpMethod, method, path, rawPath, rawQuery string
	headers, mvHeaders, query, mvQuery                   []pair
	cookies                                              []string
	body                                                 string
	base64                                               bool
	hasMVHeaders, hasMVQuery                             bool
	// requestContext
	requestID, stage, domainName, identitySourceIP string
	httpMethodRC, httpPathRC, httpSourceIP         string
	hasELB, hasHTTP, hasLattice                    bool
}

// parseEvent decodes an HTTP event payload. With src == SourceAuto the
// source is detected from the fields present.
func parseEvent(payload string, src Source) (event, error) {
	var w wireEvent
	d := scanner{s: payload}
	err := d.object(func(key string) error {
		var err error
		switch key {
		case "version":
			w.version, err = d.str()
		case "httpMethod":
			w.httpMethod, err = d.str()
		case "method":
			w.method, err = d.str()
		case "path":
			w.path, err = d.str()
		case "rawPath":
			w.rawPath, err = d.str()
		case "rawQueryString":
			w.rawQuery, err = d.str()
		case "headers":
			err = d.listMap(func(k, v string) { w.headers = appendPair(w.headers, k, v) })
		case "multiValueHeaders":
			w.hasMVHeaders = d.peek() == '{'
			err = d.listMap(func(k, v string) { w.mvHeaders = appendPair(w.mvHeaders, k, v) })
		case "queryStringParameters":
			err = d.listMap(func(k, v string) { w.query = append(w.query, pair{k, v}) })
		case "multiValueQueryStringParameters":
			w.hasMVQuery = d.peek() == '{'
			err = d.listMap(func(k, v string) { w.mvQuery = append(w.mvQuery, pair{k, v}) })
		case "cookies":
			err = d.array(func() error {
				c, err := d.str()
				w.cookies = append(w.cookies, c)
				return err
			})
		case "body":
			w.body, err = d.str()
		case "isBase64Encoded":
			w.base64, err = d.boolean()
		case "requestContext":
			err = w.requestContext(&d)
		default:
			err = d.skip()
		}
		return err
	})
	if err == nil {
		err = d.end()
	}
	if err != nil {
		return event{}, err
	}
	if src == SourceAuto {
		if src = w.detect(); src == SourceAuto {
			return event{}, errors.New("httpadapter: cannot detect the event source: the payload is not an API Gateway, ALB, function URL or VPC Lattice v2 HTTP event")
		}
	}
	return w.normalize(src)
}

func (w *wireEvent) requestContext(d *scanner) error {
	return d.object(func(key string) error {
		var err error
		switch key {
		case "requestId":
			w.requestID, err = d.str()
		case "stage":
			w.stage, err = d.str()
		case "domainName":
			w.domainName, err = d.str()
		case "elb":
			w.hasELB = d.peek() == '{'
			err = d.skip()
		case "serviceNetworkArn", "serviceArn", "targetGroupArn":
			w.hasLattice = true
			err = d.skip()
		case "identity":
			err = d.object(func(key string) error {
				if key == "sourceIp" {
					var err error
					w.identitySourceIP, err = d.str()
					return err
				}
				return d.skip()
			})
		case "http":
			w.hasHTTP = d.peek() == '{'
			err = d.object(func(key string) error {
				var err error
				switch key {
				case "method":
					w.httpMethodRC, err = d.str()
				case "path":
					w.httpPathRC, err = d.str()
				case "sourceIp":
					w.httpSourceIP, err = d.str()
				default:
					err = d.skip()
				}
				return err
			})
		default:
			err = d.skip()
		}
		return err
	})
}

// detect tells the event source from the fields present: ALB events carry
// requestContext.elb; VPC Lattice v2 events a top-level "method"; payload 2.0
// events requestContext.http, function URLs on a lambda-url domain; REST
// (payload 1.0) events a top-level "httpMethod".
func (w *wireEvent) detect() Source {
	switch {
	case w.hasELB:
		return SourceALB
	case w.method != "" && (w.hasLattice || w.version == "2.0"):
		return SourceVPCLattice
	case w.hasHTTP:
		if strings.Contains(w.domainName, ".lambda-url.") {
			return SourceFunctionURL
		}
		return SourceAPIGatewayV2
	case w.httpMethod != "":
		return SourceAPIGatewayV1
	}
	return SourceAuto
}

func (w *wireEvent) normalize(src Source) (event, error) {
	e := event{
		source:     src,
		body:       w.body,
		base64:     w.base64,
		requestID:  w.requestID,
		stage:      w.stage,
		domainName: w.domainName,
	}
	switch src {
	case SourceAPIGatewayV1, SourceALB:
		e.method, e.path, e.sourceIP = w.httpMethod, w.path, w.identitySourceIP
		e.headers, e.multiValue = w.headers, w.hasMVHeaders
		if w.hasMVHeaders {
			e.headers = w.mvHeaders
		}
		q := w.query
		if w.hasMVQuery {
			q = w.mvQuery
		}
		// ALB passes the query string as the client sent it (still
		// percent-encoded); API Gateway decodes it.
		e.rawQuery = encodeQuery(q, src != SourceALB)
	case SourceAPIGatewayV2, SourceFunctionURL:
		e.method, e.path, e.sourceIP = w.httpMethodRC, w.rawPath, w.httpSourceIP
		if e.path == "" {
			e.path = w.httpPathRC
		}
		e.rawQuery, e.headers, e.cookies = w.rawQuery, w.headers, w.cookies
	case SourceVPCLattice:
		e.method, e.path, e.headers = w.method, w.path, w.headers
		e.rawQuery = encodeQuery(w.query, true)
	default:
		return event{}, fmt.Errorf("httpadapter: unknown event source %d", int(src))
	}
	if e.method == "" {
		return event{}, fmt.Errorf("httpadapter: %s event has no HTTP method", src)
	}
	return e, nil
}

// appendPair appends to a header list, starting with room for a typical
// request's headers so the list is allocated once.
func appendPair(list []pair, k, v string) []pair {
	if list == nil {
		list = make([]pair, 0, 24)
	}
	return append(list, pair{k, v})
}

// encodeQuery renders parameters as a query string, escaping them when they
// arrive decoded.
func encodeQuery(q []pair, escape bool) string {
	if len(q) == 0 {
		return ""
	}
	var b strings.Builder
	for i, p := range q {
		if i > 0 {
			b.WriteByte('&')
		}
		if escape {
			b.WriteString(url.QueryEscape(p.k))
			b.WriteByte('=')
			b.WriteString(url.QueryEscape(p.v))
		} else {
			b.WriteString(p.k)
			b.WriteByte('=')
			b.WriteString(p.v)
		}
	}
	return b.String()
}
