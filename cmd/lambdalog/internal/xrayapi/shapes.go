package xrayapi

import (
	"math"

	"github.com/lambdalog/lambdalog/cmd/lambdalog/internal/tracestore"
)

// The X-Ray shapes of the botocore model, as the API writes them.

type serviceIDJSON struct {
	Name      string   `json:"Name"`
	Names     []string `json:"Names"`
	AccountID string   `json:"AccountId,omitempty"`
	Type      string   `json:"Type,omitempty"`
}

func serviceID(id tracestore.ServiceID) serviceIDJSON {
	return serviceIDJSON{Name: id.Name, Names: []string{id.Name}, AccountID: id.AccountID, Type: id.Type}
}

func serviceIDs(ids []tracestore.ServiceID) []serviceIDJSON {
	out := make([]serviceIDJSON, len(ids))
	for i, id := range ids {
		out[i] = serviceID(id)
	}
	return out
}

type httpJSON struct {
	HTTPURL    string `json:"HttpURL,omitempty"`
	HTTPStatus int    `json:"HttpStatus,omitempty"`
	HTTPMethod string `json:"HttpMethod,omitempty"`
	UserAgent  string `json:"UserAgent,omitempty"`
	ClientIP   string `json:"ClientIp,omitempty"`
}

type annotationValueJSON struct {
	NumberValue  *float64 `json:"NumberValue,omitempty"`
	BooleanValue *bool    `json:"BooleanValue,omitempty"`
	StringValue  *string  `json:"StringValue,omitempty"`
}

type valueWithServiceIDsJSON struct {
	AnnotationValue annotationValueJSON `json:"AnnotationValue"`
	ServiceIDs      []serviceIDJSON     `json:"ServiceIds"`
}

type traceUserJSON struct {
	UserName   string          `json:"UserName"`
	ServiceIDs []serviceIDJSON `json:"ServiceIds"`
}

type resourceARNJSON struct {
	ARN string `json:"ARN"`
}

type traceSummaryJSON struct {
	ID                     string                               `json:"Id"`
	StartTime              float64                              `json:"StartTime"`
	Duration               float64                              `json:"Duration"`
	ResponseTime           float64                              `json:"ResponseTime"`
	HasFault               bool                                 `json:"HasFault"`
	HasError               bool                                 `json:"HasError"`
	HasThrottle            bool                                 `json:"HasThrottle"`
	IsPartial              bool                                 `json:"IsPartial"`
	HTTP                   httpJSON                             `json:"Http"`
	Annotations            map[string][]valueWithServiceIDsJSON `json:"Annotations"`
	Users                  []traceUserJSON                      `json:"Users"`
	ServiceIDs             []serviceIDJSON                      `json:"ServiceIds"`
	ResourceARNs           []resourceARNJSON                    `json:"ResourceARNs"`
	InstanceIDs            []struct{}                           `json:"InstanceIds"`
	AvailabilityZones      []struct{}                           `json:"AvailabilityZones"`
	EntryPoint             *serviceIDJSON                       `json:"EntryPoint,omitempty"`
	FaultRootCauses        []struct{}                           `json:"FaultRootCauses"`
	ErrorRootCauses        []struct{}                           `json:"ErrorRootCauses"`
	ResponseTimeRootCauses []struct{}                           `json:"ResponseTimeRootCauses"`
	Revision               int                                  `json:"Revision"`
	MatchedEventTime       float64                              `json:"MatchedEventTime"`
}

// seconds rounds a time or duration in seconds to the microsecond, as
// X-Ray's numbers are.
func seconds(f float64) float64 { return math.Round(f*1e6) / 1e6 }

func traceSummary(s tracestore.Summary) traceSummaryJSON {
	out := traceSummaryJSON{
		ID: s.ID, StartTime: seconds(s.Start), Duration: seconds(s.Duration), ResponseTime: seconds(s.ResponseTime),
		HasFault: s.HasFault, HasError: s.HasError, HasThrottle: s.HasThrottle, IsPartial: s.IsPartial,
		HTTP:        httpJSON{HTTPURL: s.HTTP.URL, HTTPStatus: s.HTTP.Status, HTTPMethod: s.HTTP.Method, UserAgent: s.HTTP.UserAgent, ClientIP: s.HTTP.ClientIP},
		Annotations: map[string][]valueWithServiceIDsJSON{}, Users: []traceUserJSON{}, ServiceIDs: serviceIDs(s.Services),
		ResourceARNs: []resourceARNJSON{}, InstanceIDs: []struct{}{}, AvailabilityZones: []struct{}{},
		FaultRootCauses: []struct{}{}, ErrorRootCauses: []struct{}{}, ResponseTimeRootCauses: []struct{}{},
		Revision: s.Revision, MatchedEventTime: seconds(s.Start),
	}
	for k, vs := range s.Annotations {
		for _, v := range vs {
			var av annotationValueJSON
			switch x := v.Value.(type) {
			case float64:
				av.NumberValue = &x
			case bool:
				av.BooleanValue = &x
			case string:
				av.StringValue = &x
			}
			out.Annotations[k] = append(out.Annotations[k], valueWithServiceIDsJSON{AnnotationValue: av, ServiceIDs: serviceIDs(v.Services)})
		}
	}
	for _, u := range s.Users {
		out.Users = append(out.Users, traceUserJSON{UserName: u.Name, ServiceIDs: serviceIDs(u.Services)})
	}
	for _, a := range s.ResourceARNs {
		out.ResourceARNs = append(out.ResourceARNs, resourceARNJSON{ARN: a})
	}
	if s.EntryPoint != nil {
		ep := serviceID(*s.EntryPoint)
		out.EntryPoint = &ep
	}
	return out
}

type errorStatisticsJSON struct {
	ThrottleCount int64 `json:"ThrottleCount"`
	OtherCount    int64 `json:"OtherCount"`
	TotalCount    int64 `json:"TotalCount"`
}

type faultStatisticsJSON struct {
	OtherCount int64 `json:"OtherCount"`
	TotalCount int64 `json:"TotalCount"`
}

type statisticsJSON struct {
	OkCount           int64               `json:"OkCount"`
	ErrorStatistics   errorStatisticsJSON `json:"ErrorStatistics"`
	FaultStatistics   faultStatisticsJSON `json:"FaultStatistics"`
	TotalCount        int64               `json:"TotalCount"`
	TotalResponseTime float64             `json:"TotalResponseTime"`
}

func statistics(s tracestore.Stats) statisticsJSON {
	return statisticsJSON{
		OkCount:           s.OK,
		ErrorStatistics:   errorStatisticsJSON{ThrottleCount: s.Throttle, OtherCount: s.OtherError, TotalCount: s.Throttle + s.OtherError},
		FaultStatistics:   faultStatisticsJSON{OtherCount: s.Fault, TotalCount: s.Fault},
		TotalCount:        s.Total,
		TotalResponseTime: seconds(s.TotalResponseTime),
	}
}

type histogramEntryJSON struct {
	Value float64 `json:"Value"`
	Count int     `json:"Count"`
}

func histogram(h []tracestore.HistogramEntry) []histogramEntryJSON {
	out := make([]histogramEntryJSON, len(h))
	for i, e := range h {
		out[i] = histogramEntryJSON{Value: e.Value, Count: e.Count}
	}
	return out
}

type edgeJSON struct {
	ReferenceID           int                  `json:"ReferenceId"`
	StartTime             float64              `json:"StartTime"`
	EndTime               float64              `json:"EndTime"`
	SummaryStatistics     statisticsJSON       `json:"SummaryStatistics"`
	ResponseTimeHistogram []histogramEntryJSON `json:"ResponseTimeHistogram"`
	Aliases               []struct{}           `json:"Aliases"`
}

type serviceJSON struct {
	ReferenceID           int                  `json:"ReferenceId"`
	Name                  string               `json:"Name"`
	Names                 []string             `json:"Names"`
	Root                  bool                 `json:"Root,omitempty"`
	AccountID             string               `json:"AccountId,omitempty"`
	Type                  string               `json:"Type,omitempty"`
	State                 string               `json:"State"`
	StartTime             float64              `json:"StartTime"`
	EndTime               float64              `json:"EndTime"`
	Edges                 []edgeJSON           `json:"Edges"`
	SummaryStatistics     *statisticsJSON      `json:"SummaryStatistics,omitempty"`
	DurationHistogram     []histogramEntryJSON `json:"DurationHistogram"`
	ResponseTimeHistogram []histogramEntryJSON `json:"ResponseTimeHistogram"`
}

func services(g tracestore.Graph) []serviceJSON {
	out := make([]serviceJSON, 0, len(g.Services))
	for _, s := range g.Services {
		sj := serviceJSON{
			ReferenceID: s.ReferenceID, Name: s.Name, Names: []string{s.Name}, Root: s.Root, AccountID: s.AccountID, Type: s.Type,
			State: "active", StartTime: seconds(s.Start), EndTime: seconds(s.End), Edges: []edgeJSON{},
			DurationHistogram: histogram(s.DurationHistogram), ResponseTimeHistogram: histogram(s.ResponseTimeHistogram),
		}
		if s.Type == "client" {
			sj.State = "unknown"
		} else {
			st := statistics(s.Stats)
			sj.SummaryStatistics = &st
		}
		for _, e := range s.Edges {
			sj.Edges = append(sj.Edges, edgeJSON{ReferenceID: e.ReferenceID, StartTime: seconds(e.Start), EndTime: seconds(e.End),
				SummaryStatistics: statistics(e.Stats), ResponseTimeHistogram: histogram(e.ResponseTimeHistogram), Aliases: []struct{}{}})
		}
		out = append(out, sj)
	}
	return out
}
