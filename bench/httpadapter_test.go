package bench

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	proxy "github.com/awslabs/aws-lambda-go-api-proxy/httpadapter"

	"github.com/lambdalog/lambdalog/httpadapter"
)

// helloHandler is the examples/hello shape: a ServeMux with a wildcard route
// answering a small JSON body.
func helloHandler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /hello/{name}", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{"message":"hello `+r.PathValue("name")+`!"}`)
	})
	return mux
}

// goldenEvent loads one of httpadapter's golden events (copied from
// aws-lambda-go's testdata) with its method and path replaced.
func goldenEvent(tb testing.TB, file string, edit func(map[string]any)) []byte {
	tb.Helper()
	b, err := os.ReadFile(filepath.Join("..", "httpadapter", "testdata", file))
	if err != nil {
		tb.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		tb.Fatal(err)
	}
	edit(m)
	if b, err = json.Marshal(m); err != nil {
		tb.Fatal(err)
	}
	return b
}

func benchEvents(tb testing.TB) map[string][]byte {
	return map[string][]byte{
		"apigw-v1": goldenEvent(tb, "apigw-request.json", func(m map[string]any) {
			m["httpMethod"], m["path"], m["body"] = "GET", "/hello/world", ""
		}),
		"apigw-v2": goldenEvent(tb, "apigw-v2-request-jwt-authorizer.json", func(m map[string]any) {
			m["rawPath"], m["body"] = "/hello/world", ""
		}),
		"alb": goldenEvent(tb, "alb-lambda-target-request-multivalue-headers.json", func(m map[string]any) {
			m["path"] = "/hello/world"
		}),
		"function-url": goldenEvent(tb, "lambda-urls-request.json", func(m map[string]any) {
			m["rawPath"], m["body"] = "/hello/world", ""
			m["requestContext"].(map[string]any)["http"].(map[string]any)["method"] = "GET"
		}),
		"vpc-lattice-v2": goldenEvent(tb, "vpc-lattice-v2-request.json", func(m map[string]any) {
			m["method"], m["path"], m["body"], m["isBase64Encoded"] = "GET", "/hello/world", "", false
		}),
	}
}

// apiProxyInvoke does what aws-lambda-go does for a typed handler around
// api-proxy: decode the event, proxy it, encode the response.
func apiProxyInvoke[Req, Resp any](proxyFn func(context.Context, Req) (Resp, error)) func(context.Context, []byte) ([]byte, error) {
	return func(ctx context.Context, payload []byte) ([]byte, error) {
		var ev Req
		if err := json.Unmarshal(payload, &ev); err != nil {
			return nil, err
		}
		resp, err := proxyFn(ctx, ev)
		if err != nil {
			return nil, err
		}
		return json.Marshal(resp)
	}
}

func apiProxyFor(source string, h http.Handler) func(context.Context, []byte) ([]byte, error) {
	switch source {
	case "apigw-v1":
		return apiProxyInvoke(proxy.New(h).ProxyWithContext)
	case "apigw-v2":
		return apiProxyInvoke(proxy.NewV2(h).ProxyWithContext)
	case "alb":
		return apiProxyInvoke(proxy.NewALB(h).ProxyWithContext)
	}
	return nil // api-proxy has no function URL or VPC Lattice adapter
}

// BenchmarkHTTPAdapter measures one request's translation: event JSON ->
// *http.Request -> the hello handler writing a small JSON body -> response
// JSON. apiproxy is awslabs/aws-lambda-go-api-proxy v0.16.2 driven the way
// aws-lambda-go drives a typed handler; its "x-slower" metric is its ns/op
// divided by lambdalog's, "x-slower-cpu" the same for CPU time per op.
func BenchmarkHTTPAdapter(b *testing.B) {
	evs := benchEvents(b)
	ctx := context.Background()
	for _, source := range []string{"apigw-v1", "apigw-v2", "alb", "function-url", "vpc-lattice-v2"} {
		payload := evs[source]
		b.Run(source, func(b *testing.B) {
			var base, baseCPU float64
			// run measures invoke and returns its CPU ns/op (process CPU time,
			// GC included), which the shared machine's load distorts less
			// than wall time.
			run := func(b *testing.B, invoke func(context.Context, []byte) ([]byte, error)) float64 {
				out, err := invoke(ctx, payload)
				if err != nil || !strings.Contains(string(out), `hello world!`) {
					b.Fatalf("%s: %v %s", source, err, out)
				}
				b.ReportAllocs()
				b.ResetTimer()
				start := processCPU()
				for range b.N {
					if _, err := invoke(ctx, payload); err != nil {
						b.Fatal(err)
					}
				}
				cpu := float64(processCPU()-start) / float64(b.N)
				b.ReportMetric(cpu, "cpu-ns/op")
				return cpu
			}
			b.Run("lambdalog", func(b *testing.B) {
				baseCPU = run(b, httpadapter.New(helloHandler()).Invoke)
				base = nsPerOp(b)
			})
			if p := apiProxyFor(source, helloHandler()); p != nil {
				b.Run("apiproxy", func(b *testing.B) {
					if cpu := run(b, p); baseCPU > 0 {
						b.ReportMetric(cpu/baseCPU, "x-slower-cpu")
					}
					reportRatio(b, base)
				})
			}
		})
	}
}

// seen is what a handler observed, for comparing the two adapters.
type seen struct {
	Method, Path, Host, RemoteAddr, Body string
	Query                                url.Values
	Header                               http.Header
}

func recorder(dst *seen) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		h := r.Header.Clone()
		for k := range h {
			if strings.HasPrefix(k, "X-Golambdaproxy-") {
				delete(h, k) // api-proxy's own context headers
			}
		}
		*dst = seen{Method: r.Method, Path: r.URL.Path, Host: r.Host, RemoteAddr: r.RemoteAddr, Body: string(b), Query: r.URL.Query(), Header: h}
		w.Header().Set("Content-Type", "application/json")
		w.Header().Add("X-Multi", "a")
		w.Header().Add("X-Multi", "b")
		io.WriteString(w, `{"ok":true}`)
	})
}

// TestHTTPAdapterMatchesAPIProxy runs the golden events through both
// adapters and checks that handlers see the same request and clients the
// same response, except for the differences documented in httpadapter's
// package doc, which are asserted explicitly.
func TestHTTPAdapterMatchesAPIProxy(t *testing.T) {
	ctx := context.Background()
	for _, c := range []struct{ source, file string }{
		{"apigw-v1", "apigw-request.json"},
		{"apigw-v2", "apigw-v2-request-no-authorizer.json"},
		{"alb", "alb-lambda-target-request-multivalue-headers.json"},
		{"alb", "alb-lambda-target-request-headers-only.json"},
	} {
		t.Run(c.source+"/"+c.file, func(t *testing.T) {
			payload := goldenEvent(t, c.file, func(map[string]any) {})
			var ours, theirs seen
			outOurs, err := httpadapter.New(recorder(&ours)).Invoke(ctx, payload)
			if err != nil {
				t.Fatal(err)
			}
			outTheirs, err := apiProxyFor(c.source, recorder(&theirs))(ctx, payload)
			if err != nil {
				t.Fatal(err)
			}
			// Documented differences: api-proxy keeps Host in r.Header and uses
			// the domain name as r.Host, sets a bare-IP RemoteAddr (none for ALB).
			if h := theirs.Header.Get("Host"); h != "" {
				if ours.Host != h {
					t.Errorf("r.Host = %q, want the Host header %q", ours.Host, h)
				}
				theirs.Header.Del("Host")
			}
			if theirs.RemoteAddr != "" && ours.RemoteAddr != theirs.RemoteAddr+":0" {
				t.Errorf("RemoteAddr = %q, api-proxy %q", ours.RemoteAddr, theirs.RemoteAddr)
			}
			if c.source == "alb" && (theirs.RemoteAddr != "" || ours.RemoteAddr == "") {
				t.Errorf("ALB RemoteAddr: ours %q, api-proxy %q", ours.RemoteAddr, theirs.RemoteAddr)
			}
			ours.Host, theirs.Host, ours.RemoteAddr, theirs.RemoteAddr = "", "", "", ""
			if !reflect.DeepEqual(ours, theirs) {
				t.Errorf("handler saw\n%+v\napi-proxy handler saw\n%+v", ours, theirs)
			}
			var a, b struct {
				StatusCode        int
				Body              string
				Headers           map[string]string
				MultiValueHeaders map[string][]string
			}
			json.Unmarshal(outOurs, &a)
			json.Unmarshal(outTheirs, &b)
			if a.StatusCode != b.StatusCode || a.Body != b.Body {
				t.Errorf("response %s\napi-proxy %s", outOurs, outTheirs)
			}
			if fmt.Sprint(mergeHeaders(a.Headers, a.MultiValueHeaders)) != fmt.Sprint(mergeHeaders(b.Headers, b.MultiValueHeaders)) {
				t.Errorf("response headers: ours %v, api-proxy %v", a, b)
			}
		})
	}
}

func mergeHeaders(single map[string]string, multi map[string][]string) map[string]string {
	out := map[string]string{}
	for k, v := range single {
		out[k] = strings.ReplaceAll(v, ", ", ",")
	}
	for k, v := range multi {
		out[k] = strings.Join(v, ",")
	}
	return out
}

// TestHTTPAdapterDifferencesFromAPIProxy pins down where api-proxy departs
// from AWS and net/http behaviour and this package does not.
func TestHTTPAdapterDifferencesFromAPIProxy(t *testing.T) {
	ctx := context.Background()
	run := func(source, payload string) (ours, theirs seen, outOurs, outTheirs []byte) {
		t.Helper()
		var err error
		if outOurs, err = httpadapter.New(recorder(&ours)).Invoke(ctx, []byte(payload)); err != nil {
			t.Fatal(err)
		}
		outTheirs, _ = apiProxyFor(source, recorder(&theirs))(ctx, []byte(payload))
		return ours, theirs, outOurs, outTheirs
	}

	t.Run("ALB query parameters arrive encoded", func(t *testing.T) {
		ours, theirs, _, _ := run("alb", `{"httpMethod":"GET","path":"/","queryStringParameters":{"q":"a%20b"},"headers":{"host":"h"},"requestContext":{"elb":{"targetGroupArn":"arn"}}}`)
		if ours.Query.Get("q") != "a b" || theirs.Query.Get("q") != "a%20b" {
			t.Errorf("ours %q, api-proxy %q", ours.Query.Get("q"), theirs.Query.Get("q"))
		}
	})
	t.Run("HTTP API named stage", func(t *testing.T) {
		ours, theirs, _, _ := run("apigw-v2", `{"version":"2.0","rawPath":"/prod/hello","requestContext":{"stage":"prod","domainName":"d","http":{"method":"GET"}}}`)
		if ours.Path != "/hello" || theirs.Path != "/prod/hello" {
			t.Errorf("ours %q, api-proxy %q", ours.Path, theirs.Path)
		}
	})
	t.Run("payload 2.0 cookies and comma-separated values", func(t *testing.T) {
		ours, theirs, _, _ := run("apigw-v2", `{"version":"2.0","rawPath":"/","cookies":["a=1","b=2"],"headers":{"if-none-match":"\"x,y\""},"requestContext":{"domainName":"d","http":{"method":"GET"}}}`)
		if got := ours.Header.Values("Cookie"); len(got) != 1 || got[0] != "a=1; b=2" {
			t.Errorf("ours Cookie %q", got)
		}
		if got := theirs.Header.Values("Cookie"); len(got) != 2 {
			t.Errorf("api-proxy Cookie %q", got)
		}
		if ours.Header.Get("If-None-Match") != `"x,y"` || len(theirs.Header.Values("If-None-Match")) != 2 {
			t.Errorf("If-None-Match: ours %q, api-proxy %q", ours.Header.Values("If-None-Match"), theirs.Header.Values("If-None-Match"))
		}
	})
	t.Run("handler that writes nothing", func(t *testing.T) {
		h := http.HandlerFunc(func(http.ResponseWriter, *http.Request) {})
		ev := []byte(`{"httpMethod":"GET","path":"/","requestContext":{}}`)
		out, err := httpadapter.New(h).Invoke(ctx, ev)
		if err != nil || !strings.Contains(string(out), `"statusCode":200`) {
			t.Errorf("ours: %s %v", out, err)
		}
		if _, err := apiProxyFor("apigw-v1", h)(ctx, ev); err == nil {
			t.Error("api-proxy accepted a handler that wrote nothing")
		}
	})
	t.Run("gzip body is binary", func(t *testing.T) {
		h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/plain")
			w.Header().Set("Content-Encoding", "gzip")
			w.Write([]byte("not really gzip but ASCII"))
		})
		ev := []byte(`{"httpMethod":"GET","path":"/","requestContext":{}}`)
		ours, _ := httpadapter.New(h).Invoke(ctx, ev)
		theirs, _ := apiProxyFor("apigw-v1", h)(ctx, ev)
		if !strings.Contains(string(ours), `"isBase64Encoded":true`) || strings.Contains(string(theirs), `"isBase64Encoded":true`) {
			t.Errorf("ours %s\napi-proxy %s", ours, theirs)
		}
	})
}
