package e2e

import (
	"fmt"
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/lambdalog/lambdalog/internal/testserver"
)

func TestMain(m *testing.M) { os.Exit(testserver.Main(m)) }

// requireTool fails the test when CI=true and skips it otherwise if the
// command-line tool name cannot be run.
func requireTool(t *testing.T, name string, args ...string) {
	t.Helper()
	err := exec.Command(name, args...).Run()
	if err == nil {
		return
	}
	msg := fmt.Sprintf("%s %s: %v (install it to run this test)", name, strings.Join(args, " "), err)
	if os.Getenv("CI") == "true" {
		t.Fatal(msg)
	}
	t.Skip(msg)
}
