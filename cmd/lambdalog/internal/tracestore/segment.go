package tracestore

import (
	"bytes"
	"cmp"
	"encoding/json"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/lambdalog/lambdalog/internal/jsonstr"
)

// Segment is a segment or subsegment of an assembled trace: the fields the
// API and the filters read, typed, and every field of the document for
// Document. Fields of the wrong type read as absent.
type Segment struct {
	ID       string
	Name     string
	ParentID string
	// Origin is the segment's type of resource, e.g. AWS::Lambda::Function.
	Origin string
	// Namespace is "aws", "remote" or "local" on subsegments of calls.
	Namespace   string
	User        string
	ResourceARN string
	// Start and End are in epoch seconds; End is 0 while InProgress.
	Start, End             float64
	InProgress             bool
	Error, Fault, Throttle bool
	Inferred               bool
	HTTP                   HTTP
	AWS                    AWSFields
	Annotations            map[string]any // string, float64 or bool values
	Subsegments            []*Segment     // sorted by Start
	// Independent is true for a subsegment sent as its own document.
	Independent bool
	// Orphan is true for an independent subsegment whose parent is not in
	// the trace (yet): it is listed among the trace's segments.
	Orphan bool

	parent *Segment
	fields map[string]json.RawMessage
}

// HTTP is a segment's http object.
type HTTP struct {
	Method, URL, UserAgent, ClientIP string
	// Status is http.response.status, 0 when absent.
	Status int
	// Traced is http.request.traced: the call goes to a traced service.
	Traced bool
}

// AWSFields are the members of a segment's aws object that lambdalog reads.
type AWSFields struct {
	AccountID, RequestID, Operation, Region, FunctionARN, TableName string
	// LogGroups are the log groups of aws.cloudwatch_logs.
	LogGroups []string
}

// Duration is End-Start in seconds; 0 while in progress.
func (s *Segment) Duration() float64 {
	if s.InProgress || s.End < s.Start {
		return 0
	}
	return s.End - s.Start
}

// IsSegment reports whether s is a segment (not a subsegment).
func (s *Segment) IsSegment() bool { return s.parent == nil && !s.Independent }

// Walk calls fn for s and each of its subsegments, depth first, until fn
// returns false; it reports whether the walk ran to its end.
func (s *Segment) Walk(fn func(*Segment) bool) bool {
	if !fn(s) {
		return false
	}
	for _, c := range s.Subsegments {
		if !c.Walk(fn) {
			return false
		}
	}
	return true
}

// Document returns the segment as a JSON document: its fields as sent,
// with the subsegments sent apart joined into "subsegments". A joined
// subsegment loses the fields that placed it (type, trace_id, parent_id).
func (s *Segment) Document() []byte {
	return s.appendDocument(nil, false)
}

func (s *Segment) appendDocument(b []byte, embedded bool) []byte {
	keys := make([]string, 0, len(s.fields)+1)
	for k := range s.fields {
		if k == "subsegments" || embedded && s.Independent && (k == "type" || k == "trace_id" || k == "parent_id") {
			continue
		}
		keys = append(keys, k)
	}
	slices.Sort(keys)
	b = append(b, '{')
	for i, k := range keys {
		if i > 0 {
			b = append(b, ',')
		}
		b = jsonstr.Append(b, k)
		b = append(b, ':')
		b = append(b, s.fields[k]...)
	}
	if len(s.Subsegments) > 0 {
		if len(keys) > 0 {
			b = append(b, ',')
		}
		b = append(b, `"subsegments":[`...)
		for i, c := range s.Subsegments {
			if i > 0 {
				b = append(b, ',')
			}
			b = c.appendDocument(b, true)
		}
		b = append(b, ']')
	}
	return append(b, '}')
}

// parseSegment reads a document (or an embedded subsegment) and its
// embedded subsegments; it returns nil when raw is not a JSON object.
func parseSegment(raw []byte, parent *Segment) *Segment {
	var fields map[string]json.RawMessage
	if json.Unmarshal(raw, &fields) != nil || fields == nil {
		return nil
	}
	s := &Segment{parent: parent, fields: fields}
	s.ID = str(fields["id"])
	s.Name = str(fields["name"])
	s.ParentID = str(fields["parent_id"])
	s.Origin = str(fields["origin"])
	s.Namespace = str(fields["namespace"])
	s.User = str(fields["user"])
	s.ResourceARN = str(fields["resource_arn"])
	s.Start = num(fields["start_time"])
	s.End = num(fields["end_time"])
	s.InProgress = boolean(fields["in_progress"]) && fields["end_time"] == nil
	s.Error = boolean(fields["error"])
	s.Fault = boolean(fields["fault"])
	s.Throttle = boolean(fields["throttle"])
	s.Inferred = boolean(fields["inferred"])
	if h := object(fields["http"]); h != nil {
		if req := object(h["request"]); req != nil {
			s.HTTP.Method, s.HTTP.URL = str(req["method"]), str(req["url"])
			s.HTTP.UserAgent, s.HTTP.ClientIP = str(req["user_agent"]), str(req["client_ip"])
			s.HTTP.Traced = boolean(req["traced"])
		}
		if resp := object(h["response"]); resp != nil {
			if st := num(resp["status"]); st >= 100 && st < 1000 {
				s.HTTP.Status = int(st)
			}
		}
	}
	if a := object(fields["aws"]); a != nil {
		s.AWS = AWSFields{AccountID: str(a["account_id"]), RequestID: str(a["request_id"]), Operation: str(a["operation"]),
			Region: str(a["region"]), FunctionARN: str(a["function_arn"]), TableName: str(a["table_name"])}
		var logs []struct {
			LogGroup string `json:"log_group"`
		}
		if json.Unmarshal(a["cloudwatch_logs"], &logs) == nil {
			for _, l := range logs {
				if l.LogGroup != "" {
					s.AWS.LogGroups = append(s.AWS.LogGroups, l.LogGroup)
				}
			}
		}
	}
	for k, v := range object(fields["annotations"]) {
		var val any
		if json.Unmarshal(v, &val) != nil {
			continue
		}
		switch val.(type) {
		case string, float64, bool:
			if s.Annotations == nil {
				s.Annotations = map[string]any{}
			}
			s.Annotations[k] = val
		}
	}
	var subs []json.RawMessage
	if json.Unmarshal(fields["subsegments"], &subs) == nil {
		for _, r := range subs {
			if c := parseSegment(r, s); c != nil {
				s.Subsegments = append(s.Subsegments, c)
			}
		}
	}
	sortByStart(s.Subsegments)
	return s
}

func sortByStart(ss []*Segment) {
	slices.SortStableFunc(ss, func(a, b *Segment) int { return cmp.Compare(a.Start, b.Start) })
}

func str(raw json.RawMessage) string {
	s, _ := jsonString(raw)
	return s
}

func num(raw json.RawMessage) float64 {
	f, err := strconv.ParseFloat(string(bytes.TrimSpace(raw)), 64)
	if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
		return 0
	}
	return f
}

func boolean(raw json.RawMessage) bool { return string(raw) == "true" }

func object(raw json.RawMessage) map[string]json.RawMessage {
	if len(raw) == 0 || raw[0] != '{' {
		return nil
	}
	var m map[string]json.RawMessage
	if json.Unmarshal(raw, &m) != nil {
		return nil
	}
	return m
}

// inferredOrigin is the origin X-Ray gives the inferred segment of a call
// to an AWS service, from the subsegment's name.
func inferredOrigin(name string) string {
	switch name {
	case "DynamoDB":
		return "AWS::DynamoDB::Table"
	case "S3":
		return "AWS::S3::Bucket"
	case "SQS":
		return "AWS::SQS::Queue"
	case "SNS":
		return "AWS::SNS::Topic"
	case "Lambda":
		return "AWS::Lambda"
	case "Kinesis":
		return "AWS::Kinesis::Stream"
	case "EventBridge":
		return "AWS::Events"
	}
	return "AWS::" + strings.ReplaceAll(name, " ", "")
}
