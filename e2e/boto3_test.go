package e2e

import (
	"context"
	"os/exec"
	"testing"
	"time"

	"github.com/lambdalog/lambdalog/internal/testserver"
)

// TestBoto3 runs testdata/boto3_e2e.py, which drives the server with boto3:
// paginators over more than one page, GetLogEvents tokens in both
// directions, FilterLogEvents interleaving and botocore error codes.
func TestBoto3(t *testing.T) {
	t.Parallel()
	requireTool(t, "python3", "-c", "import boto3")
	srv := testserver.Serve(t, "--memory")
	ctx, cancel := context.WithTimeout(context.Background(), 120*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, "python3", "testdata/boto3_e2e.py", srv.URL, "ap-southeast-2")
	cmd.Env = isolatedEnv(t)
	out, err := cmd.CombinedOutput()
	t.Logf("boto3_e2e.py:\n%s", out)
	if err != nil {
		t.Fatalf("boto3_e2e.py: %v", err)
	}
}
