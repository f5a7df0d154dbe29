package tracer_test

import (
	"context"
	"encoding/json"
	"fmt"
	"log"
	"net"
	"net/http"
	"strings"

	"github.com/aws/aws-lambda-go/lambda"
	"go.opentelemetry.io/otel/propagation"

	"github.com/lambdalog/lambdalog/tracer"
)

// A function traced as the Powertools tutorial traces it: the handler's subsegment, a captured
// function with the User annotation, and downstream HTTP calls.
func Example() {
	t, err := tracer.New() // POWERTOOLS_SERVICE_NAME names the service
	if err != nil {
		log.Fatal(err)
	}
	client := &http.Client{Transport: t.Transport(nil)}
	handler := func(ctx context.Context, name string) (string, error) {
		return tracer.CaptureMethod(ctx, "hello_name", func(ctx context.Context) (string, error) {
			tracer.PutAnnotation(ctx, "User", name)
			req, _ := http.NewRequestWithContext(ctx, "GET", "https://example.com/users/"+name, nil)
			resp, err := client.Do(req)
			if err != nil {
				return "", err
			}
			resp.Body.Close()
			return "hello " + name + "!", nil
		})
	}
	lambda.Start(tracer.Wrap(t, handler))
}

// What one invocation sends to the X-Ray daemon.
func ExampleCaptureMethod() {
	daemon, _ := net.ListenUDP("udp", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	defer daemon.Close()
	t, _ := tracer.New(tracer.WithDisabled(false), tracer.WithService("hello"), tracer.WithDaemonAddress(daemon.LocalAddr().String()))
	defer t.Shutdown(context.Background())

	handler := tracer.Wrap(t, func(ctx context.Context, name string) (string, error) {
		return tracer.CaptureMethod(ctx, "hello_name", func(ctx context.Context) (string, error) {
			tracer.PutAnnotation(ctx, "User", name)
			return "hello " + name + "!", nil
		})
	})
	// aws-lambda-go's runtime loop puts the invocation's trace header on the context.
	ctx := context.WithValue(context.Background(), "x-amzn-trace-id", //nolint:staticcheck // aws-lambda-go's key
		"Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1")
	lambda.NewHandler(handler).Invoke(ctx, []byte(`"ann"`))

	buf := make([]byte, 65536)
	n, _ := daemon.Read(buf)
	header, document, _ := strings.Cut(string(buf[:n]), "\n")
	var doc struct {
		Name, Type  string
		TraceID     string `json:"trace_id"`
		ParentID    string `json:"parent_id"`
		Annotations map[string]any
		Metadata    map[string]map[string]any
		Subsegments []struct {
			Name        string
			Annotations map[string]any
		}
	}
	json.Unmarshal([]byte(document), &doc)
	fmt.Println(header)
	fmt.Println(doc.Type, doc.Name, "in", doc.TraceID, "under", doc.ParentID)
	fmt.Println(doc.Annotations, doc.Metadata["hello"]["handler response"])
	fmt.Println(doc.Subsegments[0].Name, doc.Subsegments[0].Annotations)
	// Output:
	// {"format": "json", "version": 1}
	// subsegment ## handler in 1-5759e988-bd862e3fe1be46a994272793 under 53995c3f42cd8ad8
	// map[ColdStart:true Service:hello] hello ann!
	// ## hello_name map[User:ann]
}

func ExamplePropagator() {
	p := tracer.Propagator{}
	in := propagation.HeaderCarrier{}
	in.Set("X-Amzn-Trace-Id", "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1;Lineage=a87bd80c:1")
	ctx := p.Extract(context.Background(), in)
	fmt.Println(tracer.TraceID(ctx))
	out := propagation.HeaderCarrier{}
	p.Inject(ctx, out)
	fmt.Println(out.Get("X-Amzn-Trace-Id"))
	// Output:
	// 1-5759e988-bd862e3fe1be46a994272793
	// Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1;Lineage=a87bd80c:1
}

func ExamplePutAnnotation() {
	ctx := context.Background() // a handler's context, in a traced function
	fmt.Println(tracer.PutAnnotation(ctx, "User", "ann"))
	fmt.Println(tracer.PutAnnotation(ctx, "order-id", 42))
	// Output:
	// <nil>
	// tracer: annotation key "order-id": invalid key: X-Ray filters only on keys of ASCII letters, digits and _
}
