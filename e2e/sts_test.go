package e2e

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go"

	"github.com/lambdalog/lambdalog/internal/testserver"
)

// callerIdentity is what every client prints for GetCallerIdentity.
type callerIdentity struct{ UserId, Account, Arn string }

const stsAccount = "210987654321"

var wantIdentity = callerIdentity{UserId: stsAccount, Account: stsAccount, Arn: "arn:aws:iam::" + stsAccount + ":root"}

// TestSTSGetCallerIdentity asks the server who the caller is with every
// client that tools use: the account is serve's --account-id.
func TestSTSGetCallerIdentity(t *testing.T) {
	t.Parallel()
	srv := testserver.Serve(t, "--memory", "--account-id", stsAccount)

	t.Run("aws CLI v1", func(t *testing.T) {
		requireTool(t, "aws", "--version")
		var got callerIdentity
		newAWSCLI(t, "aws", srv.URL, "eu-west-1").runJSON(t, &got, "sts", "get-caller-identity")
		if got != wantIdentity {
			t.Errorf("got %+v, want %+v", got, wantIdentity)
		}
	})
	t.Run("aws CLI v2", func(t *testing.T) {
		var got callerIdentity
		newAWSCLI(t, awsCLIv2(t), srv.URL, "eu-west-1").runJSON(t, &got, "sts", "get-caller-identity")
		if got != wantIdentity {
			t.Errorf("got %+v, want %+v", got, wantIdentity)
		}
	})
	t.Run("boto3", func(t *testing.T) {
		requireTool(t, "python3", "-c", "import boto3")
		script := `
import boto3, json, sys
c = boto3.client("sts", endpoint_url=sys.argv[1], region_name="us-west-2", aws_access_key_id="AKIDLOCAL", aws_secret_access_key="secret")
r = c.get_caller_identity()
print(json.dumps({k: r[k] for k in ("UserId", "Account", "Arn")}))
`
		out, err := exec.Command("python3", "-c", script, srv.URL).CombinedOutput()
		var got callerIdentity
		if err != nil || json.Unmarshal(out, &got) != nil || got != wantIdentity {
			t.Errorf("boto3: %v\n%s", err, out)
		}
	})
	t.Run("aws-sdk-go-v2", func(t *testing.T) {
		out, err := stsClient(srv.URL, "AKIDLOCAL", "secret").GetCallerIdentity(context.Background(), &sts.GetCallerIdentityInput{})
		if err != nil {
			t.Fatal(err)
		}
		if got := (callerIdentity{aws.ToString(out.UserId), aws.ToString(out.Account), aws.ToString(out.Arn)}); got != wantIdentity {
			t.Errorf("got %+v, want %+v", got, wantIdentity)
		}
	})
}

func stsClient(url, key, secret string) *sts.Client {
	return sts.New(sts.Options{Region: "us-east-1", BaseEndpoint: aws.String(url), RetryMaxAttempts: 1,
		HTTPClient: testserver.HTTPClient(nil), Credentials: credentials.NewStaticCredentialsProvider(key, secret, "")})
}

// TestSTSWithCredentials: a server that verifies signatures answers its own
// key and tells the others they are not valid, as STS does.
func TestSTSWithCredentials(t *testing.T) {
	t.Parallel()
	secret := filepath.Join(t.TempDir(), "secret")
	if err := os.WriteFile(secret, []byte("s3cr3t\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	srv := testserver.Serve(t, "--memory", "--account-id", stsAccount, "--access-key-id", "AKIDSERVER", "--secret-access-key-file", secret)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if _, err := stsClient(srv.URL, "AKIDSERVER", "s3cr3t").GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{}); err != nil {
		t.Fatalf("the server's key: %v", err)
	}
	_, err := stsClient(srv.URL, "AKIDOTHER", "s3cr3t").GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	var ae smithy.APIError
	if !errors.As(err, &ae) || ae.ErrorCode() != "InvalidClientTokenId" {
		t.Errorf("another key: %v, want InvalidClientTokenId", err)
	}
	requireTool(t, "aws", "--version")
	_, stderr, err := newAWSCLI(t, "aws", srv.URL, "us-east-1").try(t, "sts", "get-caller-identity") // signs with the key "test"
	if err == nil || !strings.Contains(string(stderr), "(InvalidClientTokenId)") {
		t.Errorf("aws CLI with another key: %v\n%s", err, stderr)
	}
}
