package bench

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"regexp"
	"runtime"
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"

	"github.com/lambdalog/lambdalog/cwlogs"
)

// cwlThreadCPU is the CPU time used by the calling OS thread.
func cwlThreadCPU(b *testing.B) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(1 /* RUSAGE_THREAD */, &ru); err != nil {
		b.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// cwlCount counts the events stored in a stream.
func cwlCount(b *testing.B, api *cloudwatchlogs.Client, group, stream string) int {
	n := 0
	var token *string
	for {
		out, err := api.GetLogEvents(context.Background(), &cloudwatchlogs.GetLogEventsInput{
			LogGroupName: &group, LogStreamName: &stream, StartFromHead: aws.Bool(true), NextToken: token})
		if err != nil {
			b.Fatalf("GetLogEvents %s/%s: %v", group, stream, err)
		}
		n += len(out.Events)
		if len(out.Events) == 0 || out.NextForwardToken == nil {
			return n
		}
		token = out.NextForwardToken
	}
}

func cwlAPI(url, region string) *cloudwatchlogs.Client {
	return cloudwatchlogs.New(cloudwatchlogs.Options{
		Region: region, BaseEndpoint: aws.String(url),
		Credentials: credentials.NewStaticCredentialsProvider("bench", "bench", ""),
	})
}

// cwlRecord writes a ~100-byte record (95 bytes plus newline, like the
// seed driver's events) numbered i into buf, without allocating.
func cwlRecord(buf []byte, i int) []byte {
	buf = append(buf[:0], "cwlogs: "...)
	n := len(buf)
	buf = strconv.AppendInt(buf, int64(100000000+i%100000000), 10)
	buf[n] = '0'
	buf = append(buf, " xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\n"...)
	return buf
}

// BenchmarkCWLogs measures, against one `lambdalog serve` in one run:
//   - enqueue: the caller's cost of one Write (ns/op, allocs/op);
//   - seed-python: events/s through the seed's custom_logging.py (repaired
//     minimally, 20-event buffer, synchronous boto3 posting);
//   - cwlogs: events/s of ~100-byte events shipped end to end (Write until
//     Close has delivered everything), and x-seed, the ratio to the seed's
//     best run.
func BenchmarkCWLogs(b *testing.B) {
	url := startLambdalog(b).url
	var seedRate float64
	runs := 0

	b.Run("enqueue", func(b *testing.B) {
		// DropOldest: Write never waits for the sender, so this is the
		// caller's path only; the events still go to the server.
		c, err := cwlogs.New(cwlAPI(url, "us-east-1"), cwlogs.Options{Group: "bench", Stream: "enqueue", FullPolicy: cwlogs.DropOldest})
		if err != nil {
			b.Fatal(err)
		}
		buf := make([]byte, 0, 128)
		// The machine is shared, so wall-clock ns/op includes time the
		// writer was not scheduled; caller-cpu-ns/op is the CPU time of
		// the writing thread alone (getrusage RUSAGE_THREAD).
		runtime.LockOSThread()
		defer runtime.UnlockOSThread()
		cpu0 := cwlThreadCPU(b)
		b.ReportAllocs()
		b.ResetTimer()
		for i := range b.N {
			buf = cwlRecord(buf, i)
			c.Write(buf)
		}
		b.StopTimer()
		b.ReportMetric(float64((cwlThreadCPU(b)-cpu0).Nanoseconds())/float64(b.N), "caller-cpu-ns/op")
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		c.Close(ctx)
	})

	b.Run("seed-python", func(b *testing.B) {
		n := max(b.N, 1000)
		// A fresh stream each run: on an existing stream the seed's
		// sequence-token dance fails and it prints and forgets every batch.
		runs++
		stream := fmt.Sprintf("seed-%d", runs)
		cmd := exec.Command("python3", "drive.py", "bench", stream, strconv.Itoa(n))
		cmd.Dir = "testdata/seed_custom_logging"
		cmd.Env = append(os.Environ(), "AWS_ENDPOINT_URL_CLOUDWATCH_LOGS="+url,
			"AWS_ACCESS_KEY_ID=bench", "AWS_SECRET_ACCESS_KEY=bench")
		out, err := cmd.Output()
		if err != nil {
			b.Fatalf("seed logger: %v\n%s", err, out)
		}
		m := regexp.MustCompile(`events=(\d+) seconds=([0-9.]+)`).FindSubmatch(out)
		if m == nil {
			b.Fatalf("seed logger output %q", out)
		}
		ev, _ := strconv.Atoi(string(m[1]))
		secs, _ := strconv.ParseFloat(string(m[2]), 64)
		// Count what the seed really stored (it hard-codes ap-southeast-2).
		if got := cwlCount(b, cwlAPI(url, "ap-southeast-2"), "bench", stream); got != ev {
			b.Fatalf("the seed logged %d events but %d were stored", ev, got)
		}
		rate := float64(ev) / secs
		seedRate = max(seedRate, rate) // the ratio uses the seed's best run
		b.ReportMetric(rate, "events/s")
	})

	b.Run("cwlogs", func(b *testing.B) {
		api := cwlAPI(url, "us-east-1")
		runs++
		stream := fmt.Sprintf("cwlogs-%d", runs)
		c, err := cwlogs.New(api, cwlogs.Options{Group: "bench", Stream: stream})
		if err != nil {
			b.Fatal(err)
		}
		buf := make([]byte, 0, 128)
		b.ResetTimer()
		start := time.Now()
		for i := range b.N {
			buf = cwlRecord(buf, i)
			c.Write(buf)
		}
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
		defer cancel()
		if err := c.Close(ctx); err != nil {
			b.Fatal(err)
		}
		elapsed := time.Since(start)
		b.StopTimer()
		if st := c.Stats(); st.Sent != uint64(b.N) {
			b.Fatalf("stats %+v, want %d sent", st, b.N)
		}
		if got := cwlCount(b, api, "bench", stream); got != b.N {
			b.Fatalf("%d events stored, want %d", got, b.N)
		}
		rate := float64(b.N) / elapsed.Seconds()
		b.ReportMetric(rate, "events/s")
		if seedRate > 0 {
			b.ReportMetric(rate/seedRate, "x-seed")
		}
	})
}
