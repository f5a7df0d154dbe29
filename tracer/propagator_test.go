package tracer

import (
	"context"
	"net/http"
	"testing"
	"time"

	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/trace"

	"github.com/lambdalog/lambdalog/internal/invocation"
)

func TestTraceIDRoundTrip(t *testing.T) {
	before := time.Now().Unix()
	for range 1000 {
		tid, sid := IDGenerator{}.NewIDs(context.Background())
		if !tid.IsValid() || !sid.IsValid() {
			t.Fatal("invalid id")
		}
		s := string(appendTraceID(nil, tid))
		back, ok := parseTraceID(s)
		if !ok || back != tid || len(s) != xrayTraceIDLen {
			t.Fatalf("%s does not round-trip", s)
		}
		epoch := int64(tid[0])<<24 | int64(tid[1])<<16 | int64(tid[2])<<8 | int64(tid[3])
		if epoch < before || epoch > time.Now().Unix() {
			t.Fatalf("%s: epoch %d, want the time it was made", s, epoch)
		}
	}
	for _, bad := range []string{"", "1-5759e988-bd862e3fe1be46a99427279", "2-5759e988-bd862e3fe1be46a994272793",
		"1-5759e988xbd862e3fe1be46a994272793", "1-5759e98g-bd862e3fe1be46a994272793", "1-00000000-000000000000000000000000"} {
		if _, ok := parseTraceID(bad); ok {
			t.Errorf("%q parsed", bad)
		}
	}
}

func TestPropagatorRoundTrip(t *testing.T) {
	p := Propagator{}
	for _, c := range []struct{ in, out string }{
		{sampled, sampled},
		{notSampled, notSampled},
		{"Root=" + testRoot + ";Parent=" + testParent + ";Sampled=?", notSampled},
		{"Root=" + testRoot + ";Parent=" + testParent, notSampled},
		{" Root=" + testRoot + " ; Parent=" + testParent + ";Sampled=1;Self=1-abc;Lineage=a87bd80c:1|68fd508a:5", sampled + ";Lineage=a87bd80c:1|68fd508a:5"},
		{"Root=" + testRoot, ""},
		{"Parent=" + testParent + ";Sampled=1", ""},
		{"Root=1-5759E988-BD862E3FE1BE46A994272793;Parent=53995C3F42CD8AD8;Sampled=1", sampled},
		{"garbage", ""},
	} {
		in := propagation.HeaderCarrier(http.Header{})
		in.Set(invocation.TraceHeaderName, c.in)
		ctx := p.Extract(context.Background(), in)
		out := propagation.HeaderCarrier(http.Header{})
		p.Inject(ctx, out)
		if got := out.Get(invocation.TraceHeaderName); got != c.out {
			t.Errorf("%q: injected %q, want %q", c.in, got, c.out)
		}
	}
	if f := p.Fields(); len(f) != 1 || f[0] != "X-Amzn-Trace-Id" {
		t.Errorf("fields %v", f)
	}
}

// FuzzPropagator: any header extracts without panicking; what it extracts injects as a header
// that extracts to the same trace context.
func FuzzPropagator(f *testing.F) {
	for _, s := range []string{sampled, notSampled, sampled + ";Lineage=a87bd80c:1", "Root=;Parent=", ";;==;", "Root=1-5759e988-bd862e3fe1be46a994272793;Root=x"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, header string) {
		p := Propagator{}
		ctx := p.Extract(context.Background(), propagation.MapCarrier{"x-amzn-trace-id": header})
		sc := trace.SpanContextFromContext(ctx)
		out := propagation.MapCarrier{}
		p.Inject(ctx, out)
		if !sc.IsValid() {
			if len(out) != 0 {
				t.Fatalf("%q: injected %v from no trace context", header, out)
			}
			return
		}
		again := trace.SpanContextFromContext(p.Extract(context.Background(), out))
		if !again.Equal(sc) {
			t.Fatalf("%q: %v injected as %q extracts as %v", header, sc, out["x-amzn-trace-id"], again)
		}
		h := invocation.ParseTraceHeader(header)
		if string(appendTraceID(nil, sc.TraceID())) != lower(h.Root) || sc.SpanID().String() != lower(h.Parent) ||
			sc.IsSampled() != (h.Sampled == invocation.SampledTrue) {
			t.Fatalf("%q extracted as %v", header, sc)
		}
	})
}

func lower(s string) string {
	b := []byte(s)
	for i, c := range b {
		if 'A' <= c && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	return string(b)
}
