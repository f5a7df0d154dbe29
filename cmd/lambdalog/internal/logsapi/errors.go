package logsapi

import (
	"fmt"
	"net/http"
	"strings"

	"github.com/lambdalog/lambdalog/cmd/lambdalog/internal/awsapi"
)

// clientError returns a 400 error of the given shape.
func clientError(shape, format string, args ...any) *awsapi.Error {
	return &awsapi.Error{Status: http.StatusBadRequest, Code: shape, Message: fmt.Sprintf(format, args...)}
}

func invalidParameter(format string, args ...any) *awsapi.Error {
	return clientError("InvalidParameterException", format, args...)
}

func serializationError(format string, args ...any) *awsapi.Error {
	return clientError("SerializationException", format, args...)
}

var (
	errGroupNotFound  = clientError("ResourceNotFoundException", "The specified log group does not exist.")
	errStreamNotFound = clientError("ResourceNotFoundException", "The specified log stream does not exist.")
	errGroupExists    = clientError("ResourceAlreadyExistsException", "The specified log group already exists")
	errStreamExists   = clientError("ResourceAlreadyExistsException", "The specified log stream already exists")
	errBadToken       = invalidParameter("The specified nextToken is invalid.")
	errInternal       = &awsapi.Error{Status: http.StatusInternalServerError, Code: "ServiceUnavailableException", Message: "The service cannot complete the request."}
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
