package logsapi

import (
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/lambdalog/lambdalog/cmd/lambdalog/internal/store"
	"github.com/lambdalog/lambdalog/filterpattern"
)

// Quotas of CloudWatch Logs on filter definitions, per log group.
const (
	maxMetricFilters       = 100
	maxSubscriptionFilters = 2
	// maxRegexFilters is how many filters of one kind in a group may use
	// regular expressions.
	maxRegexFilters = 5
	// maxDimensions is how many dimensions one metric transformation may have.
	maxDimensions = 3
)

var (
	ruleFilterName      = newStrRule(1, 512, `[^:*]*`)
	ruleMetricName      = newStrRule(0, 255, `[^:*$]*`)
	ruleMetricValue     = newStrRule(0, 100, "")
	ruleDimension       = newStrRule(0, 255, "")
	ruleFieldSelection  = newStrRule(0, 2000, "")
	ruleARN             = newStrRule(1, 0, "")
	errLimitExceeded    = clientError("LimitExceededException", "Resource limit exceeded.")
	errMetricFilterGone = clientError("ResourceNotFoundException", "The specified metric filter does not exist.")
)

var standardUnits = []string{"Seconds", "Microseconds", "Milliseconds", "Bytes", "Kilobytes", "Megabytes",
	"Gigabytes", "Terabytes", "Bits", "Kilobits", "Megabits", "Gigabits", "Terabits", "Percent", "Count",
	"Bytes/Second", "Kilobytes/Second", "Megabytes/Second", "Gigabytes/Second", "Terabytes/Second",
	"Bits/Second", "Kilobits/Second", "Megabits/Second", "Gigabits/Second", "Terabits/Second",
	"Count/Second", "None"}

// metricTransformation is the model's MetricTransformation shape.
type metricTransformation struct {
	MetricName      *string           `json:"metricName"`
	MetricNamespace *string           `json:"metricNamespace"`
	MetricValue     *string           `json:"metricValue"`
	DefaultValue    *float64          `json:"defaultValue,omitempty"`
	Dimensions      map[string]string `json:"dimensions,omitempty"`
	Unit            *string           `json:"unit,omitempty"`
}

// metricFilterSpec is what a metric filter stores besides its pattern.
type metricFilterSpec struct {
	MetricTransformations  []metricTransformation `json:"metricTransformations"`
	ApplyOnTransformedLogs bool                   `json:"applyOnTransformedLogs"`
	FieldSelectionCriteria *string                `json:"fieldSelectionCriteria,omitempty"`
	EmitSystemFields       []string               `json:"emitSystemFieldDimensions,omitempty"`
}

type putMetricFilterInput struct {
	LogGroupName, FilterName, FilterPattern *string
	metricFilterSpec
}

func (in *putMetricFilterInput) validate(v *validationErrors) {
	v.str("logGroupName", in.LogGroupName, true, ruleGroupName)
	v.str("filterName", in.FilterName, true, ruleFilterName)
	v.str("filterPattern", in.FilterPattern, true, ruleFilterPattern)
	v.str("fieldSelectionCriteria", in.FieldSelectionCriteria, false, ruleFieldSelection)
	switch n := len(in.MetricTransformations); {
	case in.MetricTransformations == nil:
		v.add("null", "metricTransformations", "not be null")
	case n < 1:
		v.add("'[]'", "metricTransformations", "have length greater than or equal to 1")
	case n > 1:
		v.add(fmt.Sprintf("'%d transformations'", n), "metricTransformations", "have length less than or equal to 1")
	}
	for i, t := range in.MetricTransformations {
		p := "metricTransformations." + itoa(i+1) + ".member."
		v.str(p+"metricName", t.MetricName, true, ruleMetricName)
		v.str(p+"metricNamespace", t.MetricNamespace, true, ruleMetricName)
		v.str(p+"metricValue", t.MetricValue, true, ruleMetricValue)
		v.enum(p+"unit", t.Unit, standardUnits)
		for k, d := range t.Dimensions {
			v.str(p+"dimensions.key", &k, true, ruleDimension)
			v.str(p+"dimensions.value", &d, true, ruleDimension)
		}
	}
}

func (h *Handler) putMetricFilter(c *call, in *putMetricFilterInput) (any, error) {
	pat, err := parsePattern(*in.FilterPattern)
	if err != nil {
		return nil, err
	}
	if err := checkTransformation(in.MetricTransformations[0], pat); err != nil {
		return nil, err
	}
	return nil, h.putFilter(c, store.MetricFilter, *in.LogGroupName, *in.FilterName, pat, in.metricFilterSpec, maxMetricFilters)
}

// checkTransformation applies the rules of metric transformations that the
// model does not express: metricValue is a number or a field of the
// pattern's events, dimensions are fields and exclude defaultValue.
func checkTransformation(t metricTransformation, pat *filterpattern.Pattern) error {
	if !isNumber(*t.MetricValue) {
		if err := checkFieldRef("metricValue", *t.MetricValue, pat); err != nil {
			return err
		}
	}
	if len(t.Dimensions) == 0 {
		return nil
	}
	if t.DefaultValue != nil {
		return invalidParameter("Invalid metric transformation: a metric filter with dimensions cannot have a defaultValue")
	}
	if len(t.Dimensions) > maxDimensions {
		return invalidParameter("Invalid metric transformation: at most %d dimensions are allowed, got %d", maxDimensions, len(t.Dimensions))
	}
	for k, d := range t.Dimensions {
		if err := checkFieldRef("dimension "+k, d, pat); err != nil {
			return err
		}
	}
	return nil
}

func isNumber(s string) bool {
	_, err := strconv.ParseFloat(s, 64)
	return err == nil
}

// checkFieldRef checks that ref names a field the pattern can extract:
// $.selector for JSON patterns, $name for space-delimited ones.
func checkFieldRef(what, ref string, pat *filterpattern.Pattern) error {
	switch {
	case pat.Kind() == filterpattern.JSON:
		if _, ok := parseSelector(ref); ok {
			return nil
		}
	case strings.HasPrefix(ref, "$") && !strings.HasPrefix(ref, "$.") && len(ref) > 1 && pat.Kind() == filterpattern.SpaceDelimited:
		return nil
	}
	return invalidParameter("Invalid metric transformation: %s %q must be a number or a field of the filter pattern ($.field for a JSON pattern, $name for a space-delimited one)", what, ref)
}

// putFilter stores a metric or subscription filter definition, enforcing
// the per-group quotas: limit filters of the kind and maxRegexFilters of
// them with regular expressions.
func (h *Handler) putFilter(c *call, kind store.FilterKind, group, name string, pat *filterpattern.Pattern, spec any, limit int) error {
	b, err := json.Marshal(spec)
	if err != nil {
		return fmt.Errorf("encode filter definition: %w", err)
	}
	f := store.Filter{Group: group, Name: name, Pattern: pat.String(), RegexCount: pat.RegexCount(), Spec: b}
	_, err = h.store.PutFilter(c.ctx, c.region, kind, f, func(others []store.Filter) error {
		if len(others) >= limit {
			return errLimitExceeded
		}
		if f.RegexCount == 0 {
			return nil
		}
		n := 1
		for _, o := range others {
			if o.RegexCount > 0 {
				n++
			}
		}
		if n > maxRegexFilters {
			return clientError("LimitExceededException", "Resource limit exceeded: a log group can have at most %d filters of this kind with regular expressions.", maxRegexFilters)
		}
		return nil
	})
	return err
}

// listFilters returns one page of a kind's filter definitions in (group,
// filter name) order and the token of the next page, "" at the end. An
// empty group lists every group's filters; keep, when not nil, selects.
func (h *Handler) listFilters(c *call, kind store.FilterKind, group, prefix string, token *string, limit *int64, keep func(store.Filter) bool) ([]store.Filter, string, error) {
	after, err := decodeToken(token)
	if err != nil {
		return nil, "", err
	}
	n := 50
	if limit != nil {
		n = int(*limit)
	}
	var page []store.Filter
	more := false
	err = h.store.ListFilters(c.ctx, c.region, kind, group, prefix, func(f store.Filter) bool {
		if after != "" && f.Group+"\x00"+f.Name <= after || keep != nil && !keep(f) {
			return true
		}
		if len(page) == n {
			more = true
			return false
		}
		page = append(page, f)
		return true
	})
	if err != nil {
		return nil, "", err
	}
	if !more {
		return page, "", nil
	}
	last := page[len(page)-1]
	return page, encodeToken(last.Group + "\x00" + last.Name), nil
}

// metricFilterOut is the model's MetricFilter shape.
type metricFilterOut struct {
	FilterName    string `json:"filterName"`
	FilterPattern string `json:"filterPattern"`
	CreationTime  int64  `json:"creationTime"`
	LogGroupName  string `json:"logGroupName"`
	metricFilterSpec
}

type describeMetricFiltersInput struct {
	LogGroupName, FilterNamePrefix, NextToken, MetricName, MetricNamespace *string
	Limit                                                                  *int64
}

func (in *describeMetricFiltersInput) validate(v *validationErrors) {
	v.str("logGroupName", in.LogGroupName, false, ruleGroupName)
	v.str("filterNamePrefix", in.FilterNamePrefix, false, ruleFilterName)
	v.str("nextToken", in.NextToken, false, ruleNextToken)
	v.str("metricName", in.MetricName, false, ruleMetricName)
	v.str("metricNamespace", in.MetricNamespace, false, ruleMetricName)
	v.intRange("limit", in.Limit, 1, 50)
}

func (h *Handler) describeMetricFilters(c *call, in *describeMetricFiltersInput) (any, error) {
	if (in.MetricName == nil) != (in.MetricNamespace == nil) {
		return nil, invalidParameter("metricName and metricNamespace must be specified together.")
	}
	group, prefix := "", ""
	if in.LogGroupName != nil {
		group = *in.LogGroupName
		if in.FilterNamePrefix != nil { // AWS uses the prefix only with a group
			prefix = *in.FilterNamePrefix
		}
	}
	out := struct {
		MetricFilters []metricFilterOut `json:"metricFilters"`
		NextToken     string            `json:"nextToken,omitempty"`
	}{MetricFilters: []metricFilterOut{}}
	var keepErr error
	specs := map[string]metricFilterSpec{}
	keep := func(f store.Filter) bool {
		var s metricFilterSpec
		if err := json.Unmarshal(f.Spec, &s); err != nil {
			keepErr = fmt.Errorf("decode metric filter %q: %w", f.Name, err)
			return false
		}
		specs[f.Group+"\x00"+f.Name] = s
		if in.MetricName == nil {
			return true
		}
		for _, t := range s.MetricTransformations {
			if *t.MetricName == *in.MetricName && *t.MetricNamespace == *in.MetricNamespace {
				return true
			}
		}
		return false
	}
	page, next, err := h.listFilters(c, store.MetricFilter, group, prefix, in.NextToken, in.Limit, keep)
	if err = errors.Join(err, keepErr); err != nil {
		return nil, err
	}
	for _, f := range page {
		out.MetricFilters = append(out.MetricFilters, metricFilterOut{
			FilterName: f.Name, FilterPattern: f.Pattern, CreationTime: f.CreationTime,
			LogGroupName: f.Group, metricFilterSpec: specs[f.Group+"\x00"+f.Name],
		})
	}
	out.NextToken = next
	return out, nil
}

// filterInput is the input of DeleteMetricFilter and DeleteSubscriptionFilter.
type filterInput struct{ LogGroupName, FilterName *string }

func (in *filterInput) validate(v *validationErrors) {
	v.str("logGroupName", in.LogGroupName, true, ruleGroupName)
	v.str("filterName", in.FilterName, true, ruleFilterName)
}

func (h *Handler) deleteMetricFilter(c *call, in *filterInput) (any, error) {
	return nil, h.deleteFilter(c, store.MetricFilter, in, errMetricFilterGone)
}

// deleteFilter deletes a filter of kind; notFound is the error for a
// filter that does not exist.
func (h *Handler) deleteFilter(c *call, kind store.FilterKind, in *filterInput, notFound error) error {
	err := h.store.DeleteFilter(c.ctx, c.region, kind, *in.LogGroupName, *in.FilterName)
	if errors.Is(err, store.ErrFilterNotFound) {
		return notFound
	}
	return err
}
