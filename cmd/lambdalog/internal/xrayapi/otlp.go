package xrayapi

import (
	"bytes"
	"compress/gzip"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"net/http"
	"strconv"
	"strings"

	"google.golang.org/protobuf/encoding/protowire"
	"google.golang.org/protobuf/proto"

	commonpb "go.opentelemetry.io/proto/otlp/common/v1"
	tracepb "go.opentelemetry.io/proto/otlp/trace/v1"

	"github.com/lambdalog/lambdalog/cmd/lambdalog/internal/awsapi"
	"github.com/lambdalog/lambdalog/cmd/lambdalog/internal/tracestore"
)

// OTLP limits, as X-Ray's OTLP endpoint has them.
const (
	maxOTLPBody  = 5 << 20 // uncompressed
	maxOTLPSpans = 10000
)

// OTLP is the OTLP/HTTP traces endpoint (POST /v1/traces), as X-Ray
// serves it: spans become segment documents in the trace store.
type OTLP struct {
	store *tracestore.Store
	opts  Options
}

// NewOTLP returns the OTLP/HTTP traces endpoint over store.
func NewOTLP(store *tracestore.Store, opts Options) *OTLP {
	opts.defaults()
	return &OTLP{store: store, opts: opts}
}

// Spec implements awsapi.API: signed, when signed, for xray, as X-Ray's
// own OTLP endpoint.
func (*OTLP) Spec() awsapi.Spec {
	return awsapi.Spec{Name: "OTLP traces", SigningName: "xray", MaxBody: maxOTLPBody}
}

// Match implements awsapi.API.
func (*OTLP) Match(r *http.Request) bool { return r.URL.Path == "/v1/traces" }

func isJSON(r *http.Request) bool {
	ct, _, _ := strings.Cut(r.Header.Get("Content-Type"), ";")
	return strings.TrimSpace(ct) == "application/json"
}

// WriteError implements awsapi.API: a google.rpc.Status, in protobuf or in
// JSON as the request was.
func (*OTLP) WriteError(w http.ResponseWriter, r *awsapi.Request, e *awsapi.Error) {
	code := 3 // INVALID_ARGUMENT
	switch {
	case e.Status == http.StatusUnauthorized || e.Status == http.StatusForbidden:
		code = 16 // UNAUTHENTICATED
	case e.Status == http.StatusTooManyRequests || e.Code == awsapi.CodeThrottling:
		code, e = 8, &awsapi.Error{Status: http.StatusTooManyRequests, Code: e.Code, Message: e.Message} // RESOURCE_EXHAUSTED
	case e.Status >= 500:
		code = 14 // UNAVAILABLE
	}
	msg := e.Code + ": " + e.Message
	if isJSON(r.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(e.Status)
		_ = json.NewEncoder(w).Encode(struct {
			Code    int    `json:"code"`
			Message string `json:"message"`
		}{code, msg})
		return
	}
	var b []byte
	b = protowire.AppendTag(b, 1, protowire.VarintType)
	b = protowire.AppendVarint(b, uint64(code))
	b = protowire.AppendTag(b, 2, protowire.BytesType)
	b = protowire.AppendString(b, msg)
	w.Header().Set("Content-Type", "application/x-protobuf")
	w.WriteHeader(e.Status)
	_, _ = w.Write(b)
}

// Serve implements awsapi.API.
func (o *OTLP) Serve(w http.ResponseWriter, r *awsapi.Request) {
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		o.WriteError(w, r, &awsapi.Error{Status: http.StatusMethodNotAllowed, Code: "MethodNotAllowed", Message: "send spans with POST /v1/traces"})
		return
	}
	body, e := otlpBody(r)
	if e != nil {
		o.WriteError(w, r, e)
		return
	}
	var spans []otlpSpan
	var err error
	if isJSON(r.Request) {
		spans, err = decodeOTLPJSON(body)
	} else {
		ct, _, _ := strings.Cut(r.Header.Get("Content-Type"), ";")
		if ct = strings.TrimSpace(ct); ct != "application/x-protobuf" && ct != "application/protobuf" {
			o.WriteError(w, r, &awsapi.Error{Status: http.StatusUnsupportedMediaType, Code: "UnsupportedMediaType",
				Message: fmt.Sprintf("Content-Type %q: send application/x-protobuf or application/json", ct)})
			return
		}
		spans, err = decodeOTLPProto(body)
	}
	if err != nil {
		o.WriteError(w, r, &awsapi.Error{Status: http.StatusBadRequest, Code: "InvalidRequest", Message: err.Error()})
		return
	}
	if len(spans) > maxOTLPSpans {
		o.WriteError(w, r, &awsapi.Error{Status: http.StatusBadRequest, Code: "InvalidRequest",
			Message: fmt.Sprintf("%d spans in one request; at most %d are accepted", len(spans), maxOTLPSpans)})
		return
	}
	docs := make([]tracestore.Document, 0, len(spans))
	var rejected []string
	for _, s := range spans {
		raw, err := s.document()
		var d tracestore.Document
		if err == nil {
			d, err = tracestore.ParseDocument(raw)
		}
		if err != nil {
			rejected = append(rejected, fmt.Sprintf("span %x: %v", s.spanID, err))
			continue
		}
		docs = append(docs, d)
	}
	if err := o.store.Put(r.Context(), docs); err != nil {
		if errors.Is(err, tracestore.ErrDiskFull) || errors.Is(err, tracestore.ErrFailed) {
			o.WriteError(w, r, &awsapi.Error{Status: http.StatusServiceUnavailable, Code: "ServiceUnavailable", Message: err.Error()})
			return
		}
		o.opts.Logger.Error("xrayapi: OTLP", "requestId", r.ID, "err", err)
		o.WriteError(w, r, &awsapi.Error{Status: http.StatusInternalServerError, Code: awsapi.CodeInternal, Message: "The service cannot complete the request."})
		return
	}
	writeOTLPResponse(w, isJSON(r.Request), len(rejected), strings.Join(rejected, "; "))
}

// otlpBody returns the request body, gunzipped when it is gzip-encoded.
func otlpBody(r *awsapi.Request) ([]byte, *awsapi.Error) {
	switch enc := r.Header.Get("Content-Encoding"); enc {
	case "", "identity":
		return r.Payload, nil
	case "gzip":
		zr, err := gzip.NewReader(bytes.NewReader(r.Payload))
		if err != nil {
			return nil, &awsapi.Error{Status: http.StatusBadRequest, Code: "InvalidRequest", Message: "gzip body: " + err.Error()}
		}
		b, err := io.ReadAll(io.LimitReader(zr, maxOTLPBody+1))
		if err != nil {
			return nil, &awsapi.Error{Status: http.StatusBadRequest, Code: "InvalidRequest", Message: "gzip body: " + err.Error()}
		}
		if len(b) > maxOTLPBody {
			return nil, &awsapi.Error{Status: http.StatusRequestEntityTooLarge, Code: awsapi.CodeTooLarge, Message: fmt.Sprintf("uncompressed body exceeds %d bytes", maxOTLPBody)}
		}
		return b, nil
	default:
		return nil, &awsapi.Error{Status: http.StatusUnsupportedMediaType, Code: "UnsupportedMediaType", Message: fmt.Sprintf("Content-Encoding %q: send gzip or none", enc)}
	}
}

// writeOTLPResponse writes an ExportTraceServiceResponse, with its
// partial_success when spans were rejected.
func writeOTLPResponse(w http.ResponseWriter, asJSON bool, rejected int, msg string) {
	if asJSON {
		w.Header().Set("Content-Type", "application/json")
		if rejected == 0 {
			_, _ = io.WriteString(w, "{}")
			return
		}
		_ = json.NewEncoder(w).Encode(map[string]any{"partialSuccess": map[string]string{"rejectedSpans": strconv.Itoa(rejected), "errorMessage": msg}})
		return
	}
	w.Header().Set("Content-Type", "application/x-protobuf")
	if rejected == 0 {
		return
	}
	var ps []byte
	ps = protowire.AppendTag(ps, 1, protowire.VarintType)
	ps = protowire.AppendVarint(ps, uint64(rejected))
	ps = protowire.AppendTag(ps, 2, protowire.BytesType)
	ps = protowire.AppendString(ps, msg)
	var b []byte
	b = protowire.AppendTag(b, 1, protowire.BytesType)
	b = protowire.AppendBytes(b, ps)
	_, _ = w.Write(b)
}

// otlpSpan is a span with its resource's attributes, from either encoding.
type otlpSpan struct {
	traceID          [16]byte
	spanID, parentID [8]byte
	hasParent        bool
	name             string
	kind             int32 // 1 internal, 2 server, 3 client, 4 producer, 5 consumer
	start, end       uint64
	attrs, resource  []otlpAttr
	events           []otlpEvent
	statusCode       int32 // 2: error
	statusMessage    string
}

type otlpAttr struct {
	key string
	val any // string, bool, int64, float64, []any or map[string]any
}

type otlpEvent struct {
	name  string
	attrs []otlpAttr
}

// decodeOTLPProto decodes an ExportTraceServiceRequest: its field 1,
// repeated ResourceSpans.
func decodeOTLPProto(b []byte) ([]otlpSpan, error) {
	var spans []otlpSpan
	for len(b) > 0 {
		num, typ, n := protowire.ConsumeTag(b)
		if n < 0 {
			return nil, fmt.Errorf("not an OTLP ExportTraceServiceRequest: %w", protowire.ParseError(n))
		}
		b = b[n:]
		if num != 1 || typ != protowire.BytesType {
			n = protowire.ConsumeFieldValue(num, typ, b)
			if n < 0 {
				return nil, fmt.Errorf("not an OTLP ExportTraceServiceRequest: %w", protowire.ParseError(n))
			}
			b = b[n:]
			continue
		}
		v, n := protowire.ConsumeBytes(b)
		if n < 0 {
			return nil, fmt.Errorf("not an OTLP ExportTraceServiceRequest: %w", protowire.ParseError(n))
		}
		b = b[n:]
		var rs tracepb.ResourceSpans
		if err := proto.Unmarshal(v, &rs); err != nil {
			return nil, fmt.Errorf("resource_spans: %w", err)
		}
		res := protoAttrs(rs.GetResource().GetAttributes())
		for _, ss := range rs.GetScopeSpans() {
			for _, sp := range ss.GetSpans() {
				s := otlpSpan{name: sp.GetName(), kind: int32(sp.GetKind()), start: sp.GetStartTimeUnixNano(), end: sp.GetEndTimeUnixNano(),
					attrs: protoAttrs(sp.GetAttributes()), resource: res, statusCode: int32(sp.GetStatus().GetCode()), statusMessage: sp.GetStatus().GetMessage()}
				if len(sp.GetTraceId()) != 16 || len(sp.GetSpanId()) != 8 {
					return nil, fmt.Errorf("span %q: trace_id must be 16 bytes and span_id 8", sp.GetName())
				}
				copy(s.traceID[:], sp.GetTraceId())
				copy(s.spanID[:], sp.GetSpanId())
				if p := sp.GetParentSpanId(); len(p) == 8 {
					copy(s.parentID[:], p)
					s.hasParent = true
				}
				for _, ev := range sp.GetEvents() {
					s.events = append(s.events, otlpEvent{name: ev.GetName(), attrs: protoAttrs(ev.GetAttributes())})
				}
				spans = append(spans, s)
			}
		}
	}
	return spans, nil
}

func protoAttrs(kvs []*commonpb.KeyValue) []otlpAttr {
	out := make([]otlpAttr, 0, len(kvs))
	for _, kv := range kvs {
		out = append(out, otlpAttr{key: kv.GetKey(), val: protoValue(kv.GetValue(), 0)})
	}
	return out
}

func protoValue(v *commonpb.AnyValue, depth int) any {
	if depth > 16 {
		return nil
	}
	switch x := v.GetValue().(type) {
	case *commonpb.AnyValue_StringValue:
		return x.StringValue
	case *commonpb.AnyValue_BoolValue:
		return x.BoolValue
	case *commonpb.AnyValue_IntValue:
		return x.IntValue
	case *commonpb.AnyValue_DoubleValue:
		return x.DoubleValue
	case *commonpb.AnyValue_BytesValue:
		return hex.EncodeToString(x.BytesValue)
	case *commonpb.AnyValue_ArrayValue:
		var list []any
		for _, e := range x.ArrayValue.GetValues() {
			list = append(list, protoValue(e, depth+1))
		}
		return list
	case *commonpb.AnyValue_KvlistValue:
		m := map[string]any{}
		for _, kv := range x.KvlistValue.GetValues() {
			m[kv.GetKey()] = protoValue(kv.GetValue(), depth+1)
		}
		return m
	}
	return nil
}

// The OTLP/JSON encoding: protobuf's JSON mapping with lowerCamelCase
// names, except that trace and span ids are hex strings.
type jsonAttr struct {
	Key   string    `json:"key"`
	Value jsonValue `json:"value"`
}

type jsonValue struct {
	StringValue *string         `json:"stringValue"`
	BoolValue   *bool           `json:"boolValue"`
	IntValue    json.RawMessage `json:"intValue"` // a string or a number
	DoubleValue *float64        `json:"doubleValue"`
	BytesValue  []byte          `json:"bytesValue"`
	ArrayValue  *struct {
		Values []jsonValue `json:"values"`
	} `json:"arrayValue"`
	KvlistValue *struct {
		Values []jsonAttr `json:"values"`
	} `json:"kvlistValue"`
}

func (v jsonValue) value(depth int) any {
	switch {
	case depth > 16:
		return nil
	case v.StringValue != nil:
		return *v.StringValue
	case v.BoolValue != nil:
		return *v.BoolValue
	case v.IntValue != nil:
		n, err := strconv.ParseInt(strings.Trim(string(v.IntValue), `"`), 10, 64)
		if err != nil {
			return nil
		}
		return n
	case v.DoubleValue != nil:
		return *v.DoubleValue
	case v.BytesValue != nil:
		return hex.EncodeToString(v.BytesValue)
	case v.ArrayValue != nil:
		var list []any
		for _, e := range v.ArrayValue.Values {
			list = append(list, e.value(depth+1))
		}
		return list
	case v.KvlistValue != nil:
		m := map[string]any{}
		for _, kv := range v.KvlistValue.Values {
			m[kv.Key] = kv.Value.value(depth + 1)
		}
		return m
	}
	return nil
}

func jsonAttrs(kvs []jsonAttr) []otlpAttr {
	out := make([]otlpAttr, 0, len(kvs))
	for _, kv := range kvs {
		out = append(out, otlpAttr{key: kv.Key, val: kv.Value.value(0)})
	}
	return out
}

// jsonUint is a uint64 written as a string or a number.
type jsonUint uint64

func (u *jsonUint) UnmarshalJSON(b []byte) error {
	n, err := strconv.ParseUint(strings.Trim(string(b), `"`), 10, 64)
	if err != nil {
		return fmt.Errorf("not a time in nanoseconds: %s", clip(string(b)))
	}
	*u = jsonUint(n)
	return nil
}

func decodeOTLPJSON(b []byte) ([]otlpSpan, error) {
	var req struct {
		ResourceSpans []struct {
			Resource struct {
				Attributes []jsonAttr `json:"attributes"`
			} `json:"resource"`
			ScopeSpans []struct {
				Spans []struct {
					TraceID           string     `json:"traceId"`
					SpanID            string     `json:"spanId"`
					ParentSpanID      string     `json:"parentSpanId"`
					Name              string     `json:"name"`
					Kind              int32      `json:"kind"`
					StartTimeUnixNano jsonUint   `json:"startTimeUnixNano"`
					EndTimeUnixNano   jsonUint   `json:"endTimeUnixNano"`
					Attributes        []jsonAttr `json:"attributes"`
					Events            []struct {
						Name       string     `json:"name"`
						Attributes []jsonAttr `json:"attributes"`
					} `json:"events"`
					Status struct {
						Code    int32  `json:"code"`
						Message string `json:"message"`
					} `json:"status"`
				} `json:"spans"`
			} `json:"scopeSpans"`
		} `json:"resourceSpans"`
	}
	if err := json.Unmarshal(b, &req); err != nil {
		return nil, fmt.Errorf("not an OTLP/JSON ExportTraceServiceRequest: %w", err)
	}
	var spans []otlpSpan
	for _, rs := range req.ResourceSpans {
		res := jsonAttrs(rs.Resource.Attributes)
		for _, ss := range rs.ScopeSpans {
			for _, sp := range ss.Spans {
				s := otlpSpan{name: sp.Name, kind: sp.Kind, start: uint64(sp.StartTimeUnixNano), end: uint64(sp.EndTimeUnixNano),
					attrs: jsonAttrs(sp.Attributes), resource: res, statusCode: sp.Status.Code, statusMessage: sp.Status.Message}
				if !decodeHexID(s.traceID[:], sp.TraceID) || !decodeHexID(s.spanID[:], sp.SpanID) {
					return nil, fmt.Errorf("span %q: traceId must be 32 hex digits and spanId 16", sp.Name)
				}
				if sp.ParentSpanID != "" {
					if !decodeHexID(s.parentID[:], sp.ParentSpanID) {
						return nil, fmt.Errorf("span %q: parentSpanId must be 16 hex digits", sp.Name)
					}
					s.hasParent = true
				}
				for _, ev := range sp.Events {
					s.events = append(s.events, otlpEvent{name: ev.Name, attrs: jsonAttrs(ev.Attributes)})
				}
				spans = append(spans, s)
			}
		}
	}
	return spans, nil
}

func decodeHexID(dst []byte, s string) bool {
	n, err := hex.Decode(dst, []byte(s))
	return err == nil && n == len(dst) && len(s) == 2*len(dst)
}

func attr(attrs []otlpAttr, keys ...string) any {
	for _, k := range keys {
		for _, a := range attrs {
			if a.key == k && a.val != nil {
				return a.val
			}
		}
	}
	return nil
}

func attrString(attrs []otlpAttr, keys ...string) string {
	s, _ := attr(attrs, keys...).(string)
	return s
}

func attrInt(attrs []otlpAttr, keys ...string) int64 {
	switch v := attr(attrs, keys...).(type) {
	case int64:
		return v
	case float64:
		return int64(v)
	case string:
		n, _ := strconv.ParseInt(v, 10, 64)
		return n
	}
	return 0
}

// mapped are the span attributes that become fields of the segment
// document; the others become metadata.
var mapped = map[string]bool{
	"aws.xray.annotations": true, "http.method": true, "http.request.method": true, "http.url": true, "url.full": true,
	"http.status_code": true, "http.response.status_code": true, "http.user_agent": true, "user_agent.original": true,
	"http.client_ip": true, "client.address": true, "aws.operation": true, "aws.region": true, "aws.request_id": true,
	"aws.request.id": true, "aws.queue_url": true, "aws.table_name": true, "rpc.system": true, "rpc.service": true,
	"rpc.method": true, "enduser.id": true, "cloud.account.id": true, "cloud.region": true, "server.address": true,
	"net.peer.name": true,
}

// document maps the span to an X-Ray segment document, as X-Ray's OTLP
// ingestion and the OpenTelemetry collector's X-Ray exporter do: a span
// without a parent, or of kind SERVER, is a segment named after the
// resource's service.name; any other span is a subsegment sent on its own
// (type subsegment, parent_id its parent span), of namespace aws for an
// AWS SDK call (rpc.system aws-api, named after rpc.service), remote for
// another CLIENT or PRODUCER span.
func (s otlpSpan) document() ([]byte, error) {
	if s.traceID == [16]byte{} || s.spanID == [8]byte{} {
		return nil, errors.New("the trace and span ids must not be zero")
	}
	d := map[string]any{
		"id":         hex.EncodeToString(s.spanID[:]),
		"trace_id":   fmt.Sprintf("1-%x-%x", s.traceID[:4], s.traceID[4:]),
		"start_time": json.Number(nanoSeconds(s.start)),
	}
	if s.end >= s.start && s.end != 0 {
		d["end_time"] = json.Number(nanoSeconds(s.end))
	} else {
		d["in_progress"] = true
	}
	name := s.name
	segment := !s.hasParent || s.kind == 2
	aws := map[string]any{}
	if segment {
		if svc := attrString(s.resource, "service.name"); svc != "" && !strings.HasPrefix(svc, "unknown_service") {
			name = svc
		}
		if acct := attrString(s.resource, "cloud.account.id"); acct != "" {
			aws["account_id"] = acct
		}
	} else {
		d["type"] = "subsegment"
	}
	if s.hasParent {
		d["parent_id"] = hex.EncodeToString(s.parentID[:])
	}
	if attrString(s.attrs, "rpc.system") == "aws-api" {
		if svc := attrString(s.attrs, "rpc.service"); svc != "" && !segment {
			name = svc
		}
		d["namespace"] = "aws"
		if op := attrString(s.attrs, "rpc.method", "aws.operation"); op != "" {
			aws["operation"] = op
		}
	} else if !segment && (s.kind == 3 || s.kind == 4) {
		d["namespace"] = "remote"
		if host := attrString(s.attrs, "server.address", "net.peer.name"); host != "" {
			name = host
		}
	}
	for field, keys := range map[string][]string{"region": {"aws.region", "cloud.region"}, "request_id": {"aws.request_id", "aws.request.id"},
		"queue_url": {"aws.queue_url"}, "table_name": {"aws.table_name"}} {
		if v := attrString(s.attrs, keys...); v != "" && (field != "region" || d["namespace"] == "aws") {
			aws[field] = v
		}
	}
	if len(aws) > 0 {
		d["aws"] = aws
	}
	if name = strings.TrimSpace(name); name == "" {
		name = "span"
	}
	if r := []rune(name); len(r) > 200 {
		name = string(r[:200])
	}
	d["name"] = name
	if user := attrString(s.attrs, "enduser.id"); user != "" && segment {
		d["user"] = user
	}
	status := attrInt(s.attrs, "http.response.status_code", "http.status_code")
	req := map[string]any{}
	for field, keys := range map[string][]string{"method": {"http.request.method", "http.method"}, "url": {"url.full", "http.url"},
		"user_agent": {"user_agent.original", "http.user_agent"}, "client_ip": {"client.address", "http.client_ip"}} {
		if v := attrString(s.attrs, keys...); v != "" {
			req[field] = v
		}
	}
	if len(req) > 0 || status != 0 {
		h := map[string]any{}
		if len(req) > 0 {
			h["request"] = req
		}
		if status != 0 {
			h["response"] = map[string]any{"status": status}
		}
		d["http"] = h
	}
	switch {
	case status == 429:
		d["throttle"], d["error"] = true, true
	case status >= 400 && status < 500:
		d["error"] = true
	case status >= 500 || s.statusCode == 2:
		d["fault"] = true
	}
	if c := s.cause(); c != nil {
		d["cause"] = c
	}
	annotations, metadata := map[string]any{}, map[string]any{}
	indexed := map[string]bool{}
	if list, ok := attr(s.attrs, "aws.xray.annotations").([]any); ok {
		for _, k := range list {
			if ks, ok := k.(string); ok {
				indexed[ks] = true
			}
		}
	}
	for _, a := range s.attrs {
		switch {
		case indexed[a.key]:
			switch a.val.(type) {
			case string, bool, int64, float64:
				annotations[annotationKey(a.key)] = finite(a.val)
			}
		case !mapped[a.key]:
			metadata[strings.TrimPrefix(a.key, "aws.xray.metadata.")] = finite(a.val)
		}
	}
	if len(annotations) > 0 {
		d["annotations"] = annotations
	}
	if len(metadata) > 0 {
		d["metadata"] = map[string]any{"default": metadata}
	}
	return json.Marshal(d)
}

// cause is the X-Ray cause of the span's exception events.
func (s otlpSpan) cause() map[string]any {
	var exceptions []any
	for i, ev := range s.events {
		if ev.name != "exception" {
			continue
		}
		ex := map[string]any{"id": fmt.Sprintf("%x%02x", s.spanID[1:], i%256)}
		if t := attrString(ev.attrs, "exception.type"); t != "" {
			ex["type"] = t
		}
		if m := attrString(ev.attrs, "exception.message"); m != "" {
			ex["message"] = m
		}
		exceptions = append(exceptions, ex)
	}
	if len(exceptions) == 0 {
		if s.statusCode == 2 && s.statusMessage != "" {
			return map[string]any{"exceptions": []any{map[string]any{"id": hex.EncodeToString(s.spanID[:]), "message": s.statusMessage}}}
		}
		return nil
	}
	return map[string]any{"exceptions": exceptions}
}

// annotationKey replaces characters X-Ray does not allow in annotation
// keys with underscores.
func annotationKey(k string) string {
	return strings.Map(func(r rune) rune {
		if r == '_' || 'a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || '0' <= r && r <= '9' {
			return r
		}
		return '_'
	}, k)
}

// finite replaces the floats JSON cannot hold with strings.
func finite(v any) any {
	switch x := v.(type) {
	case float64:
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return strconv.FormatFloat(x, 'g', -1, 64)
		}
	case []any:
		for i := range x {
			x[i] = finite(x[i])
		}
	case map[string]any:
		for k := range x {
			x[k] = finite(x[k])
		}
	}
	return v
}

// nanoSeconds writes epoch nanoseconds as epoch seconds with microseconds.
func nanoSeconds(ns uint64) string {
	return strconv.FormatUint(ns/1e9, 10) + "." + fmt.Sprintf("%06d", ns%1e9/1e3)
}
