package tracer

import (
	"context"
	"encoding/binary"
	"math/rand/v2"
	"time"

	"go.opentelemetry.io/otel/trace"
)

// IDGenerator makes trace and span ids for the OpenTelemetry SDK that X-Ray accepts: the first
// four bytes of a trace id are the current time in Unix seconds (X-Ray rejects traces whose id
// says they started more than 30 days ago), the other twelve and the eight of a span id are
// random, from math/rand/v2's per-thread ChaCha8 generator (never all zero). Use it with
// sdktrace.WithIDGenerator. It is safe for concurrent use.
type IDGenerator struct{}

// NewIDs returns a new trace id, time-stamped now, and a new span id.
func (IDGenerator) NewIDs(context.Context) (trace.TraceID, trace.SpanID) {
	var id trace.TraceID
	binary.BigEndian.PutUint32(id[:4], uint32(time.Now().Unix()))
	binary.BigEndian.PutUint32(id[4:8], rand.Uint32())
	binary.BigEndian.PutUint64(id[8:], rand.Uint64())
	return id, newSpanID()
}

// NewSpanID returns a new span id.
func (IDGenerator) NewSpanID(context.Context, trace.TraceID) trace.SpanID { return newSpanID() }

func newSpanID() trace.SpanID {
	for {
		var id trace.SpanID
		binary.BigEndian.PutUint64(id[:], rand.Uint64())
		if id.IsValid() {
			return id
		}
	}
}

// xrayTraceIDLen is the length of an X-Ray trace id, 1-xxxxxxxx-yyyyyyyyyyyyyyyyyyyyyyyy.
const xrayTraceIDLen = 35

// appendTraceID appends id in X-Ray's form: 1-, the first 4 bytes (the epoch seconds) in 8 hex
// digits, -, the other 12 bytes in 24 hex digits.
func appendTraceID(b []byte, id trace.TraceID) []byte {
	var t [xrayTraceIDLen]byte
	t[0], t[1], t[10] = '1', '-', '-'
	hexEncode(t[2:10], id[:4])
	hexEncode(t[11:], id[4:])
	return append(b, t[:]...)
}

// appendSpanID appends id in 16 lowercase hex digits.
func appendSpanID(b []byte, id trace.SpanID) []byte {
	var t [16]byte
	hexEncode(t[:], id[:])
	return append(b, t[:]...)
}

// hexEncode writes src in lowercase hex to dst, which is twice as long.
func hexEncode(dst, src []byte) {
	const digits = "0123456789abcdef"
	for i, c := range src {
		dst[2*i], dst[2*i+1] = digits[c>>4], digits[c&0xf]
	}
}

// parseTraceID parses an X-Ray trace id, lowercase or uppercase hex; ok is false if s is not
// one or is all zero.
func parseTraceID(s string) (id trace.TraceID, ok bool) {
	if len(s) != xrayTraceIDLen || s[0] != '1' || s[1] != '-' || s[10] != '-' ||
		!hexDecode(id[:4], s[2:10]) || !hexDecode(id[4:], s[11:]) {
		return id, false
	}
	return id, id.IsValid()
}

// parseSpanID parses a 16 hex digit segment id; ok is false if s is not one or is all zero.
func parseSpanID(s string) (id trace.SpanID, ok bool) {
	if len(s) != 16 || !hexDecode(id[:], s) {
		return id, false
	}
	return id, id.IsValid()
}

// hexDecode decodes s, hex digits of either case, into dst, half as long; ok is false if s
// holds another character.
func hexDecode(dst []byte, s string) bool {
	s = s[:2*len(dst)]
	for i := range dst {
		hi, lo := hexValue[s[2*i]], hexValue[s[2*i+1]]
		if hi|lo > 0xf {
			return false
		}
		dst[i] = hi<<4 | lo
	}
	return true
}

// hexValue is the value of each hex digit, and 0xff for every other byte.
var hexValue = func() (t [256]byte) {
	for c := range t {
		switch {
		case '0' <= c && c <= '9':
			t[c] = byte(c - '0')
		case 'a' <= c && c <= 'f':
			t[c] = byte(c - 'a' + 10)
		case 'A' <= c && c <= 'F':
			t[c] = byte(c - 'A' + 10)
		default:
			t[c] = 0xff
		}
	}
	return t
}()

// TraceID returns the X-Ray trace id (1-xxxxxxxx-yyyyyyyyyyyyyyyyyyyyyyyy) of the span or remote
// trace context on ctx, or "" when there is none: inside a traced handler, the Root of the
// invocation's trace header.
func TraceID(ctx context.Context) string {
	sc := trace.SpanContextFromContext(ctx)
	if !sc.IsValid() {
		return ""
	}
	return string(appendTraceID(make([]byte, 0, xrayTraceIDLen), sc.TraceID()))
}
