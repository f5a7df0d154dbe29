package tracer

import (
	"encoding/json"
	"regexp"
	"strings"
	"testing"
	"time"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"
)

var (
	hexID         = regexp.MustCompile(`^[0-9a-f]{16}$`)
	annotationKey = regexp.MustCompile(`^[A-Za-z0-9_]+$`)
)

// FuzzSegmentDocument: spans with any names, attributes, statuses and stack traces (as other
// OpenTelemetry instrumentation may record them) become datagrams under the size limit, each a
// header line and a segment document X-Ray accepts.
func FuzzSegmentDocument(f *testing.F) {
	f.Add("## handler", "User", "alice", int64(200), "main.f(...)\n\t/src/main.go:12 +0x1d\n", 3000)
	f.Add("", "a.b c", `{"k":[1,2]}`, int64(429), "goroutine 1 [running]:\npanic({0x1})\n\t/x.go:1\n", 500)
	f.Add("名前\u2028\x00", "", "\xff\xfe", int64(503), "\t:\n(\n\tx:y", 200)
	f.Fuzz(func(t *testing.T, name, key, value string, status int64, stack string, limit int) {
		limit = 200 + abs(limit)%5000
		tid := trace.TraceID{0x57, 0x59, 0xe9, 0x88, 1}
		start := time.Unix(1700000000, 123456789)
		stub := func(id byte, parent trace.SpanID, kind trace.SpanKind) tracetest.SpanStub {
			return tracetest.SpanStub{
				Name:        name,
				SpanContext: trace.NewSpanContext(trace.SpanContextConfig{TraceID: tid, SpanID: trace.SpanID{id}, TraceFlags: trace.FlagsSampled}),
				Parent:      trace.NewSpanContext(trace.SpanContextConfig{TraceID: tid, SpanID: parent, Remote: true}),
				SpanKind:    kind,
				StartTime:   start,
				EndTime:     start.Add(time.Duration(id) * time.Millisecond),
				Status:      sdktrace.Status{Code: codes.Error, Description: value},
				Attributes: []attribute.KeyValue{
					attribute.String(key, value),
					attribute.StringSlice(attrAnnotations, []string{key, "missing"}),
					attribute.String(attrMetadataPrefix+key, value),
					attribute.String(attrMetadataPrefix+"default", value),
					attribute.Int64(attrStatus, status),
					attribute.String(attrURL, value),
					attribute.String(attrServerAddress, name),
					attribute.String(attrRPCSystem, map[bool]string{true: rpcSystemAWS}[status%2 == 0]),
					attribute.String(attrRPCService, name),
					attribute.Float64Slice(key+"f", []float64{1.5, float64(status)}),
				},
				Events: []sdktrace.Event{{Name: eventException, Attributes: []attribute.KeyValue{
					attribute.String(attrExceptionType, key), attribute.String(attrExceptionMsg, value),
					attribute.String(attrExceptionStack, stack),
				}}},
			}
		}
		stubs := tracetest.SpanStubs{stub(1, trace.SpanID{9}, trace.SpanKindServer), stub(2, trace.SpanID{1}, trace.SpanKindClient),
			stub(3, trace.SpanID{2}, trace.SpanKindInternal), stub(4, trace.SpanID{4}, trace.SpanKindProducer)}
		e := encoder{buf: []byte(daemonHeader), header: len(daemonHeader), max: limit}
		var spans []span
		for _, s := range stubs.Snapshots() {
			spans = append(spans, s)
		}
		var docs []map[string]any
		err := e.encode(spans, func(datagram []byte) error {
			if len(datagram) > limit {
				t.Fatalf("datagram of %d bytes, limit %d", len(datagram), limit)
			}
			doc, err := decodeDatagram(datagram)
			if err != nil {
				t.Fatalf("%v: %q", err, datagram)
			}
			docs = append(docs, doc.m)
			return nil
		})
		ids := 0
		for _, doc := range docs {
			walk(doc, "", func(m map[string]any, _ string) {
				ids++
				n, _ := m["name"].(string)
				id, _ := m["id"].(string)
				st, ok1 := m["start_time"].(float64)
				et, ok2 := m["end_time"].(float64)
				if n == "" || len([]rune(n)) > maxNameLen || !hexID.MatchString(id) || !ok1 || !ok2 || st > et || st != 1700000000.123456 {
					t.Fatalf("subsegment %v", m)
				}
				ann, _ := m["annotations"].(map[string]any)
				for k := range ann {
					if !annotationKey.MatchString(k) {
						t.Fatalf("annotation key %q", k)
					}
				}
			})
		}
		if err == nil && ids != len(stubs) {
			t.Fatalf("%d of %d spans sent, no error", ids, len(stubs))
		}
		if err != nil && !strings.Contains(err.Error(), "does not fit") {
			t.Fatal(err)
		}
		if _, err := json.Marshal(docs); err != nil {
			t.Fatal(err)
		}
	})
}

func abs(n int) int {
	if n < 0 {
		return -n
	}
	return n
}
