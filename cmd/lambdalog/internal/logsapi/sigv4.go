package logsapi

import (
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
)

type credentials struct{ accessKeyID, secret string }

// sigV4Auth is the parsed Authorization header of a SigV4-signed request.
type sigV4Auth struct {
	accessKeyID, date, region, service string
	signedHeaders                      []string
	signature                          string
}

// parseAuthorization parses
// "AWS4-HMAC-SHA256 Credential=AKID/20240101/us-east-1/logs/aws4_request, SignedHeaders=a;b, Signature=hex".
func parseAuthorization(h string) (sigV4Auth, bool) {
	rest, ok := strings.CutPrefix(h, "AWS4-HMAC-SHA256 ")
	if !ok {
		return sigV4Auth{}, false
	}
	var a sigV4Auth
	for part := range strings.SplitSeq(rest, ",") {
		k, v, _ := strings.Cut(strings.TrimSpace(part), "=")
		switch k {
		case "Credential":
			f := strings.Split(v, "/")
			if len(f) != 5 || f[4] != "aws4_request" {
				return sigV4Auth{}, false
			}
			a.accessKeyID, a.date, a.region, a.service = f[0], f[1], f[2], f[3]
		case "SignedHeaders":
			a.signedHeaders = strings.Split(v, ";")
		case "Signature":
			a.signature = v
		}
	}
	return a, a.accessKeyID != "" && validRegion(a.region) && a.signature != "" && len(a.signedHeaders) > 0
}

// validRegion accepts region names such as us-east-1 or eu-central-2.
func validRegion(r string) bool {
	if r == "" || len(r) > 64 {
		return false
	}
	for _, c := range r {
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-') {
			return false
		}
	}
	return true
}

const maxClockSkew = 15 * time.Minute

var (
	errUnrecognizedClient = &apiError{status: http.StatusForbidden, shape: "UnrecognizedClientException", msg: "The security token included in the request is invalid."}
	errMissingAuth        = &apiError{status: http.StatusForbidden, shape: "UnrecognizedClientException", msg: "The request is not signed: an Authorization header with an AWS Signature Version 4 is required."}
	errSignature          = &apiError{status: http.StatusForbidden, shape: "InvalidSignatureException", msg: "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details."}
)

// authenticate returns the request's region. With credentials configured
// it also verifies the SigV4 signature by re-signing the request's signed
// headers and body with aws-sdk-go-v2's signer.
func (h *Handler) authenticate(r *http.Request, body []byte) (string, *apiError) {
	auth, ok := parseAuthorization(r.Header.Get("Authorization"))
	if h.creds == nil {
		if ok {
			return auth.region, nil
		}
		return defaultRegion, nil
	}
	if r.Header.Get("Authorization") == "" {
		return "", errMissingAuth
	}
	if !ok {
		return "", clientError("IncompleteSignatureException", "Authorization header is not a valid AWS Signature Version 4 header.")
	}
	if subtle.ConstantTimeCompare([]byte(auth.accessKeyID), []byte(h.creds.accessKeyID)) != 1 {
		return "", errUnrecognizedClient
	}
	signingTime, err := time.Parse("20060102T150405Z", r.Header.Get("X-Amz-Date"))
	if err != nil || !strings.HasPrefix(r.Header.Get("X-Amz-Date"), auth.date) {
		return "", errSignature
	}
	if d := h.now().Sub(signingTime); d > maxClockSkew || d < -maxClockSkew {
		return "", &apiError{status: http.StatusForbidden, shape: "InvalidSignatureException", msg: "Signature expired: " + r.Header.Get("X-Amz-Date") + " is more than 15 minutes away from the server time."}
	}
	sig, err := h.resign(r, body, auth, signingTime)
	if err != nil || subtle.ConstantTimeCompare([]byte(sig), []byte(auth.signature)) != 1 {
		return "", errSignature
	}
	return auth.region, nil
}

// resign computes the signature the client should have produced.
func (h *Handler) resign(r *http.Request, body []byte, auth sigV4Auth, t time.Time) (string, error) {
	u := *r.URL
	req := &http.Request{Method: r.Method, URL: &u, Host: r.Host, Header: http.Header{}}
	for _, name := range auth.signedHeaders {
		switch name {
		case "host":
		case "content-length":
			req.ContentLength = r.ContentLength
		default:
			if v, ok := r.Header[http.CanonicalHeaderKey(name)]; ok {
				req.Header[http.CanonicalHeaderKey(name)] = v
			}
		}
	}
	sum := sha256.Sum256(body)
	creds := aws.Credentials{AccessKeyID: h.creds.accessKeyID, SecretAccessKey: h.creds.secret}
	if err := v4.NewSigner().SignHTTP(r.Context(), creds, req, hex.EncodeToString(sum[:]), auth.service, auth.region, t); err != nil {
		return "", err
	}
	got, _ := parseAuthorization(req.Header.Get("Authorization"))
	if strings.Join(got.signedHeaders, ";") != strings.Join(auth.signedHeaders, ";") {
		return "", errSignature
	}
	return got.signature, nil
}

// Authenticate verifies r's SigV4 signature over body exactly as the logs API does, for
// another API served on the same address (the CloudWatch metrics API); the signature's
// service may be any. Without configured credentials it accepts every request.
func (h *Handler) Authenticate(r *http.Request, body []byte) error {
	if _, err := h.authenticate(r, body); err != nil {
		return fmt.Errorf("%s: %s", err.shape, err.msg)
	}
	return nil
}
