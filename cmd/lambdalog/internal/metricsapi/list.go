package metricsapi

import (
	"context"
	"errors"

	"github.com/lambdalog/lambdalog/cmd/lambdalog/internal/metricstore"
)

// listPageSize is how many metrics ListMetrics returns per page, as AWS does.
const listPageSize = 500

func (h *Handler) listMetrics(ctx context.Context, in params) (map[string]any, error) {
	var f metricstore.ListFilter
	var err error
	if f.Namespace, err = in.str("Namespace"); err != nil {
		return nil, err
	}
	if f.MetricName, err = in.str("MetricName"); err != nil {
		return nil, err
	}
	dfs, err := in.objects("Dimensions")
	if err != nil {
		return nil, err
	}
	if len(dfs) > 10 {
		return nil, invalidValue("The collection Dimensions must not have more than 10 members.")
	}
	for _, d := range dfs {
		var df metricstore.DimensionFilter
		if df.Name, err = d.requiredStr("Name"); err != nil {
			return nil, err
		}
		df.HasValue = d.has("Value")
		if df.Value, err = d.str("Value"); err != nil {
			return nil, err
		}
		f.Dimensions = append(f.Dimensions, df)
	}
	token, err := in.str("NextToken")
	if err != nil {
		return nil, err
	}
	series, next, err := h.store.List(ctx, f, listPageSize, token)
	if errors.Is(err, metricstore.ErrInvalidToken) {
		return nil, invalidValue("The parameter NextToken is not valid.")
	}
	if err != nil {
		return nil, err
	}
	out := make([]any, len(series))
	for i, s := range series {
		out[i] = metricDoc(s)
	}
	resp := map[string]any{"Metrics": out}
	if next != "" {
		resp["NextToken"] = next
	}
	return resp, nil
}

func metricDoc(s metricstore.Series) map[string]any {
	dims := make([]any, len(s.Dimensions))
	for i, d := range s.Dimensions {
		dims[i] = map[string]any{"Name": d.Name, "Value": d.Value}
	}
	return map[string]any{"Namespace": s.Namespace, "MetricName": s.Name, "Dimensions": dims}
}
