package httpadapter

import (
	"net/http"

	"github.com/lambdalog/lambdalog/logger"
)

// Recover returns middleware that turns a panic in next into a 500 response
// with the JSON body {"message":"Internal Server Error"} and logs the panic
// value and stack through the request's logger (logger.FromContext). If next had already started
// its response, the response is left as it is (its status cannot change).
// http.ErrAbortHandler is re-raised, as net/http expects.
//
// Adapter recovers panics itself (and can always replace a partial response,
// which it buffers); use Recover when serving the same handler with
// net/http's server.
func Recover(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		sw := &statusWriter{ResponseWriter: w}
		defer func() {
			p := recover()
			if p == nil {
				return
			}
			if p == http.ErrAbortHandler {
				panic(p)
			}
			logPanic(r, p)
			if !sw.wrote {
				writeJSONMessage(w, http.StatusInternalServerError, http.StatusText(http.StatusInternalServerError))
			}
		}()
		next.ServeHTTP(sw, r)
	})
}

// logPanic logs a recovered panic through the request's logger, which
// writes it as exception, exception_name and stack_trace.
func logPanic(r *http.Request, p any) {
	ctx := r.Context()
	logger.FromContext(ctx).ErrorContext(ctx, "panic serving "+r.Method+" "+r.URL.Path,
		"error", logger.WithStack(&logger.PanicError{Value: p}))
}

// statusWriter records whether the response has started.
type statusWriter struct {
	http.ResponseWriter
	wrote bool
}

func (w *statusWriter) WriteHeader(code int) {
	if code >= 200 {
		w.wrote = true
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(p []byte) (int, error) {
	w.wrote = true
	return w.ResponseWriter.Write(p)
}

// Flush implements http.Flusher when the underlying writer does.
func (w *statusWriter) Flush() {
	w.wrote = true
	http.NewResponseController(w.ResponseWriter).Flush() //nolint:errcheck // optional
}

// Unwrap lets http.ResponseController reach the underlying writer.
func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }
