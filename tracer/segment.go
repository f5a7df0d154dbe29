package tracer

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace"

	"github.com/lambdalog/lambdalog/internal/jsonstr"
)

// Span attributes with a meaning in a segment document: the conventions of the OpenTelemetry
// collector's X-Ray exporter (aws.xray.*) and OpenTelemetry's semantic conventions.
const (
	attrAnnotations    = "aws.xray.annotations" // string slice: the keys of the attributes that are annotations
	attrMetadataPrefix = "aws.xray.metadata."   // + namespace: a JSON object, that namespace's metadata
	attrRetries        = "aws.xray.retries"
	attrRequestID      = "aws.request_id"
	attrTableName      = "aws.table_name"
	attrQueueURL       = "aws.queue_url"
	attrRPCSystem      = "rpc.system" // "aws-api" for AWS SDK calls
	attrRPCService     = "rpc.service"
	attrRPCMethod      = "rpc.method"
	attrRegion         = "cloud.region"
	attrMethod         = "http.request.method"
	attrURL            = "url.full"
	attrStatus         = "http.response.status_code"
	attrBodySize       = "http.response.body.size"
	attrServerAddress  = "server.address"

	// The older semantic conventions, which some instrumentation still writes.
	attrMethodOld = "http.method"
	attrURLOld    = "http.url"
	attrStatusOld = "http.status_code"

	rpcSystemAWS = "aws-api"
)

// The OpenTelemetry exception event.
const (
	eventException      = "exception"
	attrExceptionType   = "exception.type"
	attrExceptionMsg    = "exception.message"
	attrExceptionStack  = "exception.stacktrace"
	defaultMetadataName = "default"
)

// Limits of the segment document format.
const (
	maxNameLen  = 200 // characters of a name
	maxFrames   = 64  // stack frames kept per exception; the rest are counted as truncated
	unnamedSpan = "unnamed"
)

// How much of a span a document carries: everything with its subsegments nested, then less
// and less when that does not fit in a datagram.
const (
	levelNested = iota
	levelAlone
	levelNoMetadata
	levelNoStacks
)

// span is what the encoder reads of an ended span: an SDK span (sdktrace.ReadOnlySpan) or one
// of the tracer's own subsegments (*entity), whose annotations and metadata are not attributes.
type span interface {
	Name() string
	SpanContext() trace.SpanContext
	Parent() trace.SpanContext
	SpanKind() trace.SpanKind
	StartTime() time.Time
	EndTime() time.Time
	Attributes() []attribute.KeyValue
	Events() []sdktrace.Event
	Status() sdktrace.Status
}

// encoder turns a batch of ended spans into segment documents: each span whose parent is not
// in the batch is a document, with its descendants in the batch nested as subsegments.
type encoder struct {
	nodes []node
	order []int // indexes by start time
	byID  map[trace.SpanID]int

	buf    []byte // header, then the document being built
	header int    // len of the header
	max    int    // most bytes of a datagram
	keys   []string
	sec    int64  // the seconds of the last time appended
	secs   []byte // and their digits
}

// node is a span of the batch being encoded, with what the encoder reads of it more than once.
type node struct {
	s            span
	own          *entity // s, when it is one of the tracer's own subsegments
	id, parentID trace.SpanID
	traceID      trace.TraceID
	parentTrace  trace.TraceID
	hasParent    bool // parentID and parentTrace are a valid span context
	start, end   time.Time
	up           int // index of the parent in the batch, or -1
	first, last  int // first and last child in start order, or -1
	next         int // next sibling, or -1
}

// encode sends every document of spans through send, which gets the datagram: the daemon
// header line and the document.
func (e *encoder) encode(spans []span, send func([]byte) error) error {
	e.link(spans)
	var err error
	for _, i := range e.order {
		if e.nodes[i].up < 0 {
			if errSend := e.emit(i, send); errSend != nil {
				err = errors.Join(err, errSend)
			}
		}
	}
	clear(e.nodes)
	e.nodes = e.nodes[:0]
	return err
}

// link finds each span's parent and children in the batch.
func (e *encoder) link(spans []span) {
	n := len(spans)
	e.order = e.order[:0]
	e.nodes = slices.Grow(e.nodes[:0], n)[:n]
	for i, s := range spans {
		nd := &e.nodes[i]
		*nd = node{s: s, up: -1, first: -1, last: -1, next: -1}
		if own, ok := s.(*entity); ok {
			nd.own, nd.id, nd.traceID, nd.start, nd.end = own, own.sc.SpanID(), own.sc.TraceID(), own.start, own.EndTime()
			nd.parentID, nd.parentTrace, nd.hasParent = own.parentID, nd.traceID, true
		} else {
			sc, p := s.SpanContext(), s.Parent()
			nd.id, nd.traceID, nd.start, nd.end = sc.SpanID(), sc.TraceID(), s.StartTime(), s.EndTime()
			nd.parentID, nd.parentTrace, nd.hasParent = p.SpanID(), p.TraceID(), p.IsValid()
		}
		e.order = append(e.order, i)
	}
	nodes := e.nodes
	slices.SortStableFunc(e.order, func(a, b int) int { return nodes[a].start.Compare(nodes[b].start) })
	const linear = 32 // below this many spans, look parents up without a map
	if n > linear {
		if e.byID == nil {
			e.byID = make(map[trace.SpanID]int, n)
		}
		clear(e.byID)
		for i := range nodes {
			e.byID[nodes[i].id] = i
		}
	}
	for i := range nodes {
		if !nodes[i].hasParent {
			continue
		}
		pid, j := nodes[i].parentID, -1
		if n > linear {
			if k, ok := e.byID[pid]; ok {
				j = k
			}
		} else {
			for k := range nodes {
				if nodes[k].id == pid {
					j = k
					break
				}
			}
		}
		if j >= 0 && j != i && nodes[j].traceID == nodes[i].parentTrace {
			nodes[i].up = j
		}
	}
	for _, i := range e.order {
		p := nodes[i].up
		if p < 0 {
			continue
		}
		if nodes[p].last < 0 {
			nodes[p].first = i
		} else {
			nodes[nodes[p].last].next = i
		}
		nodes[p].last = i
	}
	// A cycle of parents (possible only with forged ids) would leave its spans unsent: break it.
	for i := range n {
		steps := 0
		for p := nodes[i].up; p >= 0 && steps <= n; p = nodes[p].up {
			steps++
		}
		if steps > n {
			nodes[i].up = -1
		}
	}
}

// emit sends span i as a document: with its descendants nested if that fits in a datagram, else
// each child as its own document first, then i alone, without its metadata or stack traces if
// it still does not fit.
func (e *encoder) emit(i int, send func([]byte) error) error {
	if e.fits(i, levelNested) {
		return send(e.buf)
	}
	var err error
	for c := e.nodes[i].first; c >= 0; c = e.nodes[c].next {
		err = errors.Join(err, e.emit(c, send))
	}
	for level := levelAlone; level <= levelNoStacks; level++ {
		if e.fits(i, level) {
			return errors.Join(err, send(e.buf))
		}
	}
	s := e.nodes[i].s
	return errors.Join(err, fmt.Errorf("tracer: span %q (%s) does not fit in a %d byte datagram, even without metadata; dropped",
		s.Name(), s.SpanContext().SpanID(), e.max))
}

// fits encodes span i at level into e.buf and reports whether the datagram is small enough.
func (e *encoder) fits(i, level int) bool {
	e.buf = e.appendSpan(e.buf[:e.header], i, true, level)
	return len(e.buf) <= e.max
}

// spanFields are the attributes of a span that go elsewhere than annotations and metadata.
type spanFields struct {
	method, url, server                string
	status, bodySize, retries          int64
	awsAPI                             bool
	service, operation, requestID      string
	region, tableName, queueURL        string
	annotationKeys                     []string
	hasStatus, hasBodySize, hasRetries bool
}

// consumed reports whether key is one of the attributes that spanFields holds.
func consumed(key string) bool {
	switch key {
	case attrAnnotations, attrRetries, attrRequestID, attrTableName, attrQueueURL, attrRPCSystem, attrRPCService,
		attrRPCMethod, attrRegion, attrMethod, attrURL, attrStatus, attrBodySize, attrServerAddress,
		attrMethodOld, attrURLOld, attrStatusOld:
		return true
	}
	return false
}

// fields sets f from attrs.
func (e *encoder) fields(attrs []attribute.KeyValue, f *spanFields) {
	e.keys = e.keys[:0]
	for _, kv := range attrs {
		v := kv.Value
		switch kv.Key {
		case attrAnnotations:
			e.keys = append(e.keys, v.AsStringSlice()...)
		case attrMethod, attrMethodOld:
			f.method = v.Emit()
		case attrURL, attrURLOld:
			f.url = v.Emit()
		case attrServerAddress:
			f.server = v.Emit()
		case attrStatus, attrStatusOld:
			f.status, f.hasStatus = v.AsInt64(), v.Type() == attribute.INT64
		case attrBodySize:
			f.bodySize, f.hasBodySize = v.AsInt64(), v.Type() == attribute.INT64
		case attrRetries:
			f.retries, f.hasRetries = v.AsInt64(), v.Type() == attribute.INT64
		case attrRPCSystem:
			f.awsAPI = v.AsString() == rpcSystemAWS
		case attrRPCService:
			f.service = v.Emit()
		case attrRPCMethod:
			f.operation = v.Emit()
		case attrRequestID:
			f.requestID = v.Emit()
		case attrRegion:
			f.region = v.Emit()
		case attrTableName:
			f.tableName = v.Emit()
		case attrQueueURL:
			f.queueURL = v.Emit()
		}
	}
	f.annotationKeys = e.keys
}

// appendSpan appends span i's document. A standalone document (one datagram) also carries
// trace_id and, for a subsegment, type and parent_id.
func (e *encoder) appendSpan(b []byte, i int, standalone bool, level int) []byte {
	n := &e.nodes[i]
	s, own := n.s, n.own
	attrs := s.Attributes()
	var f spanFields
	if len(attrs) > 0 {
		e.fields(attrs, &f)
	}
	kind := s.SpanKind()
	name := s.Name()
	switch {
	case f.awsAPI && f.service != "":
		name = f.service
	case (kind == trace.SpanKindClient || kind == trace.SpanKindProducer) && f.server != "":
		name = f.server
	}

	b = append(b, `{"name":`...)
	if own != nil && name == own.names.span {
		b = append(b, own.names.json...)
	} else {
		b = appendName(b, name)
	}
	b = append(b, `,"id":"`...)
	b = appendSpanID(b, n.id)
	b = append(b, `","start_time":`...)
	b = e.appendTime(b, n.start)
	b = append(b, `,"end_time":`...)
	b = e.appendTime(b, n.end)
	if standalone {
		b = append(b, `,"trace_id":"`...)
		b = appendTraceID(b, n.traceID)
		b = append(b, '"')
		if n.hasParent {
			b = append(b, `,"type":"subsegment","parent_id":"`...)
			b = appendSpanID(b, n.parentID)
			b = append(b, '"')
		}
	}
	switch {
	case f.awsAPI:
		b = append(b, `,"namespace":"aws"`...)
	case kind == trace.SpanKindClient || kind == trace.SpanKindProducer:
		b = append(b, `,"namespace":"remote"`...)
	default:
		b = append(b, `,"namespace":"local"`...)
	}

	clientError := f.hasStatus && f.status >= 400 && f.status < 500
	if clientError {
		b = append(b, `,"error":true`...)
	}
	if f.hasStatus && f.status == 429 {
		b = append(b, `,"throttle":true`...)
	}
	if (f.hasStatus && f.status >= 500) || (s.Status().Code == codes.Error && !clientError) {
		b = append(b, `,"fault":true`...)
	}
	b = appendCause(b, s, level < levelNoStacks)
	b = appendHTTP(b, &f)
	b = appendAWS(b, &f)
	b = appendAnnotations(b, attrs, f.annotationKeys, own)
	if level < levelNoMetadata {
		b = appendMetadata(b, attrs, f.annotationKeys, own)
	}
	if level == levelNested && n.first >= 0 {
		b = append(b, `,"subsegments":[`...)
		for c := n.first; c >= 0; c = e.nodes[c].next {
			if c != n.first {
				b = append(b, ',')
			}
			b = e.appendSpan(b, c, false, levelNested)
		}
		b = append(b, ']')
	}
	return append(b, '}')
}

// appendTime appends t as seconds since the epoch with microseconds, as X-Ray recommends.
func (e *encoder) appendTime(b []byte, t time.Time) []byte {
	sec, us := t.Unix(), t.Nanosecond()/1000
	if sec != e.sec || len(e.secs) == 0 {
		e.sec, e.secs = sec, strconv.AppendInt(e.secs[:0], sec, 10)
	}
	b = append(b, e.secs...)
	frac := [7]byte{'.', byte('0' + us/100000), byte('0' + us/10000%10), byte('0' + us/1000%10),
		byte('0' + us/100%10), byte('0' + us/10%10), byte('0' + us%10)}
	return append(b, frac[:]...)
}

// appendName appends name as X-Ray accepts it: Unicode letters, digits and white space and
// _ . : / % & # = + \ - @, other characters dropped, at most 200 characters, "unnamed" if empty.
func appendName(b []byte, name string) []byte {
	var buf [4 * maxNameLen]byte
	kept, n := buf[:0], 0
	for _, r := range name {
		if n == maxNameLen {
			break
		}
		if r != utf8.RuneError && (unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.IsSpace(r) || strings.ContainsRune(`_.:/%&#=+\-@`, r)) {
			kept = utf8.AppendRune(kept, r)
			n++
		}
	}
	if n == 0 {
		return jsonstr.Append(b, unnamedSpan)
	}
	return jsonstr.Append(b, kept)
}

// appendCause appends the cause of a span's error: its exception events, or the status
// description when it has none.
func appendCause(b []byte, s span, stacks bool) []byte {
	mark := len(b)
	b = append(b, `,"cause":{"exceptions":[`...)
	n := 0
	for _, ev := range s.Events() {
		if ev.Name != eventException {
			continue
		}
		var typ, msg, stack string
		for _, kv := range ev.Attributes {
			switch kv.Key {
			case attrExceptionType:
				typ = kv.Value.Emit()
			case attrExceptionMsg:
				msg = kv.Value.Emit()
			case attrExceptionStack:
				stack = kv.Value.Emit()
			}
		}
		if n > 0 {
			b = append(b, ',')
		}
		n++
		b = appendException(b, typ, msg, stack, stacks)
	}
	if st := s.Status(); n == 0 && st.Code == codes.Error && st.Description != "" {
		b = appendException(b, "", st.Description, "", false)
		n++
	}
	if n == 0 {
		return b[:mark]
	}
	return append(b, ']', '}')
}

func appendException(b []byte, typ, msg, stack string, stacks bool) []byte {
	b = append(b, `{"id":"`...)
	b = appendSpanID(b, newSpanID())
	b = append(b, '"')
	if typ != "" {
		b = append(b, `,"type":`...)
		b = jsonstr.Append(b, typ)
	}
	if msg != "" {
		b = append(b, `,"message":`...)
		b = jsonstr.Append(b, msg)
	}
	if stacks && stack != "" {
		b = appendStack(b, stack)
	}
	return append(b, '}')
}

// appendStack appends the frames of a Go stack trace, as runtime/debug.Stack writes it (a line
// naming the function, then a tab and file:line), as "stack":[{"path","line","label"}].
func appendStack(b []byte, stack string) []byte {
	mark := len(b)
	b = append(b, `,"stack":[`...)
	frames, truncated := 0, 0
	var label string
	for stack != "" {
		var line string
		line, stack, _ = strings.Cut(stack, "\n")
		if !strings.HasPrefix(line, "\t") {
			label = line
			if i := strings.LastIndexByte(label, '('); i > 0 {
				label = label[:i]
			}
			continue
		}
		if label == "" {
			continue
		}
		loc := strings.TrimSpace(line)
		if i := strings.LastIndex(loc, " +0x"); i > 0 {
			loc = loc[:i]
		}
		path, num := loc, ""
		if i := strings.LastIndexByte(loc, ':'); i > 0 {
			path, num = loc[:i], loc[i+1:]
		}
		n, err := strconv.Atoi(num)
		if err != nil {
			label = ""
			continue
		}
		if frames == maxFrames {
			truncated++
			label = ""
			continue
		}
		if frames > 0 {
			b = append(b, ',')
		}
		frames++
		b = append(b, `{"path":`...)
		b = jsonstr.Append(b, path)
		b = append(b, `,"line":`...)
		b = strconv.AppendInt(b, int64(n), 10)
		b = append(b, `,"label":`...)
		b = jsonstr.Append(b, label)
		b = append(b, '}')
		label = ""
	}
	if frames == 0 {
		return b[:mark]
	}
	b = append(b, ']')
	if truncated > 0 {
		b = append(b, `,"truncated":`...)
		b = strconv.AppendInt(b, int64(truncated), 10)
	}
	return b
}

func appendHTTP(b []byte, f *spanFields) []byte {
	if f.method == "" && f.url == "" && !f.hasStatus {
		return b
	}
	b = append(b, `,"http":{`...)
	if f.method != "" || f.url != "" {
		b = append(b, `"request":{`...)
		sep := false
		if f.method != "" {
			b = append(b, `"method":`...)
			b = jsonstr.Append(b, f.method)
			sep = true
		}
		if f.url != "" {
			if sep {
				b = append(b, ',')
			}
			b = append(b, `"url":`...)
			b = jsonstr.Append(b, f.url)
		}
		b = append(b, '}')
	}
	if f.hasStatus {
		if f.method != "" || f.url != "" {
			b = append(b, ',')
		}
		b = append(b, `"response":{"status":`...)
		b = strconv.AppendInt(b, f.status, 10)
		if f.hasBodySize {
			b = append(b, `,"content_length":`...)
			b = strconv.AppendInt(b, f.bodySize, 10)
		}
		b = append(b, '}')
	}
	return append(b, '}')
}

func appendAWS(b []byte, f *spanFields) []byte {
	if !f.awsAPI && f.requestID == "" && f.tableName == "" && f.queueURL == "" && !f.hasRetries {
		return b
	}
	mark := len(b)
	b = append(b, `,"aws":{`...)
	start := len(b)
	field := func(key, value string) {
		if value == "" {
			return
		}
		if len(b) > start {
			b = append(b, ',')
		}
		b = jsonstr.Append(b, key)
		b = append(b, ':')
		b = jsonstr.Append(b, value)
	}
	if f.awsAPI {
		field("operation", f.operation)
		field("region", f.region)
	}
	field("request_id", f.requestID)
	field("table_name", f.tableName)
	field("queue_url", f.queueURL)
	if f.hasRetries {
		if len(b) > start {
			b = append(b, ',')
		}
		b = append(b, `"retries":`...)
		b = strconv.AppendInt(b, f.retries, 10)
	}
	if len(b) == start {
		return b[:mark]
	}
	return append(b, '}')
}

// appendAnnotations appends the annotations: own's, then the attributes named by
// aws.xray.annotations whose value is a string, a number or a boolean (but those own has), keys
// made X-Ray's (any character but ASCII letters, digits and _ becomes _).
func appendAnnotations(b []byte, attrs []attribute.KeyValue, keys []string, own *entity) []byte {
	if len(keys) == 0 && (own == nil || !own.hasAnnotations()) {
		return b
	}
	mark := len(b)
	b = append(b, `,"annotations":{`...)
	start := len(b)
	if own != nil {
		b = own.appendAnnotationMembers(b)
	}
	for _, kv := range attrs {
		if kv.Key == "" || !slices.Contains(keys, string(kv.Key)) || (own != nil && own.hasAnnotation(kv.Key)) {
			continue
		}
		b = appendAnnotation(b, kv, len(b) > start)
	}
	if len(b) == start {
		return b[:mark]
	}
	return append(b, '}')
}

// appendAnnotation appends "key":value, after a comma if sep, if the value is a string, a
// number or a boolean.
func appendAnnotation(b []byte, kv attribute.KeyValue, sep bool) []byte {
	switch kv.Value.Type() {
	case attribute.BOOL, attribute.INT64, attribute.FLOAT64, attribute.STRING:
	default:
		return b
	}
	if sep {
		b = append(b, ',')
	}
	b = append(b, '"')
	for _, c := range []byte(kv.Key) {
		if !validKeyByte(c) {
			c = '_'
		}
		b = append(b, c)
	}
	b = append(b, '"', ':')
	return appendValue(b, kv.Value)
}

func hasKey(attrs []attribute.KeyValue, key attribute.Key) bool {
	return slices.ContainsFunc(attrs, func(kv attribute.KeyValue) bool { return kv.Key == key })
}

// appendMetadata appends the metadata: own's namespaces; each aws.xray.metadata.<namespace>
// attribute holding a JSON object becomes that namespace (unless own has it); and every other
// attribute that has no other place in the document goes to the namespace "default", as the
// OpenTelemetry collector does.
func appendMetadata(b []byte, attrs []attribute.KeyValue, annotations []string, own *entity) []byte {
	mark := len(b)
	b = append(b, `,"metadata":{`...)
	start := len(b)
	var defaultNS string  // the JSON object of an aws.xray.metadata.default attribute
	var namespaces uint64 // bit i: attribute i is a namespace, written or superseded by own's
	for i, kv := range attrs {
		ns, ok := strings.CutPrefix(string(kv.Key), attrMetadataPrefix)
		if !ok || i >= 64 || kv.Value.Type() != attribute.STRING || !isJSONObject(kv.Value.AsString()) {
			continue
		}
		namespaces |= 1 << i
		if own != nil && own.hasNamespace(ns) {
			continue
		}
		if ns == defaultMetadataName {
			defaultNS = kv.Value.AsString()
			continue
		}
		if len(b) > start {
			b = append(b, ',')
		}
		b = jsonstr.Append(b, ns)
		b = append(b, ':')
		b = append(b, kv.Value.AsString()...)
	}
	if own != nil {
		b = own.appendNamespaces(b, len(b) > start)
	}
	nsMark := len(b)
	if len(b) > start {
		b = append(b, ',')
	}
	b = append(b, `"default":{`...)
	objStart := len(b)
	if defaultNS != "" {
		inner := strings.TrimSpace(defaultNS[1 : len(defaultNS)-1])
		b = append(b, inner...)
	}
	if own != nil {
		b = own.appendMembers(b, defaultMetadataName, len(b) > objStart)
	}
	for i, kv := range attrs {
		key := string(kv.Key)
		// A metadata attribute that is not a JSON object is kept, under its key.
		if (i < 64 && namespaces&(1<<i) != 0) || slices.Contains(annotations, key) ||
			(consumed(key) && !strings.HasPrefix(key, attrMetadataPrefix)) || (own != nil && own.hasAnnotation(kv.Key)) {
			continue
		}
		if len(b) > objStart {
			b = append(b, ',')
		}
		b = jsonstr.Append(b, key)
		b = append(b, ':')
		b = appendValue(b, kv.Value)
	}
	if len(b) == objStart {
		b = b[:nsMark]
	} else {
		b = append(b, '}')
	}
	if len(b) == start {
		return b[:mark]
	}
	return append(b, '}')
}

// isJSONObject reports whether s is one JSON object.
func isJSONObject(s string) bool {
	s = strings.TrimSpace(s)
	return len(s) >= 2 && s[0] == '{' && json.Valid([]byte(s))
}

// appendValue appends an attribute value as JSON: numbers that JSON cannot hold (NaN, ±Inf)
// as strings, slices as arrays.
func appendValue(b []byte, v attribute.Value) []byte {
	switch v.Type() {
	case attribute.BOOL:
		return strconv.AppendBool(b, v.AsBool())
	case attribute.INT64:
		return strconv.AppendInt(b, v.AsInt64(), 10)
	case attribute.FLOAT64:
		return appendFloat(b, v.AsFloat64())
	case attribute.STRING:
		return jsonstr.Append(b, v.AsString())
	case attribute.BOOLSLICE:
		return appendArray(b, v.AsBoolSlice(), strconv.AppendBool)
	case attribute.INT64SLICE:
		return appendArray(b, v.AsInt64Slice(), func(b []byte, n int64) []byte { return strconv.AppendInt(b, n, 10) })
	case attribute.FLOAT64SLICE:
		return appendArray(b, v.AsFloat64Slice(), appendFloat)
	case attribute.STRINGSLICE:
		return appendArray(b, v.AsStringSlice(), jsonstr.Append[string])
	}
	return jsonstr.Append(b, v.Emit())
}

func appendFloat(b []byte, f float64) []byte {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return jsonstr.Append(b, strconv.FormatFloat(f, 'g', -1, 64))
	}
	return jsonstr.AppendFloat(b, f)
}

func appendArray[T any](b []byte, vs []T, each func([]byte, T) []byte) []byte {
	b = append(b, '[')
	for i, v := range vs {
		if i > 0 {
			b = append(b, ',')
		}
		b = each(b, v)
	}
	return append(b, ']')
}

// validKeyByte reports whether c may appear in an annotation key.
func validKeyByte(c byte) bool {
	return c == '_' || ('0' <= c && c <= '9') || ('a' <= c && c <= 'z') || ('A' <= c && c <= 'Z')
}
