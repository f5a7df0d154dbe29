package logsapi

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws/protocol/eventstream"

	"github.com/lambdalog/lambdalog/cmd/lambdalog/internal/awsapi"
	"github.com/lambdalog/lambdalog/cmd/lambdalog/internal/store"
	"github.com/lambdalog/lambdalog/internal/jsonstr"
)

// Live Tail limits. The session length, the session count, the 500 events
// of an update and the 10 updates buffered for a slow client are AWS's; the
// byte bounds are lambdalog's, which keep an update within an event stream
// message and a session's memory bounded.
const (
	// DefaultLiveTailDuration is how long a Live Tail session lasts.
	DefaultLiveTailDuration = 3 * time.Hour
	// DefaultLiveTailSessions is how many Live Tail sessions may be open
	// at once in each region.
	DefaultLiveTailSessions = 15

	liveTailMaxGroups    = 10
	liveTailMaxResults   = 500     // events in one update
	liveTailWindowBytes  = 4 << 20 // message bytes kept for one update
	liveTailMaxPending   = 10      // updates held for a client that reads slowly
	liveTailPendingBytes = 16 << 20
	liveTailInterval     = time.Second
	// liveTailWriteTimeout bounds the write of one message: a client that
	// stops reading for that long loses its session.
	liveTailWriteTimeout = time.Minute
	// liveTailMaxMessage is the largest event stream message, the limit
	// of AWS's event streams; liveTailMaxPayload keeps an update's message,
	// headers included, within it.
	liveTailMaxMessage = 16 << 20
	liveTailMaxPayload = liveTailMaxMessage - 1024
)

// LiveTailOptions configure a LiveTail.
type LiveTailOptions struct {
	// MaxDuration is how long a session lasts before it ends with a
	// SessionTimeoutException; 0 means DefaultLiveTailDuration.
	MaxDuration time.Duration
	// MaxSessions is how many sessions may be open at once in a region;
	// 0 means DefaultLiveTailSessions.
	MaxSessions int
	// Logger receives failures to encode an update; nil means
	// slog.Default().
	Logger *slog.Logger
}

// LiveTail holds the open Live Tail sessions of a server: StartLiveTail
// (Options.LiveTail) opens them, and the log store's AfterPut hook hands
// every batch of events it stores to Offer, which gives each session the
// events it asked for. It is safe for concurrent use.
type LiveTail struct {
	opts LiveTailOptions

	open    atomic.Int32 // sessions open; Offer does nothing while it is 0
	mu      sync.RWMutex
	groups  map[tailKey][]tailTarget // copied on write: Offer reads a slice without the lock
	regions map[string]int           // sessions open per region
	servers map[*http.Server]bool    // the servers whose shutdown calls Close
	closed  bool
	closing chan struct{} // closed by Close
}

// tailKey names a log group.
type tailKey struct{ region, group string }

// tailTarget is a session tailing a log group, which it names ident.
type tailTarget struct {
	s     *tailSession
	ident string
}

// NewLiveTail returns a LiveTail without sessions.
func NewLiveTail(opts LiveTailOptions) *LiveTail {
	if opts.MaxDuration <= 0 {
		opts.MaxDuration = DefaultLiveTailDuration
	}
	if opts.MaxSessions <= 0 {
		opts.MaxSessions = DefaultLiveTailSessions
	}
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	return &LiveTail{opts: opts, groups: map[tailKey][]tailTarget{}, regions: map[string]int{}, servers: map[*http.Server]bool{}, closing: make(chan struct{})}
}

// Offer gives the sessions tailing in's log group the events of in that
// they select. It copies what it keeps, never waits for a client, and
// returns at once when no session is open; it is meant to be called from
// the log store's AfterPut hook.
func (lt *LiveTail) Offer(in *store.Ingested) {
	if lt.open.Load() == 0 {
		return
	}
	lt.mu.RLock()
	targets := lt.groups[tailKey{in.Region, in.Group.Name}]
	lt.mu.RUnlock()
	for _, t := range targets {
		t.s.offer(in, t.ident)
	}
}

// Close ends every session, each with a SessionStreamingException saying
// that the server is stopping, and makes StartLiveTail fail from then on.
// The Shutdown of an http.Server that served StartLiveTail calls it, so
// that a graceful shutdown need not wait for sessions that last hours.
func (lt *LiveTail) Close() {
	lt.mu.Lock()
	defer lt.mu.Unlock()
	if !lt.closed {
		lt.closed = true
		close(lt.closing)
	}
}

// add registers a session, unless the region has its maximum of sessions.
// srv, when not nil, is the server the session's request came from: its
// Shutdown (which waits for the requests in flight) will call Close.
func (lt *LiveTail) add(s *tailSession, srv *http.Server) error {
	lt.mu.Lock()
	defer lt.mu.Unlock()
	if srv != nil && !lt.servers[srv] {
		lt.servers[srv] = true
		srv.RegisterOnShutdown(lt.Close)
	}
	switch {
	case lt.closed:
		return clientError("InvalidOperationException", "The server is shutting down.")
	case lt.regions[s.region] >= lt.opts.MaxSessions:
		return clientError("LimitExceededException", "Resource limit exceeded: at most %d Live Tail sessions can be open at once in an account and region.", lt.opts.MaxSessions)
	}
	lt.regions[s.region]++
	for _, g := range s.groups {
		k := tailKey{s.region, g.name}
		lt.groups[k] = append(slices.Clip(lt.groups[k]), tailTarget{s, g.ident})
	}
	lt.open.Add(1)
	return nil
}

// remove unregisters a session.
func (lt *LiveTail) remove(s *tailSession) {
	lt.mu.Lock()
	defer lt.mu.Unlock()
	lt.regions[s.region]--
	if lt.regions[s.region] == 0 {
		delete(lt.regions, s.region)
	}
	for _, g := range s.groups {
		k := tailKey{s.region, g.name}
		ts := slices.DeleteFunc(slices.Clone(lt.groups[k]), func(t tailTarget) bool { return t.s == s })
		if len(ts) == 0 {
			delete(lt.groups, k)
		} else {
			lt.groups[k] = ts
		}
	}
	lt.open.Add(-1)
}

// tailGroup is a log group of a session: its name, and the identifier the
// request named it by, which the session's events carry.
type tailGroup struct{ name, ident string }

// tailSession is one Live Tail session. Offer adds the events it selects to
// the current window; every second the session's ticker encodes the window
// as a sessionUpdate message and queues it, and the request's goroutine
// writes the queue to the client.
type tailSession struct {
	region   string
	groups   []tailGroup
	streams  []string // logStreamNames
	prefixes []string // logStreamNamePrefixes
	match    matcher  // nil: every event

	mu           sync.Mutex
	window       tailWindow
	pending      [][]byte      // encoded messages not yet written, oldest first
	pendingBytes int           // their total size
	final        []byte        // the last message (an exception); nil until the session ends
	wake         chan struct{} // signalled (capacity 1) when pending or final changes
}

// tailWindow is what one update will carry: a uniform sample (reservoir
// sampling) of at most liveTailMaxResults of the matched events, within
// liveTailWindowBytes of messages.
type tailWindow struct {
	events  []tailEvent
	matched int    // events matched since the window began
	bytes   int    // message bytes held
	seq     uint64 // arrival counter, so that an update lists events in arrival order
}

type tailEvent struct {
	seq                  uint64
	ident, stream        string
	message              []byte
	timestamp, ingestion int64
}

// sampled reports whether the window dropped matched events.
func (w *tailWindow) sampled() bool { return w.matched > len(w.events) }

func (w *tailWindow) add(ident, stream string, e *store.Event, ingestion int64) {
	w.matched++
	w.seq++
	if len(w.events) < liveTailMaxResults && w.bytes+len(e.Message) <= liveTailWindowBytes {
		w.events = append(w.events, tailEvent{seq: w.seq, ident: ident, stream: stream,
			message: slices.Clone(e.Message), timestamp: e.Timestamp, ingestion: ingestion})
		w.bytes += len(e.Message)
		return
	}
	// Keep the event with probability len(events)/matched, in place of a
	// random one, so that every matched event is equally likely to be kept.
	i := rand.IntN(w.matched)
	if i >= len(w.events) {
		return
	}
	old := &w.events[i]
	if w.bytes-len(old.message)+len(e.Message) > liveTailWindowBytes {
		return
	}
	w.bytes += len(e.Message) - len(old.message)
	*old = tailEvent{seq: w.seq, ident: ident, stream: stream,
		message: append(old.message[:0], e.Message...), timestamp: e.Timestamp, ingestion: ingestion}
}

// offer adds the events of in that the session selects to its window.
func (s *tailSession) offer(in *store.Ingested, ident string) {
	if len(s.streams) > 0 && !slices.Contains(s.streams, in.Stream) {
		return
	}
	if len(s.prefixes) > 0 && !slices.ContainsFunc(s.prefixes, func(p string) bool { return strings.HasPrefix(in.Stream, p) }) {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for i := range in.Events {
		e := &in.Events[i]
		if s.match == nil || s.match(e.Message) {
			s.window.add(ident, in.Stream, e, in.Millis)
		}
	}
}

// rotate ends the current window and queues its update, dropping the
// oldest queued updates beyond liveTailMaxPending or liveTailPendingBytes.
func (s *tailSession) rotate() {
	s.mu.Lock()
	w := s.window
	s.window = tailWindow{seq: w.seq}
	s.mu.Unlock()
	msg := streamMessage("event", "sessionUpdate", appendUpdate(nil, &w))
	s.mu.Lock()
	defer s.mu.Unlock()
	s.pending = append(s.pending, msg)
	s.pendingBytes += len(msg)
	for len(s.pending) > liveTailMaxPending || len(s.pending) > 1 && s.pendingBytes > liveTailPendingBytes {
		s.pendingBytes -= len(s.pending[0])
		s.pending[0] = nil
		s.pending = s.pending[1:]
	}
	s.signal()
}

// finish queues the session's last message.
func (s *tailSession) finish(msg []byte) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.final = msg
	s.signal()
}

func (s *tailSession) signal() {
	select {
	case s.wake <- struct{}{}:
	default:
	}
}

// take returns the queued messages, the last message after them when the
// session has ended.
func (s *tailSession) take() (msgs [][]byte, final []byte) {
	s.mu.Lock()
	defer s.mu.Unlock()
	msgs, s.pending, s.pendingBytes = s.pending, nil, 0
	return msgs, s.final
}

// appendUpdate appends a sessionUpdate's JSON for w: its events in arrival
// order, as many as fit within liveTailMaxPayload (those that do not are
// dropped and make it sampled).
func appendUpdate(dst []byte, w *tailWindow) []byte {
	slices.SortFunc(w.events, func(a, b tailEvent) int { return cmp.Compare(a.seq, b.seq) })
	const head, tail = `{"sessionMetadata":{"sampled":false},"sessionResults":[`, "]}"
	var results []byte
	sampled := w.sampled()
	for i := range w.events {
		e := &w.events[i]
		mark := len(results)
		if mark > 0 {
			results = append(results, ',')
		}
		results = append(results, `{"logStreamName":`...)
		results = jsonstr.Append(results, e.stream)
		results = append(results, `,"logGroupIdentifier":`...)
		results = jsonstr.Append(results, e.ident)
		results = append(results, `,"message":`...)
		results = jsonstr.Append(results, e.message)
		results = append(results, `,"timestamp":`...)
		results = strconv.AppendInt(results, e.timestamp, 10)
		results = append(results, `,"ingestionTime":`...)
		results = strconv.AppendInt(results, e.ingestion, 10)
		results = append(results, '}')
		if len(head)+len(results)+len(tail) > liveTailMaxPayload {
			results, sampled = results[:mark], true
		}
	}
	dst = append(dst, `{"sessionMetadata":{"sampled":`...)
	dst = strconv.AppendBool(dst, sampled)
	dst = append(dst, `},"sessionResults":[`...)
	dst = append(dst, results...)
	return append(dst, tail...)
}

type startLiveTailInput struct {
	LogGroupIdentifiers   []string
	LogStreamNames        []string
	LogStreamNamePrefixes []string
	LogEventFilterPattern *string
}

func (in *startLiveTailInput) validate(v *validationErrors) {
	switch n := len(in.LogGroupIdentifiers); {
	case in.LogGroupIdentifiers == nil:
		v.add("null", "logGroupIdentifiers", "not be null")
	case n < 1:
		v.add(listValue(in.LogGroupIdentifiers), "logGroupIdentifiers", "have length greater than or equal to 1")
	case n > liveTailMaxGroups:
		v.add(listValue(in.LogGroupIdentifiers), "logGroupIdentifiers", fmt.Sprintf("have length less than or equal to %d", liveTailMaxGroups))
	}
	for i, id := range in.LogGroupIdentifiers {
		v.str("logGroupIdentifiers."+itoa(i+1)+".member", &id, true, ruleGroupIdentifier)
	}
	for _, l := range []struct {
		param string
		names []string
	}{{"logStreamNames", in.LogStreamNames}, {"logStreamNamePrefixes", in.LogStreamNamePrefixes}} {
		if l.names != nil && (len(l.names) < 1 || len(l.names) > 100) {
			v.add(listValue(l.names), l.param, "have length between 1 and 100")
		}
		for i, s := range l.names {
			v.str(l.param+"."+itoa(i+1)+".member", &s, true, ruleStreamName)
		}
	}
	v.str("logEventFilterPattern", in.LogEventFilterPattern, false, ruleFilterPattern)
}

func listValue(l []string) string { return "'[" + strings.Join(l, ", ") + "]'" }

// sessionStart is the LiveTailSessionStart event.
type sessionStart struct {
	RequestID             string   `json:"requestId"`
	SessionID             string   `json:"sessionId"`
	LogGroupIdentifiers   []string `json:"logGroupIdentifiers"`
	LogStreamNames        []string `json:"logStreamNames,omitempty"`
	LogStreamNamePrefixes []string `json:"logStreamNamePrefixes,omitempty"`
	LogEventFilterPattern *string  `json:"logEventFilterPattern,omitempty"`
}

// startLiveTail checks the request and opens the session; the session
// streams from c.stream, which Serve calls.
func (h *Handler) startLiveTail(c *call, in *startLiveTailInput) (any, error) {
	if h.liveTail == nil {
		return nil, clientError("InvalidOperationException", "Live Tail is not available on this server.")
	}
	if in.LogStreamNames != nil && in.LogStreamNamePrefixes != nil {
		return nil, invalidParameter("You cannot specify both logStreamNames and logStreamNamePrefixes.")
	}
	if len(in.LogGroupIdentifiers) > 1 && (in.LogStreamNames != nil || in.LogStreamNamePrefixes != nil) {
		return nil, invalidParameter("logStreamNames and logStreamNamePrefixes can be specified only when logGroupIdentifiers has a single log group.")
	}
	s := &tailSession{region: c.region, streams: in.LogStreamNames, prefixes: in.LogStreamNamePrefixes, wake: make(chan struct{}, 1)}
	if in.LogEventFilterPattern != nil {
		var err error
		if s.match, err = compilePattern(*in.LogEventFilterPattern); err != nil {
			return nil, err
		}
	}
	for _, id := range in.LogGroupIdentifiers {
		name, err := h.liveTailGroup(c, id)
		if err != nil {
			return nil, err
		}
		if !slices.ContainsFunc(s.groups, func(g tailGroup) bool { return g.name == name }) {
			s.groups = append(s.groups, tailGroup{name, id})
		}
	}
	srv, _ := c.ctx.Value(http.ServerContextKey).(*http.Server)
	if err := h.liveTail.add(s, srv); err != nil {
		return nil, err
	}
	start, err := json.Marshal(sessionStart{RequestID: c.requestID, SessionID: awsapi.NewID(), LogGroupIdentifiers: in.LogGroupIdentifiers,
		LogStreamNames: in.LogStreamNames, LogStreamNamePrefixes: in.LogStreamNamePrefixes, LogEventFilterPattern: in.LogEventFilterPattern})
	if err != nil {
		h.liveTail.remove(s)
		return nil, fmt.Errorf("encode sessionStart: %w", err)
	}
	c.stream = func(w http.ResponseWriter) {
		defer h.liveTail.remove(s)
		h.streamLiveTail(c, w, s, start)
	}
	return nil, nil
}

// liveTailGroup returns the name of the log group a logGroupIdentifiers
// member names: a log group of the request's region, by name or by ARN
// (which must not end with *).
func (h *Handler) liveTailGroup(c *call, id string) (string, error) {
	name := id
	if strings.HasPrefix(id, "arn:") {
		if strings.HasSuffix(id, "*") {
			return "", invalidParameter("The log group ARN %s in logGroupIdentifiers must not end with *.", id)
		}
		parts := strings.SplitN(id, ":", 7) // arn:aws:logs:region:account:log-group:name
		if len(parts) != 7 || parts[2] != "logs" || parts[5] != "log-group" || parts[6] == "" || strings.Contains(parts[6], ":") {
			return "", invalidParameter("%s in logGroupIdentifiers is not a log group ARN (arn:aws:logs:REGION:ACCOUNT_ID:log-group:NAME).", id)
		}
		if parts[4] != h.account {
			return "", clientError("AccessDeniedException", "User is not authorized to perform: logs:StartLiveTail on resource: %s", id)
		}
		if parts[3] != c.region {
			return "", clientError("ResourceNotFoundException", "The specified log group does not exist: %s is in region %s, not in %s, the region of this request.", id, parts[3], c.region)
		}
		name = parts[6]
	}
	if _, err := h.store.Group(c.ctx, c.region, name); err != nil {
		if errors.Is(err, store.ErrGroupNotFound) {
			return "", clientError("ResourceNotFoundException", "The specified log group does not exist: %s", id)
		}
		return "", err
	}
	return name, nil
}

// streamLiveTail answers StartLiveTail with the event stream: the
// initial-response and sessionStart messages, then an update every second
// until the session ends (its time limit, the client leaving, Close).
func (h *Handler) streamLiveTail(c *call, w http.ResponseWriter, s *tailSession, start []byte) {
	rc := http.NewResponseController(w)
	// The connection may serve more requests once the stream ends: they
	// must not inherit the deadline of its last message.
	defer rc.SetWriteDeadline(time.Time{})
	write := func(msg []byte) error {
		// A deadline per message: the stream itself may last for hours.
		if err := rc.SetWriteDeadline(time.Now().Add(liveTailWriteTimeout)); err != nil && !errors.Is(err, http.ErrNotSupported) {
			return err
		}
		_, err := w.Write(msg)
		return err
	}
	w.Header().Set("Content-Type", "application/vnd.amazon.eventstream")
	w.WriteHeader(http.StatusOK)
	first := append(streamMessage("event", "initial-response", []byte("{}")), streamMessage("event", "sessionStart", start)...)
	if write(first) != nil || rc.Flush() != nil {
		return
	}

	ctx, cancel := context.WithCancel(c.ctx)
	var wg sync.WaitGroup
	wg.Go(func() { s.tick(ctx, h.liveTail) })
	defer func() {
		cancel()
		wg.Wait()
	}()
	for {
		select {
		case <-ctx.Done():
			return
		case <-s.wake:
		}
		msgs, final := s.take()
		for _, m := range msgs {
			if write(m) != nil {
				return
			}
		}
		if final != nil {
			_ = write(final)
			_ = rc.Flush()
			return
		}
		if rc.Flush() != nil {
			return
		}
	}
}

// tick rotates the session's window every second until ctx ends, or until
// the session's time is up or lt is closed, which end it.
func (s *tailSession) tick(ctx context.Context, lt *LiveTail) {
	t := time.NewTicker(liveTailInterval)
	defer t.Stop()
	end := time.NewTimer(lt.opts.MaxDuration)
	defer end.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			s.rotate()
		case <-end.C:
			s.rotate()
			s.finish(streamMessage("exception", "SessionTimeoutException",
				fmt.Appendf(nil, `{"message":"Session timed out: a Live Tail session lasts at most %s."}`, lt.opts.MaxDuration)))
			return
		case <-lt.closing:
			s.finish(streamMessage("exception", "SessionStreamingException",
				[]byte(`{"message":"The server is shutting down; the Live Tail session ends."}`)))
			return
		}
	}
}

// streamMessage encodes an event stream message (application/vnd.amazon.eventstream) with
// aws-sdk-go-v2's encoder, the framing its clients decode: of kind "event" or "exception", of
// type typ, its payload the JSON document json, as AWS's JSON protocols send events and
// modeled exceptions in a stream.
func streamMessage(kind, typ string, json []byte) []byte {
	m := eventstream.Message{Payload: json}
	m.Headers.Set(":message-type", eventstream.StringValue(kind))
	m.Headers.Set(":"+kind+"-type", eventstream.StringValue(typ))
	m.Headers.Set(":content-type", eventstream.StringValue("application/json"))
	var b bytes.Buffer
	// Writing to a bytes.Buffer does not fail, and these headers are short.
	_ = eventstream.NewEncoder().Encode(&b, m)
	return b.Bytes()
}
