package logsapi

import (
	"fmt"
	"net/http"
	"strings"
)

// apiError is an AWS-shaped error: its shape name becomes __type.
type apiError struct {
	status int
	shape  string
	msg    string
}

func (e *apiError) Error() string { return e.shape + ": " + e.msg }

func clientError(shape, format string, args ...any) *apiError {
	return &apiError{status: http.StatusBadRequest, shape: shape, msg: fmt.Sprintf(format, args...)}
}

func invalidParameter(format string, args ...any) *apiError {
	return clientError("InvalidParameterException", format, args...)
}

func serializationError(format string, args ...any) *apiError {
	return clientError("SerializationException", format, args...)
}

var (
	errGroupNotFound  = clientError("ResourceNotFoundException", "The specified log group does not exist.")
	errStreamNotFound = clientError("ResourceNotFoundException", "The specified log stream does not exist.")
	errGroupExists    = clientError("ResourceAlreadyExistsException", "The specified log group already exists")
	errStreamExists   = clientError("ResourceAlreadyExistsException", "The specified log stream already exists")
	errBadToken       = invalidParameter("The specified nextToken is invalid.")
	errInternal       = &apiError{status: http.StatusInternalServerError, shape: "ServiceUnavailableException", msg: "The service cannot complete the request."}
)

// validationErrors collects model constraint violations worded as AWS does.
type validationErrors []string

func (v *validationErrors) add(value, param, constraint string) {
	*v = append(*v, fmt.Sprintf("Value %s at '%s' failed to satisfy constraint: Member must %s", value, param, constraint))
}

// err returns the InvalidParameterException for the collected violations,
// or nil when there are none.
func (v validationErrors) err() error {
	switch len(v) {
	case 0:
		return nil
	case 1:
		return invalidParameter("1 validation error detected: %s", v[0])
	}
	return invalidParameter("%d validation errors detected: %s", len(v), strings.Join(v, "; "))
}

func writeError(w http.ResponseWriter, e *apiError) {
	h := w.Header()
	h.Set("Content-Type", contentType)
	h.Set("X-Amzn-ErrorType", e.shape)
	w.WriteHeader(e.status)
	b := make([]byte, 0, 64+len(e.msg))
	b = append(b, `{"__type":`...)
	b = appendString(b, e.shape)
	b = append(b, `,"message":`...)
	b = appendString(b, e.msg)
	b = append(b, '}')
	_, _ = w.Write(b)
}
