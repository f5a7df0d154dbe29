package awsapi

import (
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
)

// sigV4Auth is the parsed Authorization header of a SigV4-signed request.
type sigV4Auth struct {
	accessKeyID, date, region, service string
	signedHeaders                      []string
	signature                          string
	signingTime                        time.Time
}

// parseAuthorization parses
// "AWS4-HMAC-SHA256 Credential=AKID/20240101/us-east-1/logs/aws4_request, SignedHeaders=a;b, Signature=hex".
func parseAuthorization(h string) (*sigV4Auth, bool) {
	rest, ok := strings.CutPrefix(h, "AWS4-HMAC-SHA256 ")
	if !ok {
		return nil, false
	}
	var a sigV4Auth
	for part := range strings.SplitSeq(rest, ",") {
		k, v, _ := strings.Cut(strings.TrimSpace(part), "=")
		switch k {
		case "Credential":
			f := strings.Split(v, "/")
			if len(f) != 5 || f[4] != "aws4_request" {
				return nil, false
			}
			a.accessKeyID, a.date, a.region, a.service = f[0], f[1], f[2], f[3]
		case "SignedHeaders":
			a.signedHeaders = strings.Split(v, ";")
		case "Signature":
			a.signature = v
		}
	}
	ok = a.accessKeyID != "" && validRegion(a.region) && a.service != "" && a.signature != "" && len(a.signedHeaders) > 0
	return &a, ok
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

func forbidden(code, msg string) *Error {
	return &Error{Status: http.StatusForbidden, Code: code, Message: msg}
}

var (
	errMissingAuth        = forbidden(CodeUnrecognizedClient, "The request is not signed: an Authorization header with an AWS Signature Version 4 is required.")
	errUnrecognizedClient = forbidden(CodeUnrecognizedClient, "The security token included in the request is invalid.")
	errSignature          = forbidden(CodeInvalidSignature, "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.")
)

// checkHeaders checks what can be checked of a request's signature before
// its body is read, and returns the parsed signature (nil when unsigned).
// Without credentials only the region of the result is meaningful.
func (rt *Router) checkHeaders(r *http.Request, spec Spec) (*sigV4Auth, *Error) {
	header := r.Header.Get("Authorization")
	auth, ok := parseAuthorization(header)
	creds := rt.opts.Credentials
	if creds == nil {
		if ok {
			return &sigV4Auth{region: auth.region}, nil
		}
		return nil, nil
	}
	switch {
	case header == "":
		return nil, errMissingAuth
	case !ok:
		return nil, &Error{Status: http.StatusBadRequest, Code: CodeIncompleteSignature, Message: "Authorization header is not a valid AWS Signature Version 4 header."}
	case subtle.ConstantTimeCompare([]byte(auth.accessKeyID), []byte(creds.AccessKeyID)) != 1:
		return nil, errUnrecognizedClient
	case auth.service != spec.SigningName:
		return nil, forbidden(CodeInvalidSignature, "Credential should be scoped to correct service: '"+spec.SigningName+"'.")
	}
	date := r.Header.Get("X-Amz-Date")
	t, err := time.Parse("20060102T150405Z", date)
	if err != nil || !strings.HasPrefix(date, auth.date) {
		return nil, forbidden(CodeIncompleteSignature, "The request must carry an X-Amz-Date header (YYYYMMDDThhmmssZ) on the day of its credential scope.")
	}
	if d := rt.opts.Now().Sub(t); d > maxClockSkew || d < -maxClockSkew {
		return nil, forbidden(CodeInvalidSignature, "Signature expired: "+date+" is more than 15 minutes away from the server time.")
	}
	auth.signingTime = t
	required := []string{"host", "x-amz-date"}
	for _, h := range []string{"X-Amz-Target", "Content-Type"} {
		if r.Header.Get(h) != "" {
			required = append(required, strings.ToLower(h))
		}
	}
	for _, h := range required {
		if !slices.Contains(auth.signedHeaders, h) {
			return nil, forbidden(CodeIncompleteSignature, "The signature must cover the "+h+" header; add it to SignedHeaders.")
		}
	}
	return auth, nil
}

// verifySignature checks the signature of a request that passed checkHeaders
// by re-signing its signed headers and body with aws-sdk-go-v2's signer.
func (rt *Router) verifySignature(r *http.Request, body []byte, auth *sigV4Auth) *Error {
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
	creds := aws.Credentials{AccessKeyID: rt.opts.Credentials.AccessKeyID, SecretAccessKey: rt.opts.Credentials.SecretAccessKey}
	if err := v4.NewSigner().SignHTTP(r.Context(), creds, req, hex.EncodeToString(sum[:]), auth.service, auth.region, auth.signingTime); err != nil {
		return errSignature
	}
	got, _ := parseAuthorization(req.Header.Get("Authorization"))
	if got == nil || !slices.Equal(got.signedHeaders, auth.signedHeaders) ||
		subtle.ConstantTimeCompare([]byte(got.signature), []byte(auth.signature)) != 1 {
		return errSignature
	}
	return nil
}
