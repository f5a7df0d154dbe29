package tracestore

import (
	"encoding/json"
	"hash/fnv"
	"math"
	"slices"
	"strconv"

	"github.com/lambdalog/lambdalog/internal/jsonstr"
)

// Trace is an assembled trace: its segment documents, with the subsegments
// sent apart joined to their parents, in-progress documents replaced by
// complete ones, and the inferred segments of calls to AWS services and
// remote endpoints.
type Trace struct {
	ID string
	// Segments are the trace's segments, sorted by Start: those sent as
	// segment documents, the orphans (independent subsegments whose parent
	// is not in the trace) and the inferred segments.
	Segments []*Segment
	// Documents is how many documents the trace has: one per segment id.
	Documents int
	// LimitExceeded is true when the trace had more than maxTraceDocuments
	// documents; the rest were not read.
	LimitExceeded bool

	docStart float64             // the earliest start_time of the documents stored
	index    map[string]*Segment // every segment and subsegment by id
}

// maxTraceDocuments bounds the documents read for one trace.
const maxTraceDocuments = 10000

// storedDoc is a document as read from the store.
type storedDoc struct {
	raw []byte
}

// assemble builds a Trace from its stored documents, one per segment id.
func assemble(id TraceID, docs []storedDoc) *Trace {
	t := &Trace{ID: id.String(), Documents: len(docs), index: map[string]*Segment{}}
	var independent []*Segment
	for _, d := range docs {
		s := parseSegment(d.raw, nil)
		if s == nil {
			continue
		}
		if t.docStart == 0 || s.Start < t.docStart {
			t.docStart = s.Start
		}
		s.Walk(func(x *Segment) bool {
			if _, dup := t.index[x.ID]; !dup && x.ID != "" {
				t.index[x.ID] = x
			}
			return true
		})
		if str(s.fields["type"]) == "subsegment" {
			s.Independent = true
			independent = append(independent, s)
			continue
		}
		t.Segments = append(t.Segments, s)
	}
	sortByStart(independent)
	for _, s := range independent {
		p := t.index[s.ParentID]
		if p == nil || p.within(s) {
			continue
		}
		if p.IsSegment() && p.Origin == "AWS::Lambda::Function" {
			// Lambda gives the function its segment's id as the parent;
			// X-Ray shows the function's subsegments under Invocation.
			for _, c := range p.Subsegments {
				if c.Name == "Invocation" && !c.Independent {
					p = c
					break
				}
			}
		}
		s.parent = p
		p.Subsegments = append(p.Subsegments, s)
	}
	for _, s := range independent {
		if s.parent != nil {
			sortByStart(s.parent.Subsegments)
		} else {
			s.Orphan = true
			t.Segments = append(t.Segments, s)
		}
	}
	t.addInferred()
	sortByStart(t.Segments)
	return t
}

// within reports whether s is anc or one of its subsegments.
func (s *Segment) within(anc *Segment) bool {
	for x := s; x != nil; x = x.parent {
		if x == anc {
			return true
		}
	}
	return false
}

// addInferred adds a segment for each subsegment of a call to an AWS
// service (namespace aws) or another endpoint (namespace remote) that no
// segment of the trace continues, as X-Ray infers one.
func (t *Trace) addInferred() {
	parents := map[string]bool{}
	for _, s := range t.Segments {
		parents[s.ParentID] = true
	}
	var inferred []*Segment
	for _, s := range t.Segments {
		if s.Orphan {
			continue
		}
		for _, c := range s.Subsegments {
			c.Walk(func(x *Segment) bool {
				if (x.Namespace == "aws" || x.Namespace == "remote") && !parents[x.ID] && x.Name != "" {
					inferred = append(inferred, t.inferredFrom(x))
				}
				return true
			})
		}
	}
	t.Segments = append(t.Segments, inferred...)
}

// inferredFrom builds the inferred segment of a call subsegment x.
func (t *Trace) inferredFrom(x *Segment) *Segment {
	h := fnv.New64a()
	h.Write([]byte("inferred:" + x.ID))
	var id SegmentID
	copy(id[:], h.Sum(nil))
	s := &Segment{ID: id.String(), Name: x.Name, ParentID: x.ID, Start: x.Start, End: x.End, InProgress: x.InProgress,
		Error: x.Error, Fault: x.Fault, Throttle: x.Throttle, Inferred: true, HTTP: x.HTTP, AWS: x.AWS}
	if x.Namespace == "aws" {
		s.Origin = inferredOrigin(x.Name)
	}
	f := map[string]json.RawMessage{
		"id": quote(s.ID), "name": quote(s.Name), "parent_id": quote(x.ID), "trace_id": quote(t.ID),
		"start_time": seconds(x.Start), "inferred": json.RawMessage("true"),
	}
	if x.InProgress {
		f["in_progress"] = json.RawMessage("true")
	} else {
		f["end_time"] = seconds(x.End)
	}
	for _, k := range []string{"error", "fault", "throttle", "http", "aws", "cause"} {
		if v, ok := x.fields[k]; ok {
			f[k] = v
		}
	}
	if s.Origin != "" {
		f["origin"] = quote(s.Origin)
	}
	s.fields = f
	return s
}

func quote(s string) json.RawMessage { return jsonstr.Append(nil, s) }

// seconds writes epoch seconds as a JSON number.
func seconds(f float64) json.RawMessage { return strconv.AppendFloat(nil, f, 'f', -1, 64) }

// Segment returns the segment or subsegment with the given id, or nil.
func (t *Trace) Segment(id string) *Segment { return t.index[id] }

// Start is the earliest start of the trace's segments, in epoch seconds.
func (t *Trace) Start() float64 {
	start := math.Inf(1)
	for _, s := range t.Segments {
		if !s.Inferred {
			start = min(start, s.Start)
		}
	}
	if math.IsInf(start, 1) {
		return 0
	}
	return start
}

// Duration is from Start to the latest end of a segment, in seconds.
func (t *Trace) Duration() float64 {
	start, end := t.Start(), 0.0
	for _, s := range t.Segments {
		if !s.InProgress && !s.Inferred {
			end = max(end, s.End)
		}
	}
	return max(0, end-start)
}

// Root is the segment that served the request: the earliest segment
// whose parent is not in the trace. It is nil for an empty trace.
func (t *Trace) Root() *Segment {
	var root *Segment
	for _, s := range t.Segments {
		if s.Inferred || s.Orphan {
			continue
		}
		if _, ok := t.index[s.ParentID]; ok && s.ParentID != "" {
			continue
		}
		if root == nil || s.Start < root.Start {
			root = s
		}
	}
	if root == nil && len(t.Segments) > 0 {
		root = t.Segments[0]
	}
	return root
}

// Partial reports whether a document of the trace is in progress or a
// subsegment's parent is missing.
func (t *Trace) Partial() bool {
	for _, s := range t.Segments {
		if s.Orphan {
			return true
		}
		if !s.Walk(func(x *Segment) bool { return !x.InProgress }) {
			return true
		}
	}
	return false
}

// Owner returns the segment that holds the segment or subsegment with the
// given id (itself for a segment), or nil.
func (t *Trace) Owner(id string) *Segment {
	x := t.index[id]
	for x != nil && x.parent != nil {
		x = x.parent
	}
	return x
}

// Call is one edge of a trace's service graph: a request from the segment
// From (nil for the client that started the trace), made in its
// subsegment Via (nil when From itself is the parent), served by To.
type Call struct {
	From, Via, To *Segment
}

// Calls returns the trace's calls, in the order of the segments serving them.
func (t *Trace) Calls() []Call {
	var calls []Call
	for _, s := range t.Segments {
		if s.Orphan {
			continue
		}
		c := Call{To: s}
		if p := t.index[s.ParentID]; p != nil && s.ParentID != "" {
			if owner := t.Owner(s.ParentID); !owner.Orphan {
				c.From = owner
				if p != owner {
					c.Via = p
				}
			}
		}
		calls = append(calls, c)
	}
	return calls
}

// ServiceID identifies a node of the service graph.
type ServiceID struct {
	Name      string
	AccountID string
	// Type is the segment's origin (AWS::Lambda, AWS::Lambda::Function,
	// AWS::DynamoDB::Table, ...), "remote" for an inferred endpoint,
	// "client" for the client node, or "" for a service with no origin.
	Type string
}

// Service returns the node of the service graph a segment belongs to.
func (s *Segment) Service() ServiceID {
	id := ServiceID{Name: s.Name, Type: s.Origin, AccountID: s.AWS.AccountID}
	if s.Inferred && s.Origin == "" {
		id.Type = "remote"
	}
	return id
}

// key identifies a service without its account: segments of one service
// do not all name the account (AWS::Lambda segments do not).
func (id ServiceID) key() [2]string { return [2]string{id.Name, id.Type} }

// AnnotationValue is one value of an annotation in a trace, with the
// services whose segments hold it.
type AnnotationValue struct {
	Value    any // string, float64 or bool
	Services []ServiceID
}

// User is the user field of segments, with the services whose segments
// carry it.
type User struct {
	Name     string
	Services []ServiceID
}

// Summary is a trace's GetTraceSummaries entry.
type Summary struct {
	ID string
	// Start is the earliest segment start, in epoch seconds.
	Start float64
	// Duration is from Start to the latest segment end; ResponseTime is
	// the root segment's duration; both in seconds.
	Duration, ResponseTime float64
	// HasFault, HasError and HasThrottle: a segment or subsegment of the
	// trace has fault, error or throttle set.
	HasFault, HasError, HasThrottle bool
	// IsPartial: a document is in progress or a subsegment's parent is
	// missing.
	IsPartial bool
	// HTTP is the root segment's request and response; the URL, method,
	// user agent and client IP come from the earliest segment that has a
	// URL when the root has none.
	HTTP         HTTP
	Annotations  map[string][]AnnotationValue
	Users        []User
	Services     []ServiceID
	ResourceARNs []string
	// EntryPoint is the root segment's service; nil for an empty trace.
	EntryPoint *ServiceID
	// Revision is the number of documents stored for the trace.
	Revision int
}

// Summary computes the trace's summary.
func (t *Trace) Summary() Summary {
	sum := Summary{ID: t.ID, Start: t.Start(), Duration: t.Duration(), IsPartial: t.Partial(), Revision: t.Documents}
	root := t.Root()
	if root != nil {
		sum.ResponseTime = root.Duration()
		sum.HTTP = root.HTTP
		ep := t.service(root)
		sum.EntryPoint = &ep
		if sum.HTTP.URL == "" {
			for _, s := range t.Segments {
				if s.HTTP.URL != "" && !s.Inferred {
					sum.HTTP.URL, sum.HTTP.Method, sum.HTTP.UserAgent, sum.HTTP.ClientIP = s.HTTP.URL, s.HTTP.Method, s.HTTP.UserAgent, s.HTTP.ClientIP
					break
				}
			}
		}
	}
	type annKey struct {
		key string
		val any
	}
	annIndex := map[annKey]int{}
	users := map[string]int{}
	services := map[[2]string]int{}
	arns := map[string]bool{}
	for _, s := range t.Segments {
		svc := t.service(s)
		if i, ok := services[svc.key()]; !ok {
			services[svc.key()] = len(sum.Services)
			sum.Services = append(sum.Services, svc)
		} else if sum.Services[i].AccountID == "" {
			sum.Services[i].AccountID = svc.AccountID
		}
		if s.ResourceARN != "" && !arns[s.ResourceARN] {
			arns[s.ResourceARN] = true
			sum.ResourceARNs = append(sum.ResourceARNs, s.ResourceARN)
		}
		if s.User != "" {
			i, ok := users[s.User]
			if !ok {
				i = len(sum.Users)
				users[s.User] = i
				sum.Users = append(sum.Users, User{Name: s.User})
			}
			sum.Users[i].Services = addService(sum.Users[i].Services, svc)
		}
		s.Walk(func(x *Segment) bool {
			sum.HasFault = sum.HasFault || x.Fault
			sum.HasError = sum.HasError || x.Error
			sum.HasThrottle = sum.HasThrottle || x.Throttle
			for _, k := range sortedKeys(x.Annotations) {
				v := x.Annotations[k]
				if sum.Annotations == nil {
					sum.Annotations = map[string][]AnnotationValue{}
				}
				ak := annKey{k, v}
				i, ok := annIndex[ak]
				if !ok {
					i = len(sum.Annotations[k])
					annIndex[ak] = i
					sum.Annotations[k] = append(sum.Annotations[k], AnnotationValue{Value: v})
				}
				sum.Annotations[k][i].Services = addService(sum.Annotations[k][i].Services, svc)
			}
			return true
		})
	}
	return sum
}

// service returns a segment's service, with the account of another
// segment of the same service when it does not name one.
func (t *Trace) service(s *Segment) ServiceID {
	id := s.Service()
	if id.AccountID == "" {
		for _, o := range t.Segments {
			if o.AWS.AccountID != "" && o.Service().key() == id.key() {
				id.AccountID = o.AWS.AccountID
				break
			}
		}
	}
	return id
}

func addService(list []ServiceID, id ServiceID) []ServiceID {
	for _, x := range list {
		if x.key() == id.key() {
			return list
		}
	}
	return append(list, id)
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
