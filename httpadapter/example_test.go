package httpadapter_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"

	"github.com/lambdalog/lambdalog/httpadapter"
)

// A ServeMux with method and wildcard patterns, served to an HTTP API event.
// In a function, pass the adapter to lambda.Start instead.
func Example() {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /hello/{name}", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprintf(w, `{"message":"hello %s!"}`, r.PathValue("name"))
	})
	adapter := httpadapter.New(httpadapter.JSONErrors(mux))
	// lambda.Start(adapter)

	event := `{"version":"2.0","rawPath":"/hello/gopher","requestContext":{"requestId":"abc","http":{"method":"GET","sourceIp":"203.0.113.7"}}}`
	out, err := adapter.Invoke(context.Background(), []byte(event))
	if err != nil {
		panic(err)
	}
	fmt.Println(string(out))
	// Output:
	// {"statusCode":200,"headers":{"Content-Type":"application/json"},"body":"{\"message\":\"hello gopher!\"}","isBase64Encoded":false}
}

// The original event, with its authorizer claims, is in the request's context.
func ExampleAPIGatewayV2Event() {
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ev, ok := httpadapter.APIGatewayV2Event(r.Context())
		if !ok || ev.RequestContext.Authorizer == nil || ev.RequestContext.Authorizer.JWT == nil {
			http.Error(w, "unauthenticated", http.StatusUnauthorized)
			return
		}
		fmt.Fprintf(w, "hello %s", ev.RequestContext.Authorizer.JWT.Claims["sub"])
	})
	event := `{"version":"2.0","rawPath":"/me","requestContext":{"authorizer":{"jwt":{"claims":{"sub":"user-42"}}},"http":{"method":"GET"}}}`
	out, _ := httpadapter.New(h).Invoke(context.Background(), []byte(event))
	var resp struct{ Body string }
	json.Unmarshal(out, &resp)
	fmt.Println(resp.Body)
	// Output: hello user-42
}

// Middleware composes as usual; the same handler also runs under
// net/http's server.
func ExampleCORS() {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /items", func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, "[]") })
	cors := httpadapter.CORS(httpadapter.CORSConfig{AllowOrigins: []string{"https://app.example.com"}, AllowCredentials: true})
	handler := cors(httpadapter.Gzip(httpadapter.JSONErrors(mux)))
	adapter := httpadapter.New(handler, httpadapter.WithSource(httpadapter.SourceALB))

	event := `{"httpMethod":"OPTIONS","path":"/items","headers":{"origin":"https://app.example.com","access-control-request-method":"GET"},"requestContext":{"elb":{"targetGroupArn":"arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/t/1"}}}`
	out, _ := adapter.Invoke(context.Background(), []byte(event))
	var resp struct {
		StatusCode int
		Headers    map[string]string
	}
	json.Unmarshal(out, &resp)
	fmt.Println(resp.StatusCode, resp.Headers["Access-Control-Allow-Origin"], resp.Headers["Access-Control-Allow-Credentials"])
	// Output: 204 https://app.example.com true
}
