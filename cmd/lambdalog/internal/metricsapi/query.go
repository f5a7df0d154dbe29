package metricsapi

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

// The awsQuery protocol (the aws CLI v2 up to 2.2x, older SDKs): POST / with a
// form body Action=<Op>&Version=2010-08-01&<parameters>, answered in XML.

// Wire constants of the awsQuery protocol.
const (
	// QueryVersion is the Version every awsQuery request names.
	QueryVersion = "2010-08-01"
	// QueryNamespace is the XML namespace of awsQuery responses.
	QueryNamespace = "http://monitoring.amazonaws.com/doc/2010-08-01/"
	// querySignature is how the SigV4 Authorization header of a CloudWatch
	// request ends its credential scope (AKID/date/region/monitoring/aws4_request).
	querySignature = "/monitoring/aws4_request"
)

// isQuery reports whether r is an awsQuery request for this API: a form POST
// to / signed for the service "monitoring". Nothing else tells it from the
// awsQuery requests of other services (STS, SQS, ...) before the body is
// read, so an unsigned awsQuery request is not recognised.
func isQuery(r *http.Request) bool {
	return r.Method == http.MethodPost && r.URL.Path == "/" &&
		strings.HasPrefix(r.Header.Get("Content-Type"), "application/x-www-form-urlencoded") &&
		strings.Contains(r.Header.Get("Authorization"), querySignature)
}

// serveQuery answers an awsQuery request.
func (h *Handler) serveQuery(w http.ResponseWriter, r *awsapi.Request) {
	name, out, err := h.runQuery(r)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	var b bytes.Buffer
	fmt.Fprintf(&b, `<%sResponse xmlns="%s">`, name, QueryNamespace)
	if len(out) > 0 {
		fmt.Fprintf(&b, "<%sResult>", name)
		writeXMLMembers(&b, out)
		fmt.Fprintf(&b, "</%sResult>", name)
	}
	b.WriteString("<ResponseMetadata><RequestId>")
	xml.EscapeText(&b, []byte(r.ID))
	fmt.Fprintf(&b, "</RequestId></ResponseMetadata></%sResponse>", name)
	w.Header().Set("Content-Type", "text/xml")
	w.WriteHeader(http.StatusOK)
	w.Write(b.Bytes())
}

func (h *Handler) runQuery(r *awsapi.Request) (string, map[string]any, error) {
	body, err := decompress(r.Payload, r.Header.Get("Content-Encoding"))
	if err != nil {
		return "", nil, serialization(err)
	}
	name, doc, err := decodeQuery(body)
	if err != nil {
		return "", nil, err
	}
	out, err := operations[name](h, r.Context(), params{m: doc, text: true})
	return name, out, err
}

// maxQueryDepth bounds the dotted segments of one parameter name.
const maxQueryDepth = 32

// maxQueryIndex bounds a list index (Name.member.N); lists must also be
// numbered 1 to their length without gaps.
const maxQueryIndex = 100_000

// decodeQuery decodes a form body into the operation it names and a request
// document whose scalars are all strings (see params.text): a parameter
// A.B.C sets the member C of the structure B of the structure A, and
// A.member.N the Nth element of the list A. An empty value for a list, A=,
// is an empty list.
func decodeQuery(body []byte) (string, map[string]any, error) {
	vals, err := url.ParseQuery(string(body))
	if err != nil {
		return "", nil, malformedQuery("the request body is not a valid form: %v", err)
	}
	action := vals.Get("Action")
	switch version := vals.Get("Version"); {
	case action == "":
		return "", nil, &apiError{"MissingAction", "MissingAction", http.StatusBadRequest, "The request must contain the parameter Action."}
	case operations[action] == nil || version != QueryVersion:
		return "", nil, &apiError{"InvalidAction", "InvalidAction", http.StatusBadRequest,
			fmt.Sprintf("Could not find operation %s for version %s.", action, version)}
	}
	root := map[string]any{}
	for k, vs := range vals {
		if k == "Action" || k == "Version" {
			continue
		}
		if len(vs) != 1 {
			return "", nil, malformedQuery("the parameter %s appears %d times", k, len(vs))
		}
		if err := setQueryParam(root, k, vs[0]); err != nil {
			return "", nil, err
		}
	}
	doc, err := finishQuery(root, "")
	if err != nil {
		return "", nil, err
	}
	return action, doc.(map[string]any), nil
}

// queryList is a list being decoded, by 1-based index.
type queryList map[int]any

// queryStep is one step of a parameter name: a member name, or a list index.
type queryStep struct {
	key   string
	index int // > 0 for a list element
}

func setQueryParam(root map[string]any, name, value string) error {
	segs := strings.Split(name, ".")
	if len(segs) > maxQueryDepth {
		return malformedQuery("the parameter name %.64s... has more than %d parts", name, maxQueryDepth)
	}
	var steps []queryStep
	for i := 0; i < len(segs); i++ {
		if segs[i] == "" {
			return malformedQuery("the parameter name %q has an empty part", name)
		}
		if segs[i] == "member" && i > 0 && i+1 < len(segs) {
			if n, err := strconv.Atoi(segs[i+1]); err == nil && n > 0 && n <= maxQueryIndex && strconv.Itoa(n) == segs[i+1] {
				steps = append(steps, queryStep{index: n})
				i++
				continue
			}
		}
		steps = append(steps, queryStep{key: segs[i]})
	}
	var cur any = root
	for i, st := range steps {
		var child any
		var set func(any)
		switch c := cur.(type) {
		case map[string]any:
			if st.index > 0 {
				return malformedQuery("the parameter %s treats a structure as a list", name)
			}
			child, set = c[st.key], func(v any) { c[st.key] = v }
		case queryList:
			if st.index == 0 {
				return malformedQuery("the parameter %s treats a list as a structure", name)
			}
			child, set = c[st.index], func(v any) { c[st.index] = v }
		default:
			return malformedQuery("the parameter %s extends a parameter that has a value", name)
		}
		if i == len(steps)-1 {
			if child != nil {
				return malformedQuery("the parameter %s is given twice", name)
			}
			set(value)
			return nil
		}
		if child == nil {
			if steps[i+1].index > 0 {
				child = queryList{}
			} else {
				child = map[string]any{}
			}
			set(child)
		}
		cur = child
	}
	return nil
}

// finishQuery turns the queryLists of a decoded form into []any.
func finishQuery(v any, path string) (any, error) {
	switch v := v.(type) {
	case map[string]any:
		for k, e := range v {
			x, err := finishQuery(e, joinPath(path, k))
			if err != nil {
				return nil, err
			}
			v[k] = x
		}
		return v, nil
	case queryList:
		l := make([]any, len(v))
		for i := range l {
			e, ok := v[i+1]
			if !ok {
				return nil, malformedQuery("the list %s has no member %d but has %d members", path, i+1, len(v))
			}
			x, err := finishQuery(e, fmt.Sprintf("%s.member.%d", path, i+1))
			if err != nil {
				return nil, err
			}
			l[i] = x
		}
		return l, nil
	}
	return v, nil
}

func joinPath(path, k string) string {
	if path == "" {
		return k
	}
	return path + "." + k
}

func malformedQuery(format string, args ...any) error {
	return &apiError{"MalformedQueryString", "MalformedQueryString", http.StatusNotFound, fmt.Sprintf(format, args...)}
}

// writeXMLMembers writes the members of a structure, in name order.
func writeXMLMembers(b *bytes.Buffer, m map[string]any) {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		writeXML(b, k, m[k])
	}
}

// writeXML writes one value of a response document as the awsQuery protocol
// does: structures as nested elements, lists as <member> elements, maps as
// <entry><key/><value/></entry>, timestamps in ISO 8601.
func writeXML(b *bytes.Buffer, name string, v any) {
	if v == nil {
		return
	}
	fmt.Fprintf(b, "<%s>", name)
	switch v := v.(type) {
	case map[string]any:
		writeXMLMembers(b, v)
	case valueMap:
		keys := make([]string, 0, len(v))
		for k := range v {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		for _, k := range keys {
			b.WriteString("<entry>")
			writeXML(b, "key", k)
			writeXML(b, "value", v[k])
			b.WriteString("</entry>")
		}
	case []any:
		for _, e := range v {
			writeXML(b, "member", e)
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

// writeQueryError writes e as an awsQuery ErrorResponse.
func writeQueryError(w http.ResponseWriter, requestID string, e *apiError, fault string) {
	var b bytes.Buffer
	fmt.Fprintf(&b, `<ErrorResponse xmlns="%s"><Error><Type>%s</Type><Code>`, QueryNamespace, fault)
	xml.EscapeText(&b, []byte(e.code))
	b.WriteString("</Code><Message>")
	xml.EscapeText(&b, []byte(e.message))
	b.WriteString("</Message></Error><RequestId>")
	xml.EscapeText(&b, []byte(requestID))
	b.WriteString("</RequestId></ErrorResponse>")
	w.Header().Set("Content-Type", "text/xml")
	w.WriteHeader(e.status)
	w.Write(b.Bytes())
}
