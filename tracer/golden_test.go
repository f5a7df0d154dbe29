package tracer

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"testing"

	"github.com/aws/aws-lambda-go/lambda"
)

var update = flag.Bool("update", false, "rewrite the golden documents")

var (
	idRE   = regexp.MustCompile(`"(id|parent_id)":"([0-9a-f]{16})"`)
	portRE = regexp.MustCompile(`127\.0\.0\.1:\d+`)
)

// normalize replaces the ids of a document by <parent> (the trace header's Parent) and <1>,
// <2>... in order of appearance, times by 0 after checking each start_time <= end_time, ports
// by PORT and stack traces by their first frame's label; it returns the document indented.
func normalize(t *testing.T, raw []byte) []byte {
	t.Helper()
	seen := map[string]string{testParent: "<parent>"}
	raw = idRE.ReplaceAllFunc(raw, func(m []byte) []byte {
		sub := idRE.FindSubmatch(m)
		id := string(sub[2])
		if _, ok := seen[id]; !ok {
			seen[id] = fmt.Sprintf("<%d>", len(seen))
		}
		return fmt.Appendf(nil, `"%s":"%s"`, sub[1], seen[id])
	})
	raw = portRE.ReplaceAll(raw, []byte("127.0.0.1:PORT"))
	var v any
	if err := json.Unmarshal(raw, &v); err != nil {
		t.Fatalf("%v: %s", err, raw)
	}
	var walk func(v any)
	walk = func(v any) {
		switch x := v.(type) {
		case map[string]any:
			start, ok1 := x["start_time"].(float64)
			end, ok2 := x["end_time"].(float64)
			if ok1 != ok2 || (ok1 && (start > end || start < 1.7e9)) {
				t.Errorf("times %v %v in %v", x["start_time"], x["end_time"], x)
			}
			if ok1 {
				x["start_time"], x["end_time"] = 0, 0
			}
			if st, ok := x["stack"].([]any); ok {
				if len(st) == 0 {
					t.Errorf("empty stack in %v", x)
				} else {
					x["stack"] = "first frame: " + st[0].(map[string]any)["label"].(string)
				}
			}
			for _, e := range x {
				walk(e)
			}
		case []any:
			for _, e := range x {
				walk(e)
			}
		}
	}
	walk(v)
	var out bytes.Buffer
	enc := json.NewEncoder(&out)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	enc.Encode(v)
	return out.Bytes()
}

// checkGolden compares a document with testdata/name.json, structurally.
func checkGolden(t *testing.T, name string, raw []byte) {
	t.Helper()
	got := normalize(t, raw)
	path := filepath.Join("testdata", name+".json")
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var g, w any
	json.Unmarshal(got, &g)
	if err := json.Unmarshal(want, &w); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	if !reflect.DeepEqual(g, w) {
		t.Errorf("%s differs:\ngot  %s\nwant %s", path, got, want)
	}
}

type order struct {
	ID    string `json:"id"`
	Items int    `json:"items"`
}

// The tutorial's shape: a handler, captured functions with annotations and metadata, a
// downstream HTTP call; everything one invocation records is one document, nested.
func TestGoldenInvocation(t *testing.T) {
	d := newDaemon(t)
	tr := newTestTracer(t, d)
	stock := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("X-Amzn-Trace-Id") == "" {
			t.Error("no trace header downstream")
		}
		w.Header().Set("Content-Length", "2")
		w.Write([]byte("{}"))
	}))
	defer stock.Close()
	client := &http.Client{Transport: tr.Transport(nil)}

	handler := func(ctx context.Context, o order) (string, error) {
		if err := PutAnnotation(ctx, "User", "alice"); err != nil {
			return "", err
		}
		n, err := CaptureMethod(ctx, "checkStock", func(ctx context.Context) (int, error) {
			PutAnnotation(ctx, "Items", o.Items)
			PutMetadata(ctx, "order", o)
			req, _ := http.NewRequestWithContext(ctx, "GET", stock.URL+"/stock?secret=x", nil)
			resp, err := client.Do(req)
			if err != nil {
				return 0, err
			}
			resp.Body.Close()
			return 7, nil
		})
		if err != nil {
			return "", err
		}
		err = Capture(ctx, "reserve", func(ctx context.Context) error {
			PutMetadataInNamespace(ctx, "inventory", "left", n-o.Items)
			return errors.New("out of stock")
		})
		return fmt.Sprintf("order %s: %v", o.ID, err), nil
	}
	h := lambda.NewHandler(Wrap(tr, handler))
	if _, err := h.Invoke(invokeCtx("req-1", sampled), []byte(`{"id":"o-1","items":3}`)); err != nil {
		t.Fatal(err)
	}
	doc := d.collect(1)[0]
	checkGolden(t, "invocation", doc.raw)
	if doc.m["trace_id"] != testRoot || doc.m["parent_id"] != testParent || doc.m["type"] != "subsegment" {
		t.Errorf("not a subsegment of the invocation: %s", doc.raw)
	}
	if bytes.Contains(doc.raw, []byte("secret=x")) {
		t.Errorf("query string recorded: %s", doc.raw)
	}
}

func TestGoldenHandlerError(t *testing.T) {
	d := newDaemon(t)
	tr := newTestTracer(t, d, WithHandlerName("lambda_handler"))
	h := lambda.NewHandler(WrapAction(tr, func(ctx context.Context, in json.RawMessage) error {
		return fmt.Errorf("charging: %w", os.ErrDeadlineExceeded)
	}))
	if _, err := h.Invoke(invokeCtx("req-1", sampled), []byte(`{}`)); err == nil {
		t.Fatal("no error")
	}
	checkGolden(t, "error", d.collect(1)[0].raw)
}
