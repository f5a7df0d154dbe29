package lambdaemu

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestRuntimeAPIRejectsUnknownRequestID(t *testing.T) {
	e := &environment{}
	srv := httptest.NewServer(e.runtimeAPIHandler())
	defer srv.Close()
	inv := &invocation{id: "abc", done: make(chan result, 1)}
	e.current.Store(inv)
	for path, want := range map[string]int{
		"/2018-06-01/runtime/invocation/other/response": 400,
		"/2018-06-01/runtime/invocation/other/error":    400,
		"/2018-06-01/runtime/invocation/abc/response":   202,
	} {
		resp, err := http.Post(srv.URL+path, "application/json", strings.NewReader(`{"ok":true}`))
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != want {
			t.Errorf("POST %s = %d %s, want %d", path, resp.StatusCode, body, want)
		}
		if want == 400 && !strings.Contains(string(body), `"errorType":"InvalidRequestID"`) {
			t.Errorf("POST %s body %s", path, body)
		}
	}
	if r := <-inv.done; string(r.payload) != `{"ok":true}` || r.errorType != "" {
		t.Errorf("result %+v", r)
	}
	if got := errorTypeOf("", []byte(`{"errorType":"MyError","errorMessage":"x"}`)); got != "MyError" {
		t.Errorf("errorTypeOf body = %q", got)
	}
	if got := errorTypeOf("Custom.Type", nil); got != "Custom.Type" {
		t.Errorf("errorTypeOf header = %q", got)
	}
}
