package awsapi

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
)

// echoAPI is a small JSON 1.1 API for the router's tests: it answers with
// the operation named in X-Amz-Target, the region and the body it was given.
type echoAPI struct {
	maxBody int64
	block   chan struct{} // operation Block waits until it is closed
}

func (a echoAPI) Spec() Spec {
	return Spec{Name: "Echo", SigningName: "logs", MaxBody: a.maxBody}
}

func (echoAPI) Match(r *http.Request) bool {
	return strings.HasPrefix(r.Header.Get("X-Amz-Target"), "Echo.")
}

func (a echoAPI) Serve(w http.ResponseWriter, r *Request) {
	op := strings.TrimPrefix(r.Header.Get("X-Amz-Target"), "Echo.")
	if op == "Panic" {
		panic("operation failed")
	}
	if op == "Block" {
		<-a.block
	}
	json.NewEncoder(w).Encode(map[string]string{"op": op, "region": r.Region, "body": string(r.Payload), "id": r.ID})
}

func (echoAPI) WriteError(w http.ResponseWriter, _ *Request, e *Error) {
	WriteJSONError(w, "application/x-amz-json-1.1", e)
}

var testCreds = &Credentials{AccessKeyID: "AKIDTEST", SecretAccessKey: "s3cr3t"}

// signed returns a request to url signed by creds for service and region,
// with the given headers set before signing.
func signed(t *testing.T, url, service, region string, creds *Credentials, body string, headers map[string]string) *http.Request {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	sum := sha256.Sum256([]byte(body))
	err = v4.NewSigner().SignHTTP(context.Background(), aws.Credentials{AccessKeyID: creds.AccessKeyID, SecretAccessKey: creds.SecretAccessKey},
		req, hex.EncodeToString(sum[:]), service, region, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	return req
}

func do(t *testing.T, req *http.Request) (int, map[string]string) {
	t.Helper()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var m map[string]string
	raw, _ := io.ReadAll(resp.Body)
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatalf("answer is not a JSON object: %q", raw)
	}
	if len(resp.Header.Get("x-amzn-RequestId")) != 36 {
		t.Errorf("x-amzn-RequestId = %q", resp.Header.Get("x-amzn-RequestId"))
	}
	if m["__type"] != "" && resp.Header.Get("X-Amzn-ErrorType") != m["__type"] {
		t.Errorf("X-Amzn-ErrorType %q, __type %q", resp.Header.Get("X-Amzn-ErrorType"), m["__type"])
	}
	return resp.StatusCode, m
}

func TestSignatureChecks(t *testing.T) {
	srv := httptest.NewServer(NewRouter(Options{Credentials: testCreds}, echoAPI{maxBody: 1 << 20}))
	defer srv.Close()
	json11 := map[string]string{"X-Amz-Target": "Echo.Put", "Content-Type": "application/x-amz-json-1.1"}

	status, m := do(t, signed(t, srv.URL, "logs", "eu-west-1", testCreds, `{"a":1}`, json11))
	if status != 200 || m["op"] != "Put" || m["region"] != "eu-west-1" || m["body"] != `{"a":1}` {
		t.Fatalf("well signed: %d %v", status, m)
	}

	cases := []struct {
		name   string
		req    func() *http.Request
		status int
		code   string
	}{
		{"unsigned", func() *http.Request {
			r, _ := http.NewRequest(http.MethodPost, srv.URL, strings.NewReader("{}"))
			r.Header.Set("X-Amz-Target", "Echo.Put")
			return r
		}, 403, CodeUnrecognizedClient},
		{"not SigV4", func() *http.Request {
			r := signed(t, srv.URL, "logs", "us-east-1", testCreds, "{}", json11)
			r.Header.Set("Authorization", "AWS AKIDTEST:abc")
			return r
		}, 400, CodeIncompleteSignature},
		{"other key", func() *http.Request {
			return signed(t, srv.URL, "logs", "us-east-1", &Credentials{"AKIDOTHER", "s3cr3t"}, "{}", json11)
		}, 403, CodeUnrecognizedClient},
		{"wrong secret", func() *http.Request {
			return signed(t, srv.URL, "logs", "us-east-1", &Credentials{"AKIDTEST", "wrong"}, "{}", json11)
		}, 403, CodeInvalidSignature},
		{"body changed", func() *http.Request {
			r := signed(t, srv.URL, "logs", "us-east-1", testCreds, `{"logGroupName":"a"}`, json11)
			r.Body = io.NopCloser(strings.NewReader(`{"logGroupName":"b"}`))
			return r
		}, 403, CodeInvalidSignature},
		{"signed for another service", func() *http.Request {
			return signed(t, srv.URL, "s3", "us-east-1", testCreds, "{}", json11)
		}, 403, CodeInvalidSignature},
		{"retargeted after signing", func() *http.Request {
			r := signed(t, srv.URL, "logs", "us-east-1", testCreds, "{}", json11)
			r.Header.Set("X-Amz-Target", "Echo.Delete")
			return r
		}, 403, CodeInvalidSignature},
		{"target not signed", func() *http.Request {
			r := signed(t, srv.URL, "logs", "us-east-1", testCreds, "{}", map[string]string{})
			r.Header.Set("X-Amz-Target", "Echo.Delete")
			return r
		}, 403, CodeIncompleteSignature},
		{"content type not signed", func() *http.Request {
			r := signed(t, srv.URL, "logs", "us-east-1", testCreds, "{}", map[string]string{"X-Amz-Target": "Echo.Put"})
			r.Header.Set("Content-Type", "application/x-amz-json-1.1")
			return r
		}, 403, CodeIncompleteSignature},
		{"old date", func() *http.Request {
			r, _ := http.NewRequest(http.MethodPost, srv.URL, strings.NewReader("{}"))
			r.Header.Set("X-Amz-Target", "Echo.Put")
			sum := sha256.Sum256([]byte("{}"))
			_ = v4.NewSigner().SignHTTP(context.Background(), aws.Credentials{AccessKeyID: "AKIDTEST", SecretAccessKey: "s3cr3t"},
				r, hex.EncodeToString(sum[:]), "logs", "us-east-1", time.Now().Add(-time.Hour))
			return r
		}, 403, CodeInvalidSignature},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			status, m := do(t, tc.req())
			if status != tc.status || m["__type"] != tc.code || m["message"] == "" {
				t.Errorf("got %d %v, want %d %s", status, m, tc.status, tc.code)
			}
		})
	}
}

func TestUnsignedServerTakesRegionFromSignature(t *testing.T) {
	srv := httptest.NewServer(NewRouter(Options{}, echoAPI{maxBody: 1 << 20}))
	defer srv.Close()
	_, m := do(t, signed(t, srv.URL, "logs", "ap-south-1", &Credentials{"any", "any"}, "{}", map[string]string{"X-Amz-Target": "Echo.Put"}))
	if m["region"] != "ap-south-1" {
		t.Errorf("signed: %v", m)
	}
	r, _ := http.NewRequest(http.MethodPost, srv.URL, nil)
	r.Header.Set("X-Amz-Target", "Echo.Put")
	if _, m := do(t, r); m["region"] != "us-east-1" {
		t.Errorf("unsigned: %v", m)
	}
}

func TestUnknownAPIAndPanics(t *testing.T) {
	srv := httptest.NewServer(NewRouter(Options{Logger: discardLogger()}, echoAPI{maxBody: 1 << 20}))
	defer srv.Close()
	r := signed(t, srv.URL, "sts", "us-east-1", testCreds, "{}", nil)
	status, m := do(t, r)
	if status != 400 || m["__type"] != CodeUnknownOperation || !strings.Contains(m["message"], "does not emulate AWS STS") || !strings.Contains(m["message"], "It serves Echo:") {
		t.Errorf("unknown API: %d %v", status, m)
	}
	r, _ = http.NewRequest(http.MethodPost, srv.URL, nil)
	r.Header.Set("X-Amz-Target", "Echo.Panic")
	if status, m := do(t, r); status != 500 || m["__type"] != CodeInternal {
		t.Errorf("panic: %d %v", status, m)
	}
}

// TestUnknownServiceIsNamedInItsProtocol checks the answer to requests for
// services lambdalog does not serve: the service is named, and the error is
// in the shape that service's clients parse.
func TestUnknownServiceIsNamedInItsProtocol(t *testing.T) {
	srv := httptest.NewServer(NewRouter(Options{Logger: discardLogger()}, echoAPI{maxBody: 1 << 20}))
	defer srv.Close()
	form := map[string]string{"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"}
	get := func(path string) *http.Request {
		r, _ := http.NewRequest(http.MethodGet, srv.URL+path, nil)
		return r
	}
	for _, c := range []struct {
		name    string
		req     *http.Request
		xmlRoot string // "" for JSON
		want    string
	}{
		{"S3 ListBuckets", signedGet(t, srv.URL+"/", "s3"), "Error", "does not emulate Amazon S3 (this request: GET /, signed for service \"s3\")"},
		{"S3 presigned URL", get("/bucket/key?X-Amz-Credential=AKID%2F20240101%2Fus-east-1%2Fs3%2Faws4_request"), "Error", "does not emulate Amazon S3"},
		{"SNS (query)", signed(t, srv.URL, "sns", "us-east-1", testCreds, "Action=ListTopics&Version=2010-03-31", form), "ErrorResponse", "does not emulate Amazon SNS"},
		{"DynamoDB (JSON 1.0)", signed(t, srv.URL, "dynamodb", "us-east-1", testCreds, "{}", map[string]string{"X-Amz-Target": "DynamoDB_20120810.ListTables", "Content-Type": "application/x-amz-json-1.0"}), "", "does not emulate Amazon DynamoDB (this request: POST / with X-Amz-Target DynamoDB_20120810.ListTables"},
		{"unsigned target", func() *http.Request {
			r, _ := http.NewRequest(http.MethodPost, srv.URL, strings.NewReader("{}"))
			r.Header.Set("X-Amz-Target", "AmazonSQS.ListQueues")
			return r
		}(), "", `does not emulate the "AmazonSQS" service`},
		{"unsigned Lambda", get("/2015-03-31/functions/"), "", "does not emulate AWS Lambda (this request: GET /2015-03-31/functions/). It serves Echo: point only their clients at it (for example with AWS_ENDPOINT_URL_CLOUDWATCH_LOGS rather than AWS_ENDPOINT_URL). lambdalog dev serves Lambda's Invoke operation."},
		{"unknown", get("/favicon.ico"), "", "does not emulate the API this request is for (GET /favicon.ico). It serves Echo."},
	} {
		t.Run(c.name, func(t *testing.T) {
			resp, err := http.DefaultClient.Do(c.req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			body, _ := io.ReadAll(resp.Body)
			if resp.StatusCode != 400 {
				t.Errorf("status %d", resp.StatusCode)
			}
			var code, msg string
			if c.xmlRoot != "" {
				var doc struct {
					XMLName xml.Name
					Code    string `xml:"Code"`
					Message string `xml:"Message"`
					Error   struct {
						Code    string `xml:"Code"`
						Message string `xml:"Message"`
					} `xml:"Error"`
					RequestID string `xml:"RequestId"`
				}
				if err := xml.Unmarshal(body, &doc); err != nil || doc.XMLName.Local != c.xmlRoot {
					t.Fatalf("answer is not an XML <%s>: %v\n%s", c.xmlRoot, err, body)
				}
				code, msg = doc.Code+doc.Error.Code, doc.Message+doc.Error.Message
				if doc.RequestID != resp.Header.Get("x-amzn-RequestId") {
					t.Errorf("RequestId %q, header %q", doc.RequestID, resp.Header.Get("x-amzn-RequestId"))
				}
			} else {
				var m map[string]string
				if err := json.Unmarshal(body, &m); err != nil {
					t.Fatalf("answer is not JSON: %s", body)
				}
				code, msg = m["__type"], m["message"]
				if resp.Header.Get("X-Amzn-ErrorType") != code {
					t.Errorf("X-Amzn-ErrorType %q", resp.Header.Get("X-Amzn-ErrorType"))
				}
			}
			if code != CodeUnknownOperation || !strings.Contains(msg, c.want) {
				t.Errorf("code %q message %q, want %s containing %q", code, msg, CodeUnknownOperation, c.want)
			}
		})
	}
}

// signedGet returns a GET of url signed for service.
func signedGet(t *testing.T, url, service string) *http.Request {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(nil)
	if err := v4.NewSigner().SignHTTP(context.Background(), aws.Credentials{AccessKeyID: "AKID", SecretAccessKey: "s"}, req, hex.EncodeToString(sum[:]), service, "us-east-1", time.Now()); err != nil {
		t.Fatal(err)
	}
	return req
}

// rawConn sends a request's head by hand, so the test controls when (and
// whether) the body follows.
func rawConn(t *testing.T, addr, head string) net.Conn {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	if _, err := io.WriteString(c, head); err != nil {
		t.Fatal(err)
	}
	return c
}

func readResponse(t *testing.T, c net.Conn, within time.Duration) *http.Response {
	t.Helper()
	c.SetReadDeadline(time.Now().Add(within))
	resp, err := http.ReadResponse(bufio.NewReader(c), nil)
	if err != nil {
		t.Fatalf("no answer within %s: %v", within, err)
	}
	return resp
}

// TestUnsignedBodyIsNeverRead: with credentials configured, a request whose
// headers fail the signature checks is answered without waiting for its
// body, and its connection is closed.
func TestUnsignedBodyIsNeverRead(t *testing.T) {
	srv := httptest.NewServer(NewRouter(Options{Credentials: testCreds}, echoAPI{maxBody: 8 << 20}))
	defer srv.Close()
	c := rawConn(t, srv.Listener.Addr().String(), "POST / HTTP/1.1\r\nHost: x\r\nX-Amz-Target: Echo.Put\r\nContent-Length: 8388608\r\n\r\n")
	resp := readResponse(t, c, 10*time.Second)
	if resp.StatusCode != 403 || !resp.Close {
		t.Errorf("status %d, close %v", resp.StatusCode, resp.Close)
	}
	if _, err := c.Read(make([]byte, 1)); err == nil {
		t.Error("connection still open")
	}
}

func TestBodyLimitAndTimeout(t *testing.T) {
	srv := httptest.NewServer(NewRouter(Options{BodyTimeout: 300 * time.Millisecond}, echoAPI{maxBody: 100}))
	defer srv.Close()
	addr := srv.Listener.Addr().String()

	c := rawConn(t, addr, "POST / HTTP/1.1\r\nHost: x\r\nX-Amz-Target: Echo.Put\r\nContent-Length: 101\r\n\r\n")
	if resp := readResponse(t, c, 10*time.Second); resp.StatusCode != 413 {
		t.Errorf("declared too large: %d", resp.StatusCode)
	}
	c = rawConn(t, addr, "POST / HTTP/1.1\r\nHost: x\r\nX-Amz-Target: Echo.Put\r\nTransfer-Encoding: chunked\r\n\r\n65\r\n"+strings.Repeat("a", 101)+"\r\n0\r\n\r\n")
	if resp := readResponse(t, c, 10*time.Second); resp.StatusCode != 413 {
		t.Errorf("chunked too large: %d", resp.StatusCode)
	}
	// A body trickled slower than BodyTimeout allows is cut off.
	c = rawConn(t, addr, "POST / HTTP/1.1\r\nHost: x\r\nX-Amz-Target: Echo.Put\r\nContent-Length: 50\r\n\r\nab")
	resp := readResponse(t, c, 10*time.Second)
	raw, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 400 || !bytes.Contains(raw, []byte(CodeSerialization)) {
		t.Errorf("trickled body: %d %s", resp.StatusCode, raw)
	}
}

// TestInFlightBudget: requests whose bodies would exceed MaxInFlightBytes
// wait for room, and get a ThrottlingException when none comes in time.
func TestInFlightBudget(t *testing.T) {
	block := make(chan struct{})
	srv := httptest.NewServer(NewRouter(Options{MaxInFlightBytes: 100, BodyTimeout: 300 * time.Millisecond}, echoAPI{maxBody: 100, block: block}))
	defer srv.Close()
	addr := srv.Listener.Addr().String()
	// Holds 80 of the 100 bytes until block is closed.
	held := make(chan *http.Response, 1)
	hold := rawConn(t, addr, "POST / HTTP/1.1\r\nHost: x\r\nX-Amz-Target: Echo.Block\r\nContent-Length: 80\r\n\r\n"+strings.Repeat("a", 80))
	go func() { held <- readResponse(t, hold, 10*time.Second) }()
	time.Sleep(100 * time.Millisecond) // let the server reserve for it

	c := rawConn(t, addr, "POST / HTTP/1.1\r\nHost: x\r\nX-Amz-Target: Echo.Put\r\nContent-Length: 30\r\n\r\n"+strings.Repeat("b", 30))
	resp := readResponse(t, c, 10*time.Second)
	raw, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 400 || !bytes.Contains(raw, []byte(CodeThrottling)) {
		t.Errorf("request over the budget: %d %s", resp.StatusCode, raw)
	}
	close(block)
	if resp := <-held; resp.StatusCode != 200 {
		t.Errorf("held request: %d", resp.StatusCode)
	}

	// Once room is back, requests that fit run in parallel.
	var wg sync.WaitGroup
	for i := range 3 {
		wg.Go(func() {
			r, _ := http.NewRequest(http.MethodPost, srv.URL, strings.NewReader(fmt.Sprint(i)))
			r.Header.Set("X-Amz-Target", "Echo.Small")
			if status, m := do(t, r); status != 200 {
				t.Errorf("small request %d: %d %v", i, status, m)
			}
		})
	}
	wg.Wait()
}

func TestBudgetWaitsForRoom(t *testing.T) {
	b := newBudget(10)
	if err := b.acquire(context.Background(), 8); err != nil {
		t.Fatal(err)
	}
	got := make(chan error, 1)
	go func() { got <- b.acquire(context.Background(), 5) }()
	select {
	case err := <-got:
		t.Fatalf("acquired 5 of 10 while 8 are held: %v", err)
	case <-time.After(50 * time.Millisecond):
	}
	b.release(8)
	if err := <-got; err != nil {
		t.Fatal(err)
	}
	// Larger than the whole budget: waits until nothing is held, then runs alone.
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	if err := b.acquire(ctx, 50); err == nil {
		t.Fatal("acquired 50 while 5 are held")
	}
	b.release(5)
	if err := b.acquire(context.Background(), 50); err != nil {
		t.Fatal(err)
	}
}

func discardLogger() *slog.Logger { return slog.New(slog.DiscardHandler) }
