package awsapi

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"net/http"
	"strings"
)

// serviceNames are the names AWS gives the services whose clients most
// often reach lambdalog by mistake (a global AWS_ENDPOINT_URL, a copied
// --endpoint-url), by SigV4 signing name.
var serviceNames = map[string]string{
	"s3": "Amazon S3", "dynamodb": "Amazon DynamoDB", "sqs": "Amazon SQS", "sns": "Amazon SNS",
	"lambda": "AWS Lambda", "events": "Amazon EventBridge", "scheduler": "Amazon EventBridge Scheduler",
	"states": "AWS Step Functions", "kinesis": "Amazon Kinesis Data Streams", "firehose": "Amazon Data Firehose",
	"secretsmanager": "AWS Secrets Manager", "ssm": "AWS Systems Manager", "iam": "AWS IAM", "kms": "AWS KMS",
	"sts": "AWS STS", "apigateway": "Amazon API Gateway", "cloudformation": "AWS CloudFormation",
	"ecr": "Amazon ECR", "ec2": "Amazon EC2", "ses": "Amazon SES", "cognito-idp": "Amazon Cognito",
	"monitoring": "Amazon CloudWatch", "logs": "Amazon CloudWatch Logs", "xray": "AWS X-Ray",
}

// restXMLServices are the signing names of services whose clients expect
// errors as a bare XML <Error> document.
var restXMLServices = map[string]bool{"s3": true, "route53": true, "cloudfront": true}

// service names the service a request is for, from its SigV4 credential
// scope (in the Authorization header or a presigned URL's
// X-Amz-Credential), its X-Amz-Target, or a path only one service uses;
// signing is the credential scope's signing name, when the request has one.
func service(r *http.Request) (name, signing string) {
	if a, ok := parseAuthorization(r.Header.Get("Authorization")); ok {
		signing = a.service
	} else if f := strings.Split(r.URL.Query().Get("X-Amz-Credential"), "/"); len(f) == 5 {
		signing = f[3]
	}
	if signing != "" {
		if n, ok := serviceNames[signing]; ok {
			return n, signing
		}
		return fmt.Sprintf("the %q service", signing), signing
	}
	if t := r.Header.Get("X-Amz-Target"); t != "" {
		prefix, _, _ := strings.Cut(t, ".")
		prefix, _, _ = strings.Cut(prefix, "_") // DynamoDB_20120810
		return fmt.Sprintf("the %q service", prefix), ""
	}
	if strings.HasPrefix(r.URL.Path, "/2015-03-31/functions") {
		return serviceNames["lambda"], ""
	}
	return "", ""
}

// writeUnknown answers a request no API matches with an
// UnknownOperationException in the protocol its client reads: XML for
// the query protocol (a form body) and for S3-like services, JSON (with
// X-Amzn-ErrorType, read by restJson clients too) otherwise. The message
// names the service and what lambdalog serves instead.
func (rt *Router) writeUnknown(w http.ResponseWriter, req *Request) {
	what := req.Method + " " + req.URL.Path
	if t := req.Header.Get("X-Amz-Target"); t != "" {
		what += " with X-Amz-Target " + t
	}
	name, signing := service(req.Request)
	if signing != "" {
		what += fmt.Sprintf(", signed for service %q", signing)
	}
	msg := fmt.Sprintf("lambdalog does not emulate the API this request is for (%s). It serves %s.", what, strings.Join(rt.APIs(), ", "))
	if name != "" {
		msg = fmt.Sprintf("lambdalog does not emulate %s (this request: %s). It serves %s: point only their clients at it (for example with AWS_ENDPOINT_URL_CLOUDWATCH_LOGS rather than AWS_ENDPOINT_URL).",
			name, what, strings.Join(rt.APIs(), ", "))
		if name == serviceNames["lambda"] {
			msg += " lambdalog dev serves Lambda's Invoke operation."
		}
	}
	e := &Error{Status: http.StatusBadRequest, Code: CodeUnknownOperation, Message: msg}
	ct, _, _ := strings.Cut(req.Header.Get("Content-Type"), ";")
	switch {
	case req.Header.Get("X-Amz-Target") != "":
		if !strings.HasPrefix(ct, "application/x-amz-json-") {
			ct = "application/x-amz-json-1.1"
		}
		WriteJSONError(w, ct, e)
	case strings.TrimSpace(ct) == "application/x-www-form-urlencoded":
		writeXMLError(w, req.ID, e, true)
	case restXMLServices[signing]:
		writeXMLError(w, req.ID, e, false)
	default:
		WriteJSONError(w, "application/json", e)
	}
}

// writeXMLError writes e as the query protocol does
// (<ErrorResponse><Error>...</Error><RequestId/></ErrorResponse>) or, when
// query is false, as restXml services such as S3 do (<Error>...</Error>).
func writeXMLError(w http.ResponseWriter, requestID string, e *Error, query bool) {
	var b bytes.Buffer
	b.WriteString(xml.Header)
	if query {
		b.WriteString("<ErrorResponse><Error><Type>Sender</Type>")
	} else {
		b.WriteString("<Error>")
	}
	for _, f := range [][2]string{{"Code", e.Code}, {"Message", e.Message}} {
		b.WriteString("<" + f[0] + ">")
		_ = xml.EscapeText(&b, []byte(f[1]))
		b.WriteString("</" + f[0] + ">")
	}
	if query {
		b.WriteString("</Error>")
	}
	b.WriteString("<RequestId>")
	_ = xml.EscapeText(&b, []byte(requestID))
	b.WriteString("</RequestId>")
	if query {
		b.WriteString("</ErrorResponse>")
	} else {
		b.WriteString("</Error>")
	}
	w.Header().Set("Content-Type", "text/xml")
	w.WriteHeader(e.Status)
	_, _ = w.Write(b.Bytes())
}
