package lambdaemu_test

import (
	"context"
	"fmt"
	"log"
	"net/http"
	"os"

	"github.com/lambdalog/lambdalog/cmd/lambdalog/internal/awsapi"
	"github.com/lambdalog/lambdalog/cmd/lambdalog/internal/lambdaemu"
	"github.com/lambdalog/lambdalog/cmd/lambdalog/internal/store"
)

// Run a Go function from a SAM template, invoke it, and serve the Invoke
// API and an API Gateway front.
func Example() {
	ctx := context.Background()
	st, err := store.Open("/tmp/lambdalog-data", store.Options{})
	if err != nil {
		log.Fatal(err)
	}
	defer st.Close()
	emu, err := lambdaemu.New(lambdaemu.Options{Sink: lambdaemu.StoreSink(st, "us-east-1"), Echo: os.Stdout})
	if err != nil {
		log.Fatal(err)
	}
	defer emu.Close()

	fns, err := lambdaemu.LoadTemplate("template.yaml")
	if err != nil {
		log.Fatal(err)
	}
	for _, tf := range fns {
		fn := tf.Function
		if fn.Command, err = lambdaemu.Build(ctx, tf.CodeDir, "/tmp/build/"+fn.Name); err != nil {
			log.Fatal(err)
		}
		if err := emu.AddFunction(fn); err != nil {
			log.Fatal(err)
		}
	}

	out, err := emu.Invoke(ctx, fns[0].Name, lambdaemu.InvokeInput{Payload: []byte(`{}`)})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("%s\n%s", out.Payload, out.Log) // the log ends with the REPORT line

	go http.ListenAndServe("127.0.0.1:3000", emu.APIGateway())
	log.Fatal(http.ListenAndServe("127.0.0.1:4588", awsapi.NewRouter(awsapi.Options{}, emu.InvokeAPI())))
}
