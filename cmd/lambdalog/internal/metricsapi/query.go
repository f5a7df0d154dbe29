package metricsapi

import (
	"net/http"

	"github.com/lambdalog/lambdalog/cmd/lambdalog/internal/awsapi"
	"github.com/lambdalog/lambdalog/cmd/lambdalog/internal/awsquery"
)

// Wire constants of the awsQuery protocol (package awsquery).
const (
	// QueryVersion is the Version every awsQuery request names.
	QueryVersion = "2010-08-01"
	// QueryNamespace is the XML namespace of awsQuery answers.
	QueryNamespace = "http://monitoring.amazonaws.com/doc/2010-08-01/"
)

// isQuery reports whether r is an awsQuery request for this API: a form POST
// to / signed for the service "monitoring".
func isQuery(r *http.Request) bool { return awsquery.IsRequest(r, "monitoring") }

// serveQuery answers an awsQuery request.
func (h *Handler) serveQuery(w http.ResponseWriter, r *awsapi.Request) {
	name, out, err := h.runQuery(r)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	awsquery.WriteResponse(w, QueryNamespace, name, r.ID, out)
}

// runQuery decodes an awsQuery request, whose scalars are all strings (see
// params.text), and runs its operation.
func (h *Handler) runQuery(r *awsapi.Request) (string, map[string]any, error) {
	body, err := decompress(r.Payload, r.Header.Get("Content-Encoding"))
	if err != nil {
		return "", nil, serialization(err)
	}
	action, version, doc, e := awsquery.Decode(body)
	if e == nil && (operations[action] == nil || version != QueryVersion) {
		e = awsquery.InvalidAction(action, version)
	}
	if e != nil {
		return "", nil, &apiError{e.Code, e.Code, e.Status, e.Message}
	}
	out, err := operations[action](h, r.Context(), params{m: doc, text: true})
	return action, out, err
}
