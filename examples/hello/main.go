// Command hello is the tutorial's "hello" API as an AWS Lambda function behind an API Gateway
// REST API (proxy integration): GET /hello answers {"message":"hello unknown!"} and
// GET /hello/{name} answers {"message":"hello <name>!"}; anything else is a JSON 404.
//
// It logs with lambdalog's logger: Powertools-shaped JSON on stdout, with the API Gateway
// request id as correlation_id, and the incoming event (secrets redacted) when
// POWERTOOLS_LOGGER_LOG_EVENT=true. Build it for the provided.al2023 runtime as:
//
//	GOOS=linux GOARCH=arm64 go build -tags lambda.norpc -o bootstrap ./examples/hello
package main

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambda"

	"github.com/lambdalog/lambdalog/logger"
)

func main() {
	lambda.Start(logger.Wrap(hello, logger.WithCorrelationPath(logger.CorrelationAPIGatewayREST)))
}

// hello routes one API Gateway proxy request.
func hello(ctx context.Context, req events.APIGatewayProxyRequest) (events.APIGatewayProxyResponse, error) {
	log := logger.FromContext(ctx)
	name, ok := route(req)
	if !ok {
		log.Info("no route", "method", req.HTTPMethod, "path", req.Path)
		return reply(http.StatusNotFound, "not found: "+req.HTTPMethod+" "+req.Path), nil
	}
	log.Info("greeting", "name", name)
	return reply(http.StatusOK, "hello "+name+"!"), nil
}

// route returns the name to greet for GET /hello and GET /hello/{name}. The name comes from
// the {name} path parameter, else from the path itself.
func route(req events.APIGatewayProxyRequest) (name string, ok bool) {
	if req.HTTPMethod != http.MethodGet {
		return "", false
	}
	if n := req.PathParameters["name"]; n != "" {
		return n, true
	}
	rest, found := strings.CutPrefix(strings.TrimSuffix(req.Path, "/"), "/hello")
	switch {
	case !found:
		return "", false
	case rest == "":
		return "unknown", true
	case strings.Count(rest, "/") == 1 && rest[0] == '/':
		n, err := url.PathUnescape(rest[1:])
		return n, err == nil
	}
	return "", false
}

// reply builds a JSON response {"message": message}.
func reply(status int, message string) events.APIGatewayProxyResponse {
	body, _ := json.Marshal(struct {
		Message string `json:"message"`
	}{message}) // a struct of one string always marshals
	return events.APIGatewayProxyResponse{
		StatusCode: status,
		Headers:    map[string]string{"Content-Type": "application/json"},
		Body:       string(body),
	}
}
