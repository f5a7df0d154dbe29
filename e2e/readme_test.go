package e2e

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/lambdalog/lambdalog/internal/testserver"
)

// TestREADMETour runs the shell blocks of the README's tour, as written,
// against `lambdalog dev` running examples/hello, once with the aws CLI v1
// and once with v2: every aws command must succeed. The blocks run in one
// bash script per CLI, with the README's addresses replaced by dev's and
// `go` a no-op (lambdalog's own commands have their tests in cmd/lambdalog).
// Commands that follow (`--follow`, `start-live-tail`) run for a few
// seconds. The CLI a command needs is the README's to say: v1 has no
// `logs tail`, and v2 before 2.17 no `start-live-tail`, so those are skipped
// for that CLI and counted.
func TestREADMETour(t *testing.T) {
	requireTool(t, "aws", "--version")
	requireTool(t, "bash", "--version")
	v2 := awsCLIv2(t)
	readme, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	tour := section(t, string(readme), "## A short tour", "## Follow one order")
	var script strings.Builder
	for _, m := range regexp.MustCompile("(?s)```sh\n(.*?)```").FindAllStringSubmatch(tour, -1) {
		script.WriteString(m[1])
	}
	calls := strings.Count(script.String(), "aws --endpoint-url")
	if calls < 10 {
		t.Fatalf("the tour has %d aws commands; the README's layout changed?", calls)
	}

	root, err := filepath.Abs("..")
	if err != nil {
		t.Fatal(err)
	}
	dev := testserver.Dev(t, root, nil, "--memory", "--addr", "127.0.0.1:0", "--api-addr", "127.0.0.1:0", "--xray-addr", "127.0.0.1:0")
	body := strings.NewReplacer("http://127.0.0.1:4588", dev.URL, "http://127.0.0.1:3000", dev.URLs["apiGateway"]).Replace(script.String())

	for _, cli := range []string{"aws", v2} {
		t.Run(cli, func(t *testing.T) {
			dir := t.TempDir()
			log := filepath.Join(dir, "calls")
			liveTail := "0"
			if exec.Command(cli, "logs", "start-live-tail", "help").Run() == nil {
				liveTail = "1"
			}
			prelude := `set -u
go() { :; }
aws() {
	local follow=0 rc
	case " $* " in
	*" logs tail "*) if [ "$CLI_MAJOR" = 1 ]; then printf 'skip\t%s\n' "$*" >>"$CALLS"; return 0; fi ;;
	*" start-live-tail "*) if [ "$LIVE_TAIL" = 0 ]; then printf 'skip\t%s\n' "$*" >>"$CALLS"; return 0; fi ;;
	esac
	case " $* " in *" --follow "*|*" start-live-tail "*) follow=1 ;; esac
	if [ $follow = 1 ]; then
		timeout -s INT 6 "$CLI" "$@"; rc=$?  # timeout runs the program, not this function
		if [ $rc = 124 ] || [ $rc = 130 ]; then rc=0; fi
	else
		command "$CLI" "$@"; rc=$?
	fi
	printf '%s\t%s\n' "$rc" "$*" >>"$CALLS"
	return $rc
}
`
			cmd := exec.Command("bash", "-c", prelude+body)
			cmd.Dir = dir
			major := "2"
			if cli == "aws" {
				major = "1"
			}
			cmd.Env = append(isolatedEnv(t), "CLI="+cli, "CLI_MAJOR="+major, "LIVE_TAIL="+liveTail, "CALLS="+log)
			var stdout, stderr bytes.Buffer
			cmd.Stdout, cmd.Stderr = &stdout, &stderr
			cmd.Run() // the README's last command need not succeed; each aws call's status is checked
			raw, err := os.ReadFile(log)
			if err != nil {
				t.Fatalf("no aws command ran: %v\n%s", err, stderr.String())
			}
			ran, skipped := 0, 0
			for line := range strings.Lines(strings.TrimSpace(string(raw))) {
				status, args, _ := strings.Cut(strings.TrimSpace(line), "\t")
				switch status {
				case "0":
					ran++
				case "skip":
					skipped++
					t.Logf("not in this CLI: aws %s", args)
				default:
					t.Errorf("aws %s: exit %s", args, status)
				}
			}
			if ran+skipped != calls || skipped > 1 {
				t.Errorf("%d aws commands ran and %d were skipped, of the tour's %d\nstdout:\n%s\nstderr:\n%s", ran, skipped, calls, stdout.String(), stderr.String())
			}
			// The invoke's log tail, decoded by the README's pipeline.
			if !strings.Contains(stdout.String(), "REPORT RequestId: ") {
				t.Errorf("the tour's `aws lambda invoke ... | base64 -d` printed no REPORT line:\n%s\n%s", stdout.String(), stderr.String())
			}
		})
	}
}

// section returns the text of s from the heading from up to the heading to.
func section(t *testing.T, s, from, to string) string {
	t.Helper()
	i, j := strings.Index(s, "\n"+from+"\n"), strings.Index(s, "\n"+to+"\n")
	if i < 0 || j < i {
		t.Fatalf("README has no %q before %q", from, to)
	}
	return s[i:j]
}
