package console_test

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/xray"

	"github.com/lambdalog/lambdalog/internal/testserver"
)

// seedTraces sends, through PutTraceSegments, the segments of invocations
// of the orders function as Lambda and a traced handler send them: ordersTrace
// (the invocation that logged it in seed) and seven more, the first a cold
// start, one with a fault and one with an error. It returns the ids.
func seedTraces(t testing.TB, e *env, s seeded) []string {
	t.Helper()
	cfg := aws.Config{Region: "us-east-1", Credentials: credentials.NewStaticCredentialsProvider("test", "test", ""), HTTPClient: testserver.HTTPClient(nil)}
	client := xray.NewFromConfig(cfg, func(o *xray.Options) { o.BaseEndpoint = aws.String(e.URL) })
	rng := rand.New(rand.NewPCG(3, 4))
	hex := func(n int) string {
		b := make([]byte, n)
		for i := range b {
			b[i] = "0123456789abcdef"[rng.IntN(16)]
		}
		return string(b)
	}
	var ids []string
	var docs []string
	add := func(v any) {
		b, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		docs = append(docs, string(b))
	}
	arn := "arn:aws:lambda:us-east-1:123456789012:function:orders"
	for i := range 8 {
		traceID, requestID := fmt.Sprintf("1-%08x-%s", s.traceAt.Add(time.Duration(i-5)*time.Minute).Unix(), hex(24)), fmt.Sprintf("%s-%s-4%s-8%s-%s", hex(8), hex(4), hex(3), hex(3), hex(12))
		at := s.traceAt.Add(time.Duration(i-5) * time.Minute)
		if i == 5 {
			traceID, requestID = ordersTrace, s.traceRequest
		}
		ids = append(ids, traceID)
		t0 := float64(at.UnixMicro()) / 1e6
		dur := 0.05 + 0.02*float64(i)
		lambdaID, fnID, invID, handlerID := hex(16), hex(16), hex(16), hex(16)
		fault := i == 3
		add(map[string]any{"id": lambdaID, "name": "orders", "trace_id": traceID, "start_time": t0, "end_time": t0 + dur + 0.004,
			"origin": "AWS::Lambda", "resource_arn": arn, "http": map[string]any{"response": map[string]int{"status": 200}},
			"aws": map[string]string{"request_id": requestID}})
		subs := []map[string]any{{"id": invID, "name": "Invocation", "start_time": t0 + 0.001, "end_time": t0 + dur, "aws": map[string]string{"function_arn": arn}}}
		if i == 0 {
			subs = append([]map[string]any{{"id": hex(16), "name": "Initialization", "start_time": t0 - 0.083, "end_time": t0, "aws": map[string]string{"function_arn": arn}}}, subs...)
		}
		fn := map[string]any{"id": fnID, "name": "orders", "trace_id": traceID, "parent_id": lambdaID, "start_time": t0 + 0.001, "end_time": t0 + dur + 0.002,
			"origin": "AWS::Lambda::Function", "subsegments": subs,
			"aws": map[string]any{"account_id": "123456789012", "function_arn": arn, "resource_names": []string{"orders"}, "cloudwatch_logs": []map[string]string{{"log_group": ordersGroup}}}}
		if fault {
			fn["fault"] = true
			fn["cause"] = map[string]any{"exceptions": []map[string]string{{"id": hex(16), "type": "errorString", "message": "inventory service unavailable"}}}
		}
		add(fn)
		ddb := map[string]any{"id": hex(16), "name": "DynamoDB", "namespace": "aws", "start_time": t0 + 0.01, "end_time": t0 + 0.01 + dur/2,
			"aws":  map[string]any{"operation": "PutItem", "table_name": "orders", "region": "us-east-1", "request_id": hex(20)},
			"http": map[string]any{"response": map[string]int{"status": 200}}}
		if i == 6 {
			ddb["error"], ddb["http"] = true, map[string]any{"response": map[string]int{"status": 400}}
		}
		add(map[string]any{"id": handlerID, "name": "## handler", "type": "subsegment", "trace_id": traceID, "parent_id": fnID,
			"start_time": t0 + 0.002, "end_time": t0 + dur - 0.001,
			"annotations": map[string]any{"ColdStart": i == 0, "Service": "orders", "Customer": fmt.Sprintf("c-%d", i%3)},
			"metadata":    map[string]any{"orders": map[string]any{"response": map[string]any{"order_id": 1000 + i, "items": []string{"tea", "cake"}}}},
			"subsegments": []map[string]any{ddb}})
	}
	out, err := client.PutTraceSegments(context.Background(), &xray.PutTraceSegmentsInput{TraceSegmentDocuments: docs})
	if err != nil || len(out.UnprocessedTraceSegments) > 0 {
		t.Fatalf("PutTraceSegments: %v, unprocessed %+v", err, out)
	}
	return ids
}
