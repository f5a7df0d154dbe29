package logger

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"os"
	"strconv"
	"sync"

	"github.com/lambdalog/lambdalog/internal/invocation"
	"github.com/lambdalog/lambdalog/internal/jsonstr"
)

// SegmentIDKey is the key of the X-Ray subsegment id in records logged, within an invocation,
// with a context that a tracer (package tracer) put a subsegment on: the id of the innermost
// subsegment open there, 16 hex digits, written right after xray_trace_id. Powertools has no
// such key; it pairs with xray_trace_id as the SegmentId of Lambda's REPORT line pairs with its
// TraceId.
const SegmentIDKey = "xray_segment_id"

// Handler is an slog.Handler writing one Powertools-shaped JSON object per line:
//
//	{"level":"INFO","location":"hello/main.go:42","message":"hi","timestamp":"2024-05-01T12:00:00.123Z",
//	 "service":"payment","cold_start":true,"function_name":"f",...,"correlation_id":"...","k":"v",...,
//	 "xray_trace_id":"1-...","xray_segment_id":"53995c3f42cd8ad8"}
//
// Create it with [NewHandler]. It is safe for concurrent use; each record is written with a
// single Write call.
type Handler struct {
	c      *core
	bind   *binding   // the invocation this handler logs for, if any
	min    slog.Level // with bind.inv set: bind.inv.minLevel, copied for Enabled
	pre    []byte     // encoded WithAttrs attributes, with groups[:opened] opened
	groups []string
	opened int
}

// core is what all handlers derived from one NewHandler call share.
type core struct {
	mu sync.Mutex
	w  io.Writer

	level      slog.Level
	header     []byte // ,"service":"..."[,"sampling_rate":r]
	persistent []byte // encoded WithPersistentKeys attributes
	sampleRate float64
	dev        bool
	redact     redactor
	locs       locationCache
	stamps     timestampCache

	buffering bool
	bufLevel  slog.Level
	bufMax    int
	mayLower  bool // invocations may accept records below level (sampling or buffering)

	cfg      *config
	settings settings
}

// NewHandler returns a Handler writing to w, configured from opts and the environment
// (see [Option]). Invalid environment values are reported once on stderr (or the
// WithWarnings writer), naming the variable, and replaced by their defaults.
func NewHandler(w io.Writer, opts ...Option) *Handler {
	cfg := &config{}
	for _, o := range opts {
		o(cfg)
	}
	s := resolve(cfg, cfg.warner())
	redact := newRedactor(redactList(cfg.redactSet, cfg.redactKeys, DefaultRedactKeys, EnvRedactKeys),
		redactList(cfg.allowSet, cfg.allowKeys, DefaultRedactAllowKeys, EnvRedactAllowKeys))
	c := &core{
		w:          w,
		level:      s.level,
		sampleRate: s.sampleRate,
		dev:        s.dev,
		redact:     redact,
		buffering:  cfg.buffering,
		bufLevel:   cfg.bufferLevel,
		bufMax:     cfg.bufferMax,
		cfg:        cfg,
		settings:   s,
	}
	c.mayLower = c.sampleRate > 0 || c.buffering
	c.header = append(c.header, `,"service":`...)
	c.header = appendString(c.header, s.service)
	if s.sampleRate > 0 {
		c.header = append(c.header, `,"sampling_rate":`...)
		c.header = jsonstr.AppendFloat(c.header, s.sampleRate)
	}
	for _, a := range cfg.keys {
		c.persistent = c.appendAttr(c.persistent, a)
	}
	return &Handler{c: c}
}

// New returns a logger writing to os.Stdout (or the WithOutput writer), configured from opts
// and the environment.
func New(opts ...Option) *Logger {
	return newLogger(newHandlerFromOptions(opts))
}

func newHandlerFromOptions(opts []Option) *Handler {
	cfg := &config{}
	for _, o := range opts {
		o(cfg)
	}
	w := cfg.out
	if w == nil {
		w = os.Stdout
	}
	return NewHandler(w, opts...)
}

// Enabled reports whether a record at level would be written (or buffered).
func (h *Handler) Enabled(ctx context.Context, level slog.Level) bool {
	if h.bind != nil && h.bind.inv != nil {
		return level >= h.min
	}
	if level >= h.c.level {
		return true
	}
	if h.c.mayLower && ctx != nil {
		if b := bindingFrom(ctx); b != nil && b.inv != nil {
			return level >= b.inv.minLevel
		}
	}
	return false
}

// Handle writes r as one JSON line. Within an invocation with buffering on, records at or
// below the buffer level are kept instead, and a record at ERROR or above first writes them.
func (h *Handler) Handle(ctx context.Context, r slog.Record) error {
	b := h.bind
	if b == nil && ctx != nil {
		b = bindingFrom(ctx)
	}
	var inv *invocationState
	if b != nil {
		inv = b.inv
	}
	buffered := false
	switch {
	case inv != nil && inv.buf != nil && r.Level <= inv.bufLevel:
		buffered = true
	case inv != nil:
		if r.Level < inv.level {
			return nil
		}
	case r.Level < h.c.level:
		return nil
	}

	bp := bufPool.Get().(*[]byte)
	buf := h.appendRecord(ctx, (*bp)[:0], b, r)
	var err error
	if buffered {
		inv.buf.add(buf)
	} else {
		if inv != nil && inv.buf != nil && r.Level >= slog.LevelError {
			h.flush(inv)
		}
		err = h.c.write(buf)
	}
	*bp = buf
	if cap(buf) <= maxPooledBuffer {
		bufPool.Put(bp)
	}
	return err
}

// maxPooledBuffer keeps huge records' buffers out of the pool.
const maxPooledBuffer = 64 << 10

var bufPool = sync.Pool{New: func() any {
	b := make([]byte, 0, 1024)
	return &b
}}

// write writes one encoded record, re-indented in dev mode.
func (c *core) write(rec []byte) error {
	if c.dev {
		var out bytes.Buffer
		if err := json.Indent(&out, rec, "", "  "); err == nil {
			rec = out.Bytes()
		}
	}
	c.mu.Lock()
	_, err := c.w.Write(rec)
	c.mu.Unlock()
	return err
}

// appendRecord encodes r with the keys in Powertools order; ctx (possibly nil) is the context
// of the log call, which may carry the X-Ray subsegment the record belongs to.
func (h *Handler) appendRecord(ctx context.Context, buf []byte, b *binding, r slog.Record) []byte {
	c := h.c
	buf = append(buf, `{"level":"`...)
	buf = append(buf, levelName(r.Level)...)
	buf = append(buf, '"')
	if r.PC != 0 {
		buf = append(buf, `,"location":"`...)
		buf = append(buf, c.locs.lookup(r.PC)...)
		buf = append(buf, '"')
	}
	buf = append(buf, `,"message":`...)
	buf = c.redact.appendString(buf, r.Message)
	if !r.Time.IsZero() {
		buf = append(buf, `,"timestamp":"`...)
		buf = c.stamps.append(buf, r.Time)
		buf = append(buf, '"')
	}
	buf = append(buf, c.header...)
	var inv *invocationState
	if b != nil {
		inv = b.inv
		if inv != nil {
			buf = append(buf, inv.lambda...)
		}
		buf = append(buf, b.corr...)
	}
	buf = append(buf, c.persistent...)
	if inv != nil {
		if k := inv.keys.Load(); k != nil {
			buf = append(buf, *k...)
		}
	}
	buf = append(buf, h.pre...)

	var exc error
	if r.NumAttrs() > 0 {
		mark := len(buf)
		for _, g := range h.groups[h.opened:] {
			buf = appendKey(buf, g)
			buf = append(buf, '{')
		}
		r.Attrs(func(a slog.Attr) bool {
			kind := a.Value.Kind()
			if kind == slog.KindAny && exc == nil {
				if err, ok := a.Value.Any().(error); ok && !c.redact.sensitive(a.Key) {
					exc = err
					return true
				}
			}
			buf = c.appendAttrKind(buf, a, kind)
			return true
		})
		if buf[len(buf)-1] == '{' && len(buf) > mark {
			buf = buf[:mark]
			buf = closeGroups(buf, h.opened)
		} else {
			buf = closeGroups(buf, len(h.groups))
		}
	} else {
		buf = closeGroups(buf, h.opened)
	}
	if exc != nil {
		buf = c.appendException(buf, exc)
	}
	if inv != nil {
		buf = append(buf, inv.xray...)
		if e := invocation.EntityFromContext(ctx); e != nil {
			buf = append(buf, `,"`+SegmentIDKey+`":"`...)
			buf = append(e.AppendEntityID(buf), '"')
		}
	}
	return append(buf, '}', '\n')
}

func closeGroups(buf []byte, n int) []byte {
	for range n {
		buf = append(buf, '}')
	}
	return buf
}

// appendKey appends a comma if needed, then "key":.
func appendKey(buf []byte, key string) []byte {
	if len(buf) == 0 || buf[len(buf)-1] != '{' {
		buf = append(buf, ',')
	}
	buf = appendString(buf, key)
	return append(buf, ':')
}

// appendAttr appends a, following slog's rules: zero attributes and empty groups are left
// out and groups with an empty key are inlined. Values under sensitive keys become "***".
func (c *core) appendAttr(buf []byte, a slog.Attr) []byte {
	return c.appendAttrKind(buf, a, a.Value.Kind())
}

// appendAttrKind is appendAttr with the value's kind already known.
func (c *core) appendAttrKind(buf []byte, a slog.Attr, kind slog.Kind) []byte {
	v := a.Value
	if kind == slog.KindLogValuer {
		v = v.Resolve()
		kind = v.Kind()
	}
	switch kind {
	case slog.KindGroup:
		return c.appendGroup(buf, a.Key, v.Group())
	case slog.KindAny:
		if a.Key == "" && v.Any() == nil {
			return buf
		}
	}
	buf = appendKey(buf, a.Key)
	if c.redact.sensitive(a.Key) {
		return append(buf, redacted...)
	}
	switch kind {
	case slog.KindString:
		return c.redact.appendString(buf, v.String())
	case slog.KindInt64:
		return strconv.AppendInt(buf, v.Int64(), 10)
	case slog.KindUint64:
		return strconv.AppendUint(buf, v.Uint64(), 10)
	case slog.KindFloat64:
		return jsonstr.AppendFloat(buf, v.Float64())
	case slog.KindBool:
		return strconv.AppendBool(buf, v.Bool())
	case slog.KindDuration:
		return strconv.AppendInt(buf, int64(v.Duration()), 10)
	case slog.KindTime:
		buf = append(buf, '"')
		buf = appendTime(buf, v.Time())
		return append(buf, '"')
	}
	switch x := v.Any().(type) {
	case nil:
		return append(buf, "null"...)
	case error:
		return c.redact.appendString(buf, errorMessage(x))
	}
	return c.redact.appendAny(buf, v.Any())
}

// appendGroup appends a group attribute; see appendAttr.
func (c *core) appendGroup(buf []byte, key string, attrs []slog.Attr) []byte {
	if len(attrs) == 0 {
		return buf
	}
	if key == "" {
		for _, ga := range attrs {
			buf = c.appendAttr(buf, ga)
		}
		return buf
	}
	if c.redact.sensitive(key) {
		return append(appendKey(buf, key), redacted...)
	}
	mark := len(buf)
	buf = appendKey(buf, key)
	buf = append(buf, '{')
	for _, ga := range attrs {
		buf = c.appendAttr(buf, ga)
	}
	if buf[len(buf)-1] == '{' {
		return buf[:mark]
	}
	return append(buf, '}')
}

// WithAttrs returns a handler whose records also carry attrs (inside the current groups).
func (h *Handler) WithAttrs(attrs []slog.Attr) slog.Handler {
	if len(attrs) == 0 {
		return h
	}
	h2 := *h
	pre := append([]byte(nil), h.pre...)
	for _, g := range h.groups[h.opened:] {
		pre = appendKey(pre, g)
		pre = append(pre, '{')
	}
	n := len(pre)
	for _, a := range attrs {
		pre = h.c.appendAttr(pre, a)
	}
	if len(pre) == n {
		return h // only empty attributes: keep any groups unopened
	}
	h2.pre = pre
	h2.opened = len(h.groups)
	return &h2
}

// WithGroup returns a handler that nests later attributes under name.
func (h *Handler) WithGroup(name string) slog.Handler {
	if name == "" {
		return h
	}
	h2 := *h
	h2.groups = append(h.groups[:len(h.groups):len(h.groups)], name)
	return &h2
}
