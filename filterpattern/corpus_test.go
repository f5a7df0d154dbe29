package filterpattern

import (
	"strings"

	"github.com/lambdalog/lambdalog/internal/filtercases"
)

// lambdaCorpus is the shared realistic Lambda log corpus.
var lambdaCorpus = filtercases.LambdaCorpus

// onlyJSON returns the events that are JSON objects.
func onlyJSON(events []string) []string {
	var out []string
	for _, e := range events {
		if strings.HasPrefix(e, "{") {
			out = append(out, e)
		}
	}
	return out
}
