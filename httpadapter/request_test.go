package httpadapter

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/aws/aws-lambda-go/events"
)

// seenRequest is what a handler observed.
type seenRequest struct {
	Method, Path, RawPath, RawQuery, RequestURI, Host, RemoteAddr, Body string
	ContentLength                                                       int64
	Header                                                              http.Header
	Query                                                               url.Values
	Source                                                              Source
}

// recordingAdapter returns an adapter whose handler records each request
// and answers 200 "ok", plus a func that returns the last request seen.
func recordingAdapter(t *testing.T, opts ...Option) (*Adapter, func() seenRequest, func() *http.Request) {
	t.Helper()
	var last seenRequest
	var lastReq *http.Request
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, err := io.ReadAll(r.Body)
		if err != nil {
			t.Errorf("read body: %v", err)
		}
		last = seenRequest{
			Method: r.Method, Path: r.URL.Path, RawPath: r.URL.RawPath, RawQuery: r.URL.RawQuery,
			RequestURI: r.RequestURI, Host: r.Host, RemoteAddr: r.RemoteAddr, Body: string(b),
			ContentLength: r.ContentLength, Header: r.Header, Query: r.URL.Query(), Source: EventSource(r.Context()),
		}
		lastReq = r
		w.Write([]byte("ok"))
	})
	return New(h, opts...), func() seenRequest { return last }, func() *http.Request { return lastReq }
}

func readTestdata(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func invoke(t *testing.T, a *Adapter, payload []byte) map[string]any {
	t.Helper()
	out, err := a.Invoke(context.Background(), payload)
	if err != nil {
		t.Fatalf("Invoke: %v", err)
	}
	var resp map[string]any
	if err := json.Unmarshal(out, &resp); err != nil {
		t.Fatalf("response is not JSON: %v\n%s", err, out)
	}
	return resp
}

func TestGoldenEventsBuildRequests(t *testing.T) {
	tests := []struct {
		file string
		want seenRequest
	}{
		{"apigw-request.json", seenRequest{
			Source: SourceAPIGatewayV1, Method: "POST", Path: "/hello/world", RawQuery: "name=me",
			RequestURI: "/hello/world?name=me", Host: "gy415nuibc.execute-api.us-east-1.amazonaws.com",
			RemoteAddr: "192.168.196.186:0", Body: "{\r\n\t\"a\": 1\r\n}", ContentLength: 13,
		}},
		{"apigw-restapi-openapi-request.json", seenRequest{
			Source: SourceAPIGatewayV1, Method: "POST", Path: "/hello/world", RawQuery: "name=me",
			RequestURI: "/hello/world?name=me", Host: "gy415nuibc.execute-api.us-east-1.amazonaws.com",
			RemoteAddr: "192.168.196.186:0", Body: "{\r\n\t\"a\": 1\r\n}", ContentLength: 13,
		}},
		{"apigw-v2-request-jwt-authorizer.json", seenRequest{
			Source: SourceAPIGatewayV2, Method: "GET", Path: "/my/path",
			RawQuery:   "parameter1=value1&parameter1=value2&parameter2=value",
			RequestURI: "/my/path?parameter1=value1&parameter1=value2&parameter2=value",
			Host:       "id.execute-api.us-east-1.amazonaws.com", RemoteAddr: "IP:0",
			Body: "{\r\n\t\"a\": 1\r\n}", ContentLength: 13,
		}},
		{"apigw-v2-request-no-authorizer.json", seenRequest{
			Source: SourceAPIGatewayV2, Method: "GET", Path: "/", RequestURI: "/",
			Host: "aaaaaaaaaa.execute-api.us-west-2.amazonaws.com", RemoteAddr: "1.2.3.4:0",
		}},
		{"alb-lambda-target-request-headers-only.json", seenRequest{
			Source: SourceALB, Method: "GET", Path: "/", RawQuery: "key=hello", RequestURI: "/?key=hello",
			Host: "lambda-test-alb-1334523864.us-east-1.elb.amazonaws.com", RemoteAddr: "25.12.198.67:0",
		}},
		{"alb-lambda-target-request-multivalue-headers.json", seenRequest{
			Source: SourceALB, Method: "GET", Path: "/", RawQuery: "key=hello", RequestURI: "/?key=hello",
			Host: "lambda-test-alb-1234567.us-east-1.elb.amazonaws.com", RemoteAddr: "72.21.198.67:0",
		}},
		{"lambda-urls-request.json", seenRequest{
			Source: SourceFunctionURL, Method: "POST", Path: "/my/path",
			RawQuery:   "parameter1=value1&parameter1=value2&parameter2=value",
			RequestURI: "/my/path?parameter1=value1&parameter1=value2&parameter2=value",
			Host:       "<url-id>.lambda-url.us-west-2.on.aws", RemoteAddr: "123.123.123.123:0",
			Body: "Hello from client!", ContentLength: 18,
		}},
		{"vpc-lattice-v2-request.json", seenRequest{
			Source: SourceVPCLattice, Method: "POST", Path: "/orders/42",
			RawQuery:   "order-id=1&QS1=value1&QS1=value+2",
			RequestURI: "/orders/42?order-id=1&QS1=value1&QS1=value+2",
			Host:       "test-lambda-service-3908sdf9u3u.dkfjd93.vpc-lattice-svcs.us-east-2.on.aws",
			RemoteAddr: "10.213.229.10:0", Body: "\x00\x01\x02\x03", ContentLength: 4,
		}},
		{"vpc-lattice-v2-request-single-values.json", seenRequest{
			Source: SourceVPCLattice, Method: "GET", Path: "/newpath", RawQuery: "order-id=1",
			RequestURI: "/newpath?order-id=1",
			Host:       "test-lambda-service-3908sdf9u3u.dkfjd93.vpc-lattice-svcs.us-east-2.on.aws",
			RemoteAddr: "10.213.229.10:0", Body: `{"message": "Hello from Lambda!"}`, ContentLength: 33,
		}},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			a, last, _ := recordingAdapter(t)
			resp := invoke(t, a, readTestdata(t, tt.file))
			if resp["statusCode"] != float64(200) || resp["body"] != "ok" {
				t.Errorf("response = %v", resp)
			}
			got := last()
			want := tt.want
			want.Header, want.Query = got.Header, got.Query // checked below
			if !reflect.DeepEqual(got, want) {
				t.Errorf("request =\n%+v\nwant\n%+v", got, want)
			}
			if _, ok := got.Header["Host"]; ok {
				t.Errorf("Host left in Header: %v", got.Header)
			}
		})
	}
}

func TestGoldenHeadersAndQuery(t *testing.T) {
	a, last, _ := recordingAdapter(t)

	invoke(t, a, readTestdata(t, "apigw-request.json"))
	h := last().Header
	if got := h.Get("X-Forwarded-For"); got != "54.240.196.186, 54.182.214.83" {
		t.Errorf("X-Forwarded-For = %q", got)
	}
	if got := h.Get("Headername"); got != "headerValue" {
		t.Errorf("headerName = %q", got)
	}

	invoke(t, a, readTestdata(t, "apigw-v2-request-jwt-authorizer.json"))
	got := last()
	if c := got.Header.Values("Cookie"); !reflect.DeepEqual(c, []string{"cookie1; cookie2"}) {
		t.Errorf("Cookie = %q", c)
	}
	if q := got.Query["parameter1"]; !reflect.DeepEqual(q, []string{"value1", "value2"}) {
		t.Errorf("parameter1 = %q", q)
	}

	invoke(t, a, readTestdata(t, "vpc-lattice-v2-request.json"))
	got = last()
	if v := got.Header.Values("Header1"); !reflect.DeepEqual(v, []string{"value1", "value2"}) {
		t.Errorf("Header1 = %q", v)
	}
	if q := got.Query["QS1"]; !reflect.DeepEqual(q, []string{"value1", "value 2"}) {
		t.Errorf("QS1 = %q", q)
	}

	invoke(t, a, readTestdata(t, "alb-lambda-target-request-multivalue-headers.json"))
	if v := last().Header.Get("X-Myheader"); v != "123" {
		t.Errorf("x-myheader = %q", v)
	}
}

// TestTypedEventsInContext checks that the original event, authorizer
// claims included, is reachable from r.Context().
func TestTypedEventsInContext(t *testing.T) {
	a, _, lastReq := recordingAdapter(t)

	invoke(t, a, readTestdata(t, "apigw-request.json"))
	v1, ok := APIGatewayV1Event(lastReq().Context())
	if !ok || v1.RequestContext.Authorizer["principalId"] != "admin" || v1.StageVariables["stageVariableName"] != "stageVariableValue" || v1.PathParameters["proxy"] != "hello/world" {
		t.Errorf("APIGatewayV1Event = %+v, %v", v1, ok)
	}
	if _, ok := APIGatewayV2Event(lastReq().Context()); ok {
		t.Error("APIGatewayV2Event found in a v1 request")
	}

	invoke(t, a, readTestdata(t, "apigw-v2-request-jwt-authorizer.json"))
	v2, ok := APIGatewayV2Event(lastReq().Context())
	if !ok || v2.RequestContext.Authorizer.JWT.Claims["claim1"] != "value1" || v2.RequestContext.RequestID != "id" {
		t.Errorf("APIGatewayV2Event = %+v, %v", v2, ok)
	}

	invoke(t, a, readTestdata(t, "apigw-v2-request-lambda-authorizer.json"))
	v2, ok = APIGatewayV2Event(lastReq().Context())
	if !ok || v2.RequestContext.Authorizer.Lambda["key"] != "value" {
		t.Errorf("lambda authorizer = %+v, %v", v2, ok)
	}

	invoke(t, a, readTestdata(t, "apigw-v2-request-iam.json"))
	v2, ok = APIGatewayV2Event(lastReq().Context())
	if !ok || v2.RequestContext.Authorizer.IAM == nil || v2.RequestContext.Authorizer.IAM.AccessKey == "" {
		t.Errorf("IAM authorizer = %+v, %v", v2, ok)
	}

	invoke(t, a, readTestdata(t, "alb-lambda-target-request-headers-only.json"))
	alb, ok := ALBEvent(lastReq().Context())
	if !ok || alb.RequestContext.ELB.TargetGroupArn != "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/lambda-target/abcdefg" {
		t.Errorf("ALBEvent = %+v, %v", alb, ok)
	}

	invoke(t, a, readTestdata(t, "lambda-urls-request.json"))
	url, ok := FunctionURLEvent(lastReq().Context())
	if !ok || url.RequestContext.Authorizer.IAM.UserARN != "arn:aws:iam::111122223333:user/example-user" {
		t.Errorf("FunctionURLEvent = %+v, %v", url, ok)
	}

	for _, f := range []string{"vpc-lattice-v2-request.json", "vpc-lattice-v2-request-single-values.json"} {
		invoke(t, a, readTestdata(t, f))
		lat, ok := VPCLatticeEvent(lastReq().Context())
		if !ok || lat.RequestContext.Identity.SourceVPCARN != "arn:aws:ec2:us-east-2:123456789012:vpc/vpc-0b8276c84697e7339" || len(lat.Headers["x-forwarded-for"]) != 1 {
			t.Errorf("%s: VPCLatticeEvent = %+v, %v", f, lat, ok)
		}
	}
}

// TestTypedMethodsMatchInvoke checks that the typed Serve methods build the
// same request as Invoke for every golden event.
func TestTypedMethodsMatchInvoke(t *testing.T) {
	ctx := context.Background()
	serve := map[string]func(a *Adapter, b []byte) error{
		"apigw-request.json": func(a *Adapter, b []byte) error {
			var ev events.APIGatewayProxyRequest
			json.Unmarshal(b, &ev)
			_, err := a.ServeAPIGatewayV1(ctx, ev)
			return err
		},
		"apigw-v2-request-jwt-authorizer.json": func(a *Adapter, b []byte) error {
			var ev events.APIGatewayV2HTTPRequest
			json.Unmarshal(b, &ev)
			_, err := a.ServeAPIGatewayV2(ctx, ev)
			return err
		},
		"alb-lambda-target-request-multivalue-headers.json": func(a *Adapter, b []byte) error {
			var ev events.ALBTargetGroupRequest
			json.Unmarshal(b, &ev)
			_, err := a.ServeALB(ctx, ev)
			return err
		},
		"lambda-urls-request.json": func(a *Adapter, b []byte) error {
			var ev events.LambdaFunctionURLRequest
			json.Unmarshal(b, &ev)
			_, err := a.ServeFunctionURL(ctx, ev)
			return err
		},
		"vpc-lattice-v2-request-single-values.json": func(a *Adapter, b []byte) error {
			var ev VPCLatticeV2Request
			json.Unmarshal(b, &ev)
			_, err := a.ServeVPCLattice(ctx, ev)
			return err
		},
	}
	for file, fn := range serve {
		t.Run(file, func(t *testing.T) {
			a, last, _ := recordingAdapter(t)
			b := readTestdata(t, file)
			invoke(t, a, b)
			viaInvoke := last()
			if err := fn(a, b); err != nil {
				t.Fatal(err)
			}
			viaTyped := last()
			// Go maps have no order, so compare the query as values.
			viaInvoke.RawQuery, viaTyped.RawQuery, viaInvoke.RequestURI, viaTyped.RequestURI = "", "", "", ""
			if !reflect.DeepEqual(viaInvoke, viaTyped) {
				t.Errorf("typed method saw\n%+v\nInvoke saw\n%+v", viaTyped, viaInvoke)
			}
		})
	}
}

func TestPaths(t *testing.T) {
	tests := []struct {
		name, event       string
		opts              []Option
		wantPath, wantRaw string
	}{
		{"v2 named stage removed", `{"version":"2.0","rawPath":"/prod/hello/x","requestContext":{"stage":"prod","http":{"method":"GET"}}}`, nil, "/hello/x", ""},
		{"v2 stage itself", `{"version":"2.0","rawPath":"/prod","requestContext":{"stage":"prod","http":{"method":"GET"}}}`, nil, "/", ""},
		{"v2 stage only at segment boundary", `{"version":"2.0","rawPath":"/production/x","requestContext":{"stage":"prod","http":{"method":"GET"}}}`, nil, "/production/x", ""},
		{"v2 $default stage kept", `{"version":"2.0","rawPath":"/hello","requestContext":{"stage":"$default","http":{"method":"GET"}}}`, nil, "/hello", ""},
		{"v2 path from requestContext", `{"version":"2.0","requestContext":{"http":{"method":"GET","path":"/ctx"}}}`, nil, "/ctx", ""},
		{"encoded slash kept raw", `{"httpMethod":"GET","path":"/files/a%2Fb","requestContext":{}}`, nil, "/files/a/b", "/files/a%2Fb"},
		{"encoded space", `{"version":"2.0","rawPath":"/hello/J%C3%BCrgen%20K","requestContext":{"http":{"method":"GET"}}}`, nil, "/hello/Jürgen K", "/hello/J%C3%BCrgen%20K"},
		{"literal percent", `{"httpMethod":"GET","path":"/100%","requestContext":{}}`, nil, "/100%", ""},
		{"base path", `{"httpMethod":"GET","path":"/v1/hello","requestContext":{}}`, []Option{WithBasePath("v1/")}, "/hello", ""},
		{"base path absent", `{"httpMethod":"GET","path":"/hello","requestContext":{}}`, []Option{WithBasePath("/v1")}, "/hello", ""},
		{"empty path", `{"httpMethod":"GET","requestContext":{}}`, nil, "/", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, last, _ := recordingAdapter(t, tt.opts...)
			invoke(t, a, []byte(tt.event))
			if got := last(); got.Path != tt.wantPath || got.RawPath != tt.wantRaw {
				t.Errorf("Path, RawPath = %q, %q; want %q, %q", got.Path, got.RawPath, tt.wantPath, tt.wantRaw)
			}
		})
	}
}

func TestQueryDecoding(t *testing.T) {
	tests := []struct {
		name, event string
		want        url.Values
	}{
		{"REST decoded values are escaped", `{"httpMethod":"GET","path":"/","multiValueQueryStringParameters":{"q":["a b&c=d","é"],"x":["1"]},"requestContext":{}}`,
			url.Values{"q": {"a b&c=d", "é"}, "x": {"1"}}},
		{"REST single-value fallback", `{"httpMethod":"GET","path":"/","queryStringParameters":{"q":"a+b"},"requestContext":{}}`,
			url.Values{"q": {"a+b"}}},
		{"ALB values arrive encoded", `{"httpMethod":"GET","path":"/","queryStringParameters":{"q":"a%20b%26c"},"requestContext":{"elb":{"targetGroupArn":"x"}}}`,
			url.Values{"q": {"a b&c"}}},
		{"ALB multi-value", `{"httpMethod":"GET","path":"/","multiValueQueryStringParameters":{"q":["1","2"]},"requestContext":{"elb":{}}}`,
			url.Values{"q": {"1", "2"}}},
		{"v2 raw query string", `{"version":"2.0","rawPath":"/","rawQueryString":"q=a%20b&q=c","queryStringParameters":{"q":"ignored"},"requestContext":{"http":{"method":"GET"}}}`,
			url.Values{"q": {"a b", "c"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, last, _ := recordingAdapter(t)
			invoke(t, a, []byte(tt.event))
			if got := last().Query; !reflect.DeepEqual(got, tt.want) {
				t.Errorf("query = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestWithSourceOverridesDetection(t *testing.T) {
	a, last, _ := recordingAdapter(t, WithSource(SourceAPIGatewayV1))
	invoke(t, a, readTestdata(t, "alb-lambda-target-request-headers-only.json"))
	if got := last().Source; got != SourceAPIGatewayV1 {
		t.Errorf("source = %v", got)
	}
}

func TestBadEventsFailClearly(t *testing.T) {
	tests := []struct{ name, payload, wantErr string }{
		{"not JSON", `hello`, "invalid event JSON"},
		{"truncated", `{"httpMethod":"GET"`, "invalid event JSON"},
		{"trailing data", `{"httpMethod":"GET","requestContext":{}} x`, "unexpected data"},
		{"not HTTP", `{"Records":[{"eventSource":"aws:sqs"}]}`, "cannot detect the event source"},
		{"bad base64", `{"httpMethod":"POST","path":"/","body":"!!","isBase64Encoded":true,"requestContext":{}}`, "decode base64 body"},
		{"bad method", `{"httpMethod":"GE T","path":"/","requestContext":{}}`, "invalid HTTP method"},
		{"wrong type", `{"httpMethod":1,"requestContext":{}}`, "expected a string"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, _, _ := recordingAdapter(t)
			_, err := a.Invoke(context.Background(), []byte(tt.payload))
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("error = %v, want it to contain %q", err, tt.wantErr)
			}
		})
	}
}
