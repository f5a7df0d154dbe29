package filterpattern

import "github.com/lambdalog/lambdalog/internal/filtercases"

// The table of cases lives in internal/filtercases, where the CloudWatch Logs
// server's tests run the same cases through TestMetricFilter and
// FilterLogEvents. This file adapts it to the shapes these tests use.

// matchCase is one pattern applied to one event.
type matchCase struct {
	src     string // doc, cis, cdk, seed or edge
	pattern string
	event   string
	want    bool
}

// extractCase is a space-delimited pattern with the values TestMetricFilter
// reports for an event.
type extractCase struct {
	src     string
	pattern string
	event   string
	want    map[string]string
}

// errorCase is a pattern Parse must reject.
type errorCase struct {
	src     string
	pattern string
	offset  int    // byte offset the error must point at
	aws     string // expected AWSMessage, "" to skip
}

var (
	matchCases = convert(filtercases.MatchCases, func(c filtercases.MatchCase) matchCase {
		return matchCase{c.Src, c.Pattern, c.Event, c.Want}
	})
	extractCases = convert(filtercases.ExtractCases, func(c filtercases.ExtractCase) extractCase {
		return extractCase{c.Src, c.Pattern, c.Event, c.Want}
	})
	errorCases = convert(filtercases.ErrorCases, func(c filtercases.ErrorCase) errorCase {
		return errorCase{c.Src, c.Pattern, c.Offset, c.AWS}
	})
)

func convert[T, U any](in []T, fn func(T) U) []U {
	out := make([]U, len(in))
	for i, c := range in {
		out[i] = fn(c)
	}
	return out
}

// Sample events used by tests outside the table.
const (
	docTrail     = filtercases.DocTrail
	docUsers     = filtercases.DocUsers
	docApache1   = filtercases.DocApache1
	docU400      = filtercases.DocU400
	ptError      = filtercases.PTError
	ptInfo       = filtercases.PTInfo
	lambdaReport = filtercases.LambdaReport
	lambdaStart  = filtercases.LambdaStart
)
