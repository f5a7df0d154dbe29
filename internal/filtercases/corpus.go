package filtercases

import (
	"fmt"
	"math/rand/v2"
)

// LambdaCorpus generates a deterministic, realistic Lambda log: for each
// invocation the platform's START line, application lines (Powertools-style
// JSON, plain text with Lambda's timestamp/request id prefix, and
// space-delimited access-log lines), END and REPORT lines, and now and then
// a timeout. Each invocation gives 7 to 10 events; benchmarks of the
// filter pattern matcher and of FilterLogEvents scan it.
func LambdaCorpus(invocations int) []string {
	r := rand.New(rand.NewPCG(1, 2))
	levels := []string{"INFO", "INFO", "INFO", "INFO", "DEBUG", "WARN", "ERROR"}
	paths := []string{"/", "/index.html", "/api/orders", "/api/orders/42", "/static/app.js", "/login"}
	statuses := []int{200, 200, 200, 200, 201, 204, 301, 304, 400, 403, 404, 500, 503}
	var out []string
	for i := 0; i < invocations; i++ {
		id := fmt.Sprintf("%08x-%04x-%04x-%04x-%012x", r.Uint32(), r.Uint32()&0xffff, r.Uint32()&0xffff, r.Uint32()&0xffff, r.Uint64()&0xffffffffffff)
		ts := fmt.Sprintf("2024-05-01T10:%02d:%02d.%03dZ", i/60%60, i%60, r.IntN(1000))
		out = append(out, "START RequestId: "+id+" Version: $LATEST")
		for j := 0; j < 2+r.IntN(3); j++ {
			level := levels[r.IntN(len(levels))]
			out = append(out, fmt.Sprintf(`{"level":%q,"location":"handler:%d","message":"processed order %d for customer \"c-%d\"","timestamp":%q,"service":"orders","cold_start":%t,"function_name":"orders-api","function_memory_size":%d,"function_arn":"arn:aws:lambda:us-east-1:123456789012:function:orders-api","function_request_id":%q,"xray_trace_id":"1-5759e988-bd862e3fe1be46a994272793","sampling_rate":0.1,"order":{"id":%d,"items":[{"sku":"A-%d","qty":%d}],"total":%d.%02d}}`,
				level, 10+r.IntN(90), r.IntN(100000), r.IntN(1000), ts, i%50 == 0, 128<<r.IntN(4), id, r.IntN(100000), r.IntN(1000), 1+r.IntN(5), r.IntN(500), r.IntN(100)))
		}
		out = append(out, ts+"\t"+id+"\tINFO\tfetched "+fmt.Sprint(r.IntN(50))+" rows from orders table in "+fmt.Sprint(r.IntN(300))+" ms")
		out = append(out, fmt.Sprintf(`10.0.%d.%d - - [01/May/2024:10:%02d:%02d +0000] "GET %s HTTP/1.1" %d %d`,
			r.IntN(256), r.IntN(256), i/60%60, i%60, paths[r.IntN(len(paths))], statuses[r.IntN(len(statuses))], r.IntN(20000)))
		if i%97 == 0 {
			out = append(out, ts+" "+id+" Task timed out after 3.00 seconds")
		}
		out = append(out, "END RequestId: "+id)
		report := fmt.Sprintf("REPORT RequestId: %s\tDuration: %d.%02d ms\tBilled Duration: %d ms\tMemory Size: 512 MB\tMax Memory Used: %d MB\t", id, r.IntN(900), r.IntN(100), 1+r.IntN(900), 60+r.IntN(100))
		if i%50 == 0 {
			report += fmt.Sprintf("Init Duration: %d.%02d ms\t", 100+r.IntN(200), r.IntN(100))
		}
		out = append(out, report)
	}
	return out
}
