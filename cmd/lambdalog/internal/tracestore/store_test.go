package tracestore

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

func openMem(t *testing.T, opts Options) *Store {
	t.Helper()
	opts.InMemory = true
	if opts.SweepInterval == 0 {
		opts.SweepInterval = -1
	}
	s, err := Open("", opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func mustParse(t testing.TB, doc string) Document {
	t.Helper()
	d, err := ParseDocument([]byte(doc))
	if err != nil {
		t.Fatalf("ParseDocument(%s): %v", doc, err)
	}
	return d
}

func put(t testing.TB, s *Store, docs ...string) {
	t.Helper()
	ds := make([]Document, len(docs))
	for i, d := range docs {
		ds[i] = mustParse(t, d)
	}
	if err := s.Put(context.Background(), ds); err != nil {
		t.Fatal(err)
	}
}

const tid = "1-5759e988-bd862e3fe1be46a994272793"

func getTrace(t *testing.T, s *Store, id string) *Trace {
	t.Helper()
	tr, ok := ParseTraceID(id)
	if !ok {
		t.Fatalf("bad id %s", id)
	}
	trace, err := s.Trace(context.Background(), tr)
	if err != nil {
		t.Fatal(err)
	}
	return trace
}

func TestParseDocument(t *testing.T) {
	for _, c := range []struct {
		doc, code string
	}{
		{`{"id":"70de5b6f19ff9a0a","name":"n","trace_id":"` + tid + `","start_time":1.5,"end_time":2}`, ""},
		{`{"id":"70DE5B6F19FF9A0A","name":"n","trace_id":"1-5759E988-BD862E3FE1BE46A994272793","start_time":1,"in_progress":true}`, ""},
		{`{"type":"subsegment","parent_id":"70de5b6f19ff9a0b","id":"70de5b6f19ff9a0a","name":"## handler","trace_id":"` + tid + `","start_time":1,"end_time":1.2e0}`, ""},
		{` { "id" : "70de5b6f19ff9a0a" , "name" : "a\"b" , "trace_id" : "` + tid + `" , "start_time" : 1.480615200010E9 , "end_time" : 1.480615200090E9 } `, ""},
		{`not json`, CodeJSONFormat},
		{`[1,2]`, CodeJSONFormat},
		{`{"name":"n","trace_id":"` + tid + `","start_time":1,"end_time":2}`, CodeMissingParam},
		{`{"id":"70de5b6f19ff9a0","name":"n","trace_id":"` + tid + `","start_time":1,"end_time":2}`, CodeInvalidParam},
		{`{"id":"70de5b6f19ff9a0a","name":"n","start_time":1,"end_time":2}`, CodeMissingParam},
		{`{"id":"70de5b6f19ff9a0a","name":"n","trace_id":"1-5759e988-bd862e3fe1be46a99427279","start_time":1,"end_time":2}`, CodeInvalidParam},
		{`{"id":"70de5b6f19ff9a0a","name":"n","trace_id":"2-5759e988-bd862e3fe1be46a994272793","start_time":1,"end_time":2}`, CodeInvalidParam},
		{`{"id":"70de5b6f19ff9a0a","trace_id":"` + tid + `","start_time":1,"end_time":2}`, CodeMissingParam},
		{`{"id":"70de5b6f19ff9a0a","name":"","trace_id":"` + tid + `","start_time":1,"end_time":2}`, CodeInvalidParam},
		{`{"id":"70de5b6f19ff9a0a","name":"` + strings.Repeat("x", 201) + `","trace_id":"` + tid + `","start_time":1,"end_time":2}`, CodeInvalidParam},
		{`{"id":"70de5b6f19ff9a0a","name":"n","trace_id":"` + tid + `","end_time":2}`, CodeMissingParam},
		{`{"id":"70de5b6f19ff9a0a","name":"n","trace_id":"` + tid + `","start_time":"1","end_time":2}`, CodeInvalidParam},
		{`{"id":"70de5b6f19ff9a0a","name":"n","trace_id":"` + tid + `","start_time":1}`, CodeMissingParam},
		{`{"id":"70de5b6f19ff9a0a","name":"n","trace_id":"` + tid + `","start_time":1,"in_progress":false}`, CodeMissingParam},
		{`{"id":"70de5b6f19ff9a0a","name":"n","trace_id":"` + tid + `","start_time":-1,"end_time":2}`, CodeInvalidParam},
		{`{"type":"subsegment","id":"70de5b6f19ff9a0a","name":"n","trace_id":"` + tid + `","start_time":1,"end_time":2}`, CodeMissingParam},
		{`{"type":"segmento","id":"70de5b6f19ff9a0a","name":"n","trace_id":"` + tid + `","start_time":1,"end_time":2}`, CodeInvalidParam},
		{`{"parent_id":"xyz","id":"70de5b6f19ff9a0a","name":"n","trace_id":"` + tid + `","start_time":1,"end_time":2}`, CodeInvalidParam},
		{`{"id":"70de5b6f19ff9a0a","name":"n","trace_id":"` + tid + `","start_time":1,"end_time":2,"metadata":"` + strings.Repeat("x", MaxDocumentSize) + `"}`, CodeTooLarge},
	} {
		d, err := ParseDocument([]byte(c.doc))
		var de *DocumentError
		switch {
		case c.code == "" && err != nil:
			t.Errorf("%.80s: %v", c.doc, err)
		case c.code != "" && (!errors.As(err, &de) || de.Code != c.code):
			t.Errorf("%.80s: got %v, want %s", c.doc, err, c.code)
		case c.code == "" && d.Trace.String() != strings.ToLower(strings.TrimSpace(d.Trace.String())):
			t.Errorf("%.80s: trace %s", c.doc, d.Trace)
		}
	}
	d := mustParse(t, `{"type":"subsegment","parent_id":"70de5b6f19ff9a0b","id":"70de5b6f19ff9a0a","name":"x","trace_id":"`+tid+`","start_time":1,"in_progress":true}`)
	if !d.Subsegment || !d.InProgress || !d.HasParent || d.Parent.String() != "70de5b6f19ff9a0b" || d.Start != 1 || d.Trace.String() != tid {
		t.Errorf("%+v", d)
	}
}

// lambdaTrace is a trace of an invocation: the two segments Lambda emits,
// and the function's subsegments sent on their own, one in progress first.
func lambdaTrace(root string, start float64) []string {
	at := func(d float64) string { return fmt.Sprint(start + d) }
	return []string{
		`{"id":"0000000000000001","name":"f","trace_id":"` + root + `","start_time":` + at(0) + `,"end_time":` + at(1) +
			`,"origin":"AWS::Lambda","http":{"response":{"status":200}},"aws":{"request_id":"r1"},"resource_arn":"arn:aws:lambda:us-east-1:123456789012:function:f"}`,
		`{"id":"0000000000000002","name":"f","trace_id":"` + root + `","parent_id":"0000000000000001","start_time":` + at(0.1) + `,"end_time":` + at(0.9) +
			`,"origin":"AWS::Lambda::Function","aws":{"account_id":"123456789012","cloudwatch_logs":[{"log_group":"/aws/lambda/f"}]},` +
			`"subsegments":[{"id":"0000000000000003","name":"Invocation","start_time":` + at(0.1) + `,"end_time":` + at(0.8) + `},` +
			`{"id":"0000000000000004","name":"Overhead","start_time":` + at(0.8) + `,"end_time":` + at(0.9) + `}]}`,
		`{"type":"subsegment","id":"0000000000000005","name":"## handler","trace_id":"` + root + `","parent_id":"0000000000000002","start_time":` + at(0.2) + `,"in_progress":true}`,
		`{"type":"subsegment","id":"0000000000000006","name":"DynamoDB","namespace":"aws","trace_id":"` + root + `","parent_id":"0000000000000005","start_time":` + at(0.3) + `,"end_time":` + at(0.4) + `,"fault":true,"aws":{"operation":"GetItem","table_name":"t"}}`,
		`{"type":"subsegment","id":"0000000000000005","name":"## handler","trace_id":"` + root + `","parent_id":"0000000000000002","start_time":` + at(0.2) + `,"end_time":` + at(0.7) + `,"annotations":{"ColdStart":true,"User":"ann"}}`,
	}
}

// tree renders a segment and its subsegments as name(children...).
func tree(s *Segment) string {
	var b strings.Builder
	b.WriteString(s.Name)
	if len(s.Subsegments) > 0 {
		b.WriteString("(")
		for i, c := range s.Subsegments {
			if i > 0 {
				b.WriteString(" ")
			}
			b.WriteString(tree(c))
		}
		b.WriteString(")")
	}
	return b.String()
}

func TestAssembly(t *testing.T) {
	s := openMem(t, Options{})
	docs := lambdaTrace(tid, 1000)
	// The subsegments arrive first and apart, the complete handler before
	// its in-progress document.
	put(t, s, docs[4])
	put(t, s, docs[3], docs[2])
	put(t, s, docs[0], docs[1])
	tr := getTrace(t, s, tid)
	var got []string
	for _, seg := range tr.Segments {
		got = append(got, tree(seg))
	}
	want := []string{"f", "f(Invocation(## handler(DynamoDB)) Overhead)", "DynamoDB"}
	if !slices.Equal(got, want) {
		t.Fatalf("segments %q, want %q", got, want)
	}
	h := tr.Segment("0000000000000005")
	if h == nil || h.InProgress || h.Annotations["ColdStart"] != true || h.End != 1000.7 {
		t.Fatalf("handler %+v", h)
	}
	inf := tr.Segments[2]
	if !inf.Inferred || inf.Origin != "AWS::DynamoDB::Table" || inf.ParentID != "0000000000000006" || !inf.Fault {
		t.Errorf("inferred %+v", inf)
	}
	// The joined subsegments' documents lose type, trace_id and parent_id.
	var doc map[string]any
	if err := json.Unmarshal(tr.Segments[1].Document(), &doc); err != nil {
		t.Fatal(err)
	}
	inv := doc["subsegments"].([]any)[0].(map[string]any)
	handler := inv["subsegments"].([]any)[0].(map[string]any)
	if _, ok := handler["type"]; ok || handler["name"] != "## handler" || handler["annotations"].(map[string]any)["User"] != "ann" {
		t.Errorf("handler document %v", handler)
	}
	if tr.Partial() {
		t.Error("a complete trace is partial")
	}
	sum := tr.Summary()
	if sum.Start != 1000 || sum.Duration != 1 || sum.ResponseTime != 1 || !sum.HasFault || sum.HasError || sum.IsPartial ||
		sum.HTTP.Status != 200 || sum.EntryPoint == nil || *sum.EntryPoint != (ServiceID{Name: "f", Type: "AWS::Lambda"}) || sum.Revision != 4 {
		t.Errorf("summary %+v", sum)
	}
	if v := sum.Annotations["User"]; len(v) != 1 || v[0].Value != "ann" || len(v[0].Services) != 1 || v[0].Services[0].Type != "AWS::Lambda::Function" {
		t.Errorf("annotations %+v", sum.Annotations)
	}
	if len(sum.Services) != 3 || sum.Services[1] != (ServiceID{Name: "f", Type: "AWS::Lambda::Function", AccountID: "123456789012"}) {
		t.Errorf("services %+v", sum.Services)
	}
}

func TestOrphansAndCycles(t *testing.T) {
	s := openMem(t, Options{})
	sub := func(id, parent string) string {
		return `{"type":"subsegment","id":"` + id + `","parent_id":"` + parent + `","name":"s` + id[15:] + `","trace_id":"` + tid + `","start_time":1,"end_time":2}`
	}
	put(t, s, sub("000000000000000a", "000000000000000b"), sub("000000000000000b", "000000000000000a"), sub("000000000000000c", "00000000000000ff"))
	tr := getTrace(t, s, tid)
	var got []string
	for _, seg := range tr.Segments {
		got = append(got, tree(seg))
		if !seg.Orphan {
			t.Errorf("%s is not an orphan", seg.Name)
		}
	}
	slices.Sort(got)
	if want := []string{"sb(sa)", "sc"}; !slices.Equal(got, want) {
		t.Errorf("segments %q, want %q", got, want)
	}
	if !tr.Partial() || !tr.Summary().IsPartial {
		t.Error("a trace with orphans is not partial")
	}
	// The parent arrives: the orphan joins it.
	put(t, s, `{"id":"00000000000000ff","name":"svc","trace_id":"`+tid+`","start_time":0.5,"end_time":3}`)
	tr = getTrace(t, s, tid)
	got = nil
	for _, seg := range tr.Segments {
		got = append(got, tree(seg))
	}
	slices.Sort(got)
	if want := []string{"sb(sa)", "svc(sc)"}; !slices.Equal(got, want) {
		t.Errorf("segments %q, want %q", got, want)
	}
}

func TestInProgressReplaced(t *testing.T) {
	s := openMem(t, Options{})
	inProgress := `{"id":"0000000000000001","name":"svc","trace_id":"` + tid + `","start_time":10,"in_progress":true}`
	complete := `{"id":"0000000000000001","name":"svc","trace_id":"` + tid + `","start_time":10,"end_time":12,"http":{"response":{"status":503}},"fault":true}`
	put(t, s, inProgress)
	if tr := getTrace(t, s, tid); !tr.Partial() || len(tr.Segments) != 1 || !tr.Segments[0].InProgress {
		t.Fatalf("in progress: %+v", tr.Segments[0])
	}
	put(t, s, complete)
	put(t, s, inProgress) // late: must not hide the complete one
	tr := getTrace(t, s, tid)
	if tr.Partial() || len(tr.Segments) != 1 || tr.Segments[0].End != 12 || !tr.Summary().HasFault || tr.Summary().HTTP.Status != 503 {
		t.Fatalf("complete: %+v", tr.Segments[0])
	}
}

// traceAt is a trace id whose first 8 hex digits are sec and whose random part is n.
func traceAt(sec int64, n int) string { return fmt.Sprintf("1-%08x-%024x", sec, n) }

func TestQueryPagesEachTraceOnce(t *testing.T) {
	s := openMem(t, Options{})
	base := int64(1_700_000_000)
	const n = 250
	for i := range n {
		id := traceAt(base, i)
		st := float64(base) + float64(i)/10
		// Each trace in three batches: its segment, then subsegments that
		// start later (more t entries at later times).
		put(t, s, `{"id":"0000000000000001","name":"svc","trace_id":"`+id+`","start_time":`+fmt.Sprint(st)+`,"end_time":`+fmt.Sprint(st+5)+`,"annotations":{"i":`+fmt.Sprint(i)+`}}`)
		put(t, s, `{"type":"subsegment","parent_id":"0000000000000001","id":"0000000000000002","name":"a","trace_id":"`+id+`","start_time":`+fmt.Sprint(st+1)+`,"end_time":`+fmt.Sprint(st+2)+`}`)
		put(t, s, `{"type":"subsegment","parent_id":"0000000000000001","id":"0000000000000003","name":"b","trace_id":"`+id+`","start_time":`+fmt.Sprint(st+3)+`,"end_time":`+fmt.Sprint(st+4)+`}`)
	}
	ctx := context.Background()
	// Traces 50..199 start in the range; later subsegments of 30..49 do too.
	q := Query{Start: time.UnixMilli((base*10 + 50) * 100), End: time.UnixMilli((base*10 + 199) * 100), Limit: 7}
	var got []int
	pages := 0
	for {
		p, err := s.Query(ctx, q)
		if err != nil {
			t.Fatal(err)
		}
		pages++
		for _, tr := range p.Traces {
			got = append(got, int(tr.Segments[0].Annotations["i"].(float64)))
		}
		if p.Next == "" {
			break
		}
		q.Cursor = p.Next
	}
	if len(got) != 150 || got[0] != 199 || got[149] != 50 || !slices.IsSortedFunc(got, func(a, b int) int { return b - a }) {
		t.Fatalf("%d traces over %d pages: %v", len(got), pages, got)
	}
	if pages < 150/7 {
		t.Errorf("only %d pages of at most 7", pages)
	}
	// Match filters; ByUpdate finds every trace (all stored just now).
	p, err := s.Query(ctx, Query{Start: time.Now().Add(-time.Minute), End: time.Now().Add(time.Minute), By: ByUpdate, Limit: 1000,
		Match: func(tr *Trace) bool { return tr.Segments[0].Annotations["i"].(float64) < 10 }})
	if err != nil || len(p.Traces) != 10 || p.Next != "" || p.Scanned != n {
		t.Fatalf("by update: %d traces, scanned %d, next %q, %v", len(p.Traces), p.Scanned, p.Next, err)
	}
	if _, err := s.Query(ctx, Query{Start: time.Unix(0, 0), End: time.Now(), Cursor: "garbage"}); !errors.Is(err, ErrBadCursor) {
		t.Errorf("bad cursor: %v", err)
	}
	first, _ := s.Query(ctx, Query{Start: time.Unix(0, 0), End: time.Now(), Limit: 1})
	if _, err := s.Query(ctx, Query{Start: time.Unix(0, 0), End: time.Now(), By: ByUpdate, Cursor: first.Next}); !errors.Is(err, ErrBadCursor) {
		t.Errorf("a ByStart cursor for ByUpdate: %v", err)
	}
}

func TestRetentionSweep(t *testing.T) {
	now := time.Unix(1_700_000_000, 0)
	s := openMem(t, Options{Now: func() time.Time { return now }, Retention: time.Hour})
	old, kept := traceAt(now.Unix(), 1), traceAt(now.Unix(), 2)
	put(t, s, lambdaTrace(old, float64(now.Unix()))...)
	put(t, s, lambdaTrace(kept, float64(now.Unix()))...)
	now = now.Add(50 * time.Minute)
	put(t, s, `{"type":"subsegment","parent_id":"0000000000000002","id":"00000000000000aa","name":"late","trace_id":"`+kept+`","start_time":1,"end_time":2}`)
	now = now.Add(20 * time.Minute)
	if err := s.Sweep(context.Background()); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Trace(context.Background(), mustTraceID(old)); !errors.Is(err, ErrNotFound) {
		t.Errorf("expired trace: %v", err)
	}
	if tr := getTrace(t, s, kept); tr.Documents != 5 {
		t.Errorf("kept trace has %d documents", tr.Documents)
	}
	p, err := s.Query(context.Background(), Query{Start: time.Unix(0, 0), End: now, Limit: 10})
	if err != nil || len(p.Traces) != 1 || p.Traces[0].ID != kept {
		t.Errorf("after the sweep: %+v, %v", p, err)
	}
}

func mustTraceID(s string) TraceID {
	id, ok := ParseTraceID(s)
	if !ok {
		panic(s)
	}
	return id
}

func TestDurable(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "traces")
	s, err := Open(dir, Options{SweepInterval: -1, MinFreeBytes: -1})
	if err != nil {
		t.Fatal(err)
	}
	put(t, s, lambdaTrace(tid, 1000)...)
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s, err = Open(dir, Options{SweepInterval: -1, MinFreeBytes: -1})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if tr := getTrace(t, s, tid); len(tr.Segments) != 3 {
		t.Errorf("after reopening: %d segments", len(tr.Segments))
	}
}

func TestServiceGraph(t *testing.T) {
	s := openMem(t, Options{})
	now := time.Now()
	caller, callee := traceAt(now.Unix(), 7), ""
	_ = callee
	start := float64(now.Unix())
	docs := lambdaTrace(caller, start)
	// The function calls function g through the Invoke API: g's AWS::Lambda
	// segment's parent is the caller's Lambda subsegment.
	docs = append(docs,
		`{"type":"subsegment","id":"0000000000000010","name":"Lambda","namespace":"aws","trace_id":"`+caller+`","parent_id":"0000000000000005","start_time":`+fmt.Sprint(start+0.45)+`,"end_time":`+fmt.Sprint(start+0.6)+`,"aws":{"operation":"Invoke"}}`,
		`{"id":"0000000000000011","name":"g","trace_id":"`+caller+`","parent_id":"0000000000000010","start_time":`+fmt.Sprint(start+0.46)+`,"end_time":`+fmt.Sprint(start+0.59)+`,"origin":"AWS::Lambda","error":true}`,
		`{"id":"0000000000000012","name":"g","trace_id":"`+caller+`","parent_id":"0000000000000011","start_time":`+fmt.Sprint(start+0.47)+`,"end_time":`+fmt.Sprint(start+0.58)+`,"origin":"AWS::Lambda::Function"}`)
	put(t, s, docs...)
	g, err := s.ServiceGraph(context.Background(), now.Add(-time.Minute), now.Add(time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	byName := map[string]GraphService{}
	var names []string
	for _, svc := range g.Services {
		k := svc.Name + "/" + svc.Type
		byName[k] = svc
		names = append(names, k)
	}
	if want := []string{"f/client", "DynamoDB/AWS::DynamoDB::Table", "f/AWS::Lambda", "f/AWS::Lambda::Function", "g/AWS::Lambda", "g/AWS::Lambda::Function"}; !slices.Equal(names, want) {
		t.Fatalf("services %q, want %q", names, want)
	}
	edge := func(from, to string) *GraphEdge {
		for _, e := range byName[from].Edges {
			if g.Services[e.ReferenceID].Name+"/"+g.Services[e.ReferenceID].Type == to {
				return &e
			}
		}
		t.Errorf("no edge %s -> %s", from, to)
		return &GraphEdge{}
	}
	edge("f/client", "f/AWS::Lambda")
	edge("f/AWS::Lambda", "f/AWS::Lambda::Function")
	if e := edge("f/AWS::Lambda::Function", "g/AWS::Lambda"); e.Stats.Total != 1 || e.Stats.OtherError != 1 {
		t.Errorf("edge to g: %+v", e.Stats)
	}
	if e := edge("f/AWS::Lambda::Function", "DynamoDB/AWS::DynamoDB::Table"); e.Stats.Fault != 1 {
		t.Errorf("edge to DynamoDB: %+v", e.Stats)
	}
	if !byName["f/AWS::Lambda"].Root || byName["g/AWS::Lambda"].Root || byName["f/AWS::Lambda::Function"].AccountID != "123456789012" {
		t.Errorf("roots or accounts: %+v", byName)
	}
	if h := byName["f/AWS::Lambda"].ResponseTimeHistogram; len(h) != 1 || h[0] != (HistogramEntry{Value: 1, Count: 1}) {
		t.Errorf("histogram %+v", h)
	}
}

func TestPutSegments(t *testing.T) {
	s := openMem(t, Options{})
	ctx := context.Background()
	good := []byte(`{"id":"0000000000000001","name":"svc","trace_id":"` + tid + `","start_time":1,"end_time":2}`)
	var de *DocumentError
	if err := s.PutSegments(ctx, good, []byte(`{"id":"x"}`)); !errors.As(err, &de) || de.Code != CodeInvalidParam {
		t.Fatalf("an invalid document: %v", err)
	}
	if _, err := s.Trace(ctx, mustTraceID(tid)); !errors.Is(err, ErrNotFound) {
		t.Fatalf("a batch with an invalid document stored something: %v", err)
	}
	if err := s.PutSegments(ctx, good); err != nil {
		t.Fatal(err)
	}
	if tr := getTrace(t, s, tid); len(tr.Segments) != 1 {
		t.Errorf("%+v", tr.Segments)
	}
}
