package insights

import (
	"strconv"
	"strings"
	"time"
)

func defineTimeFuncs() {
	def("bin", 1, 1, nil).build = buildBin
	funcs["bin"].periodArg = 1
	def("datefloor", 2, 2, nil).build = buildDateRound(false)
	funcs["datefloor"].periodArg = 2
	def("dateceil", 2, 2, nil).build = buildDateRound(true)
	funcs["dateceil"].periodArg = 2
	def("frommillis", 1, 1, func(_ *ectx, a []value) value {
		x, ok := a[0].number()
		if !ok || x < -1e15 || x > 1e15 {
			return null
		}
		return timeVal(int64(x))
	})
	def("tomillis", 1, 1, func(_ *ectx, a []value) value {
		ms, ok := millis(a[0])
		if !ok {
			return null
		}
		return numVal(float64(ms))
	})
	def("now", 0, 0, func(x *ectx, _ []value) value { return numVal(float64(x.now / 1000)) })
	def("parsedate", 2, 3, nil).build = buildParseDate
	def("formatdate strftime", 2, 3, nil).build = buildFormatDate
}

// millis reads a value as a time in epoch milliseconds: timestamps,
// numbers, and RFC 3339 text.
func millis(v value) (int64, bool) {
	if f, ok := v.number(); ok {
		if f < -1e15 || f > 1e15 {
			return 0, false
		}
		return int64(f), true
	}
	if v.kind == kString {
		if t, err := time.Parse(time.RFC3339Nano, v.str); err == nil {
			return t.UnixMilli(), true
		}
	}
	return 0, false
}

// buildBin compiles bin(period): @timestamp floored to the period.
func buildBin(c *compiler, n *node) evalFn {
	p := n.args[0].period
	_, redefined := c.derived["@timestamp"]
	ts := c.use("@timestamp", n.start, n.end)
	return func(r *row) value {
		var ms int64
		if r.ev != nil && !redefined {
			// The event's own @timestamp, as the loader gives it and millis
			// reads it.
			if ms = r.ev.Timestamp; ms < -1e15 || ms > 1e15 {
				return null
			}
		} else {
			var ok bool
			if ms, ok = millis(r.get(ts)); !ok {
				return null
			}
		}
		return timeVal(p.floor(ms))
	}
}

// buildDateRound compiles datefloor and dateceil.
func buildDateRound(up bool) func(c *compiler, n *node) evalFn {
	return func(c *compiler, n *node) evalFn {
		a := c.expr(n.args[0])
		p := n.args[1].period
		return func(r *row) value {
			ms, ok := millis(a(r))
			if !ok {
				return null
			}
			if up {
				return timeVal(p.ceil(ms))
			}
			return timeVal(p.floor(ms))
		}
	}
}

// location compiles the optional time zone argument.
func (c *compiler) location(args []*node, i int) *time.Location {
	if len(args) <= i {
		return time.UTC
	}
	s, ok := constString(args[i])
	if !ok {
		c.failAt(args[i].start, args[i].end, "the time zone must be a quoted string such as \"UTC\" or \"Europe/Paris\"")
	}
	loc, err := time.LoadLocation(s)
	if err != nil {
		c.failAt(args[i].start, args[i].end, "unknown time zone %q", s)
	}
	return loc
}

// buildParseDate compiles parseDate(s, javaFormat[, tz]): epoch ms.
func buildParseDate(c *compiler, n *node) evalFn {
	s := c.expr(n.args[0])
	pat, ok := constString(n.args[1])
	if !ok {
		c.failAt(n.args[1].start, n.args[1].end, "the date format must be a quoted string")
	}
	layout, err := javaLayout(pat)
	if err != "" {
		c.failAt(n.args[1].start, n.args[1].end, "unsupported date format %q: %s", pat, err)
	}
	loc := c.location(n.args, 2)
	return func(r *row) value {
		str, ok := s(r).text()
		if !ok {
			return null
		}
		t, err := time.ParseInLocation(layout, str, loc)
		if err != nil {
			return null
		}
		return numVal(float64(t.UnixMilli()))
	}
}

// javaLayout converts a Java DateTimeFormatter pattern to a Go layout.
func javaLayout(p string) (string, string) {
	var b strings.Builder
	for i := 0; i < len(p); {
		c := p[i]
		if c == '\'' {
			j := strings.IndexByte(p[i+1:], '\'')
			if j < 0 {
				return "", "unterminated quoted text"
			}
			if j == 0 {
				b.WriteByte('\'')
			}
			b.WriteString(p[i+1 : i+1+j])
			i += j + 2
			continue
		}
		if !isLetter(c) {
			b.WriteByte(c)
			i++
			continue
		}
		j := i
		for j < len(p) && p[j] == c {
			j++
		}
		n := j - i
		var g string
		switch {
		case (c == 'y' || c == 'u') && n == 2:
			g = "06"
		case c == 'y' || c == 'u':
			g = "2006"
		case c == 'M' && n == 1:
			g = "1"
		case c == 'M' && n == 2:
			g = "01"
		case c == 'M' && n == 3:
			g = "Jan"
		case c == 'M':
			g = "January"
		case c == 'd' && n == 1:
			g = "2"
		case c == 'd':
			g = "02"
		case c == 'D':
			g = "002"
		case c == 'H':
			g = "15"
		case c == 'h' && n == 1:
			g = "3"
		case c == 'h':
			g = "03"
		case c == 'm' && n == 1:
			g = "4"
		case c == 'm':
			g = "04"
		case c == 's' && n == 1:
			g = "5"
		case c == 's':
			g = "05"
		case c == 'S':
			g = strings.Repeat("0", n)
			if s := b.String(); !strings.HasSuffix(s, ".") && !strings.HasSuffix(s, ",") {
				return "", "fractions of a second must follow a '.' or ','"
			}
		case c == 'a':
			g = "PM"
		case c == 'E' && n <= 3:
			g = "Mon"
		case c == 'E':
			g = "Monday"
		case c == 'X' && n == 1:
			g = "Z07"
		case c == 'X' && n == 2:
			g = "Z0700"
		case c == 'X':
			g = "Z07:00"
		case c == 'x' && n <= 2:
			g = "-0700"
		case c == 'x':
			g = "-07:00"
		case c == 'Z' && n <= 4:
			g = "-0700"
		case c == 'Z':
			g = "-07:00"
		case c == 'z':
			g = "MST"
		default:
			return "", "the letter " + string(c) + " is not supported"
		}
		b.WriteString(g)
		i = j
	}
	return b.String(), ""
}

// buildFormatDate compiles formatDate(ts, strftimeFormat[, tz]).
func buildFormatDate(c *compiler, n *node) evalFn {
	a := c.expr(n.args[0])
	f, ok := constString(n.args[1])
	if !ok {
		c.failAt(n.args[1].start, n.args[1].end, "the date format must be a quoted string")
	}
	loc := c.location(n.args, 2)
	return func(r *row) value {
		ms, ok := millis(a(r))
		if !ok {
			return null
		}
		return strVal(strftime(time.UnixMilli(ms).In(loc), f))
	}
}

// strftime formats t with C strftime directives (%Y %m %d %H %M %S, ...,
// and %L for milliseconds); unknown directives are kept as written.
func strftime(t time.Time, f string) string {
	var b []byte
	pad := func(n, w int) {
		s := strconv.Itoa(n)
		for i := len(s); i < w; i++ {
			b = append(b, '0')
		}
		b = append(b, s...)
	}
	for i := 0; i < len(f); i++ {
		if f[i] != '%' || i+1 == len(f) {
			b = append(b, f[i])
			continue
		}
		i++
		switch f[i] {
		case 'Y':
			pad(t.Year(), 4)
		case 'y':
			pad(t.Year()%100, 2)
		case 'm':
			pad(int(t.Month()), 2)
		case 'd':
			pad(t.Day(), 2)
		case 'e':
			b = append(b, t.Format("_2")...)
		case 'H':
			pad(t.Hour(), 2)
		case 'I':
			pad((t.Hour()+11)%12+1, 2)
		case 'M':
			pad(t.Minute(), 2)
		case 'S':
			pad(t.Second(), 2)
		case 'L':
			pad(t.Nanosecond()/1e6, 3)
		case 'f':
			pad(t.Nanosecond()/1e3, 6)
		case 'j':
			pad(t.YearDay(), 3)
		case 'p':
			b = append(b, t.Format("PM")...)
		case 'a':
			b = append(b, t.Format("Mon")...)
		case 'A':
			b = append(b, t.Format("Monday")...)
		case 'b', 'h':
			b = append(b, t.Format("Jan")...)
		case 'B':
			b = append(b, t.Format("January")...)
		case 'Z':
			b = append(b, t.Format("MST")...)
		case 'z':
			b = append(b, t.Format("-0700")...)
		case 'F':
			b = append(b, t.Format("2006-01-02")...)
		case 'T':
			b = append(b, t.Format("15:04:05")...)
		case 'D':
			b = append(b, t.Format("01/02/06")...)
		case 's':
			b = strconv.AppendInt(b, t.Unix(), 10)
		case 'u':
			b = strconv.AppendInt(b, int64((int(t.Weekday())+6)%7+1), 10)
		case 'w':
			b = strconv.AppendInt(b, int64(t.Weekday()), 10)
		case 'n':
			b = append(b, '\n')
		case 't':
			b = append(b, '\t')
		case '%':
			b = append(b, '%')
		default:
			b = append(b, '%', f[i])
		}
	}
	return string(b)
}
