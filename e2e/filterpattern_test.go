package e2e

import (
	"fmt"
	"maps"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/lambdalog/lambdalog/internal/testserver"
)

// TestFilterPatternsAWSCLI searches a log group with every form of the
// filter pattern language through `aws logs filter-log-events` (CLI v1)
// and `aws logs tail --filter-pattern` (CLI v2), as a developer would.
func TestFilterPatternsAWSCLI(t *testing.T) {
	t.Parallel()
	requireTool(t, "aws", "--version")
	srv := testserver.Serve(t, "--memory")
	cli := newAWSCLI(t, "aws", srv.URL, "us-east-1")
	group := "/aws/lambda/filterpatterns"
	cli.run(t, "logs", "create-log-group", "--log-group-name", group)

	messages := []string{
		"ERROR [main] payment failed",
		"WARN slow downstream call",
		"INFO request handled",
		`{"level":"ERROR","latency":1200,"message":"timeout"}`,
		`{"level":"INFO","latency":12,"message":"ok"}`,
		`{"level":"WARNING","latency":700,"message":"retry"}`,
		`127.0.0.1 - frank [10/Oct/2000:13:25:15 -0700] "GET /index.html HTTP/1.0" 404 1534`,
		`127.0.0.1 - frank [10/Oct/2000:13:25:15 -0700] "GET /apache_pb.gif HTTP/1.0" 200 2326`,
		"ERROR DEBUG retry scheduled",
		"REPORT RequestId: c6af9ac6-7b61-11e6-9a41-93e812345678\tDuration: 38.66 ms\tBilled Duration: 39 ms\tMemory Size: 128 MB\tMax Memory Used: 54 MB\t",
	}
	// Even events go to stream a, odd ones to b, one second apart.
	start := time.Now().Add(-10 * time.Minute).UnixMilli()
	byStream := map[string][]cliEvent{}
	for i, m := range messages {
		s := "a"
		if i%2 == 1 {
			s = "b"
		}
		byStream[s] = append(byStream[s], cliEvent{Timestamp: start + int64(i)*1000, Message: m})
	}
	for _, s := range slices.Sorted(maps.Keys(byStream)) {
		cli.run(t, "logs", "create-log-stream", "--log-group-name", group, "--log-stream-name", s)
		cli.run(t, "logs", "put-log-events", "--log-group-name", group, "--log-stream-name", s, "--log-events", writeEvents(t, byStream[s]))
	}

	forms := []struct {
		name, pattern string
		want          []int // indexes into messages, in time order
	}{
		{"term", `ERROR`, []int{0, 3, 8}},
		{"several terms", `ERROR payment`, []int{0}},
		{"OR", `?WARN ?DEBUG`, []int{1, 5, 8}},
		{"exclusion", `ERROR -DEBUG`, []int{0, 3}},
		{"phrase", `"request handled"`, []int{2}},
		{"regex", `%^ERROR|^WARN%`, []int{0, 1, 8}},
		{"regex with escapes", `%Duration:\s\d+\.\d+\sms%`, []int{9}},
		{"JSON && ||", `{ ($.level = "ERROR" || $.level = "WARNING") && $.latency > 500 }`, []int{3, 5}},
		{"JSON wildcard", `{ $.message = re* }`, []int{5}},
		{"space-delimited", `[ip, user, username, timestamp, request = *html*, status_code = 4*, bytes]`, []int{6}},
		{"space-delimited with ...", `[..., status_code = 2*, bytes > 1000]`, []int{7}},
		{"empty", ``, []int{0, 1, 2, 3, 4, 5, 6, 7, 8, 9}},
	}
	for _, f := range forms {
		var want []string
		for _, i := range f.want {
			want = append(want, messages[i])
		}
		t.Run("filter-log-events/"+f.name, func(t *testing.T) {
			t.Parallel()
			var out struct {
				Events []cliEvent `json:"events"`
			}
			cli.runJSON(t, &out, "logs", "filter-log-events", "--log-group-name", group, "--filter-pattern", f.pattern)
			var got []string
			for _, e := range out.Events {
				got = append(got, e.Message)
			}
			if !slices.Equal(got, want) {
				t.Errorf("filter-log-events --filter-pattern %q:\n got %q\nwant %q", f.pattern, got, want)
			}
		})
		t.Run("tail/"+f.name, func(t *testing.T) {
			t.Parallel()
			tail := newAWSCLI(t, awsCLIv2(t), srv.URL, "us-east-1")
			out := tail.run(t, "logs", "tail", group, "--since", "1h", "--format", "short", "--filter-pattern", f.pattern)
			var got []string
			if s := strings.TrimRight(string(out), "\n"); s != "" {
				got = strings.Split(s, "\n")
			}
			// short format: <timestamp> <message>, trailing white space trimmed
			ok := len(got) == len(want)
			for i := 0; ok && i < len(got); i++ {
				ok = strings.HasSuffix(strings.TrimRight(got[i], " \t"), " "+strings.TrimRight(want[i], " \t"))
			}
			if !ok {
				t.Errorf("aws logs tail --filter-pattern %q printed\n%s\nwant the messages %q", f.pattern, out, want)
			}
		})
	}

	t.Run("invalid pattern", func(t *testing.T) {
		t.Parallel()
		_, stderr, err := cli.try(t, "logs", "filter-log-events", "--log-group-name", group, "--filter-pattern", `{ $.level = "ERROR"`)
		if err == nil || !strings.Contains(string(stderr), "InvalidParameterException") ||
			!strings.Contains(string(stderr), "If a filter pattern starts with '{' it must end with '}'") {
			t.Errorf("unclosed JSON pattern: err %v, stderr %s", err, stderr)
		}
	})

	t.Run("test-metric-filter", func(t *testing.T) {
		t.Parallel()
		var out struct {
			Matches []struct {
				EventNumber     int               `json:"eventNumber"`
				EventMessage    string            `json:"eventMessage"`
				ExtractedValues map[string]string `json:"extractedValues"`
			} `json:"matches"`
		}
		cli.runJSON(t, &out, "logs", "test-metric-filter", "--filter-pattern", `[ip, user, ..., status_code = 4*, bytes]`,
			"--log-event-messages", messages[7], messages[6])
		want := map[string]string{"$ip": "127.0.0.1", "$user": "-", "$3": "frank", "$4": "10/Oct/2000:13:25:15 -0700",
			"$5": "GET /index.html HTTP/1.0", "$status_code": "404", "$bytes": "1534"}
		if len(out.Matches) != 1 || out.Matches[0].EventNumber != 2 || out.Matches[0].EventMessage != messages[6] ||
			!maps.Equal(out.Matches[0].ExtractedValues, want) {
			t.Errorf("test-metric-filter = %+v\nwant event 2 with %v", out.Matches, want)
		}
	})

	t.Run("metric and subscription filters", func(t *testing.T) {
		t.Parallel()
		cli.run(t, "logs", "put-metric-filter", "--log-group-name", group, "--filter-name", "slow",
			"--filter-pattern", `{ $.latency > 500 }`, "--metric-transformations",
			"metricName=SlowRequests,metricNamespace=App,metricValue=1,defaultValue=0")
		cli.run(t, "logs", "put-subscription-filter", "--log-group-name", group, "--filter-name", "errors",
			"--filter-pattern", "ERROR", "--destination-arn", "arn:aws:lambda:us-east-1:123456789012:function:ship")
		var mf struct {
			MetricFilters []struct {
				FilterName            string `json:"filterName"`
				FilterPattern         string `json:"filterPattern"`
				MetricTransformations []struct {
					MetricName   string   `json:"metricName"`
					DefaultValue *float64 `json:"defaultValue"`
				} `json:"metricTransformations"`
			} `json:"metricFilters"`
		}
		cli.runJSON(t, &mf, "logs", "describe-metric-filters", "--log-group-name", group)
		if len(mf.MetricFilters) != 1 || mf.MetricFilters[0].FilterPattern != `{ $.latency > 500 }` ||
			mf.MetricFilters[0].MetricTransformations[0].MetricName != "SlowRequests" || mf.MetricFilters[0].MetricTransformations[0].DefaultValue == nil {
			t.Errorf("describe-metric-filters = %+v", mf)
		}
		var sf struct {
			SubscriptionFilters []struct {
				FilterName     string `json:"filterName"`
				DestinationArn string `json:"destinationArn"`
			} `json:"subscriptionFilters"`
		}
		cli.runJSON(t, &sf, "logs", "describe-subscription-filters", "--log-group-name", group)
		if fmt.Sprint(sf.SubscriptionFilters) != "[{errors arn:aws:lambda:us-east-1:123456789012:function:ship}]" {
			t.Errorf("describe-subscription-filters = %+v", sf)
		}
		_, stderr, err := cli.try(t, "logs", "put-metric-filter", "--log-group-name", group, "--filter-name", "bad",
			"--filter-pattern", `%a% %b%`, "--metric-transformations", "metricName=M,metricNamespace=App,metricValue=1")
		if err == nil || !strings.Contains(string(stderr), "InvalidParameterException") {
			t.Errorf("invalid metric filter pattern: err %v, stderr %s", err, stderr)
		}
	})
}
