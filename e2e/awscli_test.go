package e2e

import (
	"bufio"
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/lambdalog/lambdalog/internal/testserver"
)

// awsCLI runs one aws CLI with dummy credentials and no user configuration.
type awsCLI struct {
	bin      string // "aws" or the path of a v2 CLI
	endpoint string
	region   string
	env      []string
}

func newAWSCLI(t *testing.T, bin, endpoint, region string) *awsCLI {
	return &awsCLI{bin: bin, endpoint: endpoint, region: region, env: isolatedEnv(t)}
}

// isolatedEnv is the process environment without the user's AWS settings,
// with dummy credentials and no config or credentials files.
func isolatedEnv(t *testing.T) []string {
	dir := t.TempDir()
	env := []string{
		"AWS_ACCESS_KEY_ID=test",
		"AWS_SECRET_ACCESS_KEY=test",
		"AWS_CONFIG_FILE=" + filepath.Join(dir, "config"),
		"AWS_SHARED_CREDENTIALS_FILE=" + filepath.Join(dir, "credentials"),
		"AWS_EC2_METADATA_DISABLED=true",
		"AWS_PAGER=",
		"PYTHONUNBUFFERED=1",
	}
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "AWS_") {
			env = append(env, kv)
		}
	}
	return env
}

func (c *awsCLI) command(ctx context.Context, args ...string) *exec.Cmd {
	all := append([]string{"--endpoint-url", c.endpoint, "--region", c.region, "--output", "json"}, args...)
	cmd := exec.CommandContext(ctx, c.bin, all...)
	cmd.Env = c.env
	return cmd
}

// run runs the CLI and returns its stdout; it fails the test on a non-zero exit.
func (c *awsCLI) run(t *testing.T, args ...string) []byte {
	t.Helper()
	out, stderr, err := c.try(t, args...)
	if err != nil {
		t.Fatalf("aws %s: %v\n%s", strings.Join(args, " "), err, stderr)
	}
	return out
}

// runJSON runs the CLI and decodes its JSON output into v.
func (c *awsCLI) runJSON(t *testing.T, v any, args ...string) {
	t.Helper()
	out := c.run(t, args...)
	if err := json.Unmarshal(out, v); err != nil {
		t.Fatalf("aws %s: output is not JSON: %v\n%s", strings.Join(args, " "), err, out)
	}
}

// try runs the CLI and returns stdout, stderr and the exit error.
func (c *awsCLI) try(t *testing.T, args ...string) (stdout, stderr []byte, err error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := c.command(ctx, args...)
	var o, e bytes.Buffer
	cmd.Stdout, cmd.Stderr = &o, &e
	err = cmd.Run()
	return o.Bytes(), e.Bytes(), err
}

// cliEvent is an event as the aws CLI prints it for get-log-events and
// filter-log-events.
type cliEvent struct {
	LogStreamName string `json:"logStreamName"`
	Timestamp     int64  `json:"timestamp"`
	Message       string `json:"message"`
	IngestionTime int64  `json:"ingestionTime"`
	EventID       string `json:"eventId"`
}

// writeEvents writes a file:// argument for put-log-events.
func writeEvents(t *testing.T, events []cliEvent) string {
	t.Helper()
	type in struct {
		Timestamp int64  `json:"timestamp"`
		Message   string `json:"message"`
	}
	list := make([]in, len(events))
	for i, e := range events {
		list[i] = in{e.Timestamp, e.Message}
	}
	b, err := json.Marshal(list)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "events.json")
	if err := os.WriteFile(path, b, 0o600); err != nil {
		t.Fatal(err)
	}
	return "file://" + path
}

// TestAWSCLI drives the server with the aws CLI as a developer would.
func TestAWSCLI(t *testing.T) {
	t.Parallel()
	requireTool(t, "aws", "--version")
	srv := testserver.Serve(t, "--memory")
	cli := newAWSCLI(t, "aws", srv.URL, "eu-west-1")
	group := fmt.Sprintf("/e2e/cli/%d", time.Now().UnixNano())
	const stream = "app/1"

	cli.run(t, "logs", "create-log-group", "--log-group-name", group, "--tags", "team=e2e,env=test")
	cli.run(t, "logs", "create-log-stream", "--log-group-name", group, "--log-stream-name", stream)

	now := time.Now().UnixMilli()
	var events []cliEvent
	for i := range 120 {
		msg := fmt.Sprintf("INFO request %03d done", i)
		if i%4 == 0 {
			msg = fmt.Sprintf("ERROR request %03d failed", i)
		}
		events = append(events, cliEvent{Timestamp: now - 60_000 + int64(i)*10, Message: msg})
	}
	var put struct {
		RejectedLogEventsInfo map[string]any `json:"rejectedLogEventsInfo"`
	}
	cli.runJSON(t, &put, "logs", "put-log-events", "--log-group-name", group, "--log-stream-name", stream,
		"--log-events", writeEvents(t, events))
	if put.RejectedLogEventsInfo != nil {
		t.Fatalf("put-log-events rejected events: %v", put.RejectedLogEventsInfo)
	}

	t.Run("get-log-events", func(t *testing.T) {
		t.Parallel()
		var got struct {
			Events            []cliEvent `json:"events"`
			NextForwardToken  string     `json:"nextForwardToken"`
			NextBackwardToken string     `json:"nextBackwardToken"`
		}
		cli.runJSON(t, &got, "logs", "get-log-events", "--log-group-name", group, "--log-stream-name", stream,
			"--start-from-head")
		if len(got.Events) != len(events) {
			t.Fatalf("got %d events, want %d", len(got.Events), len(events))
		}
		for i, e := range got.Events {
			if e.Message != events[i].Message || e.Timestamp != events[i].Timestamp {
				t.Fatalf("event %d = %+v, want %+v", i, e, events[i])
			}
			if e.IngestionTime < now {
				t.Fatalf("event %d ingestionTime %d is before the put", i, e.IngestionTime)
			}
		}
		if got.NextForwardToken == "" || got.NextBackwardToken == "" {
			t.Fatalf("tokens must never be empty: forward %q backward %q", got.NextForwardToken, got.NextBackwardToken)
		}
		// Following the forward token at the end returns the same token and no events.
		var next struct {
			Events           []cliEvent `json:"events"`
			NextForwardToken string     `json:"nextForwardToken"`
		}
		cli.runJSON(t, &next, "logs", "get-log-events", "--log-group-name", group, "--log-stream-name", stream,
			"--next-token", got.NextForwardToken)
		if len(next.Events) != 0 || next.NextForwardToken != got.NextForwardToken {
			t.Fatalf("at the end: %d events, token %q; want 0 events and the same token %q",
				len(next.Events), next.NextForwardToken, got.NextForwardToken)
		}
	})

	t.Run("filter-log-events", func(t *testing.T) {
		t.Parallel()
		var got struct {
			Events []cliEvent `json:"events"`
		}
		// --page-size makes the CLI follow nextToken over several pages.
		cli.runJSON(t, &got, "logs", "filter-log-events", "--log-group-name", group,
			"--filter-pattern", "ERROR", "--page-size", "7")
		if len(got.Events) != 30 {
			t.Fatalf("filter ERROR: got %d events, want 30", len(got.Events))
		}
		ids := map[string]bool{}
		for i, e := range got.Events {
			if want := events[i*4]; e.Message != want.Message || e.Timestamp != want.Timestamp || e.LogStreamName != stream {
				t.Fatalf("match %d = %+v, want %q at %d in %s", i, e, want.Message, want.Timestamp, stream)
			}
			if e.EventID == "" || ids[e.EventID] {
				t.Fatalf("match %d: eventId %q empty or repeated", i, e.EventID)
			}
			ids[e.EventID] = true
		}
	})

	t.Run("describe-log-streams", func(t *testing.T) {
		t.Parallel()
		cli.run(t, "logs", "create-log-stream", "--log-group-name", group, "--log-stream-name", "app/0-empty")
		var got struct {
			LogStreams []struct {
				LogStreamName       string `json:"logStreamName"`
				CreationTime        int64  `json:"creationTime"`
				FirstEventTimestamp *int64 `json:"firstEventTimestamp"`
				LastEventTimestamp  *int64 `json:"lastEventTimestamp"`
				LastIngestionTime   *int64 `json:"lastIngestionTime"`
				Arn                 string `json:"arn"`
			} `json:"logStreams"`
		}
		cli.runJSON(t, &got, "logs", "describe-log-streams", "--log-group-name", group, "--log-stream-name-prefix", "app/")
		if len(got.LogStreams) != 2 || got.LogStreams[0].LogStreamName != "app/0-empty" || got.LogStreams[1].LogStreamName != stream {
			t.Fatalf("streams = %+v, want app/0-empty and %s in name order", got.LogStreams, stream)
		}
		empty, s := got.LogStreams[0], got.LogStreams[1]
		if empty.FirstEventTimestamp != nil || empty.LastEventTimestamp != nil {
			t.Errorf("empty stream has event timestamps: %+v", empty)
		}
		if s.FirstEventTimestamp == nil || *s.FirstEventTimestamp != events[0].Timestamp ||
			s.LastEventTimestamp == nil || *s.LastEventTimestamp != events[len(events)-1].Timestamp ||
			s.LastIngestionTime == nil || *s.LastIngestionTime < now {
			t.Errorf("stream %s first/last event or ingestion time wrong: %+v (first event %d, last %d)",
				stream, s, events[0].Timestamp, events[len(events)-1].Timestamp)
		}
		wantArn := ":log-group:" + group + ":log-stream:" + stream
		if !strings.HasPrefix(s.Arn, "arn:aws:logs:eu-west-1:") || !strings.HasSuffix(s.Arn, wantArn) {
			t.Errorf("stream arn %q, want arn:aws:logs:eu-west-1:<account>%s", s.Arn, wantArn)
		}
		// orderBy LastEventTime with descending lists the newest events first.
		cli.runJSON(t, &got, "logs", "describe-log-streams", "--log-group-name", group,
			"--order-by", "LastEventTime", "--descending")
		var last []int64
		for _, s := range got.LogStreams {
			if s.LastEventTimestamp != nil {
				last = append(last, *s.LastEventTimestamp)
			}
		}
		if len(last) == 0 || !slices.IsSortedFunc(last, func(a, b int64) int { return cmp.Compare(b, a) }) {
			t.Errorf("orderBy LastEventTime descending: lastEventTimestamps %v, want newest first", last)
		}
	})

	t.Run("describe-log-groups and regions", func(t *testing.T) {
		t.Parallel()
		type groups struct {
			LogGroups []struct {
				LogGroupName string `json:"logGroupName"`
				Arn          string `json:"arn"`
			} `json:"logGroups"`
		}
		var got groups
		cli.runJSON(t, &got, "logs", "describe-log-groups", "--log-group-name-prefix", group)
		want := "arn:aws:logs:eu-west-1:123456789012:log-group:" + group + ":*"
		if len(got.LogGroups) != 1 || got.LogGroups[0].Arn != want {
			t.Fatalf("describe-log-groups = %+v, want one group with arn %s", got.LogGroups, want)
		}
		var tags struct {
			Tags map[string]string `json:"tags"`
		}
		cli.runJSON(t, &tags, "logs", "list-tags-for-resource", "--resource-arn", strings.TrimSuffix(want, ":*"))
		if tags.Tags["team"] != "e2e" || tags.Tags["env"] != "test" || len(tags.Tags) != 2 {
			t.Errorf("tags = %v, want team=e2e env=test", tags.Tags)
		}
		// Data is kept per region: the group does not exist in us-east-1.
		other := newAWSCLI(t, "aws", srv.URL, "us-east-1")
		got = groups{}
		other.runJSON(t, &got, "logs", "describe-log-groups", "--log-group-name-prefix", group)
		if len(got.LogGroups) != 0 {
			t.Errorf("group created in eu-west-1 is visible in us-east-1: %+v", got.LogGroups)
		}
	})

	t.Run("errors", func(t *testing.T) {
		t.Parallel()
		_, stderr, err := cli.try(t, "logs", "get-log-events", "--log-group-name", group, "--log-stream-name", "nope")
		if err == nil || !bytes.Contains(stderr, []byte("ResourceNotFoundException")) ||
			!bytes.Contains(stderr, []byte("The specified log stream does not exist.")) {
			t.Errorf("get-log-events on a missing stream: err %v, stderr %s", err, stderr)
		}
		_, stderr, err = cli.try(t, "logs", "create-log-group", "--log-group-name", group)
		if err == nil || !bytes.Contains(stderr, []byte("ResourceAlreadyExistsException")) {
			t.Errorf("create-log-group twice: err %v, stderr %s", err, stderr)
		}
		_, stderr, err = cli.try(t, "logs", "put-retention-policy", "--log-group-name", group, "--retention-in-days", "2")
		if err == nil || !bytes.Contains(stderr, []byte("InvalidParameterException")) {
			t.Errorf("put-retention-policy 2 days: err %v, stderr %s", err, stderr)
		}
	})

	t.Run("tail", func(t *testing.T) {
		t.Parallel()
		v2 := awsCLIv2(t)
		tail := newAWSCLI(t, v2, srv.URL, "eu-west-1")
		out := tail.run(t, "logs", "tail", group, "--since", "1h", "--log-stream-names", stream)
		lines := strings.Split(strings.TrimSpace(string(out)), "\n")
		if len(lines) != len(events) {
			t.Fatalf("aws logs tail printed %d lines, want %d:\n%s", len(lines), len(events), out)
		}
		for i, l := range lines {
			// detailed format: <timestamp> <stream> <message>
			if f := strings.SplitN(l, " ", 3); len(f) != 3 || f[1] != stream || f[2] != events[i].Message {
				t.Fatalf("tail line %d = %q, want stream %s and message %q", i, l, stream, events[i].Message)
			}
		}
	})

	t.Run("tail --follow", func(t *testing.T) {
		t.Parallel()
		v2 := awsCLIv2(t)
		tail := newAWSCLI(t, v2, srv.URL, "eu-west-1")
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		cmd := tail.command(ctx, "logs", "tail", group, "--follow", "--since", "1h", "--format", "short")
		stdout, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		defer func() {
			cancel()
			cmd.Wait()
		}()
		lines := make(chan string)
		go func() {
			defer close(lines)
			sc := bufio.NewScanner(stdout)
			for sc.Scan() {
				lines <- sc.Text()
			}
			io.Copy(io.Discard, stdout)
		}()
		// The existing events come first, each exactly once.
		expect := func(msgs []string) {
			t.Helper()
			for i, want := range msgs {
				select {
				case l, ok := <-lines:
					if !ok {
						t.Fatalf("aws logs tail --follow exited after %d of %d lines: %s", i, len(msgs), stderr.Bytes())
					}
					if !strings.HasSuffix(l, " "+want) {
						t.Fatalf("tail --follow line %d = %q, want message %q", i, l, want)
					}
				case <-ctx.Done():
					t.Fatalf("tail --follow: timed out waiting for %q (line %d of %d)", want, i, len(msgs))
				}
			}
		}
		var old []string
		for _, e := range events {
			old = append(old, e.Message)
		}
		expect(old)
		// Events put while tailing appear, in order, once (the CLI polls every 5 s).
		var fresh []cliEvent
		var msgs []string
		for i := range 5 {
			m := fmt.Sprintf("followed event %d", i)
			fresh = append(fresh, cliEvent{Timestamp: time.Now().UnixMilli() + int64(i), Message: m})
			msgs = append(msgs, m)
		}
		cli.run(t, "logs", "create-log-stream", "--log-group-name", group, "--log-stream-name", "follow")
		cli.run(t, "logs", "put-log-events", "--log-group-name", group, "--log-stream-name", "follow",
			"--log-events", writeEvents(t, fresh))
		expect(msgs)
		// Nothing is repeated on the next polls.
		select {
		case l, ok := <-lines:
			if ok {
				t.Fatalf("tail --follow printed an unexpected line %q", l)
			}
			t.Fatalf("aws logs tail --follow exited: %s", stderr.Bytes())
		case <-time.After(6 * time.Second):
		}
	})
}

// awsCLIv2 returns the path of an aws CLI v2, which `aws logs tail` needs
// (CLI v1 has no tail command).
func awsCLIv2(t *testing.T) string {
	t.Helper()
	if c := findAWSCLIv2(); c != "" {
		return c
	}
	msg := "no aws CLI v2 (needed for `aws logs tail`) at " + strings.Join(cliV2Candidates, ", ") +
		"; install it, e.g. apt-get install awscli on Debian 12"
	if os.Getenv("CI") == "true" {
		t.Fatal(msg)
	}
	t.Skip(msg)
	return ""
}

var cliV2Candidates = []string{"aws", "/usr/bin/aws", "/usr/local/bin/aws"}

// findAWSCLIv2 returns the path of an aws CLI v2, or "" when there is none.
func findAWSCLIv2() string {
	for _, c := range cliV2Candidates {
		out, err := exec.Command(c, "--version").CombinedOutput()
		if err == nil && bytes.HasPrefix(out, []byte("aws-cli/2.")) {
			return c
		}
	}
	return ""
}
