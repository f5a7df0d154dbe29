package httpadapter

import (
	"bytes"
	"net/http"
	"strings"

	"github.com/lambdalog/lambdalog/internal/jsonstr"
)

// JSONErrors returns middleware that turns the plain-text 404 and 405
// responses of http.ServeMux (and http.Error, http.NotFound) into JSON:
// {"message":"Not Found"}, {"message":"Method Not Allowed"}, or for
// http.Error(w, "no such user", 404) {"message":"no such user"}. The Allow
// header of a 405 is kept. Responses that are not plain text, and all other
// statuses, pass through untouched.
func JSONErrors(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		jw := &jsonErrorWriter{ResponseWriter: w}
		next.ServeHTTP(jw, r)
		jw.flush()
	})
}

type jsonErrorWriter struct {
	http.ResponseWriter
	status      int  // set while an error response is being captured
	wroteHeader bool // passed through
	text        bytes.Buffer
}

func (w *jsonErrorWriter) WriteHeader(code int) {
	if w.wroteHeader || w.status != 0 {
		return
	}
	if (code == http.StatusNotFound || code == http.StatusMethodNotAllowed) && isPlainText(w.Header().Get("Content-Type")) {
		w.status = code
		return
	}
	if code >= 200 {
		w.wroteHeader = true
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *jsonErrorWriter) Write(p []byte) (int, error) {
	if !w.wroteHeader && w.status == 0 {
		w.WriteHeader(http.StatusOK)
	}
	if w.status != 0 {
		return w.text.Write(p)
	}
	return w.ResponseWriter.Write(p)
}

// Flush implements http.Flusher when the underlying writer does; a captured
// error response is sent when the handler returns.
func (w *jsonErrorWriter) Flush() {
	if w.status == 0 {
		http.NewResponseController(w.ResponseWriter).Flush() //nolint:errcheck // optional
	}
}

// Unwrap lets http.ResponseController reach the underlying writer.
func (w *jsonErrorWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

func (w *jsonErrorWriter) flush() {
	if w.status == 0 {
		return
	}
	msg := strings.TrimSpace(w.text.String())
	if msg == "" || msg == "404 page not found" {
		msg = http.StatusText(w.status)
	}
	writeJSONMessage(w.ResponseWriter, w.status, msg)
}

func isPlainText(ct string) bool {
	return ct == "" || strings.HasPrefix(ct, "text/plain")
}

// writeJSONMessage writes {"message": msg} with the given status.
func writeJSONMessage(w http.ResponseWriter, status int, msg string) {
	body := jsonstr.Append([]byte(`{"message":`), msg)
	body = append(body, '}')
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	w.Write(body) //nolint:errcheck // nothing useful to do if the client is gone
}
