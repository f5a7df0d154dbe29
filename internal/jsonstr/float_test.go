package jsonstr

import (
	"encoding/json"
	"math"
	"math/rand/v2"
	"strconv"
	"testing"
)

func TestAppendFloatMatchesEncodingJSON(t *testing.T) {
	for _, f := range []float64{0, math.Copysign(0, -1), 1, -1, 42, -1.5, 12.5, 0.1, 1e15, 1e20, 1e21, 1e-6, 1e-7,
		123456789.125, math.MaxFloat64, math.SmallestNonzeroFloat64, -0.000001234, 1 << 53, -(1 << 62)} {
		want, _ := json.Marshal(f)
		if got := string(AppendFloat(nil, f)); got != string(want) {
			t.Errorf("AppendFloat(%v) = %s, want %s", f, got, want)
		}
	}
	for f, want := range map[float64]string{math.NaN(): `"NaN"`, math.Inf(1): `"+Inf"`, math.Inf(-1): `"-Inf"`} {
		if got := string(AppendFloat(nil, f)); got != want {
			t.Errorf("AppendFloat(%v) = %s, want %s", f, got, want)
		}
	}
}

func TestAppendShortDecimalMatchesStrconv(t *testing.T) {
	for i := range 200000 {
		var f float64
		switch i % 4 {
		case 0:
			f = float64(rand.Int64N(1<<53)-1<<52) / pow10[rand.IntN(len(pow10))]
		case 1:
			f = float64(rand.Int64N(2_000_000)-1_000_000) / pow10[rand.IntN(len(pow10))]
		case 2:
			f = math.Float64frombits(rand.Uint64())
		default:
			f = rand.NormFloat64() * math.Pow(10, float64(rand.IntN(30)-12))
		}
		got, ok := appendShortDecimal(nil, f)
		if !ok {
			continue
		}
		if want := strconv.FormatFloat(f, 'f', -1, 64); string(got) != want {
			t.Fatalf("appendShortDecimal(%v) = %s, want %s", f, got, want)
		}
	}
}

// FuzzAppendFloat checks every finite float64 against encoding/json.
func FuzzAppendFloat(f *testing.F) {
	f.Add(12.5)
	f.Add(1e21)
	f.Add(-1e-7)
	f.Fuzz(func(t *testing.T, x float64) {
		got := AppendFloat([]byte("x"), x)[1:]
		if math.IsNaN(x) || math.IsInf(x, 0) {
			if !json.Valid(got) {
				t.Fatalf("AppendFloat(%v) = %s: not valid JSON", x, got)
			}
			return
		}
		want, _ := json.Marshal(x)
		if string(got) != string(want) {
			t.Fatalf("AppendFloat(%v) = %s, want %s", x, got, want)
		}
	})
}
