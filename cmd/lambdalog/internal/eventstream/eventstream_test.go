package eventstream_test

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"math"
	"strings"
	"testing"
	"time"

	smithyes "github.com/aws/smithy-go/eventstream"

	"github.com/lambdalog/lambdalog/cmd/lambdalog/internal/eventstream"
)

// everyType is a message with a header of every type and a payload.
var everyType = eventstream.Message{
	Headers: []eventstream.Header{
		{"true", true}, {"false", false},
		{"byte", int8(-7)}, {"short", int16(-300)}, {"int", int32(math.MinInt32)}, {"long", int64(math.MaxInt64)},
		{"bytes", []byte{0, 1, 2, 255}}, {":event-type", "sessionUpdate"},
		{"timestamp", time.UnixMilli(1_700_000_000_123)},
		{"uuid", [16]byte{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16}},
	},
	Payload: []byte(`{"sessionMetadata":{"sampled":false},"sessionResults":[]}`),
}

// fromSmithy converts a message smithy-go decoded into this package's form.
func fromSmithy(t testing.TB, m smithyes.Message) eventstream.Message {
	var out eventstream.Message
	for _, h := range m.Headers {
		var v any
		switch hv := h.Value.(type) {
		case smithyes.BoolValue:
			v = bool(hv)
		case smithyes.Int8Value:
			v = int8(hv)
		case smithyes.Int16Value:
			v = int16(hv)
		case smithyes.Int32Value:
			v = int32(hv)
		case smithyes.Int64Value:
			v = int64(hv)
		case smithyes.BytesValue:
			v = []byte(hv)
		case smithyes.StringValue:
			v = string(hv)
		case smithyes.TimestampValue:
			v = time.Time(hv)
		case smithyes.UUIDValue:
			v = [16]byte(hv)
		default:
			t.Fatalf("header %q: smithy value of type %T", h.Name, h.Value)
		}
		out.Headers = append(out.Headers, eventstream.Header{Name: h.Name, Value: v})
	}
	if len(m.Payload) > 0 {
		out.Payload = m.Payload
	}
	return out
}

// toSmithy converts a message into smithy-go's form.
func toSmithy(t testing.TB, m eventstream.Message) smithyes.Message {
	out := smithyes.Message{Payload: m.Payload}
	for _, h := range m.Headers {
		var v smithyes.Value
		switch hv := h.Value.(type) {
		case bool:
			v = smithyes.BoolValue(hv)
		case int8:
			v = smithyes.Int8Value(hv)
		case int16:
			v = smithyes.Int16Value(hv)
		case int32:
			v = smithyes.Int32Value(hv)
		case int64:
			v = smithyes.Int64Value(hv)
		case []byte:
			v = smithyes.BytesValue(hv)
		case string:
			v = smithyes.StringValue(hv)
		case time.Time:
			v = smithyes.TimestampValue(hv)
		case [16]byte:
			v = smithyes.UUIDValue(hv)
		default:
			t.Fatalf("header %q: value of type %T", h.Name, h.Value)
		}
		out.Headers = append(out.Headers, smithyes.Header{Name: h.Name, Value: v})
	}
	return out
}

// equal reports whether two messages have the same headers, in the same
// order with equal values (timestamps to the millisecond), and payload.
func equal(a, b eventstream.Message) bool {
	if len(a.Headers) != len(b.Headers) || !bytes.Equal(a.Payload, b.Payload) {
		return false
	}
	for i, h := range a.Headers {
		g := b.Headers[i]
		if h.Name != g.Name {
			return false
		}
		switch v := h.Value.(type) {
		case []byte:
			if w, ok := g.Value.([]byte); !ok || !bytes.Equal(v, w) {
				return false
			}
		case time.Time:
			if w, ok := g.Value.(time.Time); !ok || v.UnixMilli() != w.UnixMilli() {
				return false
			}
		default:
			if h.Value != g.Value {
				return false
			}
		}
	}
	return true
}

func describe(m eventstream.Message) string {
	var b strings.Builder
	for _, h := range m.Headers {
		fmt.Fprintf(&b, "%s=%#v ", h.Name, h.Value)
	}
	fmt.Fprintf(&b, "payload %q", m.Payload)
	return b.String()
}

// TestSmithyDecodes checks that aws-sdk-go-v2's decoder (smithy-go) reads
// what AppendMessage writes, header by header.
func TestSmithyDecodes(t *testing.T) {
	for _, m := range []eventstream.Message{
		everyType,
		{},
		eventstream.EventMessage("initial-response", []byte("{}")),
		eventstream.ExceptionMessage("SessionTimeoutException", []byte(`{"message":"timed out"}`)),
	} {
		b, err := eventstream.AppendMessage([]byte("before"), m)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.HasPrefix(b, []byte("before")) {
			t.Fatalf("AppendMessage lost what dst held: %q", b)
		}
		sm, err := smithyes.NewDecoder().Decode(bytes.NewReader(b[len("before"):]), nil)
		if err != nil {
			t.Fatalf("smithy-go cannot decode %s: %v", describe(m), err)
		}
		if got := fromSmithy(t, sm); !equal(got, m) {
			t.Errorf("smithy-go decoded\n%s\nwant\n%s", describe(got), describe(m))
		}
	}
}

// TestParseSmithyEncoded checks that Parse reads what aws-sdk-go-v2's
// encoder writes, byte for byte as AppendMessage would write it.
func TestParseSmithyEncoded(t *testing.T) {
	var buf bytes.Buffer
	if err := smithyes.NewEncoder().Encode(&buf, toSmithy(t, everyType)); err != nil {
		t.Fatal(err)
	}
	m, err := eventstream.Parse(buf.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	if !equal(m, everyType) {
		t.Errorf("Parse gave\n%s\nwant\n%s", describe(m), describe(everyType))
	}
	mine, err := eventstream.AppendMessage(nil, everyType)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(mine, buf.Bytes()) {
		t.Errorf("AppendMessage and smithy-go encode differently:\n%x\n%x", mine, buf.Bytes())
	}
	if got := m.String(":event-type"); got != "sessionUpdate" {
		t.Errorf(`String(":event-type") = %q`, got)
	}
	if got := m.String("long"); got != "" {
		t.Errorf(`String("long") of an int64 = %q, want ""`, got)
	}
	if got := m.Get("missing"); got != nil {
		t.Errorf(`Get("missing") = %v`, got)
	}
}

func TestAppendMessageRefuses(t *testing.T) {
	for name, m := range map[string]eventstream.Message{
		"empty name":       {Headers: []eventstream.Header{{"", "x"}}},
		"long name":        {Headers: []eventstream.Header{{strings.Repeat("n", 256), "x"}}},
		"long string":      {Headers: []eventstream.Header{{"s", strings.Repeat("v", 1<<15)}}},
		"long bytes":       {Headers: []eventstream.Header{{"b", make([]byte, 1<<15)}}},
		"unsupported type": {Headers: []eventstream.Header{{"u", uint32(1)}}},
		"repeated name":    {Headers: []eventstream.Header{{"a", "x"}, {"b", true}, {"a", "y"}}},
		"large headers":    {Headers: manyHeaders(5)},
		"large message":    {Payload: make([]byte, eventstream.MaxMessageLen-15)},
	} {
		b, err := eventstream.AppendMessage([]byte("x"), m)
		if err == nil {
			t.Errorf("%s: encoded", name)
		}
		if string(b) != "x" {
			t.Errorf("%s: dst is %q after the error, want it as it was", name, b)
		}
	}
	// The largest message fits.
	if _, err := eventstream.AppendMessage(nil, eventstream.Message{Payload: make([]byte, eventstream.MaxMessageLen-16)}); err != nil {
		t.Errorf("largest message: %v", err)
	}
}

// manyHeaders returns n string headers of 32767 bytes each.
func manyHeaders(n int) []eventstream.Header {
	hs := make([]eventstream.Header, n)
	for i := range hs {
		hs[i] = eventstream.Header{Name: fmt.Sprint("h", i), Value: strings.Repeat("v", 1<<15-1)}
	}
	return hs
}

func TestParseRefuses(t *testing.T) {
	good, err := eventstream.AppendMessage(nil, everyType)
	if err != nil {
		t.Fatal(err)
	}
	// reCRC recomputes both CRCs of a message whose bytes a case changed.
	reCRC := func(b []byte) []byte {
		binary.BigEndian.PutUint32(b[8:], crc32.ChecksumIEEE(b[:8]))
		binary.BigEndian.PutUint32(b[len(b)-4:], crc32.ChecksumIEEE(b[:len(b)-4]))
		return b
	}
	headersAt := 12
	for name, b := range map[string][]byte{
		"empty":          nil,
		"short":          good[:15],
		"truncated":      good[:len(good)-1],
		"trailing":       append(bytes.Clone(good), 0),
		"prelude CRC":    func() []byte { b := bytes.Clone(good); b[8] ^= 1; return b }(),
		"message CRC":    func() []byte { b := bytes.Clone(good); b[len(b)-1] ^= 1; return b }(),
		"payload bit":    func() []byte { b := bytes.Clone(good); b[len(b)-6] ^= 1; return b }(),
		"headers length": reCRC(func() []byte { b := bytes.Clone(good); binary.BigEndian.PutUint32(b[4:], uint32(len(b))); return b }()),
		"unknown type":   reCRC(func() []byte { b := bytes.Clone(good); b[headersAt+1+len("true")] = 10; return b }()),
		"empty name":     reCRC(func() []byte { b := bytes.Clone(good); b[headersAt] = 0; return b }()),
		"header overrun": reCRC(func() []byte { b := bytes.Clone(good); b[headersAt] = 200; return b }()),
		"total too large": reCRC(func() []byte {
			b := bytes.Clone(good)
			binary.BigEndian.PutUint32(b, eventstream.MaxMessageLen+1)
			return b
		}()),
	} {
		if m, err := eventstream.Parse(b); !errors.Is(err, eventstream.ErrMalformed) {
			t.Errorf("%s: Parse = %s, %v; want ErrMalformed", name, describe(m), err)
		}
	}
}

func TestReader(t *testing.T) {
	var stream []byte
	msgs := []eventstream.Message{
		eventstream.EventMessage("initial-response", []byte("{}")),
		everyType,
		eventstream.ExceptionMessage("SessionStreamingException", []byte(`{"message":"x"}`)),
	}
	for _, m := range msgs {
		var err error
		if stream, err = eventstream.AppendMessage(stream, m); err != nil {
			t.Fatal(err)
		}
	}
	r := eventstream.NewReader(iotestOneByte(stream))
	for i, want := range msgs {
		got, err := r.Next()
		if err != nil {
			t.Fatalf("message %d: %v", i, err)
		}
		if !equal(got, want) {
			t.Errorf("message %d:\n%s\nwant\n%s", i, describe(got), describe(want))
		}
	}
	if _, err := r.Next(); err != io.EOF {
		t.Errorf("after the last message: %v, want io.EOF", err)
	}
	if _, err := eventstream.NewReader(bytes.NewReader(stream[:20])).Next(); err != io.ErrUnexpectedEOF {
		t.Errorf("stream cut inside a message: %v, want io.ErrUnexpectedEOF", err)
	}
	bad := bytes.Clone(stream)
	bad[8] ^= 1
	if _, err := eventstream.NewReader(bytes.NewReader(bad)).Next(); !errors.Is(err, eventstream.ErrMalformed) {
		t.Errorf("bad prelude: %v, want ErrMalformed", err)
	}
}

// iotestOneByte reads b one byte per Read, as a slow network delivers it.
func iotestOneByte(b []byte) io.Reader { return &oneByte{b} }

type oneByte struct{ b []byte }

func (o *oneByte) Read(p []byte) (int, error) {
	if len(o.b) == 0 {
		return 0, io.EOF
	}
	if len(p) == 0 {
		return 0, nil
	}
	p[0], o.b = o.b[0], o.b[1:]
	return 1, nil
}

// FuzzParse checks that Parse never panics, that what it accepts encodes
// back to the same bytes, and that aws-sdk-go-v2's decoder reads it alike.
func FuzzParse(f *testing.F) {
	for _, m := range []eventstream.Message{everyType, {}, eventstream.EventMessage("sessionStart", []byte(`{"sessionId":"x"}`))} {
		b, err := eventstream.AppendMessage(nil, m)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		checkParse(t, b)
		if len(b) >= 16 && len(b) <= eventstream.MaxMessageLen {
			// The same bytes with a right total length and CRCs, so that
			// the fuzzer reaches the headers.
			b = bytes.Clone(b)
			binary.BigEndian.PutUint32(b, uint32(len(b)))
			binary.BigEndian.PutUint32(b[8:], crc32.ChecksumIEEE(b[:8]))
			binary.BigEndian.PutUint32(b[len(b)-4:], crc32.ChecksumIEEE(b[:len(b)-4]))
			checkParse(t, b)
		}
	})
}

// checkParse checks what FuzzParse says of one input.
func checkParse(t *testing.T, b []byte) {
	m, err := eventstream.Parse(b)
	if err != nil {
		if !errors.Is(err, eventstream.ErrMalformed) {
			t.Fatalf("error not ErrMalformed: %v", err)
		}
		return
	}
	again, err := eventstream.AppendMessage(nil, m)
	if err != nil {
		t.Fatalf("cannot encode what Parse accepted (%s): %v", describe(m), err)
	}
	if !bytes.Equal(again, b) {
		t.Fatalf("re-encoded differently:\n%x\n%x", again, b)
	}
	sm, err := smithyes.NewDecoder().Decode(bytes.NewReader(b), nil)
	if err != nil {
		t.Fatalf("smithy-go refuses what Parse accepted (%s): %v", describe(m), err)
	}
	if got := fromSmithy(t, sm); !equal(got, m) {
		t.Fatalf("smithy-go decoded\n%s\nParse\n%s", describe(got), describe(m))
	}
}
