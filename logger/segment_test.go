package logger

import (
	"context"
	"strings"
	"testing"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/lambdalog/lambdalog/internal/invocation"
)

// subsegment is an X-Ray entity as package tracer puts it on a context.
type subsegment string

func (s subsegment) AppendEntityID(b []byte) []byte { return append(b, s...) }

// A record logged with a context that carries a tracer's subsegment names it right after
// xray_trace_id; records logged with another context, or outside an invocation, do not.
func TestSegmentIDFromTheLogCallsContext(t *testing.T) {
	setLambdaEnv(t)
	var buf lineBuffer
	h := lambda.NewHandler(WrapNoEvent(func(ctx context.Context) (string, error) {
		l := FromContext(ctx)
		l.InfoContext(ctx, "handler")
		sub := invocation.WithEntity(ctx, subsegment("53995c3f42cd8ad8"))
		l.InfoContext(sub, "captured", "k", "v")
		l.InfoContext(invocation.WithEntity(sub, subsegment("0123456789abcdef")), "nested")
		l.Info("no context")
		return "ok", nil
	}, WithOutput(&buf)))
	if _, err := h.Invoke(invokeCtx("req-1", "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1"), nil); err != nil {
		t.Fatal(err)
	}
	New(WithOutput(&buf)).InfoContext(invocation.WithEntity(context.Background(), subsegment("53995c3f42cd8ad8")), "outside")

	want := map[string]string{"handler": "", "captured": "53995c3f42cd8ad8", "nested": "0123456789abcdef", "no context": "", "outside": ""}
	recs := buf.records(t)
	if len(recs) != len(want) {
		t.Fatalf("%d records: %v", len(recs), recs)
	}
	for _, r := range recs {
		msg := r["message"].(string)
		got, _ := r[SegmentIDKey].(string)
		if got != want[msg] {
			t.Errorf("%s: %s = %q, want %q", msg, SegmentIDKey, got, want[msg])
		}
	}
	// The id follows xray_trace_id, the last of the Powertools keys.
	line := strings.Split(buf.String(), "\n")[1]
	if !strings.HasSuffix(line, `"xray_trace_id":"1-5759e988-bd862e3fe1be46a994272793","xray_segment_id":"53995c3f42cd8ad8"}`) {
		t.Errorf("record: %s", line)
	}
}
