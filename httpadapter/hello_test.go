package httpadapter

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// helloMux is the examples/hello handler: the exact shape the example
// binary serves.
func helloMux() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /hello", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, map[string]string{"message": "hello unknown!"})
	})
	mux.HandleFunc("GET /hello/{name}", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, map[string]string{"message": "hello " + r.PathValue("name") + "!"})
	})
	return JSONErrors(mux)
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(v)
}

func TestHelloOnEverySource(t *testing.T) {
	a := New(helloMux())
	events := map[string]func(method, path string) string{
		"REST v1": func(m, p string) string {
			return `{"httpMethod":"` + m + `","path":"` + p + `","resource":"/{proxy+}","requestContext":{"stage":"prod","requestId":"r"}}`
		},
		"HTTP API v2": func(m, p string) string {
			return `{"version":"2.0","routeKey":"$default","rawPath":"` + p + `","requestContext":{"stage":"$default","http":{"method":"` + m + `","path":"` + p + `"}}}`
		},
		"HTTP API v2 named stage": func(m, p string) string {
			return `{"version":"2.0","routeKey":"ANY /{proxy+}","rawPath":"/dev` + p + `","requestContext":{"stage":"dev","http":{"method":"` + m + `"}}}`
		},
		"ALB": func(m, p string) string {
			return `{"httpMethod":"` + m + `","path":"` + p + `","headers":{"host":"alb"},"requestContext":{"elb":{"targetGroupArn":"arn"}}}`
		},
		"ALB multi-value": func(m, p string) string {
			return `{"httpMethod":"` + m + `","path":"` + p + `","multiValueHeaders":{"host":["alb"]},"requestContext":{"elb":{"targetGroupArn":"arn"}}}`
		},
	}
	cases := []struct {
		method, path string
		status       int
		body         string
	}{
		{"GET", "/hello", 200, `{"message":"hello unknown!"}`},
		{"GET", "/hello/gopher", 200, `{"message":"hello gopher!"}`},
		{"GET", "/hello/J%C3%BCrgen", 200, `{"message":"hello Jürgen!"}`},
		{"GET", "/nope", 404, `{"message":"Not Found"}`},
		{"GET", "/hello/a/b", 404, `{"message":"Not Found"}`},
		{"POST", "/hello", 405, `{"message":"Method Not Allowed"}`},
	}
	for src, mk := range events {
		for _, c := range cases {
			out, err := a.Invoke(context.Background(), []byte(mk(c.method, c.path)))
			if err != nil {
				t.Fatalf("%s %s %s: %v", src, c.method, c.path, err)
			}
			var resp struct {
				StatusCode        int
				Body              string
				Headers           map[string]string
				MultiValueHeaders map[string][]string
			}
			if err := json.Unmarshal(out, &resp); err != nil {
				t.Fatal(err)
			}
			ct := resp.Headers["Content-Type"]
			if ct == "" && len(resp.MultiValueHeaders["Content-Type"]) > 0 {
				ct = resp.MultiValueHeaders["Content-Type"][0]
			}
			if resp.StatusCode != c.status || strings.TrimSpace(resp.Body) != c.body || ct != "application/json" {
				t.Errorf("%s %s %s = %d %q (%s), want %d %q", src, c.method, c.path, resp.StatusCode, resp.Body, ct, c.status, c.body)
			}
		}
	}
}

// TestSameAsNetHTTPServer serves the hello handler over a real socket with
// net/http's server and through the adapter, and checks that clients see
// the same status, content type, Allow header and body.
func TestSameAsNetHTTPServer(t *testing.T) {
	srv := httptest.NewServer(helloMux())
	defer srv.Close()
	a := New(helloMux())
	for _, c := range []struct{ method, path string }{
		{"GET", "/hello"}, {"GET", "/hello/gopher"}, {"GET", "/hello/a%20b"}, {"GET", "/missing"},
		{"DELETE", "/hello/x"}, {"HEAD", "/hello"},
	} {
		req, _ := http.NewRequest(c.method, srv.URL+c.path, nil)
		res, err := srv.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(res.Body)
		res.Body.Close()

		out, err := a.Invoke(context.Background(), []byte(`{"version":"2.0","rawPath":"`+c.path+`","requestContext":{"http":{"method":"`+c.method+`"}}}`))
		if err != nil {
			t.Fatal(err)
		}
		status, hdr, lbody := decodeBody(t, out)
		if status != res.StatusCode || string(lbody) != string(body) || hdr["Content-Type"] != res.Header.Get("Content-Type") || hdr["Allow"] != res.Header.Get("Allow") {
			t.Errorf("%s %s: lambda %d %q %v; net/http %d %q %v", c.method, c.path, status, lbody, hdr, res.StatusCode, body, res.Header)
		}
	}
}

// TestPathValueWithEncodedSlash checks that RawPath reaches the mux: an
// encoded slash stays inside one wildcard segment, as under net/http.
func TestPathValueWithEncodedSlash(t *testing.T) {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /files/{name}", func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, r.PathValue("name"))
	})
	mux.HandleFunc("GET /files/{dir}/{name}", func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, "dir "+r.PathValue("dir"))
	})
	for _, ev := range []string{
		`{"httpMethod":"GET","path":"/files/a%2Fb.txt","requestContext":{}}`,
		`{"version":"2.0","rawPath":"/files/a%2Fb.txt","requestContext":{"http":{"method":"GET"}}}`,
	} {
		if _, _, body := decodeBody(t, invokeWith(t, mux, ev)); string(body) != "a/b.txt" {
			t.Errorf("PathValue = %q", body)
		}
	}
}

// TestConcurrentInvocations runs many invocations at once, as aws-lambda-go
// does with AWS_LAMBDA_MAX_CONCURRENCY, and checks none sees another's data.
func TestConcurrentInvocations(t *testing.T) {
	a := New(helloMux())
	done := make(chan error)
	for i := range 16 {
		go func() {
			for j := range 50 {
				name := fmt.Sprintf("g%d-%d", i, j)
				out, err := a.Invoke(context.Background(), []byte(`{"version":"2.0","rawPath":"/hello/`+name+`","requestContext":{"http":{"method":"GET"}}}`))
				if err == nil && !strings.Contains(string(out), `hello `+name+`!`) {
					err = fmt.Errorf("%s got %s", name, out)
				}
				if err != nil {
					done <- err
					return
				}
			}
			done <- nil
		}()
	}
	for range 16 {
		if err := <-done; err != nil {
			t.Error(err)
		}
	}
}
