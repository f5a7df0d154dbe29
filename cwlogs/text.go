package cwlogs

import (
	"context"
	"log/slog"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-lambda-go/lambdacontext"

	"github.com/lambdalog/lambdalog/logger"
)

// The seed's stock prefixes (custom_logging.py); #mini is computed.
var stockFormats = map[string]string{
	"#standard": "{level}: {func}: {caller}: ",
	"#short":    "{level}: {func}: ",
	"#simple":   "{func}: ",
}

// textFormat is a parsed prefix template: literal text and placeholders.
type textFormat struct {
	mini  bool
	parts []textPart
}

type textPart struct {
	lit string
	ph  string // "" for a literal
}

var placeholders = map[string]bool{
	"level": true, "func": true, "caller": true, "time": true, "request_id": true, "correlation_id": true,
}

// parseFormat returns nil for JSON.
func parseFormat(f string) (*textFormat, error) {
	const allowed = `"json", "text", "#standard", "#short", "#simple", "#mini", or a template using {level}, {func}, {caller}, {time}, {request_id}, {correlation_id}`
	switch f {
	case "", "json":
		return nil, nil
	case "text":
		f = "#standard"
	case "#mini":
		return &textFormat{mini: true}, nil
	}
	if s, ok := stockFormats[f]; ok {
		f = s
	} else if strings.HasPrefix(f, "#") || !strings.Contains(f, "{") {
		return nil, fieldError("format", f, allowed)
	}
	tf := &textFormat{}
	rest := f
	for rest != "" {
		i := strings.IndexByte(rest, '{')
		if i < 0 {
			tf.parts = append(tf.parts, textPart{lit: rest})
			break
		}
		if i > 0 {
			tf.parts = append(tf.parts, textPart{lit: rest[:i]})
		}
		j := strings.IndexByte(rest[i:], '}')
		if j < 0 || !placeholders[rest[i+1:i+j]] {
			return nil, fieldError("format", f, allowed)
		}
		tf.parts = append(tf.parts, textPart{ph: rest[i+1 : i+j]})
		rest = rest[i+j+1:]
	}
	return tf, nil
}

// textHandler is an slog.Handler writing the seed's text lines:
// prefix, message, then key=value attributes, one Write per record.
type textHandler struct {
	w        *lockedWriter
	format   *textFormat
	level    slog.Level
	function string
	pre      string // formatted WithAttrs attributes
	group    string // open group prefix, "a.b."
}

type lockedWriter struct {
	mu sync.Mutex
	w  interface{ Write([]byte) (int, error) }
}

var bufPool = sync.Pool{New: func() any { b := make([]byte, 0, 512); return &b }}

func (h *textHandler) Enabled(_ context.Context, l slog.Level) bool { return l >= h.level }

func (h *textHandler) Handle(ctx context.Context, r slog.Record) error {
	bp := bufPool.Get().(*[]byte)
	b := (*bp)[:0]
	b = h.appendPrefix(b, ctx, r)
	b = append(b, r.Message...)
	b = append(b, h.pre...)
	r.Attrs(func(a slog.Attr) bool {
		b = appendAttr(b, h.group, a)
		return true
	})
	b = append(b, '\n')
	h.w.mu.Lock()
	_, err := h.w.w.Write(b)
	h.w.mu.Unlock()
	*bp = b
	bufPool.Put(bp)
	return err
}

func textLevel(l slog.Level) string {
	if l >= slog.LevelWarn && l < slog.LevelError {
		return "WARNING" // the seed's spelling
	}
	return l.String()
}

func (h *textHandler) appendPrefix(b []byte, ctx context.Context, r slog.Record) []byte {
	if h.format.mini {
		if r.Level >= slog.LevelWarn {
			b = append(append(b, textLevel(r.Level)...), ": "...)
		}
		if h.function != "" {
			b = append(append(b, h.function...), ": "...)
		}
		return b
	}
	for _, p := range h.format.parts {
		switch p.ph {
		case "":
			b = append(b, p.lit...)
		case "level":
			b = append(b, textLevel(r.Level)...)
		case "func":
			b = append(b, h.function...)
		case "caller":
			b = append(b, callerName(r.PC)...)
		case "time":
			b = r.Time.UTC().AppendFormat(b, time.RFC3339Nano)
		case "request_id":
			if lc, ok := lambdacontext.FromContext(ctx); ok {
				b = append(b, lc.AwsRequestID...)
			}
		case "correlation_id":
			b = append(b, logger.CorrelationID(ctx)...)
		}
	}
	return b
}

// callerName is the short name of the function that logged, like Python's
// co_name.
func callerName(pc uintptr) string {
	if pc == 0 {
		return ""
	}
	f, _ := runtime.CallersFrames([]uintptr{pc}).Next()
	name := f.Function
	if i := strings.LastIndexByte(name, '/'); i >= 0 {
		name = name[i+1:]
	}
	if i := strings.IndexByte(name, '.'); i >= 0 {
		name = name[i+1:]
	}
	return name
}

func appendAttr(b []byte, group string, a slog.Attr) []byte {
	a.Value = a.Value.Resolve()
	if a.Equal(slog.Attr{}) {
		return b
	}
	if a.Value.Kind() == slog.KindGroup {
		g := group
		if a.Key != "" {
			g += a.Key + "."
		}
		for _, ga := range a.Value.Group() {
			b = appendAttr(b, g, ga)
		}
		return b
	}
	b = append(b, ' ')
	b = append(b, group...)
	b = append(b, a.Key...)
	b = append(b, '=')
	s := a.Value.String()
	if s == "" || strings.ContainsAny(s, " =\"\n\t") {
		return strconv.AppendQuote(b, s)
	}
	return append(b, s...)
}

func (h *textHandler) WithAttrs(attrs []slog.Attr) slog.Handler {
	if len(attrs) == 0 {
		return h
	}
	h2 := *h
	b := []byte(h.pre)
	for _, a := range attrs {
		b = appendAttr(b, h.group, a)
	}
	h2.pre = string(b)
	return &h2
}

func (h *textHandler) WithGroup(name string) slog.Handler {
	if name == "" {
		return h
	}
	h2 := *h
	h2.group += name + "."
	return &h2
}
