package httpadapter

import (
	"compress/gzip"
	"net/http"
	"strconv"
	"strings"
	"sync"
)

// gzipMinSize is the smallest body Gzip compresses; smaller ones gain
// nothing once the gzip header and base64 are counted.
const gzipMinSize = 1024

// Gzip returns middleware that gzip-compresses responses of at least 1 KB
// when the request's Accept-Encoding allows gzip, unless the response already
// has a Content-Encoding or is of an already-compressed type (images other
// than SVG, audio, video, archives). It sets Vary: Accept-Encoding.
//
// Behind API Gateway, ALB and function URLs a compressed body travels
// base64-encoded; REST APIs must list the content type (or */*) in their
// binary media types for API Gateway to decode it.
func Gzip(next http.Handler) http.Handler {
	pool := sync.Pool{New: func() any {
		zw, _ := gzip.NewWriterLevel(nil, gzip.DefaultCompression)
		return zw
	}}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !acceptsGzip(r.Header.Get("Accept-Encoding")) {
			next.ServeHTTP(w, r)
			return
		}
		gw := &gzipWriter{ResponseWriter: w, pool: &pool, head: r.Method == http.MethodHead}
		defer gw.close()
		next.ServeHTTP(gw, r)
	})
}

// acceptsGzip reports whether an Accept-Encoding value allows gzip.
func acceptsGzip(ae string) bool {
	for part := range strings.SplitSeq(ae, ",") {
		coding, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		coding = strings.TrimSpace(coding)
		if !strings.EqualFold(coding, "gzip") && coding != "*" {
			continue
		}
		q := 1.0
		for p := range strings.SplitSeq(params, ";") {
			if v, ok := strings.CutPrefix(strings.TrimSpace(p), "q="); ok {
				if f, err := strconv.ParseFloat(v, 64); err == nil {
					q = f
				}
			}
		}
		if q > 0 {
			return true
		}
	}
	return false
}

type gzipWriter struct {
	http.ResponseWriter
	pool    *sync.Pool
	head    bool
	status  int
	buf     []byte // body held back until the compress decision
	decided bool
	zw      *gzip.Writer
}

func (w *gzipWriter) WriteHeader(code int) {
	if code < 200 {
		w.ResponseWriter.WriteHeader(code)
		return
	}
	if w.status == 0 {
		w.status = code
	}
}

func (w *gzipWriter) Write(p []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	if w.decided {
		if w.zw != nil {
			return w.zw.Write(p)
		}
		return w.ResponseWriter.Write(p)
	}
	w.buf = append(w.buf, p...)
	if len(w.buf) >= gzipMinSize {
		if err := w.decide(); err != nil {
			return 0, err
		}
	}
	return len(p), nil
}

// Flush sends what has been written so far.
func (w *gzipWriter) Flush() {
	if !w.decided {
		w.decide() //nolint:errcheck // reported by the next Write
	}
	if w.zw != nil {
		w.zw.Flush() //nolint:errcheck // reported by the next Write
	}
	http.NewResponseController(w.ResponseWriter).Flush() //nolint:errcheck // optional
}

// Unwrap lets http.ResponseController reach the underlying writer.
func (w *gzipWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

func (w *gzipWriter) decide() error {
	w.decided = true
	h := w.Header()
	if w.status == 0 {
		w.status = http.StatusOK
	}
	h.Add("Vary", "Accept-Encoding")
	if _, ok := h["Content-Type"]; !ok && len(w.buf) > 0 {
		h.Set("Content-Type", http.DetectContentType(w.buf))
	}
	if len(w.buf) >= gzipMinSize && h.Get("Content-Encoding") == "" && bodyAllowed(w.status) && compressible(h.Get("Content-Type")) {
		h.Set("Content-Encoding", "gzip")
		h.Del("Content-Length")
		w.zw = w.pool.Get().(*gzip.Writer)
		w.zw.Reset(w.ResponseWriter)
	}
	w.ResponseWriter.WriteHeader(w.status)
	buf := w.buf
	w.buf = nil
	if len(buf) == 0 || w.head {
		return nil
	}
	var err error
	if w.zw != nil {
		_, err = w.zw.Write(buf)
	} else {
		_, err = w.ResponseWriter.Write(buf)
	}
	return err
}

func (w *gzipWriter) close() {
	if !w.decided {
		if w.status == 0 && len(w.buf) == 0 {
			return // the handler wrote nothing; let the server answer 200
		}
		w.decide() //nolint:errcheck // the client is gone
	}
	if w.zw != nil {
		w.zw.Close() //nolint:errcheck // the client is gone
		w.zw.Reset(nil)
		w.pool.Put(w.zw)
		w.zw = nil
	}
}

// compressible reports whether a content type is worth compressing.
func compressible(ct string) bool {
	mt, _, _ := strings.Cut(strings.ToLower(ct), ";")
	mt = strings.TrimSpace(mt)
	switch {
	case mt == "image/svg+xml":
		return true
	case strings.HasPrefix(mt, "image/"), strings.HasPrefix(mt, "audio/"), strings.HasPrefix(mt, "video/"):
		return false
	}
	switch mt {
	case "application/zip", "application/gzip", "application/x-gzip", "application/zstd",
		"application/x-7z-compressed", "application/x-rar-compressed", "application/x-bzip2",
		"font/woff", "font/woff2":
		return false
	}
	return true
}
