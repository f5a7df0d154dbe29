// Package awsquery implements what the APIs that speak AWS's query protocol
// (awsQuery: CloudWatch for older clients, STS) share: recognising a
// request, decoding its form body, and writing XML answers and errors.
//
// # Requests
//
// A request is POST / with Content-Type application/x-www-form-urlencoded
// and a body Action=<Operation>&Version=<API version>&<parameters>. The
// parameters are flattened: A.B names the member B of the structure A,
// A.member.N the Nth element (from 1) of the list A, and A= (an empty
// value) is an empty list; after "member", a part made of digits is always
// a list index. Decode turns them into a document of
// map[string]any (structures), []any (lists) and string (every scalar:
// numbers, booleans and ISO 8601 timestamps are the API's to parse).
//
// Nothing in the path or the headers names the service, and the Router asks
// awsapi.API.Match before it reads the body, so IsRequest recognises a
// service's requests by their SigV4 credential scope
// (AKID/date/region/<service>/aws4_request), which every SDK and CLI signs.
// Unsigned requests are nobody's.
//
// # Answers
//
// WriteResponse writes <ActionResponse xmlns="..."><ActionResult>...
// </ActionResult><ResponseMetadata><RequestId>...</RequestId>
// </ResponseMetadata></ActionResponse>: structures as nested elements in
// member-name order, lists as <member> elements, Maps as
// <entry><key/><value/></entry>, timestamps in ISO 8601 with milliseconds.
// WriteError writes <ErrorResponse><Error><Type/><Code/><Message/></Error>
// <RequestId/></ErrorResponse>, Type Sender for 4xx and Receiver for 5xx.
package awsquery

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"math"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/lambdalog/lambdalog/cmd/lambdalog/internal/awsapi"
)

// IsRequest reports whether r is an awsQuery request signed for the service
// signingName: a form POST to / whose Authorization header's credential
// scope names that service.
func IsRequest(r *http.Request, signingName string) bool {
	return r.Method == http.MethodPost && r.URL.Path == "/" &&
		strings.HasPrefix(r.Header.Get("Content-Type"), "application/x-www-form-urlencoded") &&
		strings.Contains(r.Header.Get("Authorization"), "/"+signingName+"/aws4_request")
}

// Codes of the errors of the protocol itself.
const (
	CodeMissingAction  = "MissingAction"
	CodeInvalidAction  = "InvalidAction"
	CodeMalformedQuery = "MalformedQueryString"
)

// Limits of Decode.
const (
	// MaxDepth bounds the dotted parts of one parameter name.
	MaxDepth = 32
	// MaxIndex bounds a list index.
	MaxIndex = 100_000
)

// Decode decodes a form body into its Action and Version and the document
// of its other parameters. A body that is not a form, a parameter given
// twice or used both as a value and as a structure or list, or a list not
// numbered 1 to its length, is a MalformedQueryString error (404, as AWS
// documents it); a body without Action is MissingAction.
func Decode(body []byte) (action, version string, doc map[string]any, e *awsapi.Error) {
	vals, err := url.ParseQuery(string(body))
	if err != nil {
		return "", "", nil, malformed("the request body is not a valid form: %v", err)
	}
	action, version = vals.Get("Action"), vals.Get("Version")
	if action == "" {
		return "", "", nil, &awsapi.Error{Status: http.StatusBadRequest, Code: CodeMissingAction, Message: "The request must contain the parameter Action."}
	}
	root := map[string]any{}
	for k, vs := range vals {
		if k == "Action" || k == "Version" {
			continue
		}
		if len(vs) != 1 {
			return "", "", nil, malformed("the parameter %s appears %d times", k, len(vs))
		}
		if e := set(root, k, vs[0]); e != nil {
			return "", "", nil, e
		}
	}
	v, e := finish(root, "")
	if e != nil {
		return "", "", nil, e
	}
	return action, version, v.(map[string]any), nil
}

// InvalidAction is the error for an Action the service does not have in
// version (or a version it does not have).
func InvalidAction(action, version string) *awsapi.Error {
	return &awsapi.Error{Status: http.StatusBadRequest, Code: CodeInvalidAction,
		Message: fmt.Sprintf("Could not find operation %s for version %s.", action, version)}
}

func malformed(format string, args ...any) *awsapi.Error {
	return &awsapi.Error{Status: http.StatusNotFound, Code: CodeMalformedQuery, Message: fmt.Sprintf(format, args...)}
}

// list is a list being decoded, by 1-based index.
type list map[int]any

// step is one step of a parameter name: a member name, or a list index.
type step struct {
	key   string
	index int // > 0 for a list element
}

func set(root map[string]any, name, value string) *awsapi.Error {
	segs := strings.Split(name, ".")
	if len(segs) > MaxDepth {
		return malformed("the parameter name %.64s... has more than %d parts", name, MaxDepth)
	}
	var steps []step
	for i := 0; i < len(segs); i++ {
		if segs[i] == "" {
			return malformed("the parameter name %q has an empty part", name)
		}
		if segs[i] == "member" && i > 0 && i+1 < len(segs) && isDigits(segs[i+1]) {
			n, err := strconv.Atoi(segs[i+1])
			if err != nil || n < 1 || n > MaxIndex || strconv.Itoa(n) != segs[i+1] {
				return malformed("the parameter %s has a list index that is not a number from 1 to %d", name, MaxIndex)
			}
			steps = append(steps, step{index: n})
			i++
			continue
		}
		steps = append(steps, step{key: segs[i]})
	}
	var cur any = root
	for i, st := range steps {
		var child any
		var put func(any)
		switch c := cur.(type) {
		case map[string]any:
			if st.index > 0 {
				return malformed("the parameter %s treats a structure as a list", name)
			}
			child, put = c[st.key], func(v any) { c[st.key] = v }
		case list:
			if st.index == 0 {
				return malformed("the parameter %s treats a list as a structure", name)
			}
			child, put = c[st.index], func(v any) { c[st.index] = v }
		default:
			return malformed("the parameter %s extends a parameter that has a value", name)
		}
		if i == len(steps)-1 {
			if child != nil {
				return malformed("the parameter %s is given twice", name)
			}
			put(value)
			return nil
		}
		if child == nil {
			if steps[i+1].index > 0 {
				child = list{}
			} else {
				child = map[string]any{}
			}
			put(child)
		}
		cur = child
	}
	return nil
}

func isDigits(s string) bool {
	for i := range len(s) {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}

// finish turns the lists of a decoded form into []any.
func finish(v any, path string) (any, *awsapi.Error) {
	switch v := v.(type) {
	case map[string]any:
		for k, e := range v {
			p := k
			if path != "" {
				p = path + "." + k
			}
			x, err := finish(e, p)
			if err != nil {
				return nil, err
			}
			v[k] = x
		}
		return v, nil
	case list:
		l := make([]any, len(v))
		for i := range l {
			e, ok := v[i+1]
			if !ok {
				return nil, malformed("the list %s has no member %d but has %d members", path, i+1, len(v))
			}
			x, err := finish(e, fmt.Sprintf("%s.member.%d", path, i+1))
			if err != nil {
				return nil, err
			}
			l[i] = x
		}
		return l, nil
	}
	return v, nil
}

// Map is a map of a response document (as opposed to a structure, which is
// a map[string]any), such as CloudWatch's Datapoint.ExtendedStatistics.
type Map map[string]any

// WriteResponse writes a successful answer to action with the members of
// result, a document of map[string]any, Map, []any, string, float64, int,
// bool and time.Time; nil members are left out. An empty result writes no
// <ActionResult> element, as for operations without output.
func WriteResponse(w http.ResponseWriter, namespace, action, requestID string, result map[string]any) {
	var b bytes.Buffer
	fmt.Fprintf(&b, `<%sResponse xmlns="%s">`, action, namespace)
	if len(result) > 0 {
		fmt.Fprintf(&b, "<%sResult>", action)
		writeMembers(&b, result)
		fmt.Fprintf(&b, "</%sResult>", action)
	}
	b.WriteString("<ResponseMetadata><RequestId>")
	xml.EscapeText(&b, []byte(requestID))
	fmt.Fprintf(&b, "</RequestId></ResponseMetadata></%sResponse>", action)
	w.Header().Set("Content-Type", "text/xml")
	w.WriteHeader(http.StatusOK)
	w.Write(b.Bytes())
}

// WriteError writes an error answer.
func WriteError(w http.ResponseWriter, namespace, requestID string, status int, code, message string) {
	fault := "Sender"
	if status >= 500 {
		fault = "Receiver"
	}
	var b bytes.Buffer
	fmt.Fprintf(&b, `<ErrorResponse xmlns="%s"><Error><Type>%s</Type><Code>`, namespace, fault)
	xml.EscapeText(&b, []byte(code))
	b.WriteString("</Code><Message>")
	xml.EscapeText(&b, []byte(message))
	b.WriteString("</Message></Error><RequestId>")
	xml.EscapeText(&b, []byte(requestID))
	b.WriteString("</RequestId></ErrorResponse>")
	w.Header().Set("Content-Type", "text/xml")
	w.WriteHeader(status)
	w.Write(b.Bytes())
}

// routerCodes are the codes AWS's query services give the errors the
// awsapi.Router raises.
var routerCodes = map[string]string{
	awsapi.CodeUnrecognizedClient:  "InvalidClientTokenId",
	awsapi.CodeInvalidSignature:    "SignatureDoesNotMatch",
	awsapi.CodeIncompleteSignature: "IncompleteSignature",
	awsapi.CodeTooLarge:            "RequestEntityTooLarge",
	awsapi.CodeThrottling:          "Throttling",
}

// RouterCode returns the code a query service gives an error the Router
// raised with code, the code itself when it has no other.
func RouterCode(code string) string {
	if c, ok := routerCodes[code]; ok {
		return c
	}
	return code
}

func writeMembers(b *bytes.Buffer, m map[string]any) {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		writeValue(b, k, m[k])
	}
}

func writeValue(b *bytes.Buffer, name string, v any) {
	if v == nil {
		return
	}
	fmt.Fprintf(b, "<%s>", name)
	switch v := v.(type) {
	case map[string]any:
		writeMembers(b, v)
	case Map:
		keys := make([]string, 0, len(v))
		for k := range v {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		for _, k := range keys {
			b.WriteString("<entry>")
			writeValue(b, "key", k)
			writeValue(b, "value", v[k])
			b.WriteString("</entry>")
		}
	case []any:
		for _, e := range v {
			writeValue(b, "member", e)
		}
	case string:
		xml.EscapeText(b, []byte(v))
	case float64:
		b.WriteString(formatFloat(v))
	case int:
		b.WriteString(strconv.Itoa(v))
	case bool:
		b.WriteString(strconv.FormatBool(v))
	case time.Time:
		b.WriteString(v.UTC().Format("2006-01-02T15:04:05.000Z"))
	}
	fmt.Fprintf(b, "</%s>", name)
}

// formatFloat formats a double as encoding/json does: no exponent between
// 1e-6 and 1e21.
func formatFloat(f float64) string {
	if a := math.Abs(f); a != 0 && (a < 1e-6 || a >= 1e21) {
		return strconv.FormatFloat(f, 'e', -1, 64)
	}
	return strconv.FormatFloat(f, 'f', -1, 64)
}
