package console

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strconv"
	"strings"
	"unicode/utf16"

	"github.com/lambdalog/lambdalog/cmd/lambdalog/internal/store"
)

// need returns a query parameter that must be present.
func (r *Request) need(name string) (string, error) {
	v := r.Query.Get(name)
	if v == "" {
		return "", badRequest("missing parameter %s", name)
	}
	return v, nil
}

// int returns an integer query parameter, def when it is absent.
func (r *Request) int(name string, def int64) (int64, error) {
	v := r.Query.Get(name)
	if v == "" {
		return def, nil
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil {
		return 0, badRequest("parameter %s: want an integer, not %q", name, v)
	}
	return n, nil
}

// body reads the request's body, of at most limit bytes.
func (r *Request) body(limit int64) ([]byte, error) {
	b, err := io.ReadAll(http.MaxBytesReader(nil, r.Body, limit))
	if mbe := (*http.MaxBytesError)(nil); errors.As(err, &mbe) {
		return nil, &Error{Status: http.StatusRequestEntityTooLarge, Message: "The request body is larger than " + strconv.FormatInt(limit, 10) + " bytes."}
	}
	if err != nil {
		return nil, badRequest("reading the request body: %v", err)
	}
	return b, nil
}

// decode reads the request's JSON body, of at most limit bytes, into v.
func (r *Request) decode(v any, limit int64) error {
	b, err := r.body(limit)
	if err != nil {
		return err
	}
	if err := json.Unmarshal(b, v); err != nil {
		return badRequest("the request body is not the JSON expected: %v", err)
	}
	return nil
}

// A cursor is an event's position in the store-wide (timestamp, seq) order,
// written "<timestamp>.<seq>".
func formatCursor(p store.Position) string {
	return strconv.FormatInt(p.Timestamp, 10) + "." + strconv.FormatUint(p.Seq, 10)
}

func parseCursor(s string) (store.Position, error) {
	ts, seq, ok := strings.Cut(s, ".")
	t, err1 := strconv.ParseInt(ts, 10, 64)
	n, err2 := strconv.ParseUint(seq, 10, 64)
	if !ok || err1 != nil || err2 != nil {
		return store.Position{}, badRequest("not a cursor: %q", s)
	}
	return store.Position{Timestamp: t, Seq: n}, nil
}

// utf16Offset converts a byte offset into s to the offset in UTF-16 code
// units that JavaScript strings index by.
func utf16Offset(s string, byteOff int) int {
	byteOff = min(max(byteOff, 0), len(s))
	n := 0
	for _, r := range s[:byteOff] {
		n += utf16.RuneLen(r)
	}
	return n
}

// runeToByte converts an offset in code points into s to a byte offset.
func runeToByte(s string, runes int) int {
	for i := range s {
		if runes == 0 {
			return i
		}
		runes--
	}
	return len(s)
}
