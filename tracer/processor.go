package tracer

import (
	"context"
	"errors"
	"sync"

	sdktrace "go.opentelemetry.io/otel/sdk/trace"
)

// maxPending is the number of ended spans the processor holds before it exports them on the
// goroutine that ended the last one, when nothing flushes (spans ended outside invocations).
const maxPending = 1024

// processor is the span processor of a Tracer: it keeps the sampled spans that end, the SDK's
// and the tracer's own subsegments, and hands them to the exporter when the invocation flushes,
// on the invocation's goroutine. Unlike the SDK's batch processor it starts no goroutine and
// never exports while the handler runs, which suits Lambda, where the environment is frozen as
// soon as the invocation returns.
type processor struct {
	exp  sdktrace.SpanExporter
	xray *XRayExporter // exp, when it is the X-Ray exporter, which takes the tracer's own spans as they are

	mu      sync.Mutex
	pending []span

	exportMu sync.Mutex // one export at a time
	spare    []span     // the last batch's slice, reused; under exportMu
	otel     []sdktrace.ReadOnlySpan
}

var _ sdktrace.SpanProcessor = (*processor)(nil)

func newProcessor(exp sdktrace.SpanExporter) *processor {
	p := &processor{exp: exp}
	p.xray, _ = exp.(*XRayExporter)
	return p
}

func (p *processor) OnStart(context.Context, sdktrace.ReadWriteSpan) {}

// OnEnd keeps s if it is sampled.
func (p *processor) OnEnd(s sdktrace.ReadOnlySpan) {
	if s.SpanContext().IsSampled() {
		p.add(s)
	}
}

// add keeps an ended span.
func (p *processor) add(s span) {
	p.mu.Lock()
	p.pending = append(p.pending, s)
	full := len(p.pending) >= maxPending
	p.mu.Unlock()
	if full {
		_ = p.ForceFlush(context.Background())
	}
}

// ForceFlush exports the spans ended so far.
func (p *processor) ForceFlush(ctx context.Context) error {
	p.exportMu.Lock()
	defer p.exportMu.Unlock()
	p.mu.Lock()
	batch := p.pending
	p.pending = p.spare[:0]
	p.mu.Unlock()
	if len(batch) == 0 {
		p.spare = batch
		return nil
	}
	var err error
	if p.xray != nil {
		err = p.xray.export(batch)
	} else {
		for _, s := range batch {
			if e, ok := s.(*entity); ok {
				p.otel = append(p.otel, e.otelSpan())
			} else {
				p.otel = append(p.otel, s.(sdktrace.ReadOnlySpan))
			}
		}
		err = p.exp.ExportSpans(ctx, p.otel)
		clear(p.otel)
		p.otel = p.otel[:0]
	}
	clear(batch)
	p.spare = batch
	return err
}

// Shutdown exports what is left and shuts the exporter down.
func (p *processor) Shutdown(ctx context.Context) error {
	return errors.Join(p.ForceFlush(ctx), p.exp.Shutdown(ctx))
}
