// Command initerror is a Lambda function that fails during init, before it
// ever asks the Runtime API for an invocation.
package main

import (
	"log"
	"os"

	"github.com/aws/aws-lambda-go/lambda"
)

func main() {
	if os.Getenv("REQUIRED_SETTING") == "" {
		log.Fatal("init: REQUIRED_SETTING is not set")
	}
	lambda.Start(func() error { return nil })
}
