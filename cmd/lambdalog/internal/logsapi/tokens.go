package logsapi

import (
	"math"
	"strconv"
	"strings"

	"github.com/lambdalog/lambdalog/cmd/lambdalog/internal/store"
)

// appendPosition appends a position as 40 decimal digits: the timestamp
// with its sign bit flipped, then the seq, so digit order is event order.
func appendPosition(dst []byte, p store.Position) []byte {
	dst = appendPadded(dst, uint64(p.Timestamp)^(1<<63))
	return appendPadded(dst, p.Seq)
}

func appendPadded(dst []byte, v uint64) []byte {
	var b [20]byte
	s := strconv.AppendUint(b[:0], v, 10)
	for range 20 - len(s) {
		dst = append(dst, '0')
	}
	return append(dst, s...)
}

func parsePosition(s string) (store.Position, error) {
	if len(s) != 40 {
		return store.Position{}, errBadToken
	}
	ts, err1 := strconv.ParseUint(s[:20], 10, 64)
	seq, err2 := strconv.ParseUint(s[20:], 10, 64)
	if err1 != nil || err2 != nil {
		return store.Position{}, errBadToken
	}
	return store.Position{Timestamp: int64(ts ^ (1 << 63)), Seq: seq}, nil
}

// GetLogEvents tokens look like AWS's: "f/<digits>/s" (forward, events
// after the position) and "b/<digits>/s" (backward, events before it).
func eventToken(dir byte, p store.Position) string {
	b := make([]byte, 0, 44)
	b = append(b, dir, '/')
	b = appendPosition(b, p)
	return string(append(b, "/s"...))
}

func parseEventToken(tok string) (dir byte, p store.Position, err error) {
	if len(tok) < 4 || (tok[0] != 'f' && tok[0] != 'b') || tok[1] != '/' || !strings.HasSuffix(tok, "/s") {
		return 0, p, errBadToken
	}
	p, err = parsePosition(tok[2 : len(tok)-2])
	return tok[0], p, err
}

// origin is the position before every event.
var origin = store.Position{Timestamp: math.MinInt64}

func filterToken(p store.Position) string {
	return encodeToken(string(appendPosition(nil, p)))
}

func parseFilterToken(tok *string) (*store.Position, error) {
	if tok == nil {
		return nil, nil
	}
	s, err := decodeToken(tok)
	if err != nil {
		return nil, err
	}
	p, err := parsePosition(s)
	if err != nil {
		return nil, err
	}
	return &p, nil
}
