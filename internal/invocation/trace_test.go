package invocation

import (
	"reflect"
	"strings"
	"testing"
)

func TestParseTraceHeader(t *testing.T) {
	for _, c := range []struct {
		in        string
		want      TraceHeader
		canonical string // String of the parsed header; "" means in
	}{
		{in: "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1;Lineage=a87bd80c:1|68fd508a:5",
			want: TraceHeader{Root: "1-5759e988-bd862e3fe1be46a994272793", Parent: "53995c3f42cd8ad8", Sampled: SampledTrue, Lineage: "a87bd80c:1|68fd508a:5"}},
		{in: "Root=1-5759e988-bd862e3fe1be46a994272793;Sampled=0",
			want: TraceHeader{Root: "1-5759e988-bd862e3fe1be46a994272793", Sampled: SampledFalse}},
		{in: "Root=1-5759e988-bd862e3fe1be46a994272793;Sampled=?",
			want: TraceHeader{Root: "1-5759e988-bd862e3fe1be46a994272793", Sampled: SampledRequested}},
		// ALB puts Self first; it is kept, after the known fields.
		{in: "Self=1-67891234-12456789abcdef012345678;Root=1-67891233-abcdef012345678912345678",
			want:      TraceHeader{Root: "1-67891233-abcdef012345678912345678", Other: []Field{{"Self", "1-67891234-12456789abcdef012345678"}}},
			canonical: "Root=1-67891233-abcdef012345678912345678;Self=1-67891234-12456789abcdef012345678"},
		{in: " Root=1-a ; Parent=b ;; Sampled=1 ;CalledFrom=app",
			want:      TraceHeader{Root: "1-a", Parent: "b", Sampled: SampledTrue, Other: []Field{{"CalledFrom", "app"}}},
			canonical: "Root=1-a;Parent=b;Sampled=1;CalledFrom=app"},
		// Keys are case-sensitive; odd Sampled values and repeated keys are kept as they are.
		{in: "root=1-a;Sampled=true;Root=1-b;Root=1-c;Sampled=1",
			want:      TraceHeader{Root: "1-b", Sampled: SampledTrue, Other: []Field{{"root", "1-a"}, {"Sampled", "true"}, {"Root", "1-c"}}},
			canonical: "Root=1-b;Sampled=1;root=1-a;Sampled=true;Root=1-c"},
		// Empty known values are absent; parts without '=' are dropped.
		{in: "Root=;Parent=;Sampled=;garbage;=x", want: TraceHeader{Other: []Field{{"", "x"}}}, canonical: "=x"},
		{in: "", want: TraceHeader{}},
		{in: "1-5759e988-bd862e3fe1be46a994272793", want: TraceHeader{}, canonical: "-"},
	} {
		got := ParseTraceHeader(c.in)
		if !reflect.DeepEqual(got, c.want) {
			t.Errorf("ParseTraceHeader(%q) = %+v, want %+v", c.in, got, c.want)
		}
		want := c.canonical
		switch want {
		case "":
			want = c.in
		case "-":
			want = ""
		}
		if s := got.String(); s != want {
			t.Errorf("ParseTraceHeader(%q).String() = %q, want %q", c.in, s, want)
		}
	}
}

func TestTraceHeaderString(t *testing.T) {
	h := TraceHeader{Root: "1-a", Parent: "p", Sampled: SampledRequested, Lineage: "l:1", Other: []Field{{"Self", "s"}}}
	if got, want := h.String(), "Root=1-a;Parent=p;Sampled=?;Lineage=l:1;Self=s"; got != want {
		t.Errorf("String() = %q, want %q", got, want)
	}
	if got := (TraceHeader{}).String(); got != "" {
		t.Errorf("empty header: %q", got)
	}
	if got := (TraceHeader{Sampled: 9}).String(); got != "" {
		t.Errorf("an invalid Sampled value is written: %q", got)
	}
}

// FuzzTraceHeader checks that parsing never panics and that String round-trips: the canonical
// form parses back to the same header and is its own canonical form.
func FuzzTraceHeader(f *testing.F) {
	f.Add("Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1;Lineage=a87bd80c:1")
	f.Add("Self=1-1;Root=1-2;Sampled=?;x=y=z; ;Root=;=;Sampled=01")
	f.Add("\xff;Root=\x00;\tParent = x ;")
	f.Fuzz(func(t *testing.T, s string) {
		h := ParseTraceHeader(s)
		out := h.String()
		h2 := ParseTraceHeader(out)
		if !reflect.DeepEqual(h, h2) {
			t.Fatalf("%q parses to %+v, its String %q to %+v", s, h, out, h2)
		}
		if out2 := h2.String(); out2 != out {
			t.Fatalf("String is not canonical: %q then %q", out, out2)
		}
		for _, f := range h.Other {
			if strings.Contains(f.Key, "=") || strings.ContainsRune(f.Key+f.Value, ';') {
				t.Fatalf("field %+v cannot be written back", f)
			}
		}
	})
}
