package metrics

import (
	"bytes"
	"encoding/json"
	"math"
	"testing"
)

// FuzzRecord feeds arbitrary names, dimension values, metadata and values through
// the Recorder: nothing panics, invalid input is rejected with ErrInvalid, and
// whatever is accepted comes out as valid EMF that decodes to the same strings and values.
func FuzzRecord(f *testing.F) {
	f.Add("Latency", "Milliseconds", "op", "confirm", "note", "a\"b\\c\n\u2028", 12.5, true)
	f.Add("_aws", "Count", ":x", "", "", "\xff\xfe", math.Inf(1), false)
	f.Add("é€😀", "Bytes/Second", "service", "other", "k", "\x00\x1f", math.Copysign(0, -1), false)
	f.Add("big", "None", "d", "v", "m", "", 1e300, true)
	f.Fuzz(func(t *testing.T, name, unit, dimName, dimValue, metaKey, metaValue string, value float64, high bool) {
		var out bytes.Buffer
		m, err := New(WithNamespace("Fuzz"), WithService("svc"), WithWriter(&out), WithErrorOnEmpty())
		if err != nil {
			t.Fatal(err)
		}
		res := Standard
		if high {
			res = High
		}
		r := m.NewRecorder()
		_ = r.AddDimension(dimName, dimValue)
		_ = r.AddMetadata(metaKey, metaValue)
		addErr := r.AddWithResolution(name, Unit(unit), res, value)
		flushErr := r.Flush()
		if addErr != nil {
			if out.Len() != 0 || flushErr == nil {
				t.Fatalf("rejected add (%v) but flush wrote %q, err %v", addErr, out.String(), flushErr)
			}
			return
		}
		if flushErr != nil {
			t.Fatal(flushErr)
		}
		o, err := parseEMF(bytes.TrimSuffix(out.Bytes(), []byte("\n")))
		if err != nil {
			t.Fatalf("invalid EMF: %v\n%s", err, out.String())
		}
		want, _ := json.Marshal(name) // encoding/json's view of the name (invalid UTF-8 -> U+FFFD)
		var wantName string
		_ = json.Unmarshal(want, &wantName)
		if got := o.Values[wantName]; len(got) != 1 || got[0] != value {
			t.Fatalf("metric %q: values %v, want [%v]\n%s", wantName, got, value, out.String())
		}
		if v, ok := o.Root[metaKey]; ok && metaKey != dimName && metaKey != name {
			var wantMeta string
			b, _ := json.Marshal(metaValue)
			_ = json.Unmarshal(b, &wantMeta)
			if v != wantMeta {
				t.Fatalf("metadata %q = %q, want %q", metaKey, v, wantMeta)
			}
		}
	})
}
