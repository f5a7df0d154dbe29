package httpadapter

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/http"
	"reflect"
	"strings"
	"testing"

	"github.com/aws/aws-lambda-go/events"
)

const (
	v1Event       = `{"httpMethod":"GET","path":"/","requestContext":{"requestId":"r1"}}`
	v2Event       = `{"version":"2.0","rawPath":"/","requestContext":{"requestId":"r2","http":{"method":"GET"}}}`
	urlEvent      = `{"version":"2.0","rawPath":"/","requestContext":{"domainName":"abc.lambda-url.us-east-1.on.aws","http":{"method":"GET"}}}`
	albEvent      = `{"httpMethod":"GET","path":"/","headers":{"x-amzn-trace-id":"Root=1-abc"},"requestContext":{"elb":{"targetGroupArn":"arn"}}}`
	albMultiEvent = `{"httpMethod":"GET","path":"/","multiValueHeaders":{"x-amzn-trace-id":["Root=1-abc"]},"requestContext":{"elb":{"targetGroupArn":"arn"}}}`
	latticeEvent  = `{"version":"2.0","method":"GET","path":"/","headers":{},"requestContext":{"serviceArn":"arn"}}`
)

// cookieHandler answers 201 with two cookies, a repeated header and JSON.
var cookieHandler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h.Add("Set-Cookie", "a=1; Path=/")
	h.Add("Set-Cookie", "b=2; Expires=Wed, 21 Oct 2026 07:28:00 GMT")
	h.Add("X-Multi", "x")
	h.Add("X-Multi", "y")
	h.Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusCreated)
	w.Write([]byte(`{"ok":true}`))
})

func invokeWith(t *testing.T, h http.Handler, payload string) []byte {
	t.Helper()
	out, err := New(h).Invoke(context.Background(), []byte(payload))
	if err != nil {
		t.Fatalf("Invoke: %v", err)
	}
	return out
}

func TestResponseEncodingPerSource(t *testing.T) {
	t.Run("REST v1 uses multiValueHeaders", func(t *testing.T) {
		var resp events.APIGatewayProxyResponse
		json.Unmarshal(invokeWith(t, cookieHandler, v1Event), &resp)
		want := events.APIGatewayProxyResponse{StatusCode: 201, Body: `{"ok":true}`, MultiValueHeaders: map[string][]string{
			"Content-Type": {"application/json"}, "X-Multi": {"x", "y"},
			"Set-Cookie": {"a=1; Path=/", "b=2; Expires=Wed, 21 Oct 2026 07:28:00 GMT"},
		}}
		if !reflect.DeepEqual(resp, want) {
			t.Errorf("got %+v\nwant %+v", resp, want)
		}
	})
	for name, payload := range map[string]string{"HTTP API v2": v2Event, "function URL": urlEvent} {
		t.Run(name+" moves Set-Cookie to cookies", func(t *testing.T) {
			var resp events.APIGatewayV2HTTPResponse
			json.Unmarshal(invokeWith(t, cookieHandler, payload), &resp)
			want := events.APIGatewayV2HTTPResponse{StatusCode: 201, Body: `{"ok":true}`,
				Headers: map[string]string{"Content-Type": "application/json", "X-Multi": "x, y"},
				Cookies: []string{"a=1; Path=/", "b=2; Expires=Wed, 21 Oct 2026 07:28:00 GMT"}}
			if !reflect.DeepEqual(resp, want) {
				t.Errorf("got %+v\nwant %+v", resp, want)
			}
		})
	}
	t.Run("ALB single-value headers", func(t *testing.T) {
		var resp events.ALBTargetGroupResponse
		json.Unmarshal(invokeWith(t, cookieHandler, albEvent), &resp)
		want := events.ALBTargetGroupResponse{StatusCode: 201, StatusDescription: "201 Created", Body: `{"ok":true}`,
			Headers: map[string]string{"Content-Type": "application/json", "X-Multi": "x, y", "Set-Cookie": "b=2; Expires=Wed, 21 Oct 2026 07:28:00 GMT"}}
		if !reflect.DeepEqual(resp, want) {
			t.Errorf("got %+v\nwant %+v", resp, want)
		}
	})
	t.Run("ALB multi-value headers", func(t *testing.T) {
		var resp events.ALBTargetGroupResponse
		json.Unmarshal(invokeWith(t, cookieHandler, albMultiEvent), &resp)
		if resp.Headers != nil || len(resp.MultiValueHeaders["Set-Cookie"]) != 2 || resp.StatusDescription != "201 Created" {
			t.Errorf("got %+v", resp)
		}
	})
	t.Run("VPC Lattice", func(t *testing.T) {
		var resp VPCLatticeResponse
		json.Unmarshal(invokeWith(t, cookieHandler, latticeEvent), &resp)
		if resp.StatusCode != 201 || resp.StatusDescription != "201 Created" || resp.Headers["X-Multi"] != "x, y" || resp.Body != `{"ok":true}` {
			t.Errorf("got %+v", resp)
		}
	})
}

func decodeBody(t *testing.T, out []byte) (status int, header map[string]string, body []byte) {
	t.Helper()
	var resp events.APIGatewayV2HTTPResponse
	if err := json.Unmarshal(out, &resp); err != nil {
		t.Fatal(err)
	}
	body = []byte(resp.Body)
	if resp.IsBase64Encoded {
		var err error
		if body, err = base64.StdEncoding.DecodeString(resp.Body); err != nil {
			t.Fatal(err)
		}
	}
	return resp.StatusCode, resp.Headers, body
}

func TestBodiesRoundTrip(t *testing.T) {
	png := []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
	tests := []struct {
		name        string
		contentType string
		encoding    string
		body        []byte
		wantBase64  bool
	}{
		{"json text", "application/json", "", []byte("{\"q\":\"\\\"<tag>\\u0001\",\"é\":\"😀\"}\n\t\u2028"), false},
		{"text with control bytes", "text/plain; charset=utf-8", "", []byte("a\x00b\x1fc\"d\\"), false},
		{"binary image", "image/png", "", png, true},
		{"invalid UTF-8 text", "text/plain", "", []byte("caf\xe9"), true},
		{"compressed text", "application/json", "gzip", []byte("\x1f\x8b\x08\x00"), true},
		{"vendor json", "application/vnd.api+json", "", []byte(`{"data":[]}`), false},
		{"octet stream", "application/octet-stream", "", []byte("plain ascii"), true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", tt.contentType)
				if tt.encoding != "" {
					w.Header().Set("Content-Encoding", tt.encoding)
				}
				w.Write(tt.body)
			})
			out := invokeWith(t, h, v2Event)
			var raw struct{ IsBase64Encoded bool }
			json.Unmarshal(out, &raw)
			if raw.IsBase64Encoded != tt.wantBase64 {
				t.Errorf("isBase64Encoded = %v, want %v", raw.IsBase64Encoded, tt.wantBase64)
			}
			if _, _, body := decodeBody(t, out); !bytes.Equal(body, tt.body) {
				t.Errorf("body = %q, want %q", body, tt.body)
			}
		})
	}
}

func TestRequestBodyRoundTrip(t *testing.T) {
	echo := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/octet-stream")
		buf := new(bytes.Buffer)
		buf.ReadFrom(r.Body)
		w.Write(buf.Bytes())
	})
	payload := make([]byte, 256)
	for i := range payload {
		payload[i] = byte(i)
	}
	ev := `{"version":"2.0","rawPath":"/","body":"` + base64.StdEncoding.EncodeToString(payload) + `","isBase64Encoded":true,"requestContext":{"http":{"method":"POST"}}}`
	if _, _, body := decodeBody(t, invokeWith(t, echo, ev)); !bytes.Equal(body, payload) {
		t.Errorf("echoed %x", body)
	}
}

func TestResponseLikeNetHTTP(t *testing.T) {
	t.Run("content type sniffed", func(t *testing.T) {
		h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("<html><body>hi</body></html>")) })
		if _, hdr, _ := decodeBody(t, invokeWith(t, h, v2Event)); hdr["Content-Type"] != "text/html; charset=utf-8" {
			t.Errorf("Content-Type = %q", hdr["Content-Type"])
		}
	})
	t.Run("nothing written is 200", func(t *testing.T) {
		h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {})
		if status, _, body := decodeBody(t, invokeWith(t, h, v2Event)); status != 200 || len(body) != 0 {
			t.Errorf("status %d body %q", status, body)
		}
	})
	t.Run("HEAD has no body", func(t *testing.T) {
		h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("hello")) })
		ev := `{"version":"2.0","rawPath":"/","requestContext":{"http":{"method":"HEAD"}}}`
		if status, _, body := decodeBody(t, invokeWith(t, h, ev)); status != 200 || len(body) != 0 {
			t.Errorf("status %d body %q", status, body)
		}
	})
	t.Run("204 refuses a body", func(t *testing.T) {
		var writeErr error
		h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(http.StatusNoContent)
			_, writeErr = w.Write([]byte("x"))
		})
		if status, _, body := decodeBody(t, invokeWith(t, h, v2Event)); status != 204 || len(body) != 0 || !errors.Is(writeErr, http.ErrBodyNotAllowed) {
			t.Errorf("status %d body %q err %v", status, body, writeErr)
		}
	})
	t.Run("first WriteHeader wins", func(t *testing.T) {
		h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(http.StatusContinue)
			w.WriteHeader(http.StatusAccepted)
			w.WriteHeader(http.StatusTeapot)
		})
		if status, _, _ := decodeBody(t, invokeWith(t, h, v2Event)); status != 202 {
			t.Errorf("status %d", status)
		}
	})
}

func TestResponseLimit(t *testing.T) {
	tests := []struct {
		name, contentType string
		size              int
	}{
		{"text body over 6 MB", "text/plain", MaxResponseBytes + 1},
		{"binary body over 6 MB once base64-encoded", "application/octet-stream", 5 << 20},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", tt.contentType)
				chunk := bytes.Repeat([]byte("a"), 64<<10)
				for n := 0; n < tt.size; n += len(chunk) {
					w.Write(chunk[:min(len(chunk), tt.size-n)])
				}
			})
			out, err := New(h).Invoke(context.Background(), []byte(v2Event))
			if err == nil || !strings.Contains(err.Error(), "exceeds Lambda's response payload limit of 6291556 bytes") {
				t.Errorf("err = %v, out %d bytes", err, len(out))
			}
		})
	}
	t.Run("just under the limit", func(t *testing.T) {
		h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/plain")
			w.Write(bytes.Repeat([]byte("a"), 6<<20-1024))
		})
		if out, err := New(h).Invoke(context.Background(), []byte(v2Event)); err != nil || len(out) > MaxResponseBytes {
			t.Errorf("err = %v, %d bytes", err, len(out))
		}
	})
}

func TestPanicBecomes500JSON(t *testing.T) {
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Partial", "yes")
		w.Write([]byte("partial output"))
		panic("boom")
	})
	for _, ev := range []string{v1Event, v2Event, albEvent, latticeEvent} {
		out := invokeWith(t, h, ev)
		var resp struct {
			StatusCode        int
			Body              string
			Headers           map[string]string
			MultiValueHeaders map[string][]string
		}
		json.Unmarshal(out, &resp)
		if resp.StatusCode != 500 || resp.Body != `{"message":"Internal Server Error"}` || resp.Headers["X-Partial"] != "" || resp.MultiValueHeaders["X-Partial"] != nil {
			t.Errorf("%s: got %s", ev, out)
		}
	}
}
