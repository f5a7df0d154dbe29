package emf

import (
	"bufio"
	"bytes"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/lambdalog/lambdalog/metrics"
)

var now = time.UnixMilli(1700000000000)

// The objects the metrics package writes, including its split at 100 metrics
// and 100 values, come back as the same data points with no value lost.
func TestExtractMetricsPackageOutput(t *testing.T) {
	var out bytes.Buffer
	m, err := metrics.New(metrics.WithNamespace("Shop"), metrics.WithService("cart"),
		metrics.WithWriter(&out), metrics.WithClock(func() time.Time { return now }))
	if err != nil {
		t.Fatal(err)
	}
	r := m.NewRecorder()
	must(t, r.AddDimension("operation", "checkout"))
	must(t, r.AddDimensionSet(metrics.Dimension{Name: "region", Value: "eu-west-1"}))
	for i := range 250 {
		must(t, r.Add("Orders", metrics.Count, float64(i)))
	}
	for i := range 120 {
		must(t, r.AddWithResolution("M"+strings.Repeat("x", i%7)+string(rune('a'+i%26))+string(rune('a'+i/26)), metrics.Milliseconds, metrics.High, 1))
	}
	must(t, r.Flush())

	sums := map[string]float64{}
	counts := map[string]int{}
	sc := bufio.NewScanner(&out)
	sc.Buffer(nil, 1<<20)
	objects := 0
	for sc.Scan() {
		objects++
		points, err := Extract(sc.Bytes(), now)
		if err != nil {
			t.Fatalf("object %d: %v", objects, err)
		}
		for _, p := range points {
			if p.Namespace != "Shop" || p.Timestamp != now.UnixMilli() {
				t.Fatalf("point %+v", p)
			}
			key := p.Name + dimsString(p.Dimensions)
			for _, v := range p.Values {
				sums[key] += v
				counts[key]++
			}
			if p.Name == "Orders" && (p.Unit != "Count" || p.StorageResolution != 60) {
				t.Errorf("Orders unit/resolution = %s/%d", p.Unit, p.StorageResolution)
			}
			if p.Name != "Orders" && (p.Unit != "Milliseconds" || p.StorageResolution != 1) {
				t.Errorf("%s unit/resolution = %s/%d", p.Name, p.Unit, p.StorageResolution)
			}
		}
	}
	if objects < 3 {
		t.Errorf("got %d objects, want the writer to split into at least 3", objects)
	}
	for _, dims := range []string{"{operation=checkout,service=cart}", "{region=eu-west-1}"} {
		if got := sums["Orders"+dims]; got != 250*249/2 {
			t.Errorf("sum Orders%s = %v, want %v", dims, got, 250*249/2)
		}
		if got := counts["Orders"+dims]; got != 250 {
			t.Errorf("count Orders%s = %d, want 250", dims, got)
		}
	}
	if len(sums) != 2*121 {
		t.Errorf("got %d series, want %d", len(sums), 2*121)
	}
}

func dimsString(d []Dimension) string {
	var b strings.Builder
	b.WriteByte('{')
	for i, x := range d {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(x.Name + "=" + x.Value)
	}
	b.WriteByte('}')
	return b.String()
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func TestExtractSpecExample(t *testing.T) {
	// The example document of the AWS specification.
	msg := `{"_aws":{"Timestamp":1700000000000,"CloudWatchMetrics":[{"Namespace":"MyApp","Dimensions":[["Operation"],["Operation","Service"]],"Metrics":[{"Name":"ProcessingLatency","Unit":"Milliseconds","StorageResolution":60}]}]},"Operation":"Aggregator","Service":"MyService","ProcessingLatency":[100,200],"requestId":"989ffbf8"}`
	points, err := Extract([]byte(msg), now)
	if err != nil {
		t.Fatal(err)
	}
	if len(points) != 2 {
		t.Fatalf("got %d points, want 2", len(points))
	}
	if got := dimsString(points[1].Dimensions); got != "{Operation=Aggregator,Service=MyService}" {
		t.Errorf("dimensions = %s", got)
	}
	if len(points[0].Values) != 2 || points[0].Values[1] != 200 || points[0].Unit != "Milliseconds" {
		t.Errorf("point = %+v", points[0])
	}
}

func TestExtractDefaults(t *testing.T) {
	msg := `{"_aws":{"Timestamp":1700000000000,"CloudWatchMetrics":[{"Namespace":"N","Dimensions":[],"Metrics":[{"Name":"M"}]}]},"M":3.5}`
	points, err := Extract([]byte(msg), now)
	if err != nil {
		t.Fatal(err)
	}
	if len(points) != 1 || points[0].Unit != "None" || points[0].StorageResolution != 60 || points[0].Dimensions != nil || points[0].Values[0] != 3.5 {
		t.Errorf("points = %+v", points)
	}
}

func TestExtractNotEMF(t *testing.T) {
	for _, msg := range []string{
		``, `hello`, `START RequestId: 1 Version: $LATEST`, `{"level":"INFO","message":"x"}`,
		`{"message":"mentions \"_aws\" in a string"}`, `[{"_aws":{}}]`, `{"_aws": broken`,
	} {
		if _, err := Extract([]byte(msg), now); !errors.Is(err, ErrNotEMF) {
			t.Errorf("Extract(%q) error = %v, want ErrNotEMF", msg, err)
		}
	}
}

func TestExtractNotEMFAllocatesNothing(t *testing.T) {
	msg := []byte(`{"level":"INFO","message":"a normal structured log line","function_request_id":"abc"}`)
	if n := testing.AllocsPerRun(100, func() { _, _ = Extract(msg, now) }); n != 0 {
		t.Errorf("Extract on a non-EMF message allocates %v times, want 0", n)
	}
}

func TestExtractInvalid(t *testing.T) {
	const ts = `"Timestamp":1700000000000`
	tests := map[string]string{
		"aws not object":         `{"_aws":[]}`,
		"no timestamp":           `{"_aws":{"CloudWatchMetrics":[]}}`,
		"timestamp string":       `{"_aws":{"Timestamp":"1","CloudWatchMetrics":[]}}`,
		"timestamp fraction":     `{"_aws":{"Timestamp":1.5,"CloudWatchMetrics":[]}}`,
		"timestamp too old":      `{"_aws":{"Timestamp":1600000000000,"CloudWatchMetrics":[]}}`,
		"timestamp future":       `{"_aws":{"Timestamp":1800000000000,"CloudWatchMetrics":[]}}`,
		"no CloudWatchMetrics":   `{"_aws":{` + ts + `}}`,
		"no namespace":           `{"_aws":{` + ts + `,"CloudWatchMetrics":[{"Dimensions":[],"Metrics":[]}]}}`,
		"empty namespace":        `{"_aws":{` + ts + `,"CloudWatchMetrics":[{"Namespace":"","Dimensions":[],"Metrics":[]}]}}`,
		"AWS namespace":          `{"_aws":{` + ts + `,"CloudWatchMetrics":[{"Namespace":"AWS/Lambda","Dimensions":[],"Metrics":[]}]}}`,
		"no dimensions":          `{"_aws":{` + ts + `,"CloudWatchMetrics":[{"Namespace":"N","Metrics":[]}]}}`,
		"no metrics":             `{"_aws":{` + ts + `,"CloudWatchMetrics":[{"Namespace":"N","Dimensions":[]}]}}`,
		"missing dimension":      `{"_aws":{` + ts + `,"CloudWatchMetrics":[{"Namespace":"N","Dimensions":[["d"]],"Metrics":[]}]}}`,
		"number dimension":       `{"_aws":{` + ts + `,"CloudWatchMetrics":[{"Namespace":"N","Dimensions":[["d"]],"Metrics":[]}]},"d":1}`,
		"missing metric member":  `{"_aws":{` + ts + `,"CloudWatchMetrics":[{"Namespace":"N","Dimensions":[],"Metrics":[{"Name":"M"}]}]}}`,
		"string value":           `{"_aws":{` + ts + `,"CloudWatchMetrics":[{"Namespace":"N","Dimensions":[],"Metrics":[{"Name":"M"}]}]},"M":"1"}`,
		"empty array":            `{"_aws":{` + ts + `,"CloudWatchMetrics":[{"Namespace":"N","Dimensions":[],"Metrics":[{"Name":"M"}]}]},"M":[]}`,
		"unknown unit":           `{"_aws":{` + ts + `,"CloudWatchMetrics":[{"Namespace":"N","Dimensions":[],"Metrics":[{"Name":"M","Unit":"Parsecs"}]}]},"M":1}`,
		"bad resolution":         `{"_aws":{` + ts + `,"CloudWatchMetrics":[{"Namespace":"N","Dimensions":[],"Metrics":[{"Name":"M","StorageResolution":5}]}]},"M":1}`,
		"no metric name":         `{"_aws":{` + ts + `,"CloudWatchMetrics":[{"Namespace":"N","Dimensions":[],"Metrics":[{"Unit":"Count"}]}]}}`,
		"too many dims":          `{"_aws":{` + ts + `,"CloudWatchMetrics":[{"Namespace":"N","Dimensions":[[` + strings.Repeat(`"d",`, 30) + `"d"]],"Metrics":[]}]},"d":"v"}`,
		"duplicate dimension":    `{"_aws":{` + ts + `,"CloudWatchMetrics":[{"Namespace":"N","Dimensions":[["d","d"]],"Metrics":[]}]},"d":"v"}`,
		"too many values":        `{"_aws":{` + ts + `,"CloudWatchMetrics":[{"Namespace":"N","Dimensions":[],"Metrics":[{"Name":"M"}]}]},"M":[` + strings.Repeat("1,", 100) + `1]}`,
		"directive not object":   `{"_aws":{` + ts + `,"CloudWatchMetrics":[1]}}`,
		"dimension set not list": `{"_aws":{` + ts + `,"CloudWatchMetrics":[{"Namespace":"N","Dimensions":["d"],"Metrics":[]}]},"d":"v"}`,
	}
	for name, msg := range tests {
		t.Run(name, func(t *testing.T) {
			_, err := Extract([]byte(msg), now)
			if !errors.Is(err, ErrInvalid) {
				t.Fatalf("error = %v, want ErrInvalid", err)
			}
		})
	}
}
