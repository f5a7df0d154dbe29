package logsapi

import (
	"bytes"
	"errors"
	"fmt"
	"math"

	"github.com/lambdalog/lambdalog/internal/jsonscan"
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
	s     jsonscan.Scanner[[]byte]
	arena []byte // backing store for unescaped strings
	key   []byte // an unescaped key
	field string // field being decoded, for error messages
}

func decodePutLogEvents(body []byte, in *putLogEventsInput) error {
	d := putDecoder{s: jsonscan.New(body)}
	if d.s.Null() {
		// encoding/json leaves the value untouched.
	} else if err := d.object(in); err != nil {
		return d.wrap(err)
	}
	if err := d.s.End(); err != nil {
		return d.wrap(err)
	}
	return nil
}

// wrap adds where the error is. Every error but errType is a syntax error.
func (d *putDecoder) wrap(err error) error {
	if err != errType {
		return fmt.Errorf("%w at offset %d", errSyntax, d.s.Pos())
	}
	if d.field != "" {
		return fmt.Errorf("%w for field %s", err, d.field)
	}
	return fmt.Errorf("%w at offset %d", err, d.s.Pos())
}

// object decodes the request object.
func (d *putDecoder) object(in *putLogEventsInput) error {
	return d.members(inputFields[:], func(f string) error {
		switch f {
		case "logGroupName":
			return d.optString(f, &in.LogGroupName)
		case "logStreamName":
			return d.optString(f, &in.LogStreamName)
		case "sequenceToken":
			return d.optString(f, &in.SequenceToken)
		}
		d.field = f
		return d.events(in)
	})
}

// members decodes an object, calling fn at the value of each member whose
// key matches a name in fields, with that name; fn reads the value. Other
// members are skipped.
func (d *putDecoder) members(fields []string, fn func(field string) error) error {
	if d.s.Peek() != jsonscan.Object {
		return errType
	}
	if err := d.s.Object(); err != nil {
		return err
	}
	for {
		key, ok, err := d.s.Member()
		if err != nil || !ok {
			return err
		}
		if f := field(d.unescapeKey(key), fields); f != "" {
			err = fn(f)
		} else {
			err = d.s.Skip()
		}
		if err != nil {
			return err
		}
	}
}

// unescapeKey returns the value of an object key.
func (d *putDecoder) unescapeKey(key jsonscan.Str[[]byte]) []byte {
	if key.Plain {
		return key.Raw
	}
	d.key = jsonscan.AppendUnescaped(d.key[:0], key.Raw)
	return d.key
}

// The fields decoded, by JSON name.
var (
	inputFields = [...]string{"logGroupName", "logStreamName", "sequenceToken", "logEvents"}
	eventFields = [...]string{"timestamp", "message"}
)

// field returns the name in names that key matches as encoding/json matches
// keys to fields: exactly (the common case, tested first) or else
// case-insensitively. It returns "" if key matches none.
func field(key []byte, names []string) string {
	for _, name := range names {
		if string(key) == name {
			return name
		}
	}
	for _, name := range names {
		if bytes.EqualFold(key, []byte(name)) {
			return name
		}
	}
	return ""
}

func (d *putDecoder) events(in *putLogEventsInput) error {
	if d.s.Null() {
		in.LogEvents = nil
		return nil
	}
	if d.s.Peek() != jsonscan.Array {
		return errType
	}
	if err := d.s.Array(); err != nil {
		return err
	}
	evs := in.LogEvents[:0]
	old := len(in.LogEvents)
	for n := 0; ; n++ {
		more, err := d.s.Element()
		if err != nil {
			return err
		}
		if !more {
			if n == 0 {
				evs = []inputEvent{}
			}
			in.LogEvents = evs
			return nil
		}
		if n < old {
			evs = evs[:n+1] // encoding/json decodes into the existing element
		} else {
			evs = append(evs, inputEvent{})
		}
		if err := d.event(&evs[n]); err != nil {
			return err
		}
	}
}

func (d *putDecoder) event(ev *inputEvent) error {
	if d.s.Null() {
		return nil
	}
	if d.s.Peek() != jsonscan.Object {
		return errType
	}
	if d.compactEvent(ev) {
		return nil
	}
	return d.members(eventFields[:], func(f string) (err error) {
		if f == "timestamp" {
			ev.HasTimestamp, ev.Timestamp = false, 0
			if !d.s.Null() {
				ev.Timestamp, err = d.int64()
				ev.HasTimestamp = err == nil
			}
			return err
		}
		ev.HasMessage, ev.Message = false, nil
		if !d.s.Null() {
			ev.Message, err = d.string()
			ev.HasMessage = err == nil
		}
		return err
	})
}

// compactEvent decodes the event at d.s if it is exactly
// {"timestamp":<integer>,"message":"..."}, the form the AWS SDKs and CLI
// send, and reports whether it did. Anything else is left to the general
// path, which then reads the input from where this one began.
func (d *putDecoder) compactEvent(ev *inputEvent) bool {
	start := d.s
	if d.s.Accept(`{"timestamp":`) {
		ts, err := d.int64()
		if err == nil && d.s.Accept(`,"message":`) {
			msg, err := d.string()
			if err == nil && d.s.Accept("}") {
				*ev = inputEvent{HasTimestamp: true, Timestamp: ts, HasMessage: true, Message: msg}
				return true
			}
		}
	}
	d.s = start
	return false
}

func (d *putDecoder) optString(name string, dst *optString) error {
	d.field = name
	if d.s.Null() {
		*dst = optString{}
		return nil
	}
	s, err := d.string()
	if err != nil {
		return err
	}
	*dst = optString{Set: true, Value: string(s)}
	return nil
}

// int64 decodes an integer that fits an int64, as encoding/json does.
func (d *putDecoder) int64() (int64, error) {
	if d.s.Peek() != jsonscan.Number {
		return 0, errType
	}
	lit, err := d.s.Number()
	if err != nil {
		return 0, err
	}
	neg := lit[0] == '-'
	if neg {
		lit = lit[1:]
	}
	var u uint64
	for _, c := range lit {
		if c < '0' || c > '9' || u > (math.MaxUint64-9)/10 {
			return 0, errType // a fraction, an exponent or too many digits
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

// string decodes a string: a slice of the body when it needs no decoding,
// otherwise its decoded copy in the arena.
func (d *putDecoder) string() ([]byte, error) {
	if d.s.Peek() != jsonscan.String {
		return nil, errType
	}
	x, err := d.s.Str()
	if err != nil || x.Plain {
		return x.Raw, err
	}
	need := 3 * len(x.Raw) // worst case: each invalid byte becomes 3 bytes
	if cap(d.arena)-len(d.arena) < need {
		d.arena = make([]byte, 0, max(need, 64<<10))
	}
	start := len(d.arena)
	d.arena = jsonscan.AppendUnescaped(d.arena, x.Raw)
	return d.arena[start:len(d.arena):len(d.arena)], nil
}
