package metricsapi

import (
	"fmt"
	"net/http"
)

// apiError is an AWS error: the shape name (the __type), the awsQuery code and
// the HTTP status from the service model.
type apiError struct {
	shape, code string
	status      int
	message     string
}

func (e *apiError) Error() string { return e.shape + ": " + e.message }

func invalidValue(format string, args ...any) error {
	return &apiError{"InvalidParameterValueException", "InvalidParameterValue", http.StatusBadRequest, fmt.Sprintf(format, args...)}
}

func missing(param string) error {
	return &apiError{"MissingRequiredParameterException", "MissingParameter", http.StatusBadRequest,
		fmt.Sprintf("The parameter %s is required.", param)}
}

func invalidCombination(format string, args ...any) error {
	return &apiError{"InvalidParameterCombinationException", "InvalidParameterCombination", http.StatusBadRequest, fmt.Sprintf(format, args...)}
}

func invalidNextToken() error {
	return &apiError{"InvalidNextToken", "InvalidNextToken", http.StatusBadRequest, "The service cannot process the NextToken."}
}

func serialization(err error) error {
	return &apiError{"SerializationException", "SerializationException", http.StatusBadRequest, err.Error()}
}

func unknownOperation(op string) error {
	return &apiError{"UnknownOperationException", "UnknownOperation", http.StatusBadRequest,
		fmt.Sprintf("The operation %q is not supported by this local server.", op)}
}

func internal(err error) *apiError {
	return &apiError{"InternalServiceFault", "InternalServiceError", http.StatusInternalServerError, err.Error()}
}
