package logsapi

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/lambdalog/lambdalog/cmd/lambdalog/internal/store"
	"github.com/lambdalog/lambdalog/filterpattern"
)

var (
	distributions             = []string{"Random", "ByLogStream"}
	errSubscriptionFilterGone = clientError("ResourceNotFoundException", "The specified subscription filter does not exist.")
)

// subscriptionSpec is what a subscription filter stores besides its
// pattern. Package subscriptions delivers to the destination when it is a
// function `lambdalog dev` runs; others are only recorded.
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

// Subscription is a subscription filter compiled for delivering the events
// it selects.
type Subscription struct {
	// Name is the filter's name, which a delivery lists in its
	// subscriptionFilters.
	Name string
	// Pattern selects the events to deliver.
	Pattern *filterpattern.Pattern
	// DestinationArn is where the events go.
	DestinationArn string
	// Created is the filter's creation time, epoch milliseconds: events
	// ingested before it are not delivered.
	Created int64
}

// Subscriptions reads the subscription filters of log groups for delivery.
// It caches each group's compiled filters (filterCache), so that a group
// without subscription filters costs one map lookup per batch of events.
// It is safe for concurrent use.
type Subscriptions struct {
	filters *filterCache[*Subscription]
}

// NewSubscriptions returns a Subscriptions over the subscription filters of st.
func NewSubscriptions(st *store.Store) *Subscriptions {
	return &Subscriptions{filters: newFilterCache(st, store.SubscriptionFilter, "subscription", compileSubscription)}
}

// Of returns the subscription filters of group g in region: none for a
// group deleted since. The caller must not modify them.
func (s *Subscriptions) Of(ctx context.Context, region string, g store.Group) ([]*Subscription, error) {
	return s.filters.get(ctx, region, g)
}

func compileSubscription(sf store.Filter) (*Subscription, error) {
	var spec subscriptionSpec
	if err := json.Unmarshal(sf.Spec, &spec); err != nil {
		return nil, fmt.Errorf("subscription filter %q of %s: stored definition is unreadable (%v)", sf.Name, sf.Group, err)
	}
	pat, err := filterpattern.Parse(sf.Pattern)
	if err != nil {
		return nil, fmt.Errorf("subscription filter %q of %s: %w", sf.Name, sf.Group, err)
	}
	return &Subscription{Name: sf.Name, Pattern: pat, DestinationArn: spec.DestinationArn, Created: sf.CreationTime}, nil
}

// EventID returns the eventId that FilterLogEvents gives the event at p,
// which subscription deliveries carry as the event's id.
func EventID(p store.Position) string { return string(appendPosition(nil, p)) }
