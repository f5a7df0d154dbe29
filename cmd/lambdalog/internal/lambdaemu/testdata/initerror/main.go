// Command initerror is a Lambda function that fails during init, before it
// ever asks the Runtime API for an invocation: always when REQUIRED_SETTING
// is unset, or only on its first start when FAIL_FIRST_INIT names a file
// that does not exist yet (it creates it).
package main

import (
	"log"
	"os"

	"github.com/aws/aws-lambda-go/lambda"
)

func main() {
	if marker := os.Getenv("FAIL_FIRST_INIT"); marker != "" {
		if _, err := os.Stat(marker); err != nil {
			if err := os.WriteFile(marker, nil, 0o600); err != nil {
				log.Fatal(err)
			}
			log.Fatal("init: first attempt fails")
		}
	} else if os.Getenv("REQUIRED_SETTING") == "" {
		log.Fatal("init: REQUIRED_SETTING is not set")
	}
	lambda.Start(func() (string, error) { return "ok", nil })
}
