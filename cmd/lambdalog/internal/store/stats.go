package store

import (
	"encoding/binary"
	"fmt"
	"io"
	"math"

	"github.com/cockroachdb/pebble/v2"
)

// streamStats are the per-stream aggregates kept under the t key.
type streamStats struct {
	first, last   int64 // event timestamps, ms; first > last means no events
	lastIngestion int64
	storedBytes   int64
	// events is the number of events stored, -1 when unknown: in stats
	// written before events were counted (32 bytes, without it), and once
	// the retention sweep has deleted events of the stream. Unknown wins
	// every combination.
	events int64
}

// statsLen is the length of encoded stats; statsLenV1 that of stats written
// before events were counted.
const statsLen, statsLenV1 = 40, 32

func emptyStats() streamStats { return streamStats{first: math.MaxInt64, last: math.MinInt64} }

// swept is the stats operand of a retention sweep that deleted events of a
// stream: their number is unknown from then on.
func swept() streamStats {
	s := emptyStats()
	s.events = -1
	return s
}

func (a *streamStats) combine(b streamStats) {
	a.first = min(a.first, b.first)
	a.last = max(a.last, b.last)
	a.lastIngestion = max(a.lastIngestion, b.lastIngestion)
	a.storedBytes += b.storedBytes
	if a.events < 0 || b.events < 0 {
		a.events = -1
	} else {
		a.events += b.events
	}
}

func (a streamStats) encode() []byte {
	b := make([]byte, 0, statsLen)
	for _, v := range [...]int64{a.first, a.last, a.lastIngestion, a.storedBytes, a.events} {
		b = binary.BigEndian.AppendUint64(b, uint64(v))
	}
	return b
}

func decodeStats(b []byte) (streamStats, error) {
	if len(b) != statsLen && len(b) != statsLenV1 {
		return streamStats{}, fmt.Errorf("store: corrupt stream stats (%d bytes)", len(b))
	}
	u := func(i int) int64 { return int64(binary.BigEndian.Uint64(b[i*8:])) }
	s := streamStats{first: u(0), last: u(1), lastIngestion: u(2), storedBytes: u(3), events: -1}
	if len(b) == statsLen {
		s.events = u(4)
	}
	return s, nil
}

// statsMerger combines stream stats operands. It must keep its name: the
// name is recorded in the database and checked when it is opened.
var statsMerger = &pebble.Merger{
	Name: "lambdalog.streamstats.v1",
	Merge: func(_, value []byte) (pebble.ValueMerger, error) {
		m := &statsValueMerger{acc: emptyStats()}
		return m, m.add(value)
	},
}

type statsValueMerger struct{ acc streamStats }

func (m *statsValueMerger) add(v []byte) error {
	s, err := decodeStats(v)
	if err != nil {
		return err
	}
	m.acc.combine(s)
	return nil
}

func (m *statsValueMerger) MergeNewer(v []byte) error { return m.add(v) }
func (m *statsValueMerger) MergeOlder(v []byte) error { return m.add(v) }
func (m *statsValueMerger) Finish(bool) ([]byte, io.Closer, error) {
	return m.acc.encode(), nil, nil
}
