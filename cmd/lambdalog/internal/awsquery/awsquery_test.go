package awsquery

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"reflect"
	"strings"
	"testing"
	"time"
)

func TestDecode(t *testing.T) {
	body := "Action=PutMetricData&Version=2010-08-01&Namespace=N&MetricData.member.2.MetricName=b&MetricData.member.1.MetricName=a" +
		"&MetricData.member.1.Values.member.1=1.5&MetricData.member.1.Values.member.2=2&MetricData.member.1.Dimensions=" +
		"&MetricData.member.1.Unit=Count%2FSecond&Other.member=x"
	action, version, doc, e := Decode([]byte(body))
	if e != nil || action != "PutMetricData" || version != "2010-08-01" {
		t.Fatalf("Decode: %q %q %v", action, version, e)
	}
	want := map[string]any{
		"Namespace": "N",
		"MetricData": []any{
			map[string]any{"MetricName": "a", "Values": []any{"1.5", "2"}, "Dimensions": "", "Unit": "Count/Second"},
			map[string]any{"MetricName": "b"},
		},
		"Other": map[string]any{"member": "x"}, // member without an index is a name like any other
	}

	if !reflect.DeepEqual(doc, want) {
		t.Errorf("doc = %#v\nwant %#v", doc, want)
	}

	for _, tc := range []struct{ body, code string }{
		{"Version=1", CodeMissingAction},
		{"Action=A&%zz", CodeMalformedQuery},
		{"Action=A&X=1&X=2", CodeMalformedQuery},
		{"Action=A&L.member.1=a&L.member.3=c", CodeMalformedQuery},
		{"Action=A&L=&L.member.1=a", CodeMalformedQuery},
		{"Action=A&S.x=1&S.member.1=a", CodeMalformedQuery},
		{"Action=A&L.member.1=a&L.x=1", CodeMalformedQuery},
		{"Action=A&a..b=1", CodeMalformedQuery},
		{"Action=A&" + strings.Repeat("a.", MaxDepth) + "a=1", CodeMalformedQuery},
		{"Action=A&L.member.100001=a", CodeMalformedQuery},
		{"Action=A&L.member.0=a", CodeMalformedQuery},
		{"Action=A&L.member.01=a", CodeMalformedQuery},
	} {
		_, _, _, e := Decode([]byte(tc.body))
		if e == nil || e.Code != tc.code || e.Message == "" {
			t.Errorf("%s: error %v, want %s", tc.body, e, tc.code)
		}
	}
}

func TestWrite(t *testing.T) {
	rec := httptest.NewRecorder()
	at := time.Date(2024, 5, 6, 7, 8, 9, 12e6, time.UTC)
	WriteResponse(rec, "urn:ns", "Op", "id-1", map[string]any{
		"List": []any{map[string]any{"B": 1.5, "A": "x<y"}, map[string]any{"A": "z"}},
		"Map":  Map{"p99": 2.0, "p50": 1e-7}, "When": at, "N": 3, "Ok": true, "Gone": nil, "Empty": []any{},
	})
	want := `<OpResponse xmlns="urn:ns"><OpResult><Empty></Empty><List><member><A>x&lt;y</A><B>1.5</B></member><member><A>z</A></member></List>` +
		`<Map><entry><key>p50</key><value>1e-07</value></entry><entry><key>p99</key><value>2</value></entry></Map><N>3</N><Ok>true</Ok>` +
		`<When>2024-05-06T07:08:09.012Z</When></OpResult><ResponseMetadata><RequestId>id-1</RequestId></ResponseMetadata></OpResponse>`
	if got := rec.Body.String(); got != want || rec.Code != 200 || rec.Header().Get("Content-Type") != "text/xml" {
		t.Errorf("WriteResponse:\n%s\nwant\n%s", got, want)
	}
	rec = httptest.NewRecorder()
	WriteResponse(rec, "urn:ns", "Put", "id-2", map[string]any{})
	if got := rec.Body.String(); got != `<PutResponse xmlns="urn:ns"><ResponseMetadata><RequestId>id-2</RequestId></ResponseMetadata></PutResponse>` {
		t.Errorf("no result: %s", got)
	}
	rec = httptest.NewRecorder()
	WriteError(rec, "urn:ns", "id-3", 500, "InternalFailure", "a & b")
	if got := rec.Body.String(); rec.Code != 500 || got != `<ErrorResponse xmlns="urn:ns"><Error><Type>Receiver</Type><Code>InternalFailure</Code>`+
		`<Message>a &amp; b</Message></Error><RequestId>id-3</RequestId></ErrorResponse>` {
		t.Errorf("WriteError: %d %s", rec.Code, got)
	}
}

func TestIsRequest(t *testing.T) {
	req := func(method, path, ct, auth string) *http.Request {
		r := httptest.NewRequest(method, path, nil)
		r.Header.Set("Content-Type", ct)
		r.Header.Set("Authorization", auth)
		return r
	}
	const form = "application/x-www-form-urlencoded; charset=utf-8"
	sts := "AWS4-HMAC-SHA256 Credential=AKID/20240101/us-east-1/sts/aws4_request, SignedHeaders=host, Signature=00"
	for _, tc := range []struct {
		r    *http.Request
		want bool
	}{
		{req("POST", "/", form, sts), true},
		{req("POST", "/", "application/x-www-form-urlencoded", sts), true},
		{req("GET", "/", form, sts), false},
		{req("POST", "/x", form, sts), false},
		{req("POST", "/", "application/x-amz-json-1.1", sts), false},
		{req("POST", "/", form, strings.Replace(sts, "/sts/", "/monitoring/", 1)), false},
		{req("POST", "/", form, ""), false},
	} {
		if got := IsRequest(tc.r, "sts"); got != tc.want {
			t.Errorf("%s %s %q %q: %v", tc.r.Method, tc.r.URL.Path, tc.r.Header.Get("Content-Type"), tc.r.Header.Get("Authorization"), got)
		}
	}
}

// FuzzDecode checks that Decode never panics and that a document it
// returns holds only structures, lists and strings, and every Action and
// parameter value it was given.
func FuzzDecode(f *testing.F) {
	f.Add("Action=A&Version=1&L.member.1.S.member.2=x&L.member.1.S.member.1=y&M=")
	f.Add("Action=A&L.member.1=a&L.member.1.x=b")
	f.Add("Action=A&a.member.1.member.1.member.1=z")
	f.Fuzz(func(t *testing.T, body string) {
		action, _, doc, e := Decode([]byte(body))
		if e != nil {
			if e.Status != 400 && e.Status != 404 {
				t.Fatalf("status %d", e.Status)
			}
			return
		}
		vals, err := url.ParseQuery(body)
		if err != nil || vals.Get("Action") != action {
			t.Fatalf("Decode accepted %q (%v), Action %q", body, err, action)
		}
		leaves := 0
		var walk func(v any)
		walk = func(v any) {
			switch v := v.(type) {
			case map[string]any:
				for _, e := range v {
					walk(e)
				}
			case []any:
				for _, e := range v {
					walk(e)
				}
			case string:
				leaves++
			default:
				t.Fatalf("leaf %T", v)
			}
		}
		walk(doc)
		n := len(vals)
		for _, k := range []string{"Action", "Version"} {
			if vals.Has(k) {
				n--
			}
		}
		if leaves != n {
			b, _ := json.Marshal(doc)
			t.Fatalf("%q: %d leaves for %d parameters: %s", body, leaves, n, b)
		}
	})
}
