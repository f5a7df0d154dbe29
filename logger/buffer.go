package logger

import (
	"log/slog"
	"sync"
	"time"
)

// recordBuffer holds an invocation's buffered records, oldest first, within max bytes.
type recordBuffer struct {
	mu      sync.Mutex
	max     int
	size    int
	records [][]byte
	dropped int
}

// add stores a copy of rec, dropping the oldest records to stay within max bytes.
func (b *recordBuffer) add(rec []byte) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if len(rec) > b.max {
		b.dropped++
		return
	}
	for b.size+len(rec) > b.max {
		b.size -= len(b.records[0])
		b.records[0] = nil
		b.records = b.records[1:]
		b.dropped++
	}
	b.records = append(b.records, append([]byte(nil), rec...))
	b.size += len(rec)
}

// take empties the buffer, returning its records and the number dropped since the last take.
func (b *recordBuffer) take() (records [][]byte, dropped int) {
	b.mu.Lock()
	defer b.mu.Unlock()
	records, dropped = b.records, b.dropped
	b.records, b.size, b.dropped = nil, 0, 0
	return records, dropped
}

// flush writes inv's buffered records in order, preceded by a warning if some were dropped.
func (h *Handler) flush(inv *invocationState) {
	records, dropped := inv.buf.take()
	if dropped > 0 {
		r := slog.NewRecord(time.Now(), slog.LevelWarn, "log buffer full: oldest buffered records were dropped", 0)
		r.AddAttrs(slog.Int("dropped_records", dropped))
		bound := *inv.base
		bound.bind = &binding{inv: inv}
		_ = h.c.write(bound.appendRecord(nil, nil, bound.bind, r))
	}
	for _, rec := range records {
		_ = h.c.write(rec)
	}
}
