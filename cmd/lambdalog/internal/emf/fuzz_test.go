package emf

import (
	"errors"
	"math"
	"testing"
)

func FuzzExtract(f *testing.F) {
	f.Add([]byte(`{"_aws":{"Timestamp":1700000000000,"CloudWatchMetrics":[{"Namespace":"MyApp","Dimensions":[["Operation"]],"Metrics":[{"Name":"L","Unit":"Milliseconds","StorageResolution":1}]}]},"Operation":"Agg","L":[100,200]}`))
	f.Add([]byte(`{"_aws":{"Timestamp":1700000000000,"CloudWatchMetrics":[{"Namespace":"N","Dimensions":[],"Metrics":[{"Name":"M"}]}]},"M":1}`))
	f.Add([]byte(`{"level":"INFO"}`))
	f.Add([]byte(`{"_aws":null}`))
	f.Fuzz(func(t *testing.T, msg []byte) {
		points, err := Extract(msg, now)
		if err != nil {
			if !errors.Is(err, ErrNotEMF) && !errors.Is(err, ErrInvalid) {
				t.Fatalf("unexpected error kind: %v", err)
			}
			if points != nil {
				t.Fatal("points returned with an error")
			}
			return
		}
		for _, p := range points {
			if p.Namespace == "" || p.Name == "" || len(p.Values) == 0 || len(p.Values) > MaxValuesPerMetric {
				t.Fatalf("bad point %+v", p)
			}
			if p.StorageResolution != 1 && p.StorageResolution != 60 {
				t.Fatalf("bad resolution %d", p.StorageResolution)
			}
			for _, v := range p.Values {
				if math.IsNaN(v) || math.IsInf(v, 0) {
					t.Fatalf("non-finite value %v", v)
				}
			}
		}
	})
}
