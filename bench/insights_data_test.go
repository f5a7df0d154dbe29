package bench

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs/types"
)

// insCorpus describes a generated log group of Powertools-shaped JSON
// events: the logs of one Lambda function (AWS Lambda Powertools for Python's
// Logger, with its standard keys, a correlation id and a latency_ms key the
// function adds). Every line is a pure function of its index, so a corpus is
// the same whoever generates it, in any order.
//
// Event i belongs to invocation i/perInvocation (one request id, correlation
// id and trace id per invocation), which ran in stream invocation%streams
// (one stream per execution environment, as Lambda writes them). Event i's
// timestamp is base + 7i ms, unique, and is also the line's "timestamp" key
// (ISO 8601 in UTC, as Powertools for TypeScript and Java write it; Python's
// Powertools writes "2006-01-02 15:04:05,000+0000").
type insCorpus struct {
	events        int
	perInvocation int
	streams       int
	base          int64 // epoch ms of event 0
}

// insStepMillis is the time between consecutive events of a corpus: 1,000,000
// events span 1 h 57 min.
const insStepMillis = 7

// insBase returns the start of a corpus: 10:00 UTC on a day 3 to 10 days ago
// that changes once a week, so that PutLogEvents accepts every event (AWS
// refuses events older than 14 days) and a cached corpus serves a week.
func insBase(now time.Time) int64 {
	week := 7 * 24 * time.Hour
	return now.Add(-3 * 24 * time.Hour).Truncate(week).Add(10 * time.Hour).UnixMilli()
}

func (c insCorpus) timestamp(i int) int64 { return c.base + insStepMillis*int64(i) }
func (c insCorpus) invocations() int      { return (c.events + c.perInvocation - 1) / c.perInvocation }

// end returns the timestamp of the corpus's last event.
func (c insCorpus) end() int64 { return c.timestamp(c.events - 1) }

func insStreamName(s int) string { return fmt.Sprintf("2026/01/01/[$LATEST]%032x", s) }

// insSeed seeds the generator; a different seed is a different corpus.
const insSeed = 0x1a3b_5c7d

// appendLine appends event i's message (without a newline) to buf.
func (c insCorpus) appendLine(buf []byte, i int) []byte {
	inv := i / c.perInvocation
	var ids rand.PCG // the invocation's ids
	ids.Seed(insSeed, uint64(inv)<<1)
	var p rand.PCG // this event's values
	p.Seed(insSeed, uint64(i)<<1|1)
	intn := func(n int) int { return int(p.Uint64() % uint64(n)) }
	customer := 1 + int(2000*insUnit(ids.Uint64())*insUnit(ids.Uint64())) // skewed: a few customers order most
	order := 100_000 + inv

	var level, location string
	lat := 5 + intn(200)
	switch r := intn(100); {
	case r < 3:
		level = "ERROR"
		lat = intn(300)
		if intn(2) == 0 {
			lat = 300 + intn(5000) // timeouts
		}
	case r < 10:
		level = "WARNING"
	case r < 20:
		level = "DEBUG"
	default:
		level = "INFO"
	}
	switch r := intn(100); {
	case r < 9:
		lat = 200 + intn(1800)
	case r < 10:
		lat = 2000 + intn(28000)
	}
	var mbuf [80]byte
	msg := mbuf[:0]
	switch level {
	case "ERROR":
		if intn(2) == 0 {
			location = "capture_payment:102"
			msg = fmt.Appendf(msg, "payment declined for order %d: card expired", order)
		} else {
			location = "call_inventory:73"
			msg = fmt.Appendf(msg, "inventory service timed out after %d ms", lat)
		}
	case "WARNING":
		if intn(2) == 0 {
			location = "call_inventory:68"
			msg = fmt.Appendf(msg, "retrying inventory call, attempt %d", 1+intn(3))
		} else {
			location = "call_payments:95"
			msg = fmt.Appendf(msg, "slow response from payments after %d ms", lat)
		}
	case "DEBUG":
		location = "get_customer:42"
		if intn(4) == 0 {
			msg = fmt.Appendf(msg, "cache miss for customer-%d", customer)
		} else {
			msg = fmt.Appendf(msg, "cache hit for customer-%d", customer)
		}
	default: // an invocation places its order on its second line, and takes the payment on its third
		switch pos := i % c.perInvocation; {
		case pos == 1:
			location = "place_order:57"
			msg = fmt.Appendf(msg, "order %d placed by customer-%d", order, customer)
		case pos == 2:
			location = "capture_payment:88"
			msg = fmt.Appendf(msg, "payment captured for order %d", order)
		case pos == c.perInvocation-1:
			location = "handler:120"
			msg = fmt.Appendf(msg, "request completed in %d ms", lat)
		default:
			location = "update_cart:31"
			msg = fmt.Appendf(msg, "cart updated with %d items", 1+intn(12))
		}
	}
	buf = append(buf, `{"level":"`...)
	buf = append(buf, level...)
	buf = append(buf, `","location":"`...)
	buf = append(buf, location...)
	buf = append(buf, `","message":"`...)
	buf = append(buf, msg...)
	buf = append(buf, `","timestamp":"`...)
	buf = time.UnixMilli(c.timestamp(i)).UTC().AppendFormat(buf, "2006-01-02T15:04:05.000Z")
	buf = append(buf, `","service":"orders","cold_start":`...)
	buf = strconv.AppendBool(buf, inv < c.streams) // each environment's first invocation
	buf = append(buf, `,"function_name":"orders-api","function_request_id":"`...)
	buf = insAppendUUID(buf, ids.Uint64(), ids.Uint64())
	buf = append(buf, `","correlation_id":"`...)
	buf = insAppendUUID(buf, ids.Uint64(), ids.Uint64())
	buf = append(buf, `","xray_trace_id":"1-`...)
	buf = insAppendHex(buf, ids.Uint64(), 8)
	buf = append(buf, '-')
	buf = insAppendHex(buf, ids.Uint64(), 12)
	buf = insAppendHex(buf, ids.Uint64(), 12)
	buf = append(buf, `","latency_ms":`...)
	buf = strconv.AppendInt(buf, int64(lat), 10)
	return append(buf, '}')
}

// insUnit maps a random uint64 to [0, 1).
func insUnit(u uint64) float64 { return float64(u>>11) / (1 << 53) }

func insAppendHex(buf []byte, v uint64, digits int) []byte {
	const hex = "0123456789abcdef"
	for d := digits - 1; d >= 0; d-- {
		buf = append(buf, hex[v>>(4*d)&0xf])
	}
	return buf
}

// insAppendUUID appends a version 4 UUID made of the bits of a and b.
func insAppendUUID(buf []byte, a, b uint64) []byte {
	buf = insAppendHex(buf, a>>32, 8)
	buf = append(buf, '-')
	buf = insAppendHex(buf, a>>16, 4)
	buf = append(buf, "-4"...)
	buf = insAppendHex(buf, a, 3)
	buf = append(buf, '-', "89ab"[b>>62])
	buf = insAppendHex(buf, b>>48, 3)
	buf = append(buf, '-')
	return insAppendHex(buf, b, 12)
}

// insData is a corpus in memory, read from its NDJSON file: one event's
// message per line, in event order.
type insData struct {
	corpus insCorpus
	path   string
	text   string
	offs   []int // line i is text[offs[i]:offs[i+1]-1]
}

func (d *insData) line(i int) string { return d.text[d.offs[i] : d.offs[i+1]-1] }

// insVersion names the generator's output; change it with appendLine.
const insVersion = "v1"

var (
	insOnce    sync.Once
	insDataset *insData
	insErr     error
)

// insDataset1M returns the 1,000,000-event corpus of BenchmarkInsights:
// 5 lines per invocation in 8 streams. Its NDJSON file is written once under
// os.TempDir and reused by later runs while its base day stays the same.
func insDataset1M() (*insData, error) {
	insOnce.Do(func() {
		c := insCorpus{events: 1_000_000, perInvocation: 5, streams: 8, base: insBase(time.Now())}
		insDataset, insErr = insLoadData(c)
	})
	return insDataset, insErr
}

// insLoadData reads corpus c's NDJSON file, writing it first if there is none.
func insLoadData(c insCorpus) (*insData, error) {
	name := fmt.Sprintf("lambdalog-bench-insights-%s-%d-%d-%d-%s.ndjson", insVersion, c.events, c.perInvocation,
		c.streams, time.UnixMilli(c.base).UTC().Format("20060102"))
	path := filepath.Join(os.TempDir(), name)
	b, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		if err := insWriteNDJSON(c, path); err != nil {
			return nil, err
		}
		b, err = os.ReadFile(path)
	}
	if err != nil {
		return nil, fmt.Errorf("read corpus: %w", err)
	}
	d := &insData{corpus: c, path: path, text: string(b), offs: make([]int, 0, c.events+1)}
	d.offs = append(d.offs, 0)
	for off := 0; off < len(d.text); {
		n := strings.IndexByte(d.text[off:], '\n')
		if n < 0 {
			return nil, fmt.Errorf("corpus %s: last line has no newline", path)
		}
		off += n + 1
		d.offs = append(d.offs, off)
	}
	if len(d.offs)-1 != c.events {
		return nil, fmt.Errorf("corpus %s has %d lines, want %d (remove it to regenerate)", path, len(d.offs)-1, c.events)
	}
	return d, nil
}

// insWriteNDJSON writes corpus c as NDJSON to path, through a temporary file
// renamed into place.
func insWriteNDJSON(c insCorpus, path string) error {
	f, err := os.CreateTemp(filepath.Dir(path), filepath.Base(path)+".tmp*")
	if err != nil {
		return fmt.Errorf("write corpus: %w", err)
	}
	defer os.Remove(f.Name())
	w := bufio.NewWriterSize(f, 1<<20)
	var buf []byte
	for i := range c.events {
		buf = append(c.appendLine(buf[:0], i), '\n')
		w.Write(buf)
	}
	if err := w.Flush(); err != nil {
		f.Close()
		return fmt.Errorf("write corpus: %w", err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("write corpus: %w", err)
	}
	if err := os.Rename(f.Name(), path); err != nil {
		return fmt.Errorf("write corpus: %w", err)
	}
	return nil
}

// insMaxBatchBytes is PutLogEvents' limit: the UTF-8 bytes of the messages
// plus 26 per event.
const insMaxBatchBytes = 1_048_576

// insLoad writes corpus c into log group group: one goroutine per stream
// sends its events in order, in PutLogEvents calls of up to 10,000 events
// and 1 MiB. line returns event i's message.
func insLoad(ctx context.Context, client *cloudwatchlogs.Client, group string, c insCorpus, line func(i int) string) error {
	if _, err := client.CreateLogGroup(ctx, &cloudwatchlogs.CreateLogGroupInput{LogGroupName: aws.String(group)}); err != nil {
		return fmt.Errorf("create log group %s: %w", group, err)
	}
	errs := make([]error, c.streams)
	var wg sync.WaitGroup
	for s := range c.streams {
		wg.Go(func() { errs[s] = insLoadStream(ctx, client, group, c, s, line) })
	}
	wg.Wait()
	return errors.Join(errs...)
}

func insLoadStream(ctx context.Context, client *cloudwatchlogs.Client, group string, c insCorpus, s int, line func(i int) string) error {
	stream := insStreamName(s)
	if _, err := client.CreateLogStream(ctx, &cloudwatchlogs.CreateLogStreamInput{
		LogGroupName: aws.String(group), LogStreamName: aws.String(stream)}); err != nil {
		return fmt.Errorf("create log stream %s: %w", stream, err)
	}
	batch := make([]types.InputLogEvent, 0, logsBatchSize)
	size := 0
	flush := func() error {
		if len(batch) == 0 {
			return nil
		}
		out, err := client.PutLogEvents(ctx, &cloudwatchlogs.PutLogEventsInput{
			LogGroupName: aws.String(group), LogStreamName: aws.String(stream), LogEvents: batch})
		if err == nil && out.RejectedLogEventsInfo != nil {
			err = fmt.Errorf("events rejected: %+v", *out.RejectedLogEventsInfo)
		}
		if err != nil {
			return fmt.Errorf("PutLogEvents %s: %w", stream, err)
		}
		batch, size = batch[:0], 0
		return nil
	}
	for inv := s; inv < c.invocations(); inv += c.streams {
		for i := inv * c.perInvocation; i < min((inv+1)*c.perInvocation, c.events); i++ {
			msg := line(i)
			if len(batch) == logsBatchSize || size+len(msg)+26 > insMaxBatchBytes {
				if err := flush(); err != nil {
					return err
				}
			}
			batch = append(batch, types.InputLogEvent{Message: aws.String(msg), Timestamp: aws.Int64(c.timestamp(i))})
			size += len(msg) + 26
		}
	}
	return flush()
}
