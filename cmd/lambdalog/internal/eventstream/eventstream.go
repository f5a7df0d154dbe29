// Package eventstream encodes and decodes messages in the AWS event stream
// framing (content type application/vnd.amazon.eventstream), which AWS APIs
// use to stream a response as a sequence of messages, such as CloudWatch
// Logs' StartLiveTail.
//
// # Wire format
//
// A message is, with every integer big-endian:
//
//	total length   uint32  the whole message, these 4 bytes and the CRC included
//	headers length uint32  the bytes of the headers
//	prelude CRC    uint32  CRC-32 (IEEE) of the 8 bytes before it
//	headers        ...
//	payload        ...     the rest: total length - headers length - 16 bytes
//	message CRC    uint32  CRC-32 (IEEE) of everything before it
//
// Each header is its name's length (1 byte, 1 to 255), the name, a type byte
// and the value:
//
//	0 true, 1 false        no value                      Go type bool
//	2 byte                 1 byte                         int8
//	3 short                2 bytes                        int16
//	4 integer              4 bytes                        int32
//	5 long                 8 bytes                        int64
//	6 byte array           uint16 length, the bytes      []byte
//	7 string               uint16 length, UTF-8 bytes    string
//	8 timestamp            int64 epoch milliseconds      time.Time
//	9 UUID                 16 bytes                       [16]byte
//
// A message is at most MaxMessageLen bytes and its headers at most
// MaxHeadersLen, the limits of AWS's event streams; a byte array or string
// value is at most 32767 bytes. AppendMessage refuses to encode a message
// beyond them, and Parse and Reader refuse to decode one, as they refuse a
// wrong CRC, a header of an unknown type, or headers or lengths that do not
// add up, or a header name given twice.
//
// # Messages of AWS APIs
//
// The headers :message-type ("event", "exception" or "error"), :event-type
// or :exception-type, and :content-type say what a message holds; the
// JSON-based protocols put the event's or the exception's members in the
// payload as a JSON object. EventMessage and ExceptionMessage build such
// messages.
package eventstream

import (
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"time"
)

// Limits of AWS's event streams.
const (
	// MaxMessageLen is the largest message, in bytes, prelude and CRCs
	// included.
	MaxMessageLen = 16 << 20
	// MaxHeadersLen is the largest total size of a message's headers.
	MaxHeadersLen = 128 << 10
	// maxValueLen is the largest byte array or string header value.
	maxValueLen = 1<<15 - 1

	preludeLen = 12                 // total length, headers length, prelude CRC
	overhead   = preludeLen + 4     // and the message CRC
	maxPayload = MaxMessageLen - 16 // with no headers
)

// Header types.
const (
	typeTrue byte = iota
	typeFalse
	typeByte
	typeShort
	typeInt
	typeLong
	typeBytes
	typeString
	typeTimestamp
	typeUUID
)

// Header is one header of a message.
type Header struct {
	Name string
	// Value is a bool, int8, int16, int32, int64, []byte, string, time.Time
	// (sent to the millisecond) or [16]byte (a UUID).
	Value any
}

// Message is one event stream message.
type Message struct {
	Headers []Header
	Payload []byte
}

// Get returns the value of the first header named name, or nil.
func (m *Message) Get(name string) any {
	for _, h := range m.Headers {
		if h.Name == name {
			return h.Value
		}
	}
	return nil
}

// String returns the value of the first header named name when it is a
// string, and "" otherwise.
func (m *Message) String(name string) string {
	s, _ := m.Get(name).(string)
	return s
}

// EventMessage returns a message of event type eventType whose payload
// is a JSON document, as AWS's JSON protocols send an event.
func EventMessage(eventType string, json []byte) Message {
	return Message{Headers: []Header{
		{":message-type", "event"},
		{":event-type", eventType},
		{":content-type", "application/json"},
	}, Payload: json}
}

// ExceptionMessage returns a message carrying the modeled exception
// exceptionType whose members are the JSON document json, as AWS's JSON
// protocols send an exception in a stream.
func ExceptionMessage(exceptionType string, json []byte) Message {
	return Message{Headers: []Header{
		{":message-type", "exception"},
		{":exception-type", exceptionType},
		{":content-type", "application/json"},
	}, Payload: json}
}

// AppendMessage appends the encoding of m to dst. It fails, leaving dst
// as it was, when a header cannot be encoded or the message is too large.
func AppendMessage(dst []byte, m Message) ([]byte, error) {
	start := len(dst)
	dst = append(dst, make([]byte, preludeLen)...)
	for i, h := range m.Headers {
		if repeated(m.Headers[:i], h.Name) {
			return dst[:start], fmt.Errorf("eventstream: header %q given twice", h.Name)
		}
		var err error
		if dst, err = appendHeader(dst, h); err != nil {
			return dst[:start], err
		}
	}
	headersLen := len(dst) - start - preludeLen
	if headersLen > MaxHeadersLen {
		return dst[:start], fmt.Errorf("eventstream: headers of %d bytes exceed %d", headersLen, MaxHeadersLen)
	}
	total := overhead + headersLen + len(m.Payload)
	if total > MaxMessageLen {
		return dst[:start], fmt.Errorf("eventstream: message of %d bytes exceeds %d", total, MaxMessageLen)
	}
	dst = append(dst, m.Payload...)
	msg := dst[start:]
	binary.BigEndian.PutUint32(msg[0:], uint32(total))
	binary.BigEndian.PutUint32(msg[4:], uint32(headersLen))
	binary.BigEndian.PutUint32(msg[8:], crc32.ChecksumIEEE(msg[:8]))
	return binary.BigEndian.AppendUint32(dst, crc32.ChecksumIEEE(msg)), nil
}

// repeated reports whether hs has a header named name.
func repeated(hs []Header, name string) bool {
	for _, h := range hs {
		if h.Name == name {
			return true
		}
	}
	return false
}

func appendHeader(dst []byte, h Header) ([]byte, error) {
	if len(h.Name) == 0 || len(h.Name) > 255 {
		return dst, fmt.Errorf("eventstream: header name %q: length must be 1 to 255 bytes", h.Name)
	}
	dst = append(append(dst, byte(len(h.Name))), h.Name...)
	switch v := h.Value.(type) {
	case bool:
		if v {
			return append(dst, typeTrue), nil
		}
		return append(dst, typeFalse), nil
	case int8:
		return append(dst, typeByte, byte(v)), nil
	case int16:
		return binary.BigEndian.AppendUint16(append(dst, typeShort), uint16(v)), nil
	case int32:
		return binary.BigEndian.AppendUint32(append(dst, typeInt), uint32(v)), nil
	case int64:
		return binary.BigEndian.AppendUint64(append(dst, typeLong), uint64(v)), nil
	case []byte:
		return appendVar(dst, typeBytes, h.Name, v)
	case string:
		return appendVar(dst, typeString, h.Name, v)
	case time.Time:
		return binary.BigEndian.AppendUint64(append(dst, typeTimestamp), uint64(v.UnixMilli())), nil
	case [16]byte:
		return append(append(dst, typeUUID), v[:]...), nil
	}
	return dst, fmt.Errorf("eventstream: header %q: unsupported value type %T", h.Name, h.Value)
}

func appendVar[T []byte | string](dst []byte, typ byte, name string, v T) ([]byte, error) {
	if len(v) > maxValueLen {
		return dst, fmt.Errorf("eventstream: header %q: value of %d bytes exceeds %d", name, len(v), maxValueLen)
	}
	return append(binary.BigEndian.AppendUint16(append(dst, typ), uint16(len(v))), v...), nil
}

// ErrMalformed is wrapped by every error of Parse and Reader.Next about the
// bytes of a message (as opposed to an error reading them).
var ErrMalformed = errors.New("eventstream: malformed message")

func malformed(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrMalformed, fmt.Sprintf(format, args...))
}

// Parse decodes msg, which must be exactly one message. The message's
// payload and byte array values alias msg.
func Parse(msg []byte) (Message, error) {
	if len(msg) < overhead {
		return Message{}, malformed("%d bytes, shorter than a prelude and a CRC", len(msg))
	}
	total, headersLen, err := prelude(msg[:preludeLen])
	if err != nil {
		return Message{}, err
	}
	if total != len(msg) {
		return Message{}, malformed("total length %d but %d bytes", total, len(msg))
	}
	if want, got := binary.BigEndian.Uint32(msg[total-4:]), crc32.ChecksumIEEE(msg[:total-4]); want != got {
		return Message{}, malformed("message CRC %08x, computed %08x", want, got)
	}
	m := Message{Payload: msg[preludeLen+headersLen : total-4]}
	if len(m.Payload) == 0 {
		m.Payload = nil
	}
	for h := msg[preludeLen : preludeLen+headersLen]; len(h) > 0; {
		var hd Header
		if hd, h, err = parseHeader(h); err != nil {
			return Message{}, err
		}
		if repeated(m.Headers, hd.Name) {
			return Message{}, malformed("header %q given twice", hd.Name)
		}
		m.Headers = append(m.Headers, hd)
	}
	return m, nil
}

// prelude checks a message's first 12 bytes and returns its total and
// headers lengths.
func prelude(p []byte) (total, headersLen int, err error) {
	if want, got := binary.BigEndian.Uint32(p[8:]), crc32.ChecksumIEEE(p[:8]); want != got {
		return 0, 0, malformed("prelude CRC %08x, computed %08x", want, got)
	}
	t, hl := binary.BigEndian.Uint32(p), binary.BigEndian.Uint32(p[4:])
	switch {
	case t < overhead || t > MaxMessageLen:
		return 0, 0, malformed("total length %d out of range [%d, %d]", t, overhead, MaxMessageLen)
	case hl > MaxHeadersLen || hl > t-overhead:
		return 0, 0, malformed("headers length %d out of range for a message of %d bytes", hl, t)
	}
	return int(t), int(hl), nil
}

// fixedLen is the value length of the fixed-size header types.
var fixedLen = [...]int{typeTrue: 0, typeFalse: 0, typeByte: 1, typeShort: 2, typeInt: 4, typeLong: 8, typeTimestamp: 8, typeUUID: 16}

func parseHeader(h []byte) (Header, []byte, error) {
	n := int(h[0])
	if n == 0 || len(h) < 1+n+1 {
		return Header{}, nil, malformed("header name of length %d in %d bytes", n, len(h)-1)
	}
	name, typ, v := string(h[1:1+n]), h[1+n], h[2+n:]
	size := 0
	switch {
	case typ == typeBytes || typ == typeString:
		if len(v) < 2 {
			return Header{}, nil, malformed("header %q: truncated length", name)
		}
		size = 2 + int(binary.BigEndian.Uint16(v))
		if size-2 > maxValueLen {
			return Header{}, nil, malformed("header %q: value of %d bytes exceeds %d", name, size-2, maxValueLen)
		}
	case int(typ) < len(fixedLen):
		size = fixedLen[typ]
	default:
		return Header{}, nil, malformed("header %q: unknown type %d", name, typ)
	}
	if len(v) < size {
		return Header{}, nil, malformed("header %q: value of %d bytes in %d", name, size, len(v))
	}
	var val any
	switch typ {
	case typeTrue:
		val = true
	case typeFalse:
		val = false
	case typeByte:
		val = int8(v[0])
	case typeShort:
		val = int16(binary.BigEndian.Uint16(v))
	case typeInt:
		val = int32(binary.BigEndian.Uint32(v))
	case typeLong:
		val = int64(binary.BigEndian.Uint64(v))
	case typeBytes:
		val = v[2:size:size]
	case typeString:
		val = string(v[2:size])
	case typeTimestamp:
		val = time.UnixMilli(int64(binary.BigEndian.Uint64(v)))
	case typeUUID:
		val = [16]byte(v[:16])
	}
	return Header{Name: name, Value: val}, v[size:], nil
}

// Reader reads messages one after the other from a stream.
type Reader struct {
	r   io.Reader
	buf []byte
}

// NewReader returns a Reader of the messages in r.
func NewReader(r io.Reader) *Reader { return &Reader{r: r} }

// Next reads and decodes the next message. It returns io.EOF when the
// stream ends between messages and io.ErrUnexpectedEOF when it ends inside
// one. The message aliases the Reader's buffer until the next call.
func (r *Reader) Next() (Message, error) {
	var p [preludeLen]byte
	if _, err := io.ReadFull(r.r, p[:]); err != nil {
		return Message{}, err
	}
	total, _, err := prelude(p[:])
	if err != nil {
		return Message{}, err
	}
	if cap(r.buf) < total {
		r.buf = make([]byte, total)
	}
	r.buf = r.buf[:total]
	copy(r.buf, p[:])
	if _, err := io.ReadFull(r.r, r.buf[preludeLen:]); err != nil {
		if err == io.EOF {
			err = io.ErrUnexpectedEOF
		}
		return Message{}, err
	}
	return Parse(r.buf)
}
