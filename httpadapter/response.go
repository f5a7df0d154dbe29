package httpadapter

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/lambdalog/lambdalog/internal/jsonstr"
)

// MaxResponseBytes is Lambda's limit on a synchronous invocation's response
// payload (6 MB). Invoke fails with an error rather than return more.
const MaxResponseBytes = 6291556

// responseWriter buffers a handler's response. Lambda cannot stream a
// buffered invocation's response, so Flush is a no-op.
type responseWriter struct {
	header      http.Header
	status      int
	wroteHeader bool
	noBody      bool // HEAD request: the body is discarded, as net/http does
	body        bytes.Buffer
	written     int // bytes the handler wrote, including any not buffered
	limit       int
}

func (w *responseWriter) Header() http.Header { return w.header }

func (w *responseWriter) WriteHeader(code int) {
	if w.wroteHeader || code < 200 {
		return // informational responses cannot be relayed by a gateway
	}
	w.status, w.wroteHeader = code, true
}

func (w *responseWriter) Write(p []byte) (int, error) {
	if !w.wroteHeader {
		w.WriteHeader(http.StatusOK)
	}
	if !bodyAllowed(w.status) {
		return 0, http.ErrBodyNotAllowed
	}
	w.written += len(p)
	if !w.noBody && w.written <= w.limit {
		w.body.Write(p)
	}
	return len(p), nil
}

// Flush implements http.Flusher; the response is sent when the handler returns.
func (w *responseWriter) Flush() {}

func (w *responseWriter) reset() {
	clear(w.header)
	w.status, w.wroteHeader, w.written = 0, false, 0
	w.body.Reset()
}

func bodyAllowed(status int) bool {
	return status != http.StatusNoContent && status != http.StatusNotModified
}

// finish fills in what net/http's server would: the status and a sniffed
// Content-Type.
func (w *responseWriter) finish() {
	if !w.wroteHeader {
		w.WriteHeader(http.StatusOK)
	}
	if _, ok := w.header["Content-Type"]; !ok && w.body.Len() > 0 && w.header.Get("Transfer-Encoding") == "" {
		w.header.Set("Content-Type", http.DetectContentType(w.body.Bytes()))
	}
}

// encodeResponse renders the buffered response as the event source's
// response JSON.
func encodeResponse(e *event, w *responseWriter) ([]byte, error) {
	if w.written > w.limit {
		return nil, fmt.Errorf("httpadapter: response body of %d bytes exceeds Lambda's response payload limit of %d bytes", w.written, MaxResponseBytes)
	}
	body := w.body.Bytes()
	isText := isTextual(w.header.Get("Content-Type"), w.header.Get("Content-Encoding")) && utf8.Valid(body)

	var keyBuf [16]string
	keys := keyBuf[:0]
	for k := range w.header {
		keys = append(keys, k)
	}
	slices.Sort(keys)

	out := make([]byte, 0, 256+len(body)*4/3)
	out = append(out, `{"statusCode":`...)
	out = strconv.AppendInt(out, int64(w.status), 10)
	if e.source == SourceALB || e.source == SourceVPCLattice {
		out = append(out, `,"statusDescription":`...)
		out = append(out, '"')
		out = strconv.AppendInt(out, int64(w.status), 10)
		out = append(out, ' ')
		out = jsonstr.AppendEscaped(out, http.StatusText(w.status))
		out = append(out, '"')
	}
	switch {
	case e.source == SourceAPIGatewayV1 || (e.source == SourceALB && e.multiValue):
		out = append(out, `,"multiValueHeaders":{`...)
		for i, k := range keys {
			if i > 0 {
				out = append(out, ',')
			}
			out = jsonstr.Append(out, k)
			out = append(out, ":["...)
			for j, v := range w.header[k] {
				if j > 0 {
					out = append(out, ',')
				}
				out = jsonstr.Append(out, v)
			}
			out = append(out, ']')
		}
		out = append(out, '}')
	default:
		cookies := e.source == SourceAPIGatewayV2 || e.source == SourceFunctionURL
		out = append(out, `,"headers":{`...)
		first := true
		for _, k := range keys {
			vs := w.header[k]
			if len(vs) == 0 || (cookies && k == "Set-Cookie") {
				continue
			}
			if !first {
				out = append(out, ',')
			}
			first = false
			out = jsonstr.Append(out, k)
			out = append(out, ':')
			switch {
			case len(vs) == 1:
				out = jsonstr.Append(out, vs[0])
			case k == "Set-Cookie":
				// Single-value ALB (and Lattice) responses keep only one
				// Set-Cookie; cookie values cannot be joined with commas.
				out = jsonstr.Append(out, vs[len(vs)-1])
			default:
				out = jsonstr.Append(out, strings.Join(vs, ", "))
			}
		}
		out = append(out, '}')
		if set := w.header["Set-Cookie"]; cookies && len(set) > 0 {
			out = append(out, `,"cookies":[`...)
			for i, c := range set {
				if i > 0 {
					out = append(out, ',')
				}
				out = jsonstr.Append(out, c)
			}
			out = append(out, ']')
		}
	}
	out = append(out, `,"body":"`...)
	if isText {
		out = jsonstr.AppendEscaped(out, body)
		out = append(out, `","isBase64Encoded":false}`...)
	} else {
		out = base64.StdEncoding.AppendEncode(out, body)
		out = append(out, `","isBase64Encoded":true}`...)
	}
	if len(out) > MaxResponseBytes {
		return nil, fmt.Errorf("httpadapter: encoded response of %d bytes (body %d bytes) exceeds Lambda's response payload limit of %d bytes", len(out), len(body), MaxResponseBytes)
	}
	return out, nil
}

// isTextual reports whether a body with this Content-Type and
// Content-Encoding can travel as a JSON string; everything else is
// base64-encoded. Compressed bodies are always binary.
func isTextual(contentType, contentEncoding string) bool {
	if contentEncoding != "" && !strings.EqualFold(contentEncoding, "identity") {
		return false
	}
	if contentType == "" {
		return true
	}
	mt, _, _ := strings.Cut(contentType, ";")
	mt = strings.ToLower(strings.TrimSpace(mt))
	if strings.HasPrefix(mt, "text/") || strings.HasSuffix(mt, "+json") || strings.HasSuffix(mt, "+xml") {
		return true
	}
	switch mt {
	case "application/json", "application/xml", "application/javascript", "application/ecmascript",
		"application/x-www-form-urlencoded", "application/yaml", "application/x-yaml",
		"application/graphql", "application/x-ndjson", "application/problem+json":
		return true
	}
	return false
}
