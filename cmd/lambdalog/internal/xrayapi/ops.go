package xrayapi

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/lambdalog/lambdalog/cmd/lambdalog/internal/awsapi"
	"github.com/lambdalog/lambdalog/cmd/lambdalog/internal/tracestore"
	"github.com/lambdalog/lambdalog/cmd/lambdalog/internal/xrayfilter"
)

// Limits of the API.
const (
	maxTraceIDs      = 100  // BatchGetTraces and GetTraceGraph
	summariesPerPage = 100  // GetTraceSummaries
	maxDocuments     = 5000 // PutTraceSegments
)

type unprocessedSegmentJSON struct {
	ID        string `json:"Id,omitempty"`
	ErrorCode string `json:"ErrorCode"`
	Message   string `json:"Message"`
}

func (a *API) putTraceSegments(w http.ResponseWriter, r *awsapi.Request) *awsapi.Error {
	var in struct {
		TraceSegmentDocuments *[]string
	}
	if e := decode(r, &in); e != nil {
		return e
	}
	if in.TraceSegmentDocuments == nil {
		return invalid("TraceSegmentDocuments is required")
	}
	if n := len(*in.TraceSegmentDocuments); n > maxDocuments {
		return invalid("TraceSegmentDocuments holds %d documents; at most %d are accepted per request", n, maxDocuments)
	}
	out := struct {
		UnprocessedTraceSegments []unprocessedSegmentJSON
	}{UnprocessedTraceSegments: []unprocessedSegmentJSON{}}
	docs := make([]tracestore.Document, 0, len(*in.TraceSegmentDocuments))
	for _, raw := range *in.TraceSegmentDocuments {
		d, err := tracestore.ParseDocument([]byte(raw))
		var de *tracestore.DocumentError
		if errors.As(err, &de) {
			out.UnprocessedTraceSegments = append(out.UnprocessedTraceSegments, unprocessedSegmentJSON{ID: de.ID, ErrorCode: de.Code, Message: de.Message})
			continue
		}
		docs = append(docs, d)
	}
	if err := a.store.Put(r.Context(), docs); err != nil {
		return a.storeError(r, "PutTraceSegments", err)
	}
	return writeJSON(w, out)
}

func (a *API) putTelemetryRecords(w http.ResponseWriter, r *awsapi.Request) *awsapi.Error {
	var in struct {
		TelemetryRecords *[]struct {
			Timestamp *Timestamp
		}
	}
	if e := decode(r, &in); e != nil {
		return e
	}
	if in.TelemetryRecords == nil {
		return invalid("TelemetryRecords is required")
	}
	for i, rec := range *in.TelemetryRecords {
		if rec.Timestamp == nil || !rec.Timestamp.set {
			return invalid("TelemetryRecords[%d].Timestamp is required", i)
		}
	}
	// The daemon's health counters: accepted, not kept.
	return writeJSON(w, struct{}{})
}

// timeRange reads the required StartTime and EndTime.
func timeRange(start, end Timestamp) (time.Time, time.Time, *awsapi.Error) {
	switch {
	case !start.set:
		return start.Time, end.Time, invalid("StartTime is required")
	case !end.set:
		return start.Time, end.Time, invalid("EndTime is required")
	case end.Before(start.Time):
		return start.Time, end.Time, invalid("EndTime (%s) is before StartTime (%s)", end.UTC().Format(time.RFC3339), start.UTC().Format(time.RFC3339))
	}
	return start.Time, end.Time, nil
}

func (a *API) getTraceSummaries(w http.ResponseWriter, r *awsapi.Request) *awsapi.Error {
	var in struct {
		StartTime, EndTime Timestamp
		TimeRangeType      string
		Sampling           *bool
		SamplingStrategy   *struct {
			Name  string
			Value *float64
		}
		FilterExpression string
		NextToken        string
	}
	if e := decode(r, &in); e != nil {
		return e
	}
	start, end, e := timeRange(in.StartTime, in.EndTime)
	if e != nil {
		return e
	}
	q := tracestore.Query{Start: start, End: end, Limit: summariesPerPage, Cursor: in.NextToken}
	switch in.TimeRangeType {
	case "", "TraceId":
	case "Event", "Service":
		q.By = tracestore.ByUpdate
	default:
		return invalid("TimeRangeType %q: want TraceId, Event or Service", in.TimeRangeType)
	}
	if s := in.SamplingStrategy; s != nil && s.Name != "PartialScan" && s.Name != "FixedRate" {
		return invalid("SamplingStrategy.Name %q: want PartialScan or FixedRate", s.Name)
	}
	f, err := xrayfilter.Parse(in.FilterExpression)
	if err != nil {
		return invalid("Invalid filter expression %q: %v", in.FilterExpression, err)
	}
	q.Match = f.Match
	page, err := a.store.Query(r.Context(), q)
	if errors.Is(err, tracestore.ErrBadCursor) {
		return invalid("NextToken is not one this operation returned for TimeRangeType %s", or(in.TimeRangeType, "TraceId"))
	}
	if err != nil {
		return a.storeError(r, "GetTraceSummaries", err)
	}
	out := struct {
		TraceSummaries       []traceSummaryJSON
		ApproximateTime      float64
		TracesProcessedCount int64
		NextToken            string `json:",omitempty"`
	}{TraceSummaries: []traceSummaryJSON{}, ApproximateTime: epoch(a.opts.Now()), TracesProcessedCount: int64(page.Scanned), NextToken: page.Next}
	for _, t := range page.Traces {
		out.TraceSummaries = append(out.TraceSummaries, traceSummary(t.Summary()))
	}
	return writeJSON(w, out)
}

func or(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

type segmentJSON struct {
	ID       string `json:"Id"`
	Document string `json:"Document"`
}

type traceJSON struct {
	ID            string        `json:"Id"`
	Duration      float64       `json:"Duration"`
	LimitExceeded bool          `json:"LimitExceeded"`
	Segments      []segmentJSON `json:"Segments"`
}

// requestedTraces reads the request's TraceIds (required) and loads
// those traces; it returns the ids that are malformed or not stored apart.
func (a *API) requestedTraces(r *awsapi.Request, op string) ([]*tracestore.Trace, []string, *awsapi.Error) {
	var in struct {
		TraceIds  *[]string
		NextToken string
	}
	if e := decode(r, &in); e != nil {
		return nil, nil, e
	}
	if in.TraceIds == nil || len(*in.TraceIds) == 0 {
		return nil, nil, invalid("TraceIds is required")
	}
	if len(*in.TraceIds) > maxTraceIDs {
		return nil, nil, invalid("TraceIds holds %d ids; at most %d are accepted per request", len(*in.TraceIds), maxTraceIDs)
	}
	var traces []*tracestore.Trace
	var missing []string
	seen := map[tracestore.TraceID]bool{}
	for _, s := range *in.TraceIds {
		id, ok := tracestore.ParseTraceID(s)
		if !ok {
			missing = append(missing, s)
			continue
		}
		if seen[id] {
			continue
		}
		seen[id] = true
		t, err := a.store.Trace(r.Context(), id)
		switch {
		case errors.Is(err, tracestore.ErrNotFound):
			missing = append(missing, s)
		case err != nil:
			return nil, nil, a.storeError(r, op, err)
		default:
			traces = append(traces, t)
		}
	}
	return traces, missing, nil
}

func (a *API) batchGetTraces(w http.ResponseWriter, r *awsapi.Request) *awsapi.Error {
	traces, bad, e := a.requestedTraces(r, "BatchGetTraces")
	if e != nil {
		return e
	}
	out := struct {
		Traces              []traceJSON
		UnprocessedTraceIds []string
	}{Traces: []traceJSON{}, UnprocessedTraceIds: append([]string{}, bad...)}
	for _, t := range traces {
		tj := traceJSON{ID: t.ID, Duration: seconds(t.Duration()), LimitExceeded: t.LimitExceeded, Segments: []segmentJSON{}}
		for _, s := range t.Segments {
			tj.Segments = append(tj.Segments, segmentJSON{ID: s.ID, Document: string(s.Document())})
		}
		out.Traces = append(out.Traces, tj)
	}
	return writeJSON(w, out)
}

func (a *API) getServiceGraph(w http.ResponseWriter, r *awsapi.Request) *awsapi.Error {
	var in struct {
		StartTime, EndTime  Timestamp
		GroupName, GroupARN string
		NextToken           string
	}
	if e := decode(r, &in); e != nil {
		return e
	}
	start, end, e := timeRange(in.StartTime, in.EndTime)
	if e != nil {
		return e
	}
	if in.GroupName != "" && in.GroupName != "Default" || in.GroupARN != "" && !strings.HasSuffix(in.GroupARN, ":group/Default") {
		return invalid("Group %s not found: lambdalog has only the Default group", or(in.GroupName, in.GroupARN))
	}
	g, err := a.store.ServiceGraph(r.Context(), start, end)
	if err != nil {
		return a.storeError(r, "GetServiceGraph", err)
	}
	return writeJSON(w, struct {
		StartTime, EndTime       float64
		Services                 []serviceJSON
		ContainsOldGroupVersions bool
	}{epoch(start), epoch(end), services(g), false})
}

func (a *API) getTraceGraph(w http.ResponseWriter, r *awsapi.Request) *awsapi.Error {
	traces, _, e := a.requestedTraces(r, "GetTraceGraph")
	if e != nil {
		return e
	}
	b := tracestore.NewGraphBuilder()
	for _, t := range traces {
		b.Add(t)
	}
	return writeJSON(w, struct{ Services []serviceJSON }{services(b.Graph())})
}

// The X-Ray default sampling rule: one request a second and 5% of the others.
const (
	defaultRuleName  = "Default"
	defaultFixedRate = 0.05
	defaultReservoir = 1
	samplingInterval = 10 // seconds between GetSamplingTargets calls
)

func (a *API) getSamplingRules(w http.ResponseWriter, r *awsapi.Request) *awsapi.Error {
	var in struct{ NextToken string }
	if e := decode(r, &in); e != nil {
		return e
	}
	type rule struct {
		RuleName, RuleARN, ResourceARN string
		Priority                       int
		FixedRate                      float64
		ReservoirSize                  int
		ServiceName, ServiceType, Host string
		HTTPMethod, URLPath            string
		Version                        int
		Attributes                     map[string]string
	}
	type record struct {
		SamplingRule          rule
		CreatedAt, ModifiedAt float64
	}
	at := epoch(a.started)
	return writeJSON(w, struct{ SamplingRuleRecords []record }{[]record{{
		SamplingRule: rule{RuleName: defaultRuleName, RuleARN: fmt.Sprintf("arn:aws:xray:%s:%s:sampling-rule/Default", r.Region, a.opts.AccountID),
			ResourceARN: "*", Priority: 10000, FixedRate: defaultFixedRate, ReservoirSize: defaultReservoir,
			ServiceName: "*", ServiceType: "*", Host: "*", HTTPMethod: "*", URLPath: "*", Version: 1, Attributes: map[string]string{}},
		CreatedAt: at, ModifiedAt: at,
	}}})
}

func (a *API) getSamplingTargets(w http.ResponseWriter, r *awsapi.Request) *awsapi.Error {
	var in struct {
		SamplingStatisticsDocuments *[]struct {
			RuleName, ClientID         *string
			Timestamp                  *Timestamp
			RequestCount, SampledCount *int64
			BorrowCount                *int64
		}
	}
	if e := decode(r, &in); e != nil {
		return e
	}
	if in.SamplingStatisticsDocuments == nil {
		return invalid("SamplingStatisticsDocuments is required")
	}
	if n := len(*in.SamplingStatisticsDocuments); n > 25 {
		return invalid("SamplingStatisticsDocuments holds %d documents; at most 25 are accepted", n)
	}
	type target struct {
		RuleName          string
		FixedRate         float64
		ReservoirQuota    int
		ReservoirQuotaTTL float64
		Interval          int
	}
	type unprocessed struct{ RuleName, ErrorCode, Message string }
	out := struct {
		SamplingTargetDocuments []target
		LastRuleModification    float64
		UnprocessedStatistics   []unprocessed
	}{SamplingTargetDocuments: []target{}, LastRuleModification: epoch(a.started), UnprocessedStatistics: []unprocessed{}}
	for i, d := range *in.SamplingStatisticsDocuments {
		switch {
		case d.RuleName == nil || d.ClientID == nil || d.Timestamp == nil || !d.Timestamp.set || d.RequestCount == nil || d.SampledCount == nil:
			return invalid("SamplingStatisticsDocuments[%d]: RuleName, ClientID, Timestamp, RequestCount and SampledCount are required", i)
		case *d.RuleName != defaultRuleName:
			out.UnprocessedStatistics = append(out.UnprocessedStatistics, unprocessed{*d.RuleName, "404", "Sampling rule " + *d.RuleName + " not found: lambdalog has only the Default rule"})
		default:
			out.SamplingTargetDocuments = append(out.SamplingTargetDocuments, target{RuleName: defaultRuleName, FixedRate: defaultFixedRate,
				ReservoirQuota: defaultReservoir, ReservoirQuotaTTL: epoch(a.opts.Now().Add(samplingInterval * time.Second)), Interval: samplingInterval})
		}
	}
	return writeJSON(w, out)
}
