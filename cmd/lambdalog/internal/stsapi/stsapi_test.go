package stsapi

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/xml"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go"

	"github.com/lambdalog/lambdalog/cmd/lambdalog/internal/awsapi"
	"github.com/lambdalog/lambdalog/internal/testserver"
)

func client(url, region, key, secret string) *sts.Client {
	return sts.New(sts.Options{Region: region, BaseEndpoint: aws.String(url), RetryMaxAttempts: 1, HTTPClient: testserver.HTTPClient(nil),
		Credentials: credentials.NewStaticCredentialsProvider(key, secret, "")})
}

func TestGetCallerIdentitySDK(t *testing.T) {
	srv := httptest.NewServer(awsapi.NewRouter(awsapi.Options{}, New(Options{AccountID: "111122223333"})))
	defer srv.Close()
	for region, arn := range map[string]string{
		"us-east-1":     "arn:aws:iam::111122223333:root",
		"eu-central-2":  "arn:aws:iam::111122223333:root",
		"cn-north-1":    "arn:aws-cn:iam::111122223333:root",
		"us-gov-west-1": "arn:aws-us-gov:iam::111122223333:root",
	} {
		out, err := client(srv.URL, region, "AKIDANY", "secret").GetCallerIdentity(context.Background(), &sts.GetCallerIdentityInput{})
		if err != nil {
			t.Fatalf("%s: %v", region, err)
		}
		if aws.ToString(out.Account) != "111122223333" || aws.ToString(out.UserId) != "111122223333" || aws.ToString(out.Arn) != arn {
			t.Errorf("%s: account %q user %q arn %q, want arn %q", region, aws.ToString(out.Account), aws.ToString(out.UserId), aws.ToString(out.Arn), arn)
		}
	}
	// The default account.
	srv2 := httptest.NewServer(awsapi.NewRouter(awsapi.Options{}, New(Options{})))
	defer srv2.Close()
	out, err := client(srv2.URL, "us-east-1", "AKIDANY", "secret").GetCallerIdentity(context.Background(), &sts.GetCallerIdentityInput{})
	if err != nil || aws.ToString(out.Account) != "123456789012" {
		t.Errorf("default account: %v %v", out, err)
	}

	// Other STS operations say what is emulated.
	_, err = client(srv.URL, "us-east-1", "AKIDANY", "secret").GetSessionToken(context.Background(), &sts.GetSessionTokenInput{})
	var ae smithy.APIError
	if !errors.As(err, &ae) || ae.ErrorCode() != "InvalidAction" || !strings.Contains(ae.ErrorMessage(), "only GetCallerIdentity") {
		t.Errorf("GetSessionToken: %v", err)
	}
}

// TestSignatures: behind a router with credentials, STS answers with the
// codes STS gives bad keys and signatures.
func TestSignatures(t *testing.T) {
	srv := httptest.NewServer(awsapi.NewRouter(awsapi.Options{Credentials: &awsapi.Credentials{AccessKeyID: "GOODKEY", SecretAccessKey: "secret"}}, New(Options{})))
	defer srv.Close()
	if _, err := client(srv.URL, "us-east-1", "GOODKEY", "secret").GetCallerIdentity(context.Background(), &sts.GetCallerIdentityInput{}); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ key, secret, code string }{
		{"BADKEY", "secret", "InvalidClientTokenId"},
		{"GOODKEY", "wrong", "SignatureDoesNotMatch"},
	} {
		_, err := client(srv.URL, "us-east-1", tc.key, tc.secret).GetCallerIdentity(context.Background(), &sts.GetCallerIdentityInput{})
		var ae smithy.APIError
		if !errors.As(err, &ae) || ae.ErrorCode() != tc.code {
			t.Errorf("key %s secret %s: %v, want %s", tc.key, tc.secret, err, tc.code)
		}
	}
}

// TestWire checks the answer and error documents byte by byte where AWS
// fixes them, and which requests are STS's.
func TestWire(t *testing.T) {
	srv := httptest.NewServer(awsapi.NewRouter(awsapi.Options{}, New(Options{AccountID: "111122223333"})))
	defer srv.Close()
	call := func(service, contentType, body string) (int, string) {
		t.Helper()
		req, _ := http.NewRequest(http.MethodPost, srv.URL+"/", strings.NewReader(body))
		req.Header.Set("Content-Type", contentType)
		sum := sha256.Sum256([]byte(body))
		if err := v4.NewSigner().SignHTTP(context.Background(), aws.Credentials{AccessKeyID: "AKID", SecretAccessKey: "s"}, req,
			hex.EncodeToString(sum[:]), service, "us-east-1", time.Now()); err != nil {
			t.Fatal(err)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		raw, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, strings.ReplaceAll(string(raw), resp.Header.Get("x-amzn-RequestId"), "ID")
	}
	const form = "application/x-www-form-urlencoded; charset=utf-8"
	status, body := call("sts", form, "Action=GetCallerIdentity&Version=2011-06-15")
	if want := `<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><GetCallerIdentityResult>` +
		`<Account>111122223333</Account><Arn>arn:aws:iam::111122223333:root</Arn><UserId>111122223333</UserId>` +
		`</GetCallerIdentityResult><ResponseMetadata><RequestId>ID</RequestId></ResponseMetadata></GetCallerIdentityResponse>`; status != 200 || body != want {
		t.Errorf("GetCallerIdentity: %d\n%s\nwant\n%s", status, body, want)
	}
	for _, tc := range []struct {
		body   string
		status int
		code   string
	}{
		{"Version=2011-06-15", 400, "MissingAction"},
		{"Action=GetCallerIdentity&Version=2010-08-01", 400, "InvalidAction"},
		{"Action=AssumeRole&Version=2011-06-15&RoleArn=x", 400, "InvalidAction"},
		{"Action=GetCallerIdentity&Version=2011-06-15&%zz", 404, "MalformedQueryString"},
	} {
		status, body := call("sts", form, tc.body)
		var e struct {
			XMLName xml.Name `xml:"https://sts.amazonaws.com/doc/2011-06-15/ ErrorResponse"`
			Type    string   `xml:"Error>Type"`
			Code    string   `xml:"Error>Code"`
			Message string   `xml:"Error>Message"`
			ID      string   `xml:"RequestId"`
		}
		if err := xml.Unmarshal([]byte(body), &e); err != nil || status != tc.status || e.Code != tc.code || e.Type != "Sender" || e.Message == "" || e.ID != "ID" {
			t.Errorf("%s: %d %s (%v), want %d %s", tc.body, status, body, err, tc.status, tc.code)
		}
	}
	// Not STS's: signed for another service, or not a form.
	for _, tc := range []struct{ service, contentType string }{{"monitoring", form}, {"sts", "application/x-amz-json-1.1"}} {
		if status, body := call(tc.service, tc.contentType, "Action=GetCallerIdentity&Version=2011-06-15"); status != 400 || !strings.Contains(body, awsapi.CodeUnknownOperation) {
			t.Errorf("%s %s: %d %s", tc.service, tc.contentType, status, body)
		}
	}
}
