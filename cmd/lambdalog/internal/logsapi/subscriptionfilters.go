package logsapi

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/lambdalog/lambdalog/cmd/lambdalog/internal/store"
)

var (
	distributions             = []string{"Random", "ByLogStream"}
	errSubscriptionFilterGone = clientError("ResourceNotFoundException", "The specified subscription filter does not exist.")
)

// subscriptionSpec is what a subscription filter stores besides its
// pattern. The destination is recorded, not delivered to.
type subscriptionSpec struct {
	DestinationArn         string   `json:"destinationArn"`
	RoleArn                string   `json:"roleArn,omitempty"`
	Distribution           string   `json:"distribution"`
	ApplyOnTransformedLogs bool     `json:"applyOnTransformedLogs"`
	FieldSelectionCriteria *string  `json:"fieldSelectionCriteria,omitempty"`
	EmitSystemFields       []string `json:"emitSystemFields,omitempty"`
}

type putSubscriptionFilterInput struct {
	LogGroupName, FilterName, FilterPattern, DestinationArn, RoleArn, Distribution *string
	ApplyOnTransformedLogs                                                         bool
	FieldSelectionCriteria                                                         *string
	EmitSystemFields                                                               []string
}

func (in *putSubscriptionFilterInput) validate(v *validationErrors) {
	v.str("logGroupName", in.LogGroupName, true, ruleGroupName)
	v.str("filterName", in.FilterName, true, ruleFilterName)
	v.str("filterPattern", in.FilterPattern, true, ruleFilterPattern)
	v.str("destinationArn", in.DestinationArn, true, ruleARN)
	v.str("roleArn", in.RoleArn, false, ruleARN)
	v.enum("distribution", in.Distribution, distributions)
	v.str("fieldSelectionCriteria", in.FieldSelectionCriteria, false, ruleFieldSelection)
}

func (h *Handler) putSubscriptionFilter(c *call, in *putSubscriptionFilterInput) (any, error) {
	if !strings.HasPrefix(*in.DestinationArn, "arn:") {
		return nil, invalidParameter("Invalid destinationArn %q: it must be the ARN of a Kinesis stream, Firehose delivery stream, Lambda function or CloudWatch Logs destination", *in.DestinationArn)
	}
	pat, err := parsePattern(*in.FilterPattern)
	if err != nil {
		return nil, err
	}
	spec := subscriptionSpec{
		DestinationArn: *in.DestinationArn, Distribution: "ByLogStream", ApplyOnTransformedLogs: in.ApplyOnTransformedLogs,
		FieldSelectionCriteria: in.FieldSelectionCriteria, EmitSystemFields: in.EmitSystemFields,
	}
	if in.RoleArn != nil {
		spec.RoleArn = *in.RoleArn
	}
	if in.Distribution != nil {
		spec.Distribution = *in.Distribution
	}
	return nil, h.putFilter(c, store.SubscriptionFilter, *in.LogGroupName, *in.FilterName, pat, spec, maxSubscriptionFilters)
}

// subscriptionFilterOut is the model's SubscriptionFilter shape.
type subscriptionFilterOut struct {
	FilterName    string `json:"filterName"`
	LogGroupName  string `json:"logGroupName"`
	FilterPattern string `json:"filterPattern"`
	CreationTime  int64  `json:"creationTime"`
	subscriptionSpec
}

type describeSubscriptionFiltersInput struct {
	LogGroupName, FilterNamePrefix, NextToken *string
	Limit                                     *int64
}

func (in *describeSubscriptionFiltersInput) validate(v *validationErrors) {
	v.str("logGroupName", in.LogGroupName, true, ruleGroupName)
	v.str("filterNamePrefix", in.FilterNamePrefix, false, ruleFilterName)
	v.str("nextToken", in.NextToken, false, ruleNextToken)
	v.intRange("limit", in.Limit, 1, 50)
}

func (h *Handler) describeSubscriptionFilters(c *call, in *describeSubscriptionFiltersInput) (any, error) {
	prefix := ""
	if in.FilterNamePrefix != nil {
		prefix = *in.FilterNamePrefix
	}
	page, next, err := h.listFilters(c, store.SubscriptionFilter, *in.LogGroupName, prefix, in.NextToken, in.Limit, nil)
	if err != nil {
		return nil, err
	}
	out := struct {
		SubscriptionFilters []subscriptionFilterOut `json:"subscriptionFilters"`
		NextToken           string                  `json:"nextToken,omitempty"`
	}{SubscriptionFilters: []subscriptionFilterOut{}, NextToken: next}
	for _, f := range page {
		o := subscriptionFilterOut{FilterName: f.Name, LogGroupName: f.Group, FilterPattern: f.Pattern, CreationTime: f.CreationTime}
		if err := json.Unmarshal(f.Spec, &o.subscriptionSpec); err != nil {
			return nil, fmt.Errorf("decode subscription filter %q: %w", f.Name, err)
		}
		out.SubscriptionFilters = append(out.SubscriptionFilters, o)
	}
	return out, nil
}

func (h *Handler) deleteSubscriptionFilter(c *call, in *filterInput) (any, error) {
	return nil, h.deleteFilter(c, store.SubscriptionFilter, in, errSubscriptionFilterGone)
}
