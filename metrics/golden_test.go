package metrics

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"
)

var testClock = func() time.Time { return time.UnixMilli(1656620400000) }

func newTest(t *testing.T, opts ...Option) (*Metrics, *bytes.Buffer) {
	t.Helper()
	var out bytes.Buffer
	opts = append([]Option{WithNamespace("ServerlessAirline"), WithService("booking"), WithWriter(&out), WithClock(testClock)}, opts...)
	m, err := New(opts...)
	if err != nil {
		t.Fatal(err)
	}
	return m, &out
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// The expected objects have the shape Powertools for AWS Lambda (Python) emits for
// the same calls (its documentation's example outputs): _aws first, then dimension
// values, metadata and metric values as lists; service last in the primary set.
func TestGoldenPowertoolsShape(t *testing.T) {
	const aws = `{"_aws":{"Timestamp":1656620400000,"CloudWatchMetrics":[{"Namespace":"ServerlessAirline",`
	tests := []struct {
		name string
		opts []Option
		run  func(m *Metrics, r *Recorder) error
		want string
	}{{
		name: "add_metric",
		run:  func(m *Metrics, r *Recorder) error { return r.Add("SuccessfulBooking", Count, 1) },
		want: aws + `"Dimensions":[["service"]],"Metrics":[{"Name":"SuccessfulBooking","Unit":"Count"}]}]},"service":"booking","SuccessfulBooking":[1]}`,
	}, {
		name: "multi-value metric with default dimension",
		opts: []Option{WithDefaultDimensions(Dimension{"environment", "dev"})},
		run: func(m *Metrics, r *Recorder) error {
			must(t, r.Add("TurbineReads", Count, 1))
			return r.Add("TurbineReads", Count, 8)
		},
		want: aws + `"Dimensions":[["environment","service"]],"Metrics":[{"Name":"TurbineReads","Unit":"Count"}]}]},"environment":"dev","service":"booking","TurbineReads":[1,8]}`,
	}, {
		name: "several dimension sets",
		run: func(m *Metrics, r *Recorder) error {
			must(t, r.AddDimensionSet(Dimension{"environment", "prod"}, Dimension{"region", "us-east-1"}))
			must(t, r.AddDimensionSet(Dimension{"environment", "prod"}))
			return r.Add("SuccessfulBooking", Count, 1)
		},
		want: aws + `"Dimensions":[["service"],["environment","region"],["environment"]],"Metrics":[{"Name":"SuccessfulBooking","Unit":"Count"}]}]},"service":"booking","environment":"prod","region":"us-east-1","SuccessfulBooking":[1]}`,
	}, {
		name: "metadata",
		run: func(m *Metrics, r *Recorder) error {
			must(t, r.Add("SuccessfulBooking", Count, 1))
			return r.AddMetadata("booking_id", "00347014-341d-4b8e-8421-a89d3d588ab3")
		},
		want: aws + `"Dimensions":[["service"]],"Metrics":[{"Name":"SuccessfulBooking","Unit":"Count"}]}]},"service":"booking","booking_id":"00347014-341d-4b8e-8421-a89d3d588ab3","SuccessfulBooking":[1]}`,
	}, {
		name: "high resolution and per-invocation dimension",
		run: func(m *Metrics, r *Recorder) error {
			must(t, r.AddDimension("operation", "confirm_booking"))
			must(t, r.AddWithResolution("Latency", Milliseconds, High, 12.5))
			return r.Add("Bytes", Kilobytes, 0.000001)
		},
		want: aws + `"Dimensions":[["operation","service"]],"Metrics":[{"Name":"Latency","Unit":"Milliseconds","StorageResolution":1},{"Name":"Bytes","Unit":"Kilobytes"}]}]},"operation":"confirm_booking","service":"booking","Latency":[12.5],"Bytes":[0.000001]}`,
	}, {
		name: "single metric",
		opts: []Option{WithDefaultDimensions(Dimension{"environment", "dev"})},
		run: func(m *Metrics, r *Recorder) error {
			return m.Single("MySingleMetric", Count, Standard, 1, Dimension{"function_context", "$LATEST"})
		},
		want: aws + `"Dimensions":[["function_context","service"]],"Metrics":[{"Name":"MySingleMetric","Unit":"Count"}]}]},"function_context":"$LATEST","service":"booking","MySingleMetric":[1]}`,
	}, {
		name: "no dimensions at all",
		opts: []Option{WithService("")},
		run:  func(m *Metrics, r *Recorder) error { return r.Add("Orders", Count, 3) },
		want: aws + `"Dimensions":[[]],"Metrics":[{"Name":"Orders","Unit":"Count"}]}]},"Orders":[3]}`,
	}}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			m, out := newTest(t, tc.opts...)
			r := m.NewRecorder()
			must(t, tc.run(m, r))
			if out.Len() == 0 {
				must(t, r.Flush())
			}
			if got := strings.TrimSuffix(out.String(), "\n"); got != tc.want {
				t.Errorf("got\n%s\nwant\n%s", got, tc.want)
			}
			parseLines(t, out.Bytes())
		})
	}
}

func TestGoldenColdStart(t *testing.T) {
	t.Setenv("AWS_LAMBDA_FUNCTION_NAME", "test")
	m, out := newTest(t, WithColdStartMetric())
	h := Handler(m, func(ctx context.Context, in string) (string, error) {
		return in, FromContext(ctx).Add("SuccessfulBooking", Count, 1)
	})
	for range 2 {
		if _, err := h(context.Background(), "x"); err != nil {
			t.Fatal(err)
		}
	}
	const aws = `{"_aws":{"Timestamp":1656620400000,"CloudWatchMetrics":[{"Namespace":"ServerlessAirline",`
	booking := aws + `"Dimensions":[["service"]],"Metrics":[{"Name":"SuccessfulBooking","Unit":"Count"}]}]},"service":"booking","SuccessfulBooking":[1]}` + "\n"
	want := aws + `"Dimensions":[["function_name","service"]],"Metrics":[{"Name":"ColdStart","Unit":"Count"}]}]},"function_name":"test","service":"booking","ColdStart":[1]}` + "\n" +
		booking + booking
	if out.String() != want {
		t.Errorf("got\n%s\nwant\n%s", out, want)
	}
}

func TestMetadataValues(t *testing.T) {
	m, out := newTest(t)
	r := m.NewRecorder()
	must(t, r.AddMetadata("count", 3))
	must(t, r.AddMetadata("ok", true))
	must(t, r.AddMetadata("ratio", 0.25))
	must(t, r.AddMetadata("user", map[string]string{"id": "u-1"}))
	must(t, r.AddMetadata("count", int64(4))) // replaces
	must(t, r.Add("A", Count, 1))
	must(t, r.Flush())
	want := `"count":4,"ok":true,"ratio":0.25,"user":{"id":"u-1"},"A":[1]}`
	if !strings.HasSuffix(strings.TrimSpace(out.String()), want) {
		t.Fatalf("got\n%s\nwant it to end with\n%s", out, want)
	}
}
