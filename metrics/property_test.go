package metrics

import (
	"fmt"
	"math/rand/v2"
	"testing"
)

// TestSplit checks the automatic split: 250 metrics with 1 value, and 1 metric with
// 250 values, give objects of at most 100 metrics and 100 values per metric.
func TestSplit(t *testing.T) {
	m, out := newTest(t)
	r := m.NewRecorder()
	for i := range 250 {
		must(t, r.Add(fmt.Sprintf("M%03d", i), Count, float64(i)))
	}
	for i := range 250 {
		must(t, r.Add("M000", Count, float64(i)))
	}
	must(t, r.Flush())
	objs := parseLines(t, out.Bytes())
	// Round 0: 250 metrics -> 100+100+50; round 1: M000 values 100..199; round 2: 200..250.
	var counts []int
	for _, o := range objs {
		counts = append(counts, len(o.Values))
	}
	if want := []int{100, 100, 50, 1, 1}; fmt.Sprint(counts) != fmt.Sprint(want) {
		t.Fatalf("metrics per object = %v, want %v", counts, want)
	}
	var m0 []float64
	for _, o := range objs {
		m0 = append(m0, o.Values["M000"]...)
	}
	if len(m0) != 251 || m0[0] != 0 || m0[1] != 0 || m0[250] != 249 {
		t.Fatalf("M000 has %d values (%v...), want 251 in order", len(m0), m0[:3])
	}
}

// TestPropertyNoValueLost adds random sequences of metrics, dimensions and values and
// checks that every object is valid EMF and that, per metric and dimension set, the
// count and sum of the values read back equal those added.
func TestPropertyNoValueLost(t *testing.T) {
	for seed := range uint64(200) {
		rng := rand.New(rand.NewPCG(seed, 42))
		m, out := newTest(t)
		r := m.NewRecorder()
		// sets holds the expected dimension sets as name=value lists.
		primary := []Dimension{{"service", "booking"}}
		if rng.IntN(2) == 0 {
			must(t, r.AddDimension("operation", "op"))
			primary = []Dimension{{"operation", "op"}, {"service", "booking"}}
		}
		sets := [][]Dimension{primary}
		for i := range rng.IntN(3) {
			d := Dimension{fmt.Sprintf("d%d", i), fmt.Sprint(rng.IntN(5))}
			must(t, r.AddDimensionSet(d))
			sets = append(sets, []Dimension{d})
		}
		type agg struct {
			n   int
			sum float64
		}
		want := map[string]agg{}
		nMetrics := 1 + rng.IntN(250)
		for range rng.IntN(3000) + 1 {
			name := fmt.Sprintf("metric-%d", rng.IntN(nMetrics))
			v := float64(rng.IntN(1000)) / 4
			if rng.IntN(10) == 0 {
				v = rng.NormFloat64() * 1e300
			}
			must(t, r.Add(name, Milliseconds, v))
			for _, set := range sets {
				k := wantKey("ServerlessAirline", name, set)
				a := want[k]
				a.n++
				a.sum += v
				want[k] = a
			}
		}
		must(t, r.Flush())
		got := map[string]agg{}
		for _, o := range parseLines(t, out.Bytes()) {
			if len(o.Dimensions) != len(sets) {
				t.Fatalf("seed %d: dimension sets %v, want %d sets", seed, o.Dimensions, len(sets))
			}
			for name, vals := range o.Values {
				for _, set := range o.Dimensions {
					k := seriesKey(o, name, set)
					a := got[k]
					for _, v := range vals {
						a.n++
						a.sum += v
					}
					got[k] = a
				}
			}
		}
		if len(got) != len(want) {
			t.Fatalf("seed %d: %d series read back, want %d", seed, len(got), len(want))
		}
		for k, w := range want {
			if g := got[k]; g != w {
				t.Fatalf("seed %d: series %s: read back n=%d sum=%v, want n=%d sum=%v", seed, k, g.n, g.sum, w.n, w.sum)
			}
		}
	}
}
