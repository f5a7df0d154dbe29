package httpadapter

import (
	"bytes"
	"compress/gzip"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

func okHandler(body string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		io.WriteString(w, body)
	})
}

func do(t *testing.T, srv *httptest.Server, method, path string, header map[string]string) (*http.Response, string) {
	t.Helper()
	req, _ := http.NewRequest(method, srv.URL+path, nil)
	for k, v := range header {
		req.Header.Set(k, v)
	}
	tr := &http.Transport{DisableCompression: true}
	defer tr.CloseIdleConnections()
	res, err := (&http.Client{Transport: tr}).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res, string(b)
}

func TestCORS(t *testing.T) {
	srv := httptest.NewServer(CORS(CORSConfig{
		AllowOrigins:     []string{"https://app.example.com"},
		AllowHeaders:     []string{"Content-Type", "Authorization"},
		ExposeHeaders:    []string{"X-Request-Id"},
		AllowCredentials: true,
		MaxAge:           10 * time.Minute,
	})(okHandler("ok")))
	defer srv.Close()

	res, body := do(t, srv, "OPTIONS", "/x", map[string]string{"Origin": "https://app.example.com", "Access-Control-Request-Method": "PUT"})
	if res.StatusCode != 204 || body != "" ||
		res.Header.Get("Access-Control-Allow-Origin") != "https://app.example.com" ||
		res.Header.Get("Access-Control-Allow-Credentials") != "true" ||
		res.Header.Get("Access-Control-Allow-Methods") != "GET, HEAD, POST, PUT, PATCH, DELETE" ||
		res.Header.Get("Access-Control-Allow-Headers") != "Content-Type, Authorization" ||
		res.Header.Get("Access-Control-Max-Age") != "600" {
		t.Errorf("preflight: %d %v", res.StatusCode, res.Header)
	}

	res, body = do(t, srv, "GET", "/x", map[string]string{"Origin": "https://app.example.com"})
	if body != "ok" || res.Header.Get("Access-Control-Allow-Origin") != "https://app.example.com" ||
		res.Header.Get("Access-Control-Expose-Headers") != "X-Request-Id" || !strings.Contains(strings.Join(res.Header.Values("Vary"), ","), "Origin") {
		t.Errorf("simple request: %v", res.Header)
	}

	res, body = do(t, srv, "GET", "/x", map[string]string{"Origin": "https://evil.example.com"})
	if body != "ok" || res.Header.Get("Access-Control-Allow-Origin") != "" {
		t.Errorf("disallowed origin got CORS headers: %v", res.Header)
	}
	res, _ = do(t, srv, "OPTIONS", "/x", map[string]string{"Origin": "https://evil.example.com", "Access-Control-Request-Method": "PUT"})
	if res.StatusCode != 204 || res.Header.Get("Access-Control-Allow-Methods") != "" {
		t.Errorf("disallowed preflight: %d %v", res.StatusCode, res.Header)
	}
	res, body = do(t, srv, "OPTIONS", "/x", nil)
	if body != "ok" {
		t.Errorf("plain OPTIONS not passed through: %d %q", res.StatusCode, body)
	}
}

func TestCORSWildcard(t *testing.T) {
	h := CORS(CORSConfig{AllowOrigins: []string{"*"}})(okHandler("ok"))
	// Through the Lambda adapter: a preflight from an HTTP API event.
	out, err := New(h).Invoke(context.Background(), []byte(`{"version":"2.0","rawPath":"/x","headers":{"origin":"https://a.example","access-control-request-method":"POST","access-control-request-headers":"x-custom"},"requestContext":{"http":{"method":"OPTIONS"}}}`))
	if err != nil {
		t.Fatal(err)
	}
	status, hdr, _ := decodeBody(t, out)
	if status != 204 || hdr["Access-Control-Allow-Origin"] != "*" || hdr["Access-Control-Allow-Headers"] != "x-custom" {
		t.Errorf("wildcard preflight: %d %v", status, hdr)
	}
}

func TestGzip(t *testing.T) {
	big := strings.Repeat("hello gzip ", 500)
	mux := http.NewServeMux()
	mux.Handle("/big", okHandler(big))
	mux.Handle("/small", okHandler("tiny"))
	mux.HandleFunc("/png", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "image/png")
		w.Write(bytes.Repeat([]byte{0x89}, 4096))
	})
	srv := httptest.NewServer(Gzip(mux))
	defer srv.Close()

	res, body := do(t, srv, "GET", "/big", map[string]string{"Accept-Encoding": "br;q=1, gzip;q=0.8"})
	if res.Header.Get("Content-Encoding") != "gzip" || res.Header.Get("Vary") != "Accept-Encoding" {
		t.Fatalf("not compressed: %v", res.Header)
	}
	zr, err := gzip.NewReader(strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if plain, _ := io.ReadAll(zr); string(plain) != big {
		t.Errorf("decompressed %d bytes, want %d", len(plain), len(big))
	}
	for _, c := range []struct{ path, ae string }{{"/big", "gzip;q=0"}, {"/big", ""}, {"/small", "gzip"}, {"/png", "gzip"}} {
		res, _ := do(t, srv, "GET", c.path, map[string]string{"Accept-Encoding": c.ae})
		if res.Header.Get("Content-Encoding") != "" {
			t.Errorf("%s with %q compressed", c.path, c.ae)
		}
	}

	// Through the adapter the compressed body travels base64-encoded.
	out, err := New(Gzip(mux)).Invoke(context.Background(), []byte(`{"version":"2.0","rawPath":"/big","headers":{"accept-encoding":"gzip, deflate"},"requestContext":{"http":{"method":"GET"}}}`))
	if err != nil {
		t.Fatal(err)
	}
	_, hdr, zbody := decodeBody(t, out)
	zr, err = gzip.NewReader(bytes.NewReader(zbody))
	if err != nil || hdr["Content-Encoding"] != "gzip" {
		t.Fatalf("adapter gzip: %v %v", hdr, err)
	}
	if plain, _ := io.ReadAll(zr); string(plain) != big {
		t.Errorf("adapter: decompressed %d bytes", len(plain))
	}
}

func TestRecoverMiddleware(t *testing.T) {
	mux := http.NewServeMux()
	mux.HandleFunc("/boom", func(w http.ResponseWriter, r *http.Request) { panic("boom") })
	mux.HandleFunc("/late", func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte("started"))
		panic("late")
	})
	srv := httptest.NewServer(Recover(mux))
	defer srv.Close()
	res, body := do(t, srv, "GET", "/boom", nil)
	if res.StatusCode != 500 || body != `{"message":"Internal Server Error"}` || res.Header.Get("Content-Type") != "application/json" {
		t.Errorf("got %d %q %v", res.StatusCode, body, res.Header)
	}
	res, body = do(t, srv, "GET", "/late", nil)
	if res.StatusCode != 200 || body != "started" {
		t.Errorf("late panic: %d %q", res.StatusCode, body)
	}
}

func TestJSONErrors(t *testing.T) {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /users/{id}", func(w http.ResponseWriter, r *http.Request) {
		if r.PathValue("id") == "html" {
			w.Header().Set("Content-Type", "text/html")
			w.WriteHeader(404)
			io.WriteString(w, "<h1>gone</h1>")
			return
		}
		http.Error(w, "no such user", http.StatusNotFound)
	})
	srv := httptest.NewServer(JSONErrors(mux))
	defer srv.Close()
	for _, c := range []struct {
		method, path string
		status       int
		body, ct     string
	}{
		{"GET", "/nothing", 404, `{"message":"Not Found"}`, "application/json"},
		{"PUT", "/users/1", 405, `{"message":"Method Not Allowed"}`, "application/json"},
		{"GET", "/users/7", 404, `{"message":"no such user"}`, "application/json"},
		{"GET", "/users/html", 404, `<h1>gone</h1>`, "text/html"},
	} {
		res, body := do(t, srv, c.method, c.path, nil)
		if res.StatusCode != c.status || body != c.body || res.Header.Get("Content-Type") != c.ct {
			t.Errorf("%s %s = %d %q %q", c.method, c.path, res.StatusCode, body, res.Header.Get("Content-Type"))
		}
		if c.status == 405 && res.Header.Get("Allow") != "GET, HEAD" {
			t.Errorf("Allow = %q", res.Header.Get("Allow"))
		}
	}
}
