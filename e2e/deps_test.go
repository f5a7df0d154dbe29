package e2e

import (
	"os"
	"os/exec"
	"strings"
	"testing"
)

// TestLibrariesKeepTheirDependenciesSmall: a function that imports the
// libraries (outside the workspace, as a user's module sees them) builds
// none of the server's storage, DuckDB or the OpenTelemetry SDK; only
// tracer, its own module, brings the SDK.
func TestLibrariesKeepTheirDependenciesSmall(t *testing.T) {
	cmd := exec.Command("go", "list", "-deps", "-f", "{{.ImportPath}}",
		"./logger", "./cwlogs", "./metrics", "./httpadapter", "./filterpattern", "./insights")
	cmd.Dir = ".."
	cmd.Env = append(os.Environ(), "GOWORK=off")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, out)
	}
	deps := strings.Fields(string(out))
	if len(deps) < 20 {
		t.Fatalf("go list printed %d packages:\n%s", len(deps), out)
	}
	for _, p := range deps {
		for _, banned := range []string{"github.com/cockroachdb/", "go.opentelemetry.io/", "github.com/duckdb/", "github.com/lambdalog/lambdalog/cmd/"} {
			if strings.HasPrefix(p, banned) {
				t.Errorf("the libraries depend on %s", p)
			}
		}
	}
}
