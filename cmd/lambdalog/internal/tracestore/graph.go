package tracestore

import (
	"cmp"
	"context"
	"math"
	"slices"
	"strings"
	"time"
)

// Graph is a service graph: the services that served the requests of some
// traces and the calls between them, with their statistics.
type Graph struct {
	Services []GraphService
}

// GraphService is a node of a Graph.
type GraphService struct {
	ReferenceID int
	ServiceID
	// Root: the service served requests from the client.
	Root bool
	// Start and End span the service's segments, in epoch seconds.
	Start, End float64
	Edges      []GraphEdge
	Stats      Stats
	// DurationHistogram and ResponseTimeHistogram count the service's
	// segments by duration, in seconds rounded to the millisecond.
	DurationHistogram, ResponseTimeHistogram []HistogramEntry
}

// GraphEdge is a call from one service to another.
type GraphEdge struct {
	// ReferenceID is the ReferenceID of the service called.
	ReferenceID int
	Start, End  float64
	Stats       Stats
	// ResponseTimeHistogram counts the calls by response time.
	ResponseTimeHistogram []HistogramEntry
}

// Stats count requests by outcome: a fault (5xx), a throttle (429), another
// error (4xx) or ok.
type Stats struct {
	OK, Throttle, OtherError, Fault, Total int64
	// TotalResponseTime is the sum of the requests' durations, in seconds.
	TotalResponseTime float64
}

func (st *Stats) add(s *Segment) {
	st.Total++
	st.TotalResponseTime += s.Duration()
	switch {
	case s.Fault:
		st.Fault++
	case s.Throttle:
		st.Throttle++
	case s.Error:
		st.OtherError++
	default:
		st.OK++
	}
}

// HistogramEntry is one bucket of a histogram: how many durations had
// this Value (in seconds).
type HistogramEntry struct {
	Value float64
	Count int
}

// GraphBuilder accumulates traces into a Graph.
type GraphBuilder struct {
	nodes map[[2]string]*node
	order [][2]string
}

type node struct {
	svc        GraphService
	dur, resp  map[float64]int
	edges      map[[2]string]*edge
	edgeOrder  [][2]string
	start, end float64
}

type edge struct {
	e    GraphEdge
	resp map[float64]int
}

// NewGraphBuilder returns an empty builder.
func NewGraphBuilder() *GraphBuilder { return &GraphBuilder{nodes: map[[2]string]*node{}} }

func (b *GraphBuilder) node(id ServiceID) *node {
	k := id.key()
	n, ok := b.nodes[k]
	if !ok {
		n = &node{svc: GraphService{ServiceID: id}, dur: map[float64]int{}, resp: map[float64]int{}, edges: map[[2]string]*edge{},
			start: math.Inf(1), end: math.Inf(-1)}
		b.nodes[k] = n
		b.order = append(b.order, k)
	}
	if n.svc.AccountID == "" {
		n.svc.AccountID = id.AccountID
	}
	return n
}

// Add adds a trace's segments and calls.
func (b *GraphBuilder) Add(t *Trace) {
	for _, c := range t.Calls() {
		to := b.node(t.service(c.To))
		d := bucket(c.To.Duration())
		to.svc.Stats.add(c.To)
		to.dur[d]++
		to.resp[d]++
		to.start = min(to.start, c.To.Start)
		to.end = max(to.end, c.To.End, c.To.Start)
		var from *node
		if c.From == nil {
			from = b.node(ServiceID{Name: c.To.Name, Type: "client"})
			to.svc.Root = true
		} else {
			from = b.node(t.service(c.From))
		}
		k := to.svc.key()
		e, ok := from.edges[k]
		if !ok {
			e = &edge{e: GraphEdge{Start: c.To.Start, End: c.To.End}, resp: map[float64]int{}}
			from.edges[k] = e
			from.edgeOrder = append(from.edgeOrder, k)
		}
		e.e.Stats.add(c.To)
		e.resp[d]++
		e.e.Start = min(e.e.Start, c.To.Start)
		e.e.End = max(e.e.End, c.To.End, c.To.Start)
	}
}

// bucket rounds a duration to the millisecond.
func bucket(d float64) float64 { return math.Round(d*1000) / 1000 }

// Graph returns the graph of the traces added: the client nodes first,
// then the services by name and type, numbered in that order.
func (b *GraphBuilder) Graph() Graph {
	keys := slices.Clone(b.order)
	slices.SortFunc(keys, func(x, y [2]string) int {
		if cx, cy := x[1] == "client", y[1] == "client"; cx != cy {
			if cx {
				return -1
			}
			return 1
		}
		if c := strings.Compare(x[0], y[0]); c != 0 {
			return c
		}
		return strings.Compare(x[1], y[1])
	})
	ref := map[[2]string]int{}
	for i, k := range keys {
		ref[k] = i
	}
	g := Graph{Services: make([]GraphService, 0, len(keys))}
	for _, k := range keys {
		n := b.nodes[k]
		s := n.svc
		s.ReferenceID = ref[k]
		if !math.IsInf(n.start, 1) {
			s.Start, s.End = n.start, n.end
		}
		s.DurationHistogram, s.ResponseTimeHistogram = histogram(n.dur), histogram(n.resp)
		for _, ek := range n.edgeOrder {
			e := n.edges[ek].e
			e.ReferenceID = ref[ek]
			e.ResponseTimeHistogram = histogram(n.edges[ek].resp)
			s.Edges = append(s.Edges, e)
		}
		slices.SortFunc(s.Edges, func(x, y GraphEdge) int { return x.ReferenceID - y.ReferenceID })
		if k[1] == "client" {
			s.Start, s.End = math.Inf(1), math.Inf(-1)
			for _, e := range s.Edges {
				s.Start, s.End = min(s.Start, e.Start), max(s.End, e.End)
			}
		}
		g.Services = append(g.Services, s)
	}
	return g
}

func histogram(m map[float64]int) []HistogramEntry {
	h := make([]HistogramEntry, 0, len(m))
	for v, c := range m {
		h = append(h, HistogramEntry{Value: v, Count: c})
	}
	slices.SortFunc(h, func(a, b HistogramEntry) int { return cmp.Compare(a.Value, b.Value) })
	return h
}

// MaxGraphTraces bounds the traces ServiceGraph reads: the newest ones of
// the range.
const MaxGraphTraces = 10000

// ServiceGraph returns the graph of the traces that started in [start,
// end], at most MaxGraphTraces of them, the newest.
func (s *Store) ServiceGraph(ctx context.Context, start, end time.Time) (Graph, error) {
	b := NewGraphBuilder()
	q := Query{Start: start, End: end, Limit: MaxGraphTraces, Budget: time.Minute}
	for n := 0; n < MaxGraphTraces; {
		q.Limit = MaxGraphTraces - n
		page, err := s.Query(ctx, q)
		if err != nil {
			return Graph{}, err
		}
		for _, t := range page.Traces {
			b.Add(t)
		}
		n += len(page.Traces)
		if page.Next == "" {
			break
		}
		q.Cursor = page.Next
	}
	return b.Graph(), nil
}
