package lambdaemu

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
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
	if len(msgs) != 1+3*4 {
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

func TestRouteMatching(t *testing.T) {
	r := &apiRoute{Route: Route{Method: "GET", Path: "/a/{id}/c"}, segs: splitPath("/a/{id}/c")}
	if p, ok := r.match("GET", splitPath("/a/42/c")); !ok || p["id"] != "42" {
		t.Errorf("match %v %v", p, ok)
	}
	for _, path := range []string{"/a/42", "/a/42/c/d", "/b/42/c"} {
		if _, ok := r.match("GET", splitPath(path)); ok {
			t.Errorf("%s matched", path)
		}
	}
	if _, ok := r.match("POST", splitPath("/a/1/c")); ok {
		t.Error("method ignored")
	}
	g := &apiRoute{Route: Route{Method: "ANY", Path: "/{proxy+}"}, segs: splitPath("/{proxy+}")}
	if p, ok := g.match("DELETE", splitPath("/x/y")); !ok || p["proxy"] != "x/y" {
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
		params, ok := r.match("GET", splitPath(path))
		if ok && len(params) > len(r.segs) {
			t.Fatalf("%d params for %d segments", len(params), len(r.segs))
		}
		_ = r.specificity()
	})
}
