package metricsapi

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"strconv"
	"testing"
	"time"

	"github.com/aws/smithy-go/encoding/cbor"

	"github.com/lambdalog/lambdalog/cmd/lambdalog/internal/awsapi"
	"github.com/lambdalog/lambdalog/cmd/lambdalog/internal/metricstore"
)

var fuzzOps = []string{"ListMetrics", "GetMetricStatistics", "GetMetricData", "PutMetricData"}

// fuzzHandler checks that no request body makes the handler panic or answer
// with a server error: bad input is always the client's fault (400, or 404
// for awsQuery's MalformedQueryString).
func fuzzHandler(f *testing.F, newRequest func(op string, body []byte) *http.Request) {
	store, err := metricstore.Open("", metricstore.Options{InMemory: true})
	if err != nil {
		f.Fatal(err)
	}
	f.Cleanup(func() { store.Close() })
	h := awsapi.NewRouter(awsapi.Options{}, New(store, Options{}))
	f.Fuzz(func(t *testing.T, op uint8, body []byte) {
		req := newRequest(fuzzOps[int(op)%len(fuzzOps)], body)
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != http.StatusOK && rec.Code != http.StatusBadRequest && rec.Code != http.StatusNotFound {
			t.Fatalf("status %d: %s", rec.Code, rec.Body.Bytes())
		}
	})
}

func FuzzCBORRequest(f *testing.F) {
	t0 := &cbor.Tag{ID: 1, Value: cbor.Float64(float64(time.Now().Unix()))}
	t1 := &cbor.Tag{ID: 1, Value: cbor.Uint(time.Now().Add(time.Hour).Unix())}
	dims := cbor.List{cbor.Map{"Name": cbor.String("service"), "Value": cbor.String("x")}}
	f.Add(uint8(0), cbor.Encode(cbor.Map{"Namespace": cbor.String("N"), "Dimensions": cbor.List{cbor.Map{"Name": cbor.String("service")}}}))
	f.Add(uint8(1), cbor.Encode(cbor.Map{"Namespace": cbor.String("N"), "MetricName": cbor.String("M"), "Dimensions": dims,
		"StartTime": t0, "EndTime": t1, "Period": cbor.Uint(60), "Statistics": cbor.List{cbor.String("Sum")}, "ExtendedStatistics": cbor.List{cbor.String("p99")}}))
	f.Add(uint8(2), cbor.Encode(cbor.Map{"StartTime": t0, "EndTime": t1, "MetricDataQueries": cbor.List{cbor.Map{"Id": cbor.String("a"),
		"MetricStat": cbor.Map{"Metric": cbor.Map{"Namespace": cbor.String("N"), "MetricName": cbor.String("M")}, "Period": cbor.Uint(60), "Stat": cbor.String("p50")}}}}))
	f.Add(uint8(3), cbor.Encode(cbor.Map{"Namespace": cbor.String("N"), "MetricData": cbor.List{cbor.Map{"MetricName": cbor.String("M"), "Dimensions": dims,
		"Timestamp": t0, "Values": cbor.List{cbor.Float64(1), cbor.Uint(2)}, "Counts": cbor.List{cbor.Float64(2), cbor.Float64(1)}, "StorageResolution": cbor.Uint(1)}}}))
	f.Add(uint8(0), []byte{0xbf, 0x61, 'a', 0x9f, 0xff, 0xff}) // indefinite map and list
	fuzzHandler(f, func(op string, body []byte) *http.Request {
		r := httptest.NewRequest(http.MethodPost, PathPrefix+op, bytes.NewReader(body))
		r.Header.Set("Smithy-Protocol", "rpc-v2-cbor")
		r.Header.Set("Content-Type", "application/cbor")
		return r
	})
}

func FuzzJSONRequest(f *testing.F) {
	now := time.Now().Unix()
	f.Add(uint8(0), []byte(`{"Namespace":"N","Dimensions":[{"Name":"service","Value":null}],"NextToken":"bQ"}`))
	f.Add(uint8(1), []byte(`{"Namespace":"N","MetricName":"M","StartTime":`+strconv.FormatInt(now, 10)+`,"EndTime":`+strconv.FormatInt(now+3600, 10)+`,"Period":60,"Statistics":["Sum","Average"]}`))
	f.Add(uint8(2), []byte(`{"StartTime":1.5e9,"EndTime":1.6e9,"ScanBy":"TimestampAscending","MetricDataQueries":[{"Id":"a","ReturnData":false,"MetricStat":{"Metric":{"Namespace":"N","MetricName":"M"},"Period":300,"Stat":"Maximum","Unit":"Count"}}]}`))
	f.Add(uint8(3), []byte(`{"Namespace":"N","MetricData":[{"MetricName":"M","Value":1.5,"Unit":"Seconds","Timestamp":`+strconv.FormatInt(now, 10)+`}]}`))
	fuzzHandler(f, func(op string, body []byte) *http.Request {
		r := httptest.NewRequest(http.MethodPost, "/", bytes.NewReader(body))
		r.Header.Set("X-Amz-Target", TargetPrefix+op)
		r.Header.Set("Content-Type", "application/x-amz-json-1.0")
		return r
	})
}

func FuzzQueryRequest(f *testing.F) {
	now := time.Now().UTC()
	start, end := now.Add(-time.Hour).Format(time.RFC3339), now.Format(time.RFC3339Nano)
	f.Add(uint8(0), []byte("Namespace=N&Dimensions.member.1.Name=service&Dimensions.member.2.Name=a&Dimensions.member.2.Value=b&NextToken=bQ"))
	f.Add(uint8(1), []byte("Namespace=N&MetricName=M&StartTime="+start+"&EndTime="+end+"&Period=60&Statistics.member.1=Sum&Dimensions="))
	f.Add(uint8(2), []byte("StartTime="+start+"&EndTime="+end+"&MetricDataQueries.member.1.Id=a&MetricDataQueries.member.1.ReturnData=true&"+
		"MetricDataQueries.member.1.MetricStat.Metric.Namespace=N&MetricDataQueries.member.1.MetricStat.Metric.MetricName=M&"+
		"MetricDataQueries.member.1.MetricStat.Period=300&MetricDataQueries.member.1.MetricStat.Stat=p99"))
	f.Add(uint8(3), []byte("Namespace=N&MetricData.member.1.MetricName=M&MetricData.member.1.Values.member.1=1.5&MetricData.member.1.Counts.member.1=2&"+
		"MetricData.member.1.StorageResolution=1&MetricData.member.1.Timestamp="+end))
	f.Add(uint8(0), []byte("A.member.1=x&A.member.1.B=y&A=&%zz"))
	fuzzHandler(f, func(op string, body []byte) *http.Request {
		body = append([]byte("Action="+op+"&Version="+QueryVersion+"&"), body...)
		r := httptest.NewRequest(http.MethodPost, "/", bytes.NewReader(body))
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
		r.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential=AKID/20240101/us-east-1/monitoring/aws4_request, SignedHeaders=host, Signature=00")
		return r
	})
}
