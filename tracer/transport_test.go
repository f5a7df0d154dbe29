package tracer

import (
	"context"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/lambdalog/lambdalog/internal/invocation"
)

func TestTransportSubsegments(t *testing.T) {
	d := newDaemon(t)
	tr := newTestTracer(t, d)
	headers := map[string]string{} // path -> X-Amzn-Trace-Id received
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		headers[r.URL.Path] = r.Header.Get("X-Amzn-Trace-Id")
		status, _ := strconv.Atoi(strings.TrimPrefix(r.URL.Path, "/"))
		w.WriteHeader(status)
	}))
	defer srv.Close()
	closed, _ := net.Listen("tcp", "127.0.0.1:0")
	refused := "http://" + closed.Addr().String() + "/refused"
	closed.Close()
	client := &http.Client{Transport: tr.Transport(nil)}
	get := func(ctx context.Context, url string) {
		req, _ := http.NewRequestWithContext(ctx, "GET", url, nil)
		if resp, err := client.Do(req); err == nil {
			resp.Body.Close()
		}
	}
	h := lambda.NewHandler(WrapNoEvent(tr, func(ctx context.Context) (string, error) {
		for _, status := range []string{"200", "404", "429", "503"} {
			get(ctx, srv.URL+"/"+status)
		}
		get(ctx, refused)
		return "", nil
	}))
	if _, err := h.Invoke(invokeCtx("req", sampled+";Lineage=a87bd80c:1"), nil); err != nil {
		t.Fatal(err)
	}
	doc := d.collect(1)[0]
	subs := doc.m["subsegments"].([]any)
	if len(subs) != 5 {
		t.Fatalf("%d subsegments: %s", len(subs), doc.raw)
	}
	want := []struct {
		status               float64
		err, throttle, fault bool
		cause                bool
	}{{200, false, false, false, false}, {404, true, false, false, false}, {429, true, true, false, false},
		{503, false, false, true, false}, {0, false, false, true, true}}
	for i, s := range subs {
		m := s.(map[string]any)
		w := want[i]
		resp, _ := m["http"].(map[string]any)["response"].(map[string]any)
		status, _ := resp["status"].(float64)
		_, hasCause := m["cause"]
		if m["name"] != "127.0.0.1" || m["namespace"] != "remote" || status != w.status || (m["error"] == true) != w.err ||
			(m["throttle"] == true) != w.throttle || (m["fault"] == true) != w.fault || hasCause != w.cause {
			t.Errorf("subsegment %d: %v", i, m)
		}
		if i < 4 {
			sent := invocation.ParseTraceHeader(headers["/"+strconv.Itoa(int(w.status))])
			if sent.Root != testRoot || sent.Parent != m["id"] || sent.Sampled != invocation.SampledTrue || sent.Lineage != "a87bd80c:1" {
				t.Errorf("subsegment %s: header sent %+v", m["id"], sent)
			}
		}
	}

	// Untraced: the decision goes downstream, nothing is recorded.
	h = lambda.NewHandler(WrapNoEvent(tr, func(ctx context.Context) (string, error) {
		get(ctx, srv.URL+"/200")
		return "", nil
	}))
	if _, err := h.Invoke(invokeCtx("req", notSampled), nil); err != nil {
		t.Fatal(err)
	}
	d.nothingSent()
	if headers["/200"] != notSampled {
		t.Errorf("untraced header %q, want %q", headers["/200"], notSampled)
	}
}
