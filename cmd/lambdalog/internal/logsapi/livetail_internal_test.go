package logsapi

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws/protocol/eventstream"

	"github.com/lambdalog/lambdalog/cmd/lambdalog/internal/store"
)

// update is a decoded sessionUpdate message.
type update struct {
	SessionMetadata struct{ Sampled bool }
	SessionResults  []struct {
		LogStreamName, LogGroupIdentifier, Message string
		Timestamp, IngestionTime                   int64
	}
}

func decodeUpdate(t *testing.T, msg []byte) update {
	t.Helper()
	r := bytes.NewReader(msg)
	m, err := eventstream.NewDecoder().Decode(r, nil)
	if err != nil || r.Len() != 0 {
		t.Fatalf("%v; %d bytes after the message", err, r.Len())
	}
	if header(m, ":message-type") != "event" || header(m, ":event-type") != "sessionUpdate" || header(m, ":content-type") != "application/json" {
		t.Fatalf("headers %v, want a sessionUpdate event", m.Headers)
	}
	var u update
	if err := json.Unmarshal(m.Payload, &u); err != nil {
		t.Fatalf("sessionUpdate payload: %v\n%.200s", err, m.Payload)
	}
	return u
}

// header returns the value of a message's header as a string, "" if it has none.
func header(m eventstream.Message, name string) string {
	if v := m.Headers.Get(name); v != nil {
		return v.String()
	}
	return ""
}

func newTestSession() *tailSession { return &tailSession{wake: make(chan struct{}, 1)} }

// TestLiveTailSlowClient checks that a client that does not read keeps the
// 10 newest updates, as AWS buffers them.
func TestLiveTailSlowClient(t *testing.T) {
	s := newTestSession()
	for i := range 12 {
		s.offer(&store.Ingested{Stream: "s", Millis: 5, Events: []store.Event{{Timestamp: 1, Message: fmt.Append(nil, "m", i)}}}, "g")
		s.rotate()
	}
	msgs, final := s.take()
	if final != nil {
		t.Errorf("final message before the session ended")
	}
	var got []string
	for _, m := range msgs {
		u := decodeUpdate(t, m)
		for _, r := range u.SessionResults {
			got = append(got, r.Message)
			if r.LogStreamName != "s" || r.LogGroupIdentifier != "g" || r.Timestamp != 1 || r.IngestionTime != 5 {
				t.Errorf("event %+v", r)
			}
		}
	}
	if want := []string{"m2", "m3", "m4", "m5", "m6", "m7", "m8", "m9", "m10", "m11"}; !slices.Equal(got, want) {
		t.Errorf("buffered %q, want %q", got, want)
	}
	if again, _ := s.take(); len(again) != 0 {
		t.Errorf("take twice: %d messages", len(again))
	}
}

// TestLiveTailLargeEvents checks the byte bounds: an update stays within an
// event stream message however its messages escape in JSON, dropping (and
// saying it sampled) what does not fit, and the updates held for a slow
// client stay within their bytes.
func TestLiveTailLargeEvents(t *testing.T) {
	s := newTestSession()
	ctl := bytes.Repeat([]byte{1}, 1<<20) // 6 bytes each in JSON: \u0001
	evs := []store.Event{{Message: ctl}, {Message: ctl}, {Message: ctl}, {Message: ctl}}
	s.offer(&store.Ingested{Stream: "s", Events: evs}, "g")
	s.rotate()
	msgs, _ := s.take()
	if len(msgs) != 1 || len(msgs[0]) > liveTailMaxMessage {
		t.Fatalf("%d messages, the first of %d bytes", len(msgs), len(msgs[0]))
	}
	u := decodeUpdate(t, msgs[0])
	// The window keeps the 4 MiB of messages, of which 2 (12 MiB of JSON)
	// fit in a message.
	if len(u.SessionResults) != 2 || !u.SessionMetadata.Sampled {
		t.Errorf("update of %d events, sampled %v; want 2, sampled", len(u.SessionResults), u.SessionMetadata.Sampled)
	}

	big := bytes.Repeat([]byte("x"), 1<<20)
	for i := range 6 {
		s.offer(&store.Ingested{Stream: "s", Events: []store.Event{{Message: big}, {Message: big}, {Message: big}, {Message: fmt.Append(nil, "end", i)}}}, "g")
		s.rotate()
	}
	msgs, _ = s.take()
	total := 0
	for _, m := range msgs {
		total += len(m)
	}
	if total > liveTailPendingBytes || len(msgs) < 2 {
		t.Errorf("%d updates of %d bytes held, want at most %d bytes", len(msgs), total, liveTailPendingBytes)
	}
	last := decodeUpdate(t, msgs[len(msgs)-1])
	if n := len(last.SessionResults); n != 4 || last.SessionResults[3].Message != "end5" {
		t.Errorf("the newest update has %d events, want the 4 put last", n)
	}
}

// offerBatch is a batch of 100 events of about 100 bytes.
func offerBatch() *store.Ingested {
	in := &store.Ingested{Region: "us-east-1", Group: store.Group{Name: "g"}, Stream: "s", Millis: 1}
	for i := range 100 {
		in.Events = append(in.Events, store.Event{Timestamp: int64(i), Message: fmt.Appendf(nil, `{"level":"INFO","n":%d,"msg":"an ordinary log line of about a hundred bytes"}`, i)})
	}
	return in
}

// openTestSession registers a session on group g that matches pattern.
func openTestSession(t testing.TB, lt *LiveTail, pattern string) *tailSession {
	s := newTestSession()
	s.region, s.groups = "us-east-1", []tailGroup{{"g", "g"}}
	var err error
	if s.match, err = compilePattern(pattern); err != nil {
		t.Fatal(err)
	}
	if err := lt.add(s, nil); err != nil {
		t.Fatal(err)
	}
	return s
}

// TestLiveTailOfferAllocs checks what Offer costs PutEvents: nothing while
// no session is open, or when no event matches a session.
func TestLiveTailOfferAllocs(t *testing.T) {
	lt := NewLiveTail(LiveTailOptions{})
	in := offerBatch()
	if n := testing.AllocsPerRun(100, func() { lt.Offer(in) }); n != 0 {
		t.Errorf("Offer without sessions: %v allocations", n)
	}
	s := openTestSession(t, lt, `{ $.level = "ERROR" }`)
	if n := testing.AllocsPerRun(100, func() { lt.Offer(in) }); n != 0 {
		t.Errorf("Offer of events no session matches: %v allocations", n)
	}
	if s.window.matched != 0 {
		t.Errorf("%d events matched", s.window.matched)
	}
}

// BenchmarkLiveTailOffer measures Offer of a batch of 100 events.
func BenchmarkLiveTailOffer(b *testing.B) {
	for _, c := range []struct{ name, pattern string }{
		{"none", ""}, {"nomatch", `{ $.level = "ERROR" }`}, {"match", `{ $.level = "INFO" }`},
	} {
		b.Run(c.name, func(b *testing.B) {
			lt := NewLiveTail(LiveTailOptions{})
			var s *tailSession
			if c.name != "none" {
				s = openTestSession(b, lt, c.pattern)
			}
			in := offerBatch()
			b.ReportAllocs()
			for i := 0; b.Loop(); i++ {
				lt.Offer(in)
				if s != nil && i%10 == 9 { // a window of 1000 events, as a busy second
					s.mu.Lock()
					s.window = tailWindow{}
					s.mu.Unlock()
				}
			}
		})
	}
}
