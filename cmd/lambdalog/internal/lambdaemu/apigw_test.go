package lambdaemu

import (
	"bufio"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"reflect"
	"strings"
	"testing"
)

func get(t *testing.T, url string) (int, string) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// rawGet sends GET target as written, so that no client cleans or
// re-encodes the path.
func rawGet(t *testing.T, srv *httptest.Server, target string) (int, string) {
	t.Helper()
	c, err := net.Dial("tcp", srv.Listener.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if _, err := io.WriteString(c, "GET "+target+" HTTP/1.1\r\nHost: api.local\r\nConnection: close\r\n\r\n"); err != nil {
		t.Fatal(err)
	}
	resp, err := http.ReadResponse(bufio.NewReader(c), nil)
	if err != nil {
		t.Fatalf("GET %s: %v", target, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func TestAPIGatewayRESTWithHello(t *testing.T) {
	bin(t, "hello")
	emu, st := newTestEmulator(t, Function{
		Name: "hello", Command: []string{bin(t, "hello")},
		Routes: []Route{{Kind: "Api", Method: "GET", Path: "/hello"}, {Kind: "Api", Method: "GET", Path: "/hello/{name}"}},
	})
	srv := httptest.NewServer(emu.APIGateway())
	defer srv.Close()
	for path, want := range map[string]string{
		"/hello":           `{"message":"hello unknown!"}`,
		"/hello/gopher":    `{"message":"hello gopher!"}`,
		"/hello/a%20b?x=1": `{"message":"hello a b!"}`,
	} {
		if code, body := get(t, srv.URL+path); code != 200 || strings.TrimSpace(body) != want {
			t.Errorf("GET %s = %d %s, want %s", path, code, body, want)
		}
	}
	// REST passes the path as sent: the function's own router sees an
	// encoded slash, not a dot segment to clean up (and redirect).
	if code, body := rawGet(t, srv, "/hello/..%2Fx"); code != 200 || strings.TrimSpace(body) != `{"message":"hello ../x!"}` {
		t.Errorf("GET /hello/..%%2Fx = %d %s", code, body)
	}
	if code, body := get(t, srv.URL+"/nope"); code != 403 || body != `{"message":"Missing Authentication Token"}`+"\n" {
		t.Errorf("unrouted: %d %q", code, body)
	}
	names := streams(t, st, "/aws/lambda/hello")
	if len(names) != 1 {
		t.Fatalf("streams %v", names)
	}
	// INIT_START, then per request START, the logger's JSON line, END,
	// REPORT; EMF metrics lines (with an "_aws" key) are left out here.
	var msgs []string
	for _, m := range messages(t, st, "/aws/lambda/hello", names[0]) {
		if !strings.Contains(m, `{"_aws":`) {
			msgs = append(msgs, m)
		}
	}
	if len(msgs) != 1+4*4 {
		t.Fatalf("events:\n%s", strings.Join(msgs, ""))
	}
	var line struct {
		Message       string `json:"message"`
		CorrelationID string `json:"correlation_id"`
	}
	if err := json.Unmarshal([]byte(msgs[2]), &line); err != nil || line.Message != "greeting" || line.CorrelationID == "" {
		t.Errorf("logger line %q: %v", msgs[2], err)
	}
	checkInvocation(t, msgs[1:5], reStart.FindStringSubmatch(msgs[1])[1], true, msgs[2])
	checkInvocation(t, msgs[5:9], reStart.FindStringSubmatch(msgs[5])[1], false, msgs[6])
}

func TestAPIGatewayHTTPAPI(t *testing.T) {
	fn := behave(t, "v2")
	fn.Routes = []Route{{Kind: "HttpApi", Method: "ANY", Path: "/items/{proxy+}"}, {Kind: "HttpApi", Method: "POST", Path: "/items/special"}}
	emu, _ := newTestEmulator(t, fn)
	srv := httptest.NewServer(emu.APIGateway())
	defer srv.Close()
	code, body := get(t, srv.URL+"/items/a/b?x=1&x=2")
	if code != 200 || !strings.Contains(body, `"request_id"`) {
		t.Fatalf("GET = %d %s", code, body)
	}
	if code, body := get(t, srv.URL+"/other"); code != 404 || body != `{"message":"Not Found"}`+"\n" {
		t.Errorf("unrouted: %d %q", code, body)
	}
	resp, err := http.Post(srv.URL+"/items/special", "application/json", strings.NewReader(`{"fail":"boom"}`))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 500 {
		t.Errorf("function error through HTTP API: %d, want 500", resp.StatusCode)
	}
}

// TestAPIGatewayPassesRawPaths checks the path fields and path parameters
// of the events for encoded and dot-segment paths: as sent for REST APIs,
// decoded for HTTP APIs, as API Gateway does (see gatewayPath).
func TestAPIGatewayPassesRawPaths(t *testing.T) {
	fn := behave(t, "echo")
	fn.Env = map[string]string{"BEHAVE_ECHO": "1"}
	fn.Routes = []Route{
		{Kind: "Api", Method: "ANY", Path: "/rest/{proxy+}"}, {Kind: "Api", Method: "GET", Path: "/one/{id}/x"},
		{Kind: "HttpApi", Method: "ANY", Path: "/http/{proxy+}"}, {Kind: "HttpApi", Method: "GET", Path: "/h/{id}/x"},
	}
	emu, _ := newTestEmulator(t, fn)
	srv := httptest.NewServer(emu.APIGateway())
	defer srv.Close()
	for _, c := range []struct {
		target, path string // path: REST's path or HTTP API's rawPath
		params       map[string]string
	}{
		{"/rest/a/..%2Fb", "/rest/a/..%2Fb", map[string]string{"proxy": "a/..%2Fb"}},
		{"/rest/../etc/passwd", "/rest/../etc/passwd", map[string]string{"proxy": "../etc/passwd"}},
		{"/rest/%2e%2e/x%20y?q=1", "/rest/%2e%2e/x%20y", map[string]string{"proxy": "%2e%2e/x%20y"}},
		{"/one/a%2Fb/x", "/one/a%2Fb/x", map[string]string{"id": "a%2Fb"}},
		{"/one/caf%C3%A9/x", "/one/caf%C3%A9/x", map[string]string{"id": "caf%C3%A9"}},
		{"/http/a/..%2Fb", "/http/a/../b", map[string]string{"proxy": "a/../b"}},
		{"/http/x%20y/caf%C3%A9", "/http/x y/café", map[string]string{"proxy": "x y/café"}},
		{"/h/a%252Fb/x", "/h/a/b/x", map[string]string{"id": "a/b"}},
		{"/http/q%3Fr", "/http/q", map[string]string{"proxy": "q"}},
		{"/http/p%2525", "/http/p%", map[string]string{"proxy": "p%"}},
		{"/http/hash%23x", "/http/hash#x", map[string]string{"proxy": "hash#x"}},
	} {
		code, body := rawGet(t, srv, c.target)
		var ev struct {
			Path           string            `json:"path"`
			RawPath        string            `json:"rawPath"`
			PathParameters map[string]string `json:"pathParameters"`
			RequestContext struct {
				Path string `json:"path"`
				HTTP struct {
					Path string `json:"path"`
				} `json:"http"`
			} `json:"requestContext"`
		}
		if code != 200 || json.Unmarshal([]byte(body), &ev) != nil {
			t.Errorf("GET %s = %d %s", c.target, code, body)
			continue
		}
		got := []string{ev.Path, ev.RequestContext.Path}
		if strings.HasPrefix(c.target, "/h") {
			got = []string{ev.RawPath, ev.RequestContext.HTTP.Path}
		}
		if got[0] != c.path || got[1] != c.path || !reflect.DeepEqual(ev.PathParameters, c.params) {
			t.Errorf("GET %s: paths %q, parameters %v; want %q, %v", c.target, got, ev.PathParameters, c.path, c.params)
		}
	}
	// An HTTP API splits on an encoded slash (so no route matches; with
	// REST routes on the same front the answer is REST's 403), and refuses
	// a path that does not decode twice.
	if code, body := rawGet(t, srv, "/h/a%2Fb/x"); code != 403 || body != `{"message":"Missing Authentication Token"}`+"\n" {
		t.Errorf("GET /h/a%%2Fb/x = %d %s", code, body)
	}
	if code, body := rawGet(t, srv, "/http/p%25zz"); code != 400 || body != `{"message":"Bad Request"}`+"\n" {
		t.Errorf("GET /http/p%%25zz = %d %s", code, body)
	}
}

func TestRouteMatching(t *testing.T) {
	r := &apiRoute{Route: Route{Method: "GET", Path: "/a/{id}/c"}, segs: splitPath("/a/{id}/c")}
	match := func(r *apiRoute, method, path string) (map[string]string, bool) {
		return r.match(method, splitPath(path), splitPath(path))
	}
	if p, ok := match(r, "GET", "/a/42/c"); !ok || p["id"] != "42" {
		t.Errorf("match %v %v", p, ok)
	}
	for _, path := range []string{"/a/42", "/a/42/c/d", "/b/42/c"} {
		if _, ok := match(r, "GET", path); ok {
			t.Errorf("%s matched", path)
		}
	}
	if _, ok := match(r, "POST", "/a/1/c"); ok {
		t.Error("method ignored")
	}
	g := &apiRoute{Route: Route{Method: "ANY", Path: "/{proxy+}"}, segs: splitPath("/{proxy+}")}
	if p, ok := match(g, "DELETE", "/x/y"); !ok || p["proxy"] != "x/y" {
		t.Errorf("greedy %v %v", p, ok)
	}
	if g.specificity() >= r.specificity() {
		t.Error("greedy route must rank below literal ones")
	}
}

func FuzzRouteMatch(f *testing.F) {
	f.Add("/a/{id}/c", "GET", "/a/42/c")
	f.Add("/{proxy+}", "ANY", "/x/y/z")
	f.Fuzz(func(t *testing.T, tmpl, method, path string) {
		r := &apiRoute{Route: Route{Method: method, Path: tmpl}, segs: splitPath(tmpl)}
		params, ok := r.match("GET", splitPath(path), splitPath(path))
		if ok && len(params) > len(r.segs) {
			t.Fatalf("%d params for %d segments", len(params), len(r.segs))
		}
		_ = r.specificity()
	})
}

func FuzzGatewayPath(f *testing.F) {
	for _, s := range []string{"/a/..%2Fb", "/h/a%252Fb/x?q", "/p%25zz", "/%", "//x//", "/q%3Fr#s"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, target string) {
		req := &http.Request{Method: "GET", RequestURI: target, URL: &url.URL{Path: target}}
		p := newGatewayPath(req)
		if len(p.restSegs) != len(p.restVals) {
			t.Fatalf("%d REST segments, %d values", len(p.restSegs), len(p.restVals))
		}
		if strings.HasPrefix(target, "/") && !strings.HasPrefix(target, p.raw) {
			t.Fatalf("raw path %q is not the sent %q", p.raw, target)
		}
		if p.httpErr == nil && strings.Count(p.http, "/") < len(p.httpSegs)-1 {
			t.Fatalf("rawPath %q for segments %q", p.http, p.httpSegs)
		}
	})
}
