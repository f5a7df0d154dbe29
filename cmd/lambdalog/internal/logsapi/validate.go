package logsapi

import (
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"
)

// strRule is a string shape's constraints from the botocore model.
type strRule struct {
	min, max int // in characters; max 0 = unbounded
	pattern  string
	re       *regexp.Regexp
}

func newStrRule(minLen, maxLen int, pattern string) strRule {
	r := strRule{min: minLen, max: maxLen, pattern: pattern}
	if pattern != "" {
		r.re = regexp.MustCompile(`^(?:` + pattern + `)$`)
	}
	return r
}

// Shapes of the logs 2014-03-28 model used by the implemented operations.
var (
	ruleGroupName       = newStrRule(1, 512, `[\.\-_/#A-Za-z0-9]+`)
	ruleGroupNamePat    = newStrRule(0, 512, `[\.\-_/#A-Za-z0-9]*`)
	ruleGroupIdentifier = newStrRule(1, 2048, `[\w#+=/:,.@-]*`)
	ruleStreamName      = newStrRule(1, 512, `[^:*]*`)
	ruleResourceArn     = newStrRule(1, 1011, `[\w+=/:,.@-]*`)
	ruleTagKey          = newStrRule(1, 128, `^([\p{L}\p{Z}\p{N}_.:/=+\-@]+)$`)
	ruleTagValue        = newStrRule(0, 256, `^([\p{L}\p{Z}\p{N}_.:/=+\-@]*)$`)
	ruleNextToken       = newStrRule(1, 0, "")
	ruleKMSKeyID        = newStrRule(0, 256, "")
	ruleFilterPattern   = newStrRule(0, 1024, "")
	ruleAccountID       = newStrRule(12, 12, `^\d{12}$`)
	ruleEventMessage    = newStrRule(1, 0, "")
)

var retentionDays = []int32{1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653}

var logGroupClasses = []string{"STANDARD", "INFREQUENT_ACCESS", "DELIVERY"}

func quote(s string) string { return "'" + s + "'" }

// str checks an optional string parameter; required reports a missing one.
func (v *validationErrors) str(param string, s *string, required bool, r strRule) {
	if s == nil {
		if required {
			v.add("null", param, "not be null")
		}
		return
	}
	n := utf8.RuneCountInString(*s)
	switch {
	case n < r.min:
		v.add(quote(*s), param, fmt.Sprintf("have length greater than or equal to %d", r.min))
	case r.max > 0 && n > r.max:
		v.add(quote(*s), param, fmt.Sprintf("have length less than or equal to %d", r.max))
	case r.re != nil && !r.re.MatchString(*s):
		v.add(quote(*s), param, "satisfy regular expression pattern: "+r.pattern)
	}
}

// intRange checks an optional integer parameter against [lo, hi].
func (v *validationErrors) intRange(param string, n *int64, lo, hi int64) {
	switch {
	case n == nil:
	case *n < lo:
		v.add(quote(strconv.FormatInt(*n, 10)), param, fmt.Sprintf("have value greater than or equal to %d", lo))
	case *n > hi:
		v.add(quote(strconv.FormatInt(*n, 10)), param, fmt.Sprintf("have value less than or equal to %d", hi))
	}
}

// enum checks an optional enum parameter.
func (v *validationErrors) enum(param string, s *string, values []string) {
	if s != nil && !slices.Contains(values, *s) {
		v.add(quote(*s), param, "satisfy enum value set: ["+strings.Join(values, ", ")+"]")
	}
}

// tags checks a Tags map (1–50 entries, key and value shapes).
func (v *validationErrors) tags(param string, tags map[string]string, required bool) {
	if tags == nil {
		if required {
			v.add("null", param, "not be null")
		}
		return
	}
	if len(tags) < 1 || len(tags) > 50 {
		v.add(fmt.Sprintf("'%v'", tags), param, "have length between 1 and 50")
		return
	}
	for _, k := range slices.Sorted(maps.Keys(tags)) {
		val := tags[k]
		v.str(param+"."+k+".member.key", &k, true, ruleTagKey)
		v.str(param+"."+k+".member.value", &val, true, ruleTagValue)
	}
}
