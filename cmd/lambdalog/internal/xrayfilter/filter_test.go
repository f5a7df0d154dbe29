package xrayfilter

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/lambdalog/lambdalog/cmd/lambdalog/internal/tracestore"
)

// traces stores three traces and returns them by name:
//
//	cold: hello called through API Gateway: AWS::Lambda (200) -> function
//	      (Initialization, Invocation(## handler: ColdStart true, User "ann", GetItem DynamoDB)),
//	      1.5 s, user "alice", GET https://api.example.com/hello/ann
//	warm: the same, warm, ColdStart false, User "bob", 0.2 s, DynamoDB throttled
//	fail: the function faults (0.05 s); the handler is in progress; it calls "backend" (traced, 503)
func traces(t testing.TB) map[string]*tracestore.Trace {
	t.Helper()
	s, err := tracestore.Open("", tracestore.Options{InMemory: true, SweepInterval: -1})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	ids := map[string]string{
		"cold": "1-5759e988-000000000000000000000001",
		"warm": "1-5759e989-000000000000000000000002",
		"fail": "1-5759e990-000000000000000000000003",
	}
	docs := map[string][]string{
		"cold": {
			`{"id":"a000000000000001","name":"hello","start_time":100,"end_time":101.5,"origin":"AWS::Lambda","user":"alice",` +
				`"http":{"request":{"url":"https://api.example.com/hello/ann","method":"GET","user_agent":"curl/8","client_ip":"10.0.0.1"},"response":{"status":200}}}`,
			`{"id":"a000000000000002","name":"hello","parent_id":"a000000000000001","start_time":100.1,"end_time":101.4,"origin":"AWS::Lambda::Function",` +
				`"aws":{"account_id":"123456789012"},"subsegments":[{"id":"a000000000000003","name":"Initialization","start_time":99,"end_time":100.1},` +
				`{"id":"a000000000000004","name":"Invocation","start_time":100.1,"end_time":101.3}]}`,
			`{"type":"subsegment","id":"a000000000000005","parent_id":"a000000000000002","name":"## handler","start_time":100.2,"end_time":101.2,` +
				`"annotations":{"ColdStart":true,"User":"ann","Count":3},"subsegments":[{"id":"a000000000000006","name":"DynamoDB","namespace":"aws","start_time":100.3,"end_time":100.4,"aws":{"operation":"GetItem"}}]}`,
		},
		"warm": {
			`{"id":"b000000000000001","name":"hello","start_time":200,"end_time":200.2,"origin":"AWS::Lambda","user":"bob","http":{"response":{"status":200}}}`,
			`{"id":"b000000000000002","name":"hello","parent_id":"b000000000000001","start_time":200.01,"end_time":200.19,"origin":"AWS::Lambda::Function",` +
				`"subsegments":[{"id":"b000000000000004","name":"Invocation","start_time":200.01,"end_time":200.18}]}`,
			`{"type":"subsegment","id":"b000000000000005","parent_id":"b000000000000002","name":"## handler","start_time":200.02,"end_time":200.17,` +
				`"annotations":{"ColdStart":false,"User":"bob","Count":7},"subsegments":[{"id":"b000000000000006","name":"DynamoDB","namespace":"aws","start_time":200.03,"end_time":200.04,"throttle":true,"error":true,"http":{"response":{"status":429}}}]}`,
		},
		"fail": {
			`{"id":"c000000000000001","name":"hello","start_time":300,"end_time":300.05,"origin":"AWS::Lambda","http":{"response":{"status":200}}}`,
			`{"id":"c000000000000002","name":"hello","parent_id":"c000000000000001","start_time":300.01,"end_time":300.04,"origin":"AWS::Lambda::Function","fault":true,` +
				`"subsegments":[{"id":"c000000000000004","name":"Invocation","start_time":300.01,"end_time":300.03},{"id":"c000000000000007","name":"backend","namespace":"remote","start_time":300.015,"end_time":300.025,"http":{"request":{"traced":true}}}]}`,
			`{"type":"subsegment","id":"c000000000000005","parent_id":"c000000000000002","name":"## handler","start_time":300.02,"in_progress":true}`,
			`{"id":"c000000000000008","name":"backend","parent_id":"c000000000000007","start_time":300.016,"end_time":300.024,"fault":true,"http":{"request":{"url":"http://backend/x","method":"POST"},"response":{"status":503}}}`,
		},
	}
	out := map[string]*tracestore.Trace{}
	for name, list := range docs {
		var ds []tracestore.Document
		for _, d := range list {
			d = strings.Replace(d, `"id":`, `"trace_id":"`+ids[name]+`","id":`, 1)
			doc, err := tracestore.ParseDocument([]byte(d))
			if err != nil {
				t.Fatalf("%s: %v", d, err)
			}
			ds = append(ds, doc)
		}
		if err := s.Put(context.Background(), ds); err != nil {
			t.Fatal(err)
		}
		id, _ := tracestore.ParseTraceID(ids[name])
		if out[name], err = s.Trace(context.Background(), id); err != nil {
			t.Fatal(err)
		}
	}
	return out
}

func TestFilterTable(t *testing.T) {
	ts := traces(t)
	for _, c := range []struct {
		expr string
		want string // the traces that match, in the order cold warm fail
	}{
		{"", "cold warm fail"},
		{"ok", "cold"},
		{"!ok", "warm fail"},
		{"ok = false", "warm fail"},
		{"fault", "fail"},
		{"fault = true", "fail"},
		{"fault != true", "cold warm"},
		{"error", "warm"},
		{"throttle", "warm"},
		{"partial", "fail"},
		{"ok !partial duration < 3", "cold"},
		{"responsetime > 1", "cold"},
		{"responsetime <= 0.2", "warm fail"},
		{"duration >= 0.1 AND duration <= 1", "warm"},
		{"duration < 0.1 OR duration > 1", "cold fail"},
		{"http.status = 200", "cold warm fail"},
		{"http.status != 200", ""},
		{`http.url CONTAINS "/hello/"`, "cold"},
		{`http.url BEGINSWITH "https://api.example.com/"`, "cold"},
		{`http.url ENDSWITH "/ann"`, "cold"},
		{`http.method = "GET"`, "cold"},
		{`http.useragent = "curl/8" and http.clientip = "10.0.0.1"`, "cold"},
		{`user = "alice"`, "cold"},
		{`user != "alice"`, "warm"},
		{"annotation.ColdStart = true", "cold"},
		{"annotation.ColdStart = false", "warm"},
		{"annotation.ColdStart", "cold"},
		{"!annotation.ColdStart", "warm fail"},
		{"annotation.User", "cold warm"},
		{`annotation.User = "ann"`, "cold"},
		{`annotation.User != "ann"`, "warm"},
		{`annotation.User BEGINSWITH "b"`, "warm"},
		{"annotation.Count > 5", "warm"},
		{"annotation.Count = 3", "cold"},
		{`annotation.Count = "3"`, ""},
		{"annotation.Missing", ""},
		{`service("hello")`, "cold warm fail"},
		{`!service("backend")`, "cold warm"},
		{`service("hello") { fault }`, "fail"},
		{`service("hello") { fault = true OR responsetime > 1 }`, "cold fail"},
		{`service("backend") { fault } AND annotation.User`, ""},
		{`service(id(name: "hello", type: "AWS::Lambda::Function")) { responsetime > 1 }`, "cold"},
		{`service(id(type: "AWS::Lambda::Function", account.id: "123456789012"))`, "cold"},
		{`service(id(name: "DynamoDB", type: "AWS::DynamoDB::Table")) { throttle }`, "warm"},
		{`service() { http.status = 503 }`, "fail"},
		{`service() { annotation.ColdStart = true }`, "cold"},
		{`edge("hello", "backend") { fault }`, "fail"},
		{`edge("hello", "DynamoDB")`, "cold warm"},
		{`edge(id(name: "hello", type: "AWS::Lambda"), id(name: "hello", type: "AWS::Lambda::Function"))`, "cold warm fail"},
		{`edge("hello", "DynamoDB") { error }`, "warm"},
		{"(ok OR fault) AND NOT partial", "cold"},
		{"not (ok or fault)", "warm"},
		{"ok OR fault AND partial", "cold fail"},
	} {
		f, err := Parse(c.expr)
		if err != nil {
			t.Errorf("%q: %v", c.expr, err)
			continue
		}
		var got []string
		for _, name := range []string{"cold", "warm", "fail"} {
			if f.Match(ts[name]) {
				got = append(got, name)
			}
		}
		if g := strings.Join(got, " "); g != c.want {
			t.Errorf("%q matches %q, want %q", c.expr, g, c.want)
		}
		if again, err := Parse(f.String()); err != nil || again.String() != f.String() {
			t.Errorf("%q: String %q does not round-trip: %v", c.expr, f.String(), err)
		}
	}
}

func TestFilterErrors(t *testing.T) {
	for _, c := range []struct {
		expr, msg string
		pos       int
	}{
		{`rootcause.fault.service { name = "x" }`, `"rootcause.fault.service" is not supported`, 1},
		{`json CONTAINS "x"`, `"json" is not supported`, 1},
		{`group.name = "g"`, `"group.name" is not supported`, 1},
		{`inferred`, `"inferred" is not supported`, 1},
		{`ok AND resource.arn = "x"`, `"resource.arn" is not supported`, 8},
		{`bogus = 1`, `unknown filter keyword "bogus"`, 1},
		{`responsetime > "5"`, "responsetime compares with a number value", 16},
		{`responsetime CONTAINS 5`, "CONTAINS does not apply to the number value of responsetime", 14},
		{`http.url > "a"`, "> does not apply to the string value of http.url", 10},
		{`fault = 1`, "fault compares with a boolean value", 9},
		{`duration`, "duration needs an operator and a value", 9},
		{`annotation`, "annotation needs a key", 1},
		{`annotation.`, "expected a name after '.'", 12},
		{`annotation.k = true < 3`, `unexpected "<"`, 21},
		{`(ok`, "expected ')'", 4},
		{`ok)`, `unexpected ")"`, 3},
		{`service("a") { service("b") }`, "service() cannot be used inside service() { }", 16},
		{`edge("a")`, "expected ',' between the two services of edge()", 9},
		{`service(id(nom: "x"))`, `id() takes name, type and account.id, not "nom"`, 12},
		{`service(hello)`, "expected a service name in quotes or id(...)", 9},
		{`user = "unterminated`, "string not closed", 8},
		{`ok # 1`, "unexpected character '#'", 4},
		{`responsetime > 1e999`, "is not a number", 16},
		{strings.Repeat("(", 200) + "ok" + strings.Repeat(")", 200), "nested more than 100 deep", 101},
		{strings.Repeat("!", 200) + "ok", "nested more than 100 deep", 100},
	} {
		_, err := Parse(c.expr)
		var fe *Error
		if !errors.As(err, &fe) || !strings.Contains(fe.Msg, c.msg) || fe.Pos+1 != c.pos {
			t.Errorf("%q: got %v, want %q at character %d", c.expr, err, c.msg, c.pos)
		}
	}
}

func FuzzParse(f *testing.F) {
	for _, s := range []string{
		"ok !partial duration < 3", `service("api.example.com") { fault = true OR responsetime > 2.5 } AND annotation.account = "12345"`,
		`edge("a", "b") { error }`, `http.url BEGINSWITH "http://api.example.com/" AND http.url CONTAINS "/v2/" AND !service("api.example.com")`,
		`service(id(name: "x", type: "AWS::Lambda", account.id: "1")) { annotation.k > -1.5e3 }`, `NOT (user = "a\"b\\c" or throttle != false)`,
		`rootcause.fault.service { name = "x" }`, `(((`, `"x`,
	} {
		f.Add(s)
	}
	ts := traces(f)
	f.Fuzz(func(t *testing.T, expr string) {
		flt, err := Parse(expr)
		if err != nil {
			var fe *Error
			if !errors.As(err, &fe) || fe.Pos < 0 || fe.Pos > len(expr) {
				t.Fatalf("%q: error %v", expr, err)
			}
			return
		}
		canon := flt.String()
		again, err := Parse(canon)
		if err != nil || again.String() != canon {
			t.Fatalf("%q: canonical form %q does not parse back: %v", expr, canon, err)
		}
		for name, tr := range ts {
			if flt.Match(tr) != again.Match(tr) {
				t.Fatalf("%q and %q disagree on %s", expr, canon, name)
			}
		}
	})
}
