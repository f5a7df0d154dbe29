package metrics

import (
	"errors"
	"math"
	"strings"
	"testing"
)

func TestValidationErrors(t *testing.T) {
	long := strings.Repeat("x", 256)
	tests := []struct {
		name    string
		run     func(r *Recorder) error
		wantMsg string
	}{
		{"unknown unit", func(r *Recorder) error { return r.Add("A", Unit("Counts"), 1) }, `unknown unit "Counts"`},
		{"NaN", func(r *Recorder) error { return r.Add("A", Count, math.NaN()) }, "not a finite number"},
		{"Inf", func(r *Recorder) error { return r.Add("A", Count, math.Inf(-1)) }, "not a finite number"},
		{"empty name", func(r *Recorder) error { return r.Add("", Count, 1) }, "empty metric name"},
		{"long name", func(r *Recorder) error { return r.Add(long, Count, 1) }, "longer than 255"},
		{"reserved name", func(r *Recorder) error { return r.Add("_aws", Count, 1) }, "reserved"},
		{"bad resolution", func(r *Recorder) error { return r.AddWithResolution("A", Count, 5, 1) }, "resolution 5"},
		{"unit changed", func(r *Recorder) error {
			must(t, r.Add("A", Count, 1))
			return r.Add("A", Seconds, 1)
		}, "was added with unit Count"},
		{"resolution changed", func(r *Recorder) error {
			must(t, r.Add("A", Count, 1))
			return r.AddWithResolution("A", Count, High, 1)
		}, "resolution 60"},
		{"metric named like a dimension", func(r *Recorder) error { return r.Add("service", Count, 1) }, "already a dimension"},
		{"dimension named like a metric", func(r *Recorder) error {
			must(t, r.Add("A", Count, 1))
			return r.AddDimension("A", "x")
		}, "already a metric"},
		{"metadata named like a metric", func(r *Recorder) error {
			must(t, r.Add("A", Count, 1))
			return r.AddMetadata("A", "x")
		}, "already a metric"},
		{"empty dimension value", func(r *Recorder) error { return r.AddDimension("op", "") }, "empty dimension op value"},
		{"blank dimension value", func(r *Recorder) error { return r.AddDimension("op", "  ") }, "only spaces"},
		{"non-ASCII dimension", func(r *Recorder) error { return r.AddDimension("op", "café") }, "not printable ASCII"},
		{"colon dimension name", func(r *Recorder) error { return r.AddDimension(":op", "x") }, "starts with a colon"},
		{"long dimension name", func(r *Recorder) error { return r.AddDimension(long, "x") }, "longer than 255"},
		{"more than 30 dimensions", func(r *Recorder) error {
			for i := range 29 { // + service = 30
				must(t, r.AddDimension(string(rune('a'+i%26))+string(rune('a'+i/26)), "x"))
			}
			return r.AddDimension("one-too-many", "x")
		}, "more than 30"},
		{"dimension set of 31", func(r *Recorder) error {
			var dims []Dimension
			for i := range 31 {
				dims = append(dims, Dimension{string(rune('a'+i%26)) + string(rune('a'+i/26)), "x"})
			}
			return r.AddDimensionSet(dims...)
		}, "more than 30"},
		{"dimension with two values", func(r *Recorder) error {
			must(t, r.AddDimensionSet(Dimension{"env", "prod"}))
			return r.AddDimension("env", "dev")
		}, `already has the value "prod"`},
		{"metadata not JSON", func(r *Recorder) error { return r.AddMetadata("f", func() {}) }, "metadata"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			m, out := newTest(t, WithErrorOnEmpty())
			r := m.NewRecorder()
			err := tc.run(r)
			if !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), tc.wantMsg) {
				t.Fatalf("error = %v, want ErrInvalid containing %q", err, tc.wantMsg)
			}
			// What was valid before the error is kept and still valid EMF.
			if err := r.Flush(); err != nil && !errors.Is(err, ErrNoMetrics) {
				t.Fatal(err)
			}
			parseLines(t, out.Bytes())
		})
	}
}

func TestNewErrors(t *testing.T) {
	t.Setenv(EnvNamespace, "")
	t.Setenv(EnvDisabled, "")
	for _, tc := range []struct {
		name    string
		env     string
		opts    []Option
		wantMsg string
	}{
		{"no namespace", "", nil, "no namespace: set POWERTOOLS_METRICS_NAMESPACE"},
		{"long namespace", "", []Option{WithNamespace(strings.Repeat("n", 256))}, "longer than 255"},
		{"bad default dimension", "", []Option{WithNamespace("ns"), WithDefaultDimensions(Dimension{"env", ""})}, "default dimensions"},
		{"duplicate default dimension", "", []Option{WithNamespace("ns"), WithDefaultDimensions(Dimension{"env", "a"}, Dimension{"env", "b"})}, "given twice"},
		{"bad disabled value", "maybe", []Option{WithNamespace("ns")}, `POWERTOOLS_METRICS_DISABLED="maybe" is not a boolean`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Setenv(EnvDisabled, tc.env)
			_, err := New(tc.opts...)
			if err == nil || !strings.Contains(err.Error(), tc.wantMsg) {
				t.Fatalf("New error = %v, want it to contain %q", err, tc.wantMsg)
			}
		})
	}
}
