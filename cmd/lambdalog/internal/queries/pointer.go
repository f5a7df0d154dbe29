package queries

import (
	"encoding/base64"
	"encoding/binary"
	"errors"

	"github.com/lambdalog/lambdalog/insights"
)

// pointerVersion starts every pointer, so that the encoding can change.
const pointerVersion = 1

// EncodePointer returns the @ptr of an event: base64url, without padding,
// of a version byte, the length-prefixed region, log group and stream, the
// timestamp and the sequence number.
func EncodePointer(ref insights.EventRef) string {
	b := make([]byte, 0, 24+len(ref.Region)+len(ref.LogGroup)+len(ref.LogStream))
	b = append(b, pointerVersion)
	for _, s := range []string{ref.Region, ref.LogGroup, ref.LogStream} {
		b = binary.AppendUvarint(b, uint64(len(s)))
		b = append(b, s...)
	}
	b = binary.AppendVarint(b, ref.Timestamp)
	b = binary.AppendUvarint(b, ref.ID)
	return base64.RawURLEncoding.EncodeToString(b)
}

// ErrBadPointer is the error of DecodePointer and Record for text EncodePointer did not make (for the region).
var ErrBadPointer = errors.New("not a log record pointer")

// DecodePointer returns the event a pointer made by EncodePointer names.
func DecodePointer(ptr string) (insights.EventRef, error) {
	var ref insights.EventRef
	b, err := base64.RawURLEncoding.DecodeString(ptr)
	if err != nil || len(b) == 0 || b[0] != pointerVersion {
		return ref, ErrBadPointer
	}
	b = b[1:]
	var parts [3]string
	for i := range parts {
		n, k := binary.Uvarint(b)
		if k <= 0 || n > uint64(len(b)-k) {
			return ref, ErrBadPointer
		}
		parts[i] = string(b[k : k+int(n)])
		b = b[k+int(n):]
	}
	ts, k := binary.Varint(b)
	if k <= 0 {
		return ref, ErrBadPointer
	}
	id, k2 := binary.Uvarint(b[k:])
	if k2 <= 0 || k+k2 != len(b) {
		return ref, ErrBadPointer
	}
	ref.Region, ref.LogGroup, ref.LogStream, ref.Timestamp, ref.ID = parts[0], parts[1], parts[2], ts, id
	return ref, nil
}
