package cwlogs

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net"
	"time"
	"unsafe"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs/types"
	"github.com/aws/smithy-go"
	smithyhttp "github.com/aws/smithy-go/transport/http"
)

// batchBuf is a sender's reusable request memory.
type batchBuf struct {
	events []types.InputLogEvent
	msgs   []string
	tss    []int64
}

// noSDKRetry disables the SDK's own retries: cwlogs retries itself so that
// its counters are exact and Close's deadline is honoured.
func noSDKRetry(o *cloudwatchlogs.Options) { o.Retryer = aws.NopRetryer{} }

func (c *Client) sendLoop() {
	defer c.wg.Done()
	var b batchBuf
	for {
		c.mu.Lock()
		var seg *segment
		if len(c.queue) > 0 {
			seg = c.queue[0]
			c.queue = c.queue[1:]
			c.inflight = append(c.inflight, seg)
		}
		c.mu.Unlock()
		if seg == nil {
			select {
			case <-c.stop:
				return
			case <-c.work:
			}
			continue
		}
		c.send(seg, &b)
		c.mu.Lock()
		for i, s := range c.inflight {
			if s == seg {
				c.inflight = append(c.inflight[:i], c.inflight[i+1:]...)
				break
			}
		}
		seg.reset()
		c.free = append(c.free, seg)
		c.broadcastLocked()
		c.mu.Unlock()
	}
}

// send delivers one sealed segment, retrying until it is accepted, fails
// for good, or the client gives up at Close.
func (c *Client) send(seg *segment, b *batchBuf) {
	seg.sort()
	n := len(seg.ents)
	b.events, b.msgs, b.tss = b.events[:0], b.msgs[:0], b.tss[:0]
	for _, e := range seg.ents {
		m := seg.message(e)
		// The segment is immutable until send returns, so the strings can
		// alias its arena instead of copying up to 1 MiB per batch.
		b.msgs = append(b.msgs, unsafe.String(unsafe.SliceData(m), len(m)))
		b.tss = append(b.tss, e.ts)
	}
	for i := range b.msgs {
		b.events = append(b.events, types.InputLogEvent{Message: &b.msgs[i], Timestamp: &b.tss[i]})
	}
	in := &cloudwatchlogs.PutLogEventsInput{
		LogGroupName:  &c.opts.Group,
		LogStreamName: &c.opts.Stream,
		LogEvents:     b.events,
	}
	unknown := 0    // earlier attempts whose outcome is unknown: each may have been stored
	failed := false // an earlier attempt failed (not counting a missing stream)
	for attempt := 0; ; attempt++ {
		if failed {
			c.retried.Add(uint64(n))
		}
		failed = true
		c.requests.Add(1)
		ctx, cancel := context.WithTimeout(c.ctx, c.opts.RequestTimeout)
		out, err := c.api.PutLogEvents(ctx, in, noSDKRetry)
		cancel()
		if err == nil {
			c.dups.Add(uint64(n * unknown))
			c.accepted(seg, out)
			return
		}
		if c.ctx.Err() != nil {
			c.giveUp(n, fmt.Errorf("cwlogs: %d events not delivered before Close deadline: %w", n, err))
			return
		}
		switch classify(err) {
		case notFound:
			failed = false
			if err := c.ensureStream(c.ctx); err != nil {
				if classify(err) == fatal {
					c.giveUp(n, fmt.Errorf("cwlogs: creating %s/%s: %w", c.opts.Group, c.opts.Stream, err))
					return
				}
				if !c.sleep(attempt) {
					c.giveUp(n, fmt.Errorf("cwlogs: %d events not delivered before Close deadline: %w", n, err))
					return
				}
			}
		case retryKnown:
			if !c.sleep(attempt) {
				c.giveUp(n, fmt.Errorf("cwlogs: %d events not delivered before Close deadline: %w", n, err))
				return
			}
		case retryUnknown:
			unknown++
			if !c.sleep(attempt) {
				c.giveUp(n, fmt.Errorf("cwlogs: %d events not delivered before Close deadline: %w", n, err))
				return
			}
		default:
			c.giveUp(n, fmt.Errorf("cwlogs: PutLogEvents %s/%s: %d events dropped: %w", c.opts.Group, c.opts.Stream, n, err))
			return
		}
	}
}

func (c *Client) giveUp(n int, err error) {
	c.dropped.Add(uint64(n))
	c.report(err)
}

// accepted counts a successful response and reports rejected events.
// Indexes refer to the sorted batch: events before tooOldLogEventEndIndex
// and expiredLogEventEndIndex (exclusive) and from tooNewLogEventStartIndex
// (inclusive) were not stored.
func (c *Client) accepted(seg *segment, out *cloudwatchlogs.PutLogEventsOutput) {
	n := len(seg.ents)
	var info *types.RejectedLogEventsInfo
	if out != nil {
		info = out.RejectedLogEventsInfo
	}
	if info == nil {
		c.sent.Add(uint64(n))
		return
	}
	reason := func(i int) RejectReason {
		switch {
		case info.ExpiredLogEventEndIndex != nil && i < int(*info.ExpiredLogEventEndIndex):
			return Expired
		case info.TooOldLogEventEndIndex != nil && i < int(*info.TooOldLogEventEndIndex):
			return TooOld
		case info.TooNewLogEventStartIndex != nil && i >= int(*info.TooNewLogEventStartIndex):
			return TooNew
		}
		return 0
	}
	var rejected uint64
	for i, e := range seg.ents {
		r := reason(i)
		if r == 0 {
			continue
		}
		rejected++
		if c.opts.OnRejected != nil {
			c.opts.OnRejected(RejectedEvent{Reason: r, Timestamp: time.UnixMilli(e.ts), Message: seg.message(e)})
		}
	}
	c.rejected.Add(rejected)
	c.sent.Add(uint64(n) - rejected)
}

// sleep waits a full-jitter exponential backoff; false if the client gave up.
func (c *Client) sleep(attempt int) bool {
	d := c.opts.RetryMax
	if attempt < 30 {
		d = min(c.opts.RetryMax, c.opts.RetryBase<<attempt)
	}
	d = rand.N(d) + time.Millisecond
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-c.ctx.Done():
		return false
	}
}

// ensureStream creates the log group and stream, tolerating both existing.
func (c *Client) ensureStream(ctx context.Context) error {
	c.ensureMu.Lock()
	defer c.ensureMu.Unlock()
	ctx, cancel := context.WithTimeout(ctx, c.opts.RequestTimeout)
	defer cancel()
	_, err := c.api.CreateLogStream(ctx, &cloudwatchlogs.CreateLogStreamInput{
		LogGroupName: &c.opts.Group, LogStreamName: &c.opts.Stream}, noSDKRetry)
	if classify(err) == notFound {
		_, err = c.api.CreateLogGroup(ctx, &cloudwatchlogs.CreateLogGroupInput{LogGroupName: &c.opts.Group}, noSDKRetry)
		if err != nil && !isCode(err, "ResourceAlreadyExistsException") {
			return err
		}
		_, err = c.api.CreateLogStream(ctx, &cloudwatchlogs.CreateLogStreamInput{
			LogGroupName: &c.opts.Group, LogStreamName: &c.opts.Stream}, noSDKRetry)
	}
	if err != nil && !isCode(err, "ResourceAlreadyExistsException") {
		return err
	}
	return nil
}

type errClass int

const (
	fatal        errClass = iota
	notFound              // create the group/stream, then retry
	retryKnown            // retry; the failed attempt stored nothing
	retryUnknown          // retry; the failed attempt may have been stored
)

func isCode(err error, code string) bool {
	var ae smithy.APIError
	return errors.As(err, &ae) && ae.ErrorCode() == code
}

// classify decides how to handle a failed request.
func classify(err error) errClass {
	if err == nil {
		return fatal
	}
	var ae smithy.APIError
	if errors.As(err, &ae) {
		switch ae.ErrorCode() {
		case "ResourceNotFoundException":
			return notFound
		case "ThrottlingException", "Throttling", "ThrottledException", "TooManyRequestsException",
			"RequestLimitExceeded", "LimitExceededException", "ServiceUnavailableException",
			"ServiceUnavailable", "InternalFailure", "InternalServerError", "OperationAbortedException",
			"RequestTimeout", "RequestTimeoutException":
			return retryKnown
		}
	}
	var re *smithyhttp.ResponseError
	if errors.As(err, &re) {
		if code := re.HTTPStatusCode(); code >= 500 || code == 429 {
			return retryKnown
		}
		if re.HTTPStatusCode() != 0 {
			return fatal
		}
	}
	var ipe smithy.InvalidParamsError
	var se *smithy.SerializationError
	if errors.As(err, &ipe) || errors.As(err, &se) {
		return fatal
	}
	// No response: a network error. If the connection was never made, the
	// request was not sent; otherwise its outcome is unknown.
	var oe *net.OpError
	if errors.As(err, &oe) && oe.Op == "dial" {
		return retryKnown
	}
	return retryUnknown
}
