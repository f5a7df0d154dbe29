package insights

import (
	"crypto/md5"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"math"
	"net/url"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// aggKind is the kind of an aggregation function; aggNone for scalar
// functions.
type aggKind uint8

const (
	aggNone aggKind = iota
	aggCount
	aggCountDistinct
	aggAvg
	aggSum
	aggMin
	aggMax
	aggPct
	aggStddev
	aggVariance
	aggValues
	aggTopk
	aggEarliest
	aggLatest
	aggSortsFirst
	aggSortsLast
	aggRate
	aggHistogram
)

// funcDef describes a function.
type funcDef struct {
	name      string // lower case
	min, max  int    // argument counts; max -1: any number
	agg       aggKind
	periodArg int  // 1-based position of a time-period argument, or 0
	star      bool // count(*)
	// impl computes a scalar function from its evaluated arguments.
	impl func(x *ectx, a []value) value
	// build compiles a scalar function whose arguments need compiling
	// specially (constants precompiled, periods, @timestamp).
	build func(c *compiler, n *node) evalFn
}

// funcs holds every function by its lower-case name (aliases included).
var funcs = map[string]*funcDef{}

func def(names string, min, max int, impl func(x *ectx, a []value) value) *funcDef {
	var f *funcDef
	for _, n := range strings.Split(names, " ") {
		if f == nil {
			f = &funcDef{name: n, min: min, max: max, impl: impl}
		}
		funcs[n] = f
	}
	return f
}

func defAgg(names string, min, max int, k aggKind) *funcDef {
	f := def(names, min, max, nil)
	f.agg = k
	return f
}

// lookupFunc returns the function named name (any case), or nil.
func lookupFunc(name string) *funcDef { return funcs[strings.ToLower(name)] }

// Scalar functions of one value: str1 for strings, num1 for numbers. They
// return null for absent values, lists and maps.
func str1(f func(s string) value) func(*ectx, []value) value {
	return func(_ *ectx, a []value) value {
		s, ok := a[0].text()
		if !ok {
			return null
		}
		return f(s)
	}
}

func num1(f func(x float64) (float64, bool)) func(*ectx, []value) value {
	return func(_ *ectx, a []value) value {
		x, ok := a[0].number()
		if !ok {
			return null
		}
		y, ok := f(x)
		if !ok || math.IsNaN(y) || math.IsInf(y, 0) {
			return null
		}
		return numVal(y)
	}
}

func boolNum(b bool) value {
	if b {
		return numVal(1)
	}
	return numVal(0)
}

func init() {
	// Numeric.
	def("abs", 1, 1, num1(func(x float64) (float64, bool) { return math.Abs(x), true }))
	def("ceil", 1, 1, num1(func(x float64) (float64, bool) { return math.Ceil(x), true }))
	def("floor", 1, 1, num1(func(x float64) (float64, bool) { return math.Floor(x), true }))
	def("log", 1, 1, num1(func(x float64) (float64, bool) { return math.Log(x), x > 0 }))
	def("sqrt", 1, 1, num1(func(x float64) (float64, bool) { return math.Sqrt(x), x >= 0 }))
	def("greatest", 1, -1, extreme(1))
	def("least", 1, -1, extreme(-1))
	def("round", 1, 2, fnRound)
	def("haversine", 4, 4, fnHaversine)
	def("tonumber todouble", 1, 1, func(_ *ectx, a []value) value {
		x, ok := a[0].number()
		if !ok {
			return null
		}
		return numVal(x)
	})
	def("toint", 1, 1, toInteger(math.MinInt32, math.MaxInt32))
	def("tolong", 1, 1, toInteger(-(1<<63), 1<<63-1))

	// String.
	def("isempty", 1, 1, func(_ *ectx, a []value) value {
		s, ok := a[0].text()
		return boolNum(!ok || s == "")
	})
	def("isblank", 1, 1, func(_ *ectx, a []value) value {
		s, ok := a[0].text()
		return boolNum(!ok || strings.TrimSpace(s) == "")
	})
	def("concat", 1, -1, fnConcat)
	def("ltrim", 1, 2, trimmer(strings.TrimLeftFunc, strings.TrimLeft))
	def("rtrim", 1, 2, trimmer(strings.TrimRightFunc, strings.TrimRight))
	def("trim", 1, 2, trimmer(func(s string, f func(rune) bool) string { return strings.TrimFunc(s, f) }, strings.Trim))
	def("strlen", 1, 1, str1(func(s string) value { return numVal(float64(utf8.RuneCountInString(s))) }))
	def("toupper", 1, 1, str1(func(s string) value { return strVal(strings.ToUpper(s)) }))
	def("tolower", 1, 1, str1(func(s string) value { return strVal(strings.ToLower(s)) }))
	def("substr", 2, 3, fnSubstr)
	def("replace", 3, 3, func(_ *ectx, a []value) value {
		s, ok1 := a[0].text()
		old, ok2 := a[1].text()
		repl, ok3 := a[2].text()
		if !ok1 || !ok2 || !ok3 {
			return null
		}
		if old == "" {
			return strVal(s)
		}
		return strVal(strings.ReplaceAll(s, old, repl))
	})
	def("regexreplace", 3, 3, nil).build = buildRegexReplace
	def("strcontains", 2, 3, func(_ *ectx, a []value) value {
		s, ok1 := a[0].text()
		sub, ok2 := a[1].text()
		if !ok1 || !ok2 {
			return null
		}
		if len(a) == 3 && a[2].truthy() {
			return boolNum(strings.Contains(strings.ToLower(s), strings.ToLower(sub)))
		}
		return boolNum(strings.Contains(s, sub))
	})
	def("startswith", 2, 2, str2(func(s, x string) value { return boolNum(strings.HasPrefix(s, x)) }))
	def("endswith", 2, 2, str2(func(s, x string) value { return boolNum(strings.HasSuffix(s, x)) }))
	def("urlencode", 1, 1, str1(func(s string) value { return strVal(url.QueryEscape(s)) }))
	def("urldecode", 1, 1, str1(func(s string) value {
		d, err := url.QueryUnescape(s)
		if err != nil {
			return null
		}
		return strVal(d)
	}))
	def("base64encode", 1, 1, str1(func(s string) value { return strVal(base64.StdEncoding.EncodeToString([]byte(s))) }))
	def("base64decode", 1, 1, str1(func(s string) value {
		d, err := base64.StdEncoding.DecodeString(s)
		if err != nil {
			if d, err = base64.RawStdEncoding.DecodeString(s); err != nil {
				return null
			}
		}
		return strVal(string(d))
	}))
	def("split", 2, 2, str2(func(s, sep string) value {
		parts := strings.Split(s, sep)
		items := make([]value, len(parts))
		for i, p := range parts {
			items[i] = strVal(p)
		}
		return listVal(items)
	}))
	def("hextoascii", 1, 1, str1(func(s string) value {
		d, err := hex.DecodeString(trimHexPrefix(s))
		if err != nil {
			return null
		}
		return strVal(string(d))
	}))
	def("hextodec", 1, 1, str1(func(s string) value {
		neg := strings.HasPrefix(s, "-")
		u, err := strconv.ParseUint(trimHexPrefix(strings.TrimPrefix(s, "-")), 16, 64)
		if err != nil {
			return null
		}
		if neg {
			return numVal(-float64(u))
		}
		return numVal(float64(u))
	}))
	def("dectohex", 1, 1, func(_ *ectx, a []value) value {
		x, ok := a[0].number()
		if !ok || math.Abs(x) >= 1<<63 {
			return null
		}
		n := int64(x)
		if n < 0 {
			return strVal("-0x" + strconv.FormatUint(uint64(-n), 16))
		}
		return strVal("0x" + strconv.FormatUint(uint64(n), 16))
	})

	// General.
	def("ispresent", 1, 1, func(_ *ectx, a []value) value { return boolVal(a[0].kind != kNull) })
	def("coalesce", 1, -1, func(_ *ectx, a []value) value {
		for _, v := range a {
			if v.kind != kNull {
				return v
			}
		}
		return null
	})
	def("if", 3, 3, nil).build = buildIf
	def("case", 2, 21, nil).build = buildCase
	def("isnumeric", 1, 1, func(_ *ectx, a []value) value { return boolVal(a[0].kind != kTime && a[0].isNumeric()) })
	def("messagesize", 1, 1, str1(func(s string) value { return numVal(float64(len(s))) }))
	def("querystarttime", 0, 0, func(x *ectx, _ []value) value { return numVal(float64(x.opts.Start)) })
	def("queryendtime", 0, 0, func(x *ectx, _ []value) value { return numVal(float64(x.opts.End)) })
	def("querytimerange", 0, 0, func(x *ectx, _ []value) value { return numVal(float64(x.opts.End - x.opts.Start)) })

	// Hashing.
	def("md5", 1, 1, str1(func(s string) value {
		h := md5.Sum([]byte(s))
		return strVal(hex.EncodeToString(h[:]))
	}))
	def("sha256", 1, 1, str1(func(s string) value {
		h := sha256.Sum256([]byte(s))
		return strVal(hex.EncodeToString(h[:]))
	}))

	defineTimeFuncs()
	defineIPFuncs()
	defineJSONFuncs()

	// Aggregations.
	defAgg("count", 0, 1, aggCount).star = true
	defAgg("count_distinct countdistinct", 1, 1, aggCountDistinct)
	defAgg("avg", 1, 1, aggAvg)
	defAgg("sum sumovertime sum_over_time", 1, 1, aggSum)
	defAgg("countovertime count_over_time", 1, 1, aggCount)
	defAgg("min", 1, 1, aggMin)
	defAgg("max", 1, 1, aggMax)
	defAgg("pct percentile", 2, 2, aggPct)
	defAgg("stddev", 1, 1, aggStddev)
	defAgg("variance", 1, 1, aggVariance)
	defAgg("values", 1, 1, aggValues)
	defAgg("topk", 2, 2, aggTopk)
	defAgg("earliest", 1, 1, aggEarliest)
	defAgg("latest", 1, 1, aggLatest)
	defAgg("sortsfirst", 1, 1, aggSortsFirst)
	defAgg("sortslast", 1, 1, aggSortsLast)
	defAgg("rate", 2, 2, aggRate).periodArg = 2
	defAgg("histogram", 2, 2, aggHistogram)
}

func str2(f func(a, b string) value) func(*ectx, []value) value {
	return func(_ *ectx, a []value) value {
		s, ok1 := a[0].text()
		t, ok2 := a[1].text()
		if !ok1 || !ok2 {
			return null
		}
		return f(s, t)
	}
}

func trimHexPrefix(s string) string {
	if len(s) >= 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X') {
		return s[2:]
	}
	return s
}

// extreme returns greatest (sign 1) or least (-1) of the numeric
// arguments; others are ignored.
func extreme(sign float64) func(*ectx, []value) value {
	return func(_ *ectx, a []value) value {
		best, found := 0.0, false
		for _, v := range a {
			x, ok := v.number()
			if ok && (!found || (x-best)*sign > 0) {
				best, found = x, true
			}
		}
		if !found {
			return null
		}
		return numVal(best)
	}
}

func fnRound(_ *ectx, a []value) value {
	x, ok := a[0].number()
	if !ok {
		return null
	}
	if len(a) == 1 {
		return numVal(math.Round(x))
	}
	d, ok := a[1].number()
	if !ok || d < -15 || d > 15 {
		return null
	}
	p := math.Pow(10, math.Trunc(d))
	return numVal(math.Round(x*p) / p)
}

func fnHaversine(_ *ectx, a []value) value {
	var c [4]float64
	for i := range c {
		x, ok := a[i].number()
		if !ok {
			return null
		}
		c[i] = x * math.Pi / 180
	}
	dlat, dlon := c[2]-c[0], c[3]-c[1]
	h := math.Sin(dlat/2)*math.Sin(dlat/2) + math.Cos(c[0])*math.Cos(c[2])*math.Sin(dlon/2)*math.Sin(dlon/2)
	return numVal(2 * 6371 * math.Asin(math.Min(1, math.Sqrt(h))))
}

// toInteger converts to a whole number (truncating) within [lo, hi].
func toInteger(lo, hi float64) func(*ectx, []value) value {
	return func(_ *ectx, a []value) value {
		x, ok := a[0].number()
		if !ok || x < lo || x > hi {
			return null
		}
		return numVal(math.Trunc(x))
	}
}

func fnConcat(_ *ectx, a []value) value {
	var b strings.Builder
	any := false
	for _, v := range a {
		if s, ok := v.text(); ok {
			b.WriteString(s)
			any = true
		}
	}
	if !any {
		return null
	}
	return strVal(b.String())
}

// trimmer returns ltrim, rtrim or trim: white space, or with a second
// argument the characters it lists.
func trimmer(space func(string, func(rune) bool) string, cut func(string, string) string) func(*ectx, []value) value {
	return func(_ *ectx, a []value) value {
		s, ok := a[0].text()
		if !ok {
			return null
		}
		if len(a) == 2 {
			chars, ok := a[1].text()
			if !ok {
				return null
			}
			return strVal(cut(s, chars))
		}
		return strVal(space(s, unicode.IsSpace))
	}
}

// fnSubstr returns the substring from a 0-based start (in characters) to
// the end or of the given length.
func fnSubstr(_ *ectx, a []value) value {
	s, ok := a[0].text()
	start, ok2 := a[1].number()
	if !ok || !ok2 {
		return null
	}
	n := utf8.RuneCountInString(s)
	i := int(math.Max(0, math.Min(float64(n), math.Trunc(start))))
	j := n
	if len(a) == 3 {
		l, ok := a[2].number()
		if !ok {
			return null
		}
		j = int(math.Max(float64(i), math.Min(float64(n), float64(i)+math.Trunc(l))))
	}
	if n == len(s) {
		return strVal(s[i:j])
	}
	r := []rune(s)
	return strVal(string(r[i:j]))
}

func buildRegexReplace(c *compiler, n *node) evalFn {
	s := c.expr(n.args[0])
	re := c.mustRegex(n.args[1])
	repl := c.expr(n.args[2])
	return func(r *row) value {
		str, ok := s(r).text()
		rep, ok2 := repl(r).text()
		if !ok || !ok2 {
			return null
		}
		return strVal(re.ReplaceAllString(str, rep))
	}
}

func buildIf(c *compiler, n *node) evalFn {
	cond := c.condBool(n.args[0])
	t, f := c.expr(n.args[1]), c.expr(n.args[2])
	return func(r *row) value {
		if cond(r) {
			return t(r)
		}
		return f(r)
	}
}

// buildCase compiles case(cond1, val1, ..., [default]).
func buildCase(c *compiler, n *node) evalFn {
	var conds []func(*row) bool
	var vals []evalFn
	args := n.args
	for len(args) >= 2 {
		conds = append(conds, c.condBool(args[0]))
		vals = append(vals, c.expr(args[1]))
		args = args[2:]
	}
	if len(conds) > 10 {
		c.failAt(n.start, n.end, "case takes at most 10 branches")
	}
	def := evalFn(func(*row) value { return null })
	if len(args) == 1 {
		def = c.expr(args[0])
	}
	return func(r *row) value {
		for i, cond := range conds {
			if cond(r) {
				return vals[i](r)
			}
		}
		return def(r)
	}
}

// call compiles a scalar function call.
func (c *compiler) call(n *node) evalFn {
	f := n.fn
	if f.build != nil {
		return f.build(c, n)
	}
	args := c.exprs(n.args)
	impl := f.impl
	switch len(args) {
	case 0:
		return func(r *row) value { return impl(r.x, nil) }
	case 1:
		a0 := args[0]
		return func(r *row) value {
			x := r.x
			base := len(x.stack)
			x.stack = append(x.stack, a0(r))
			v := impl(x, x.stack[base:])
			x.stack = x.stack[:base]
			return v
		}
	}
	return func(r *row) value {
		x := r.x
		base := len(x.stack)
		for _, a := range args {
			v := a(r)
			x.stack = append(x.stack, v)
		}
		v := impl(x, x.stack[base:])
		x.stack = x.stack[:base]
		return v
	}
}
