// Package stsapi serves the one operation of the AWS Security Token Service
// that tools call before anything else: GetCallerIdentity, which tells them
// the account (Terraform's AWS provider, test fixtures, scripts that build
// ARNs).
//
// # Protocol
//
// STS speaks only the query protocol: the botocore model (sts 2011-06-15,
// "protocols": ["query"]) and aws-sdk-go-v2's service/sts both send POST /
// with the form body Action=GetCallerIdentity&Version=2011-06-15 and read an
// XML answer; no SDK sends STS JSON or CBOR, so none is served. Requests are
// recognised by their SigV4 credential scope, the service "sts"
// (awsquery.IsRequest): an unsigned request is not STS's. Other STS actions
// are InvalidAction errors that say only GetCallerIdentity is emulated.
//
// # The identity
//
// The answer is the root user of the configured account (Options.AccountID,
// the server's --account-id): Account and UserId are the account id and Arn
// is arn:<partition>:iam::<account>:root, the partition (aws, aws-cn,
// aws-us-gov) following the region of the request's signature. That is what
// AWS answers for the account's root access keys. AWS answers an IAM user's
// keys with arn:aws:iam::<account>:user/<name> and the user's AIDA... id, and
// temporary credentials with an assumed-role ARN; lambdalog has no users or
// roles, and its one key (or any key, when it runs without credentials) may
// call every operation, as only root's may, so it names no user it would
// have to invent.
package stsapi

import (
	"net/http"
	"strings"

	"github.com/lambdalog/lambdalog/cmd/lambdalog/internal/awsapi"
	"github.com/lambdalog/lambdalog/cmd/lambdalog/internal/awsquery"
)

// Wire constants of STS.
const (
	// Version is the API version every request names.
	Version = "2011-06-15"
	// Namespace is the XML namespace of the answers.
	Namespace = "https://sts.amazonaws.com/doc/2011-06-15/"
)

// maxBody bounds a request body: GetCallerIdentity has no parameters.
const maxBody = 64 << 10

// Options configure a Handler.
type Options struct {
	// AccountID is the account the caller belongs to; default 123456789012.
	AccountID string
}

// Handler serves STS; it is an awsapi.API.
type Handler struct {
	account string
}

// New returns a Handler.
func New(opts Options) *Handler {
	if opts.AccountID == "" {
		opts.AccountID = "123456789012"
	}
	return &Handler{account: opts.AccountID}
}

// Spec implements awsapi.API.
func (h *Handler) Spec() awsapi.Spec {
	return awsapi.Spec{Name: "STS GetCallerIdentity", SigningName: "sts", MaxBody: maxBody}
}

// Match implements awsapi.API: a form POST to / signed for "sts".
func (h *Handler) Match(r *http.Request) bool { return awsquery.IsRequest(r, "sts") }

// Serve implements awsapi.API.
func (h *Handler) Serve(w http.ResponseWriter, r *awsapi.Request) {
	action, version, _, e := awsquery.Decode(r.Payload)
	if e == nil && (action != "GetCallerIdentity" || version != Version) {
		e = awsquery.InvalidAction(action, version)
		e.Message += " lambdalog emulates only GetCallerIdentity of STS."
	}
	if e != nil {
		h.WriteError(w, r, e)
		return
	}
	awsquery.WriteResponse(w, Namespace, action, r.ID, map[string]any{
		"Account": h.account,
		"UserId":  h.account,
		"Arn":     "arn:" + partition(r.Region) + ":iam::" + h.account + ":root",
	})
}

// WriteError implements awsapi.API: errors in the query protocol's shape,
// with the codes STS gives the Router's errors.
func (h *Handler) WriteError(w http.ResponseWriter, r *awsapi.Request, e *awsapi.Error) {
	awsquery.WriteError(w, Namespace, r.ID, e.Status, awsquery.RouterCode(e.Code), e.Message)
}

// partition returns the AWS partition of a region.
func partition(region string) string {
	switch {
	case strings.HasPrefix(region, "cn-"):
		return "aws-cn"
	case strings.HasPrefix(region, "us-gov-"):
		return "aws-us-gov"
	}
	return "aws"
}
