package logsapi

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/lambdalog/lambdalog/internal/jsonstr"
)

// putLogEventsInput is the decoded PutLogEvents request. Fields keep
// encoding/json's semantics for a struct of pointers: absent or null means
// not set, later duplicate keys win.
type putLogEventsInput struct {
	LogGroupName, LogStreamName, SequenceToken optString
	LogEvents                                  []inputEvent
}

// optString is a string that may be absent (or null).
type optString struct {
	Set   bool
	Value string
}

// inputEvent is one decoded InputLogEvent. Message aliases the request
// body when it needed no unescaping.
type inputEvent struct {
	HasTimestamp, HasMessage bool
	Timestamp                int64
	Message                  []byte
}

// errSyntax reports malformed JSON; errType reports a value of the wrong type.
var (
	errSyntax = errors.New("malformed JSON")
	errType   = errors.New("wrong JSON type")
)

// putDecoder decodes PutLogEvents bodies without reflection, aliasing
// message bytes into the body wherever possible. It accepts exactly the
// documents encoding/json accepts for the same struct.
type putDecoder struct {
	b     []byte
	i     int
	arena []byte // backing store for unescaped strings
	field string // field being decoded, for error messages
}

func decodePutLogEvents(body []byte, in *putLogEventsInput) error {
	d := putDecoder{b: body}
	d.ws()
	if d.lit("null") {
		// encoding/json leaves the value untouched.
	} else if err := d.object(func(key []byte) error { return d.putField(key, in) }); err != nil {
		return d.wrap(err)
	}
	d.ws()
	if d.i != len(d.b) {
		return d.wrap(errSyntax)
	}
	return nil
}

func (d *putDecoder) wrap(err error) error {
	if errors.Is(err, errType) && d.field != "" {
		return fmt.Errorf("%w for field %s", err, d.field)
	}
	return fmt.Errorf("%w at offset %d", err, d.i)
}

func (d *putDecoder) putField(key []byte, in *putLogEventsInput) error {
	switch {
	case fieldIs(key, "logGroupName"):
		d.field = "logGroupName"
		return d.optString(&in.LogGroupName)
	case fieldIs(key, "logStreamName"):
		d.field = "logStreamName"
		return d.optString(&in.LogStreamName)
	case fieldIs(key, "sequenceToken"):
		d.field = "sequenceToken"
		return d.optString(&in.SequenceToken)
	case fieldIs(key, "logEvents"):
		d.field = "logEvents"
		return d.events(in)
	}
	return d.skip(0)
}

// fieldIs matches a JSON key to a field name as encoding/json does.
func fieldIs(key []byte, name string) bool {
	return len(key) == len(name) && string(key) == name || bytes.EqualFold(key, []byte(name))
}

func (d *putDecoder) events(in *putLogEventsInput) error {
	if d.lit("null") {
		in.LogEvents = nil
		return nil
	}
	if d.peek() != '[' {
		return d.typeErrorSkip()
	}
	d.i++
	evs := in.LogEvents[:0]
	old := len(in.LogEvents)
	d.ws()
	if d.peek() == ']' {
		d.i++
		in.LogEvents = []inputEvent{}
		return nil
	}
	for n := 0; ; n++ {
		if n < old {
			evs = evs[:n+1] // encoding/json decodes into the existing element
		} else {
			evs = append(evs, inputEvent{})
		}
		d.ws()
		if err := d.event(&evs[n]); err != nil {
			return err
		}
		d.ws()
		switch d.peek() {
		case ',':
			d.i++
		case ']':
			d.i++
			in.LogEvents = evs
			return nil
		default:
			return errSyntax
		}
	}
}

func (d *putDecoder) event(ev *inputEvent) error {
	if d.lit("null") {
		return nil
	}
	if d.peek() != '{' {
		return d.typeErrorSkip()
	}
	if d.compactEvent(ev) {
		return nil
	}
	return d.object(func(key []byte) error {
		switch {
		case fieldIs(key, "timestamp"):
			if d.lit("null") {
				ev.HasTimestamp, ev.Timestamp = false, 0
				return nil
			}
			v, err := d.int64()
			if err != nil {
				return err
			}
			ev.HasTimestamp, ev.Timestamp = true, v
		case fieldIs(key, "message"):
			if d.lit("null") {
				ev.HasMessage, ev.Message = false, nil
				return nil
			}
			if d.peek() != '"' {
				return d.typeErrorSkip()
			}
			s, err := d.string()
			if err != nil {
				return err
			}
			ev.HasMessage, ev.Message = true, s
		default:
			return d.skip(0)
		}
		return nil
	})
}

// compactEvent decodes the event at d.i if it is exactly
// {"timestamp":<non-negative integer>,"message":"..."}, the form the AWS
// SDKs and CLI send, and reports whether it did. Anything else is left to
// the general path, which then sees the input unchanged.
func (d *putDecoder) compactEvent(ev *inputEvent) bool {
	const tsKey, msgKey = `{"timestamp":`, `,"message":`
	start := d.i
	if !bytes.HasPrefix(d.b[d.i:], []byte(tsKey)) {
		return false
	}
	d.i += len(tsKey)
	if c := d.peek(); c >= '0' && c <= '9' {
		ts, err := d.int64()
		if err == nil && bytes.HasPrefix(d.b[d.i:], []byte(msgKey)) {
			d.i += len(msgKey)
			if d.peek() == '"' {
				msg, err := d.string()
				if err == nil && d.peek() == '}' {
					d.i++
					*ev = inputEvent{HasTimestamp: true, Timestamp: ts, HasMessage: true, Message: msg}
					return true
				}
			}
		}
	}
	d.i = start
	return false
}

func (d *putDecoder) optString(dst *optString) error {
	if d.lit("null") {
		*dst = optString{}
		return nil
	}
	if d.peek() != '"' {
		return d.typeErrorSkip()
	}
	s, err := d.string()
	if err != nil {
		return err
	}
	*dst = optString{Set: true, Value: string(s)}
	return nil
}

// typeErrorSkip reports a value of the wrong type. encoding/json also
// rejects such documents, whether or not the rest is well formed.
func (d *putDecoder) typeErrorSkip() error { return errType }

func (d *putDecoder) peek() byte {
	if d.i < len(d.b) {
		return d.b[d.i]
	}
	return 0
}

func (d *putDecoder) ws() {
	for d.i < len(d.b) {
		switch d.b[d.i] {
		case ' ', '\t', '\n', '\r':
			d.i++
		default:
			return
		}
	}
}

// lit consumes the literal word if it is next.
func (d *putDecoder) lit(word string) bool {
	if bytes.HasPrefix(d.b[d.i:], []byte(word)) {
		d.i += len(word)
		return true
	}
	return false
}

// object parses {"key": value, ...}, calling fn positioned at each value.
func (d *putDecoder) object(fn func(key []byte) error) error {
	if d.peek() != '{' {
		return d.typeErrorSkip()
	}
	d.i++
	d.ws()
	if d.peek() == '}' {
		d.i++
		return nil
	}
	for {
		d.ws()
		if d.peek() != '"' {
			return errSyntax
		}
		key, err := d.string()
		if err != nil {
			return err
		}
		d.ws()
		if d.peek() != ':' {
			return errSyntax
		}
		d.i++
		d.ws()
		if err := fn(key); err != nil {
			return err
		}
		d.ws()
		switch d.peek() {
		case ',':
			d.i++
		case '}':
			d.i++
			return nil
		default:
			return errSyntax
		}
	}
}

const maxDepth = 10000

// skip consumes one JSON value of any type, checking its syntax.
func (d *putDecoder) skip(depth int) error {
	if depth > maxDepth {
		return errSyntax
	}
	switch c := d.peek(); {
	case c == '"':
		_, _, err := d.scanString()
		return err
	case c == '{':
		d.i++
		d.ws()
		if d.peek() == '}' {
			d.i++
			return nil
		}
		for {
			d.ws()
			if d.peek() != '"' {
				return errSyntax
			}
			if _, _, err := d.scanString(); err != nil {
				return err
			}
			d.ws()
			if d.peek() != ':' {
				return errSyntax
			}
			d.i++
			d.ws()
			if err := d.skip(depth + 1); err != nil {
				return err
			}
			d.ws()
			switch d.peek() {
			case ',':
				d.i++
			case '}':
				d.i++
				return nil
			default:
				return errSyntax
			}
		}
	case c == '[':
		d.i++
		d.ws()
		if d.peek() == ']' {
			d.i++
			return nil
		}
		for {
			d.ws()
			if err := d.skip(depth + 1); err != nil {
				return err
			}
			d.ws()
			switch d.peek() {
			case ',':
				d.i++
			case ']':
				d.i++
				return nil
			default:
				return errSyntax
			}
		}
	case c == '-' || c >= '0' && c <= '9':
		_, _, err := d.number()
		return err
	case d.lit("true"), d.lit("false"), d.lit("null"):
		return nil
	}
	return errSyntax
}

// number consumes a JSON number, reporting whether it is an integer literal.
func (d *putDecoder) number() (lit []byte, integer bool, err error) {
	start := d.i
	b := d.b
	if d.peek() == '-' {
		d.i++
	}
	switch c := d.peek(); {
	case c == '0':
		d.i++
	case c >= '1' && c <= '9':
		for d.i < len(b) && b[d.i] >= '0' && b[d.i] <= '9' {
			d.i++
		}
	default:
		return nil, false, errSyntax
	}
	integer = true
	if d.peek() == '.' {
		integer = false
		d.i++
		if !d.digits() {
			return nil, false, errSyntax
		}
	}
	if c := d.peek(); c == 'e' || c == 'E' {
		integer = false
		d.i++
		if c := d.peek(); c == '+' || c == '-' {
			d.i++
		}
		if !d.digits() {
			return nil, false, errSyntax
		}
	}
	return b[start:d.i], integer, nil
}

func (d *putDecoder) digits() bool {
	start := d.i
	for d.i < len(d.b) && d.b[d.i] >= '0' && d.b[d.i] <= '9' {
		d.i++
	}
	return d.i > start
}

func (d *putDecoder) int64() (int64, error) {
	c := d.peek()
	if c != '-' && (c < '0' || c > '9') {
		return 0, d.typeErrorSkip()
	}
	lit, integer, err := d.number()
	if err != nil {
		return 0, err
	}
	if !integer {
		return 0, errType
	}
	neg := lit[0] == '-'
	if neg {
		lit = lit[1:]
	}
	var u uint64
	for _, c := range lit {
		if u > (math.MaxUint64-9)/10 {
			return 0, errType
		}
		u = u*10 + uint64(c-'0')
	}
	if neg && u <= 1<<63 {
		return -int64(u), nil
	}
	if !neg && u <= math.MaxInt64 {
		return int64(u), nil
	}
	return 0, errType
}

// strSpecial marks the bytes that end a fast run inside a JSON string:
// the quote, backslash, control characters and non-ASCII bytes.
var strSpecial = func() (t [256]bool) {
	for c := range 256 {
		t[c] = c == '"' || c == '\\' || c < 0x20 || c >= utf8.RuneSelf
	}
	return t
}()

// scanString consumes a string, returning its raw contents and whether
// they can be used as is (no escapes, valid UTF-8).
func (d *putDecoder) scanString() (raw []byte, plain bool, err error) {
	b := d.b
	i := d.i + 1
	start := i
	plain = true
	for {
		for i+8 <= len(b) && !jsonstr.HasSpecial(binary.LittleEndian.Uint64(b[i:])) {
			i += 8
		}
		for i < len(b) && !strSpecial[b[i]] {
			i++
		}
		if i >= len(b) {
			return nil, false, errSyntax
		}
		switch c := b[i]; {
		case c == '"':
			d.i = i + 1
			return b[start:i], plain, nil
		case c == '\\':
			plain = false
			if i+1 >= len(b) {
				return nil, false, errSyntax
			}
			switch b[i+1] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
				i += 2
			case 'u':
				if i+6 > len(b) || !isHex4(b[i+2:i+6]) {
					return nil, false, errSyntax
				}
				i += 6
			default:
				return nil, false, errSyntax
			}
		case c < 0x20:
			return nil, false, errSyntax
		default: // non-ASCII: validated when decoded
			plain = false
			i++
		}
	}
}

func isHex4(h []byte) bool {
	for _, c := range h {
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F') {
			return false
		}
	}
	return true
}

// string consumes a string and returns its decoded UTF-8 bytes.
func (d *putDecoder) string() ([]byte, error) {
	raw, plain, err := d.scanString()
	if err != nil {
		return nil, err
	}
	if plain || utf8.Valid(raw) && bytes.IndexByte(raw, '\\') < 0 {
		return raw, nil
	}
	return d.unescape(raw), nil
}

// unescape decodes a syntactically valid raw string as encoding/json does:
// invalid UTF-8 and unpaired surrogates become U+FFFD.
func (d *putDecoder) unescape(raw []byte) []byte {
	need := 3 * len(raw) // worst case: each invalid byte becomes 3 bytes
	if cap(d.arena)-len(d.arena) < need {
		d.arena = make([]byte, 0, max(need, 64<<10))
	}
	start := len(d.arena)
	out := d.arena
	for i := 0; i < len(raw); {
		c := raw[i]
		switch {
		case c == '\\':
			e := raw[i+1]
			i += 2
			switch e {
			case 'b':
				out = append(out, '\b')
			case 'f':
				out = append(out, '\f')
			case 'n':
				out = append(out, '\n')
			case 'r':
				out = append(out, '\r')
			case 't':
				out = append(out, '\t')
			case 'u':
				r := hex4(raw[i:])
				i += 4
				if utf16.IsSurrogate(r) {
					if i+6 <= len(raw) && raw[i] == '\\' && raw[i+1] == 'u' {
						if dec := utf16.DecodeRune(r, hex4(raw[i+2:])); dec != utf8.RuneError {
							i += 6
							out = utf8.AppendRune(out, dec)
							break
						}
					}
					r = utf8.RuneError
				}
				out = utf8.AppendRune(out, r)
			default: // '"', '\\', '/'
				out = append(out, e)
			}
		case c < utf8.RuneSelf:
			j := i + 1
			for j < len(raw) && raw[j] != '\\' && raw[j] < utf8.RuneSelf {
				j++
			}
			out = append(out, raw[i:j]...)
			i = j
		default:
			r, size := utf8.DecodeRune(raw[i:])
			i += size
			out = utf8.AppendRune(out, r)
		}
	}
	d.arena = out
	return out[start:len(out):len(out)]
}

func hex4(h []byte) rune {
	var r rune
	for _, c := range h[:4] {
		switch {
		case c >= '0' && c <= '9':
			c -= '0'
		case c >= 'a' && c <= 'f':
			c = c - 'a' + 10
		default:
			c = c - 'A' + 10
		}
		r = r<<4 | rune(c)
	}
	return r
}
