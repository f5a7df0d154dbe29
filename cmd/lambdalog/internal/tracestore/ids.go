package tracestore

import (
	"encoding/binary"
	"encoding/hex"
	"time"
)

// TraceID is an X-Ray trace id, 1-<8 hex digits>-<24 hex digits>, as 16
// bytes: the first 4 are, for ids made by X-Ray SDKs and AWS services, the
// epoch seconds of the request (a W3C trace id's first 4 bytes are random).
type TraceID [16]byte

// ParseTraceID parses a trace id written 1-xxxxxxxx-xxxxxxxxxxxxxxxxxxxxxxxx
// (hex digits in either case).
func ParseTraceID(s string) (TraceID, bool) {
	var id TraceID
	if len(s) != 35 || s[0] != '1' || s[1] != '-' || s[10] != '-' {
		return id, false
	}
	if !decodeHex(id[:4], s[2:10]) || !decodeHex(id[4:], s[11:]) {
		return id, false
	}
	return id, true
}

// String writes the id as X-Ray does, in lower-case hex.
func (t TraceID) String() string {
	var b [35]byte
	b[0], b[1], b[10] = '1', '-', '-'
	hex.Encode(b[2:10], t[:4])
	hex.Encode(b[11:], t[4:])
	return string(b[:])
}

// Epoch returns the time in the id's first 8 hex digits.
func (t TraceID) Epoch() time.Time {
	return time.Unix(int64(binary.BigEndian.Uint32(t[:4])), 0)
}

// SegmentID is the 64-bit id of a segment or subsegment, 16 hex digits.
type SegmentID [8]byte

// ParseSegmentID parses 16 hex digits.
func ParseSegmentID(s string) (SegmentID, bool) {
	var id SegmentID
	if len(s) != 16 {
		return id, false
	}
	return id, decodeHex(id[:], s)
}

// String writes the id in lower-case hex.
func (s SegmentID) String() string { return hex.EncodeToString(s[:]) }

// decodeHex decodes exactly len(dst)*2 hex digits of s into dst.
func decodeHex(dst []byte, s string) bool {
	if len(s) != 2*len(dst) {
		return false
	}
	for i := range dst {
		hi, ok1 := unhex(s[2*i])
		lo, ok2 := unhex(s[2*i+1])
		if !ok1 || !ok2 {
			return false
		}
		dst[i] = hi<<4 | lo
	}
	return true
}

func unhex(c byte) (byte, bool) {
	switch {
	case '0' <= c && c <= '9':
		return c - '0', true
	case 'a' <= c && c <= 'f':
		return c - 'a' + 10, true
	case 'A' <= c && c <= 'F':
		return c - 'A' + 10, true
	}
	return 0, false
}
