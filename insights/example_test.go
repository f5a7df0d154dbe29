package insights_test

import (
	"errors"
	"fmt"
	"strconv"

	"github.com/lambdalog/lambdalog/insights"
)

// events are a few log events of a Lambda function's log group.
var events = []insights.Event{
	{Timestamp: 1705314600000, Message: []byte(`{"level":"INFO","message":"order placed","latency_ms":120}`)},
	{Timestamp: 1705314660000, Message: []byte(`{"level":"ERROR","message":"payment declined","latency_ms":800}`)},
	{Timestamp: 1705314720000, Message: []byte("REPORT RequestId: 8f5b\tDuration: 102.25 ms\tBilled Duration: 103 ms\tMemory Size: 128 MB\tMax Memory Used: 70 MB\t")},
	{Timestamp: 1705314900000, Message: []byte(`{"level":"ERROR","message":"payment declined","latency_ms":650}`)},
}

func Example() {
	q, err := insights.Parse(`filter level = "ERROR" | fields @timestamp, message, latency_ms | sort latency_ms desc`)
	if err != nil {
		panic(err)
	}
	e, err := q.NewEvaluator(insights.Options{
		Pointer: func(r insights.EventRef) string { return r.LogStream + "/" + strconv.FormatUint(r.ID, 10) },
	})
	if err != nil {
		panic(err)
	}
	for i := range events {
		events[i].LogGroup, events[i].LogStream, events[i].ID = "/aws/lambda/checkout", "stream-1", uint64(i)
		e.Feed(&events[i])
	}
	for _, row := range e.Results().Rows {
		fmt.Println(row)
	}
	fmt.Printf("%+v\n", e.Statistics())
	// Output:
	// [{@timestamp 2024-01-15 10:31:00.000} {message payment declined} {latency_ms 800} {@ptr stream-1/1}]
	// [{@timestamp 2024-01-15 10:35:00.000} {message payment declined} {latency_ms 650} {@ptr stream-1/3}]
	// {RecordsMatched:2 RecordsScanned:4 BytesScanned:294}
}

func ExampleQuery_NewEvaluator_stats() {
	q, err := insights.Parse(`stats count(*) as n, avg(latency_ms) as avg by bin(5m)`)
	if err != nil {
		panic(err)
	}
	e, _ := q.NewEvaluator(insights.Options{})
	for i := range events {
		e.Feed(&events[i])
	}
	fmt.Println(q.IsStats(), q.Columns())
	for _, row := range e.Results().Rows {
		fmt.Println(row)
	}
	// Output:
	// true [bin(5m) n avg]
	// [{bin(5m) 2024-01-15 10:30:00.000} {n 3} {avg 460}]
	// [{bin(5m) 2024-01-15 10:35:00.000} {n 1} {avg 650}]
}

// Evaluators run in parallel over disjoint events and merge into one.
func ExampleEvaluator_Merge() {
	q, _ := insights.Parse(`filter @type = "REPORT" or ispresent(latency_ms) | stats count(*) as n`)
	a, _ := q.NewEvaluator(insights.Options{})
	b, _ := q.NewEvaluator(insights.Options{})
	for i := range events {
		if i%2 == 0 {
			a.Feed(&events[i])
		} else {
			b.Feed(&events[i])
		}
	}
	a.Merge(b) // b is empty again and can be fed more events
	fmt.Println(a.Results().Rows)
	// Output:
	// [[{n 4}]]
}

// A server can test raw message bytes before building anything.
func ExampleQuery_PreFilter() {
	q, _ := insights.Parse(`filter @message like "ERROR" | limit 10`)
	pre := q.PreFilter()
	e, _ := q.NewEvaluator(insights.Options{})
	for i := range events {
		if !pre(events[i].Message) {
			e.AddScanned(1, int64(len(events[i].Message)))
			continue
		}
		e.Feed(&events[i])
	}
	fmt.Println(len(e.Results().Rows), e.Statistics().RecordsScanned)
	// Output:
	// 2 4
}

func ExampleParse_error() {
	_, err := insights.Parse("fields @message\n| stats count(*) by bin(5x)")
	var qe *insights.Error
	if errors.As(err, &qe) {
		fmt.Println(qe.Start, qe.End, qe.Message)
	}
	_, err = insights.Parse("pattern @message")
	fmt.Println(err)
	// Output:
	// 40 41 5x is not a time period: use a whole count and one of the units ms, s, m, h, d, w, mo, q, y
	// insights: line 1, column 1: pattern is not supported locally: it needs CloudWatch Logs' machine-learning models; run the query against AWS
}

func ExampleQuery_Source() {
	q, _ := insights.Parse("SOURCE logGroups(namePrefix: ['/aws/lambda/']) | filter @message like /Exception/")
	fmt.Println(q.Source().NamePrefixes)
	// Output:
	// [/aws/lambda/]
}

// A store that checks each event once, when it stores it, marks the flat
// JSON ones; queries then find their fields without reading them whole.
func ExampleFlatJSON() {
	for _, msg := range []string{
		`{"level":"ERROR","latency_ms":800}`,
		`{"level":"ERROR","request":{"path":"/orders"}}`, // a nested object
		`{"level":"ERROR","message":"card\ndeclined"}`,   // an escape
		"REPORT RequestId: 8f5b\tDuration: 102.25 ms",
	} {
		ev := insights.Event{Message: []byte(msg)}
		ev.Flat = insights.FlatJSON(ev.Message)
		fmt.Println(ev.Flat)
	}
	// Output:
	// true
	// false
	// false
	// false
}
