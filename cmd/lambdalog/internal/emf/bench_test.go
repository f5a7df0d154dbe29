package emf

import "testing"

// BenchmarkExtract measures the cost the log server pays per ingested event:
// plain log lines (the common case) and EMF documents.
func BenchmarkExtract(b *testing.B) {
	cases := []struct{ name, msg string }{
		{"plain_text", "START RequestId: 8f5d7a6e-2b0c-4c1e-9d7a-1f2e3d4c5b6a Version: $LATEST"},
		{"json_log", `{"level":"INFO","location":"handler:42","message":"greeting sent","timestamp":"2026-11-21T05:00:00.000Z","service":"hello","cold_start":false,"function_request_id":"8f5d7a6e"}`},
		{"emf_1_metric", `{"_aws":{"Timestamp":1700000000000,"CloudWatchMetrics":[{"Namespace":"HelloApp","Dimensions":[["service"]],"Metrics":[{"Name":"SuccessfulGreetings","Unit":"Count"}]}]},"service":"hello","SuccessfulGreetings":[1]}`},
	}
	for _, c := range cases {
		msg := []byte(c.msg)
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(msg)))
			for b.Loop() {
				_, _ = Extract(msg, now)
			}
		})
	}
}
