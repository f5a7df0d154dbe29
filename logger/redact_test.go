package logger

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
)

// Credentials as the AWS documentation shows them, and a session token shaped as STS issues them.
const (
	awsKeyID        = "AKIAIOSFODNN7EXAMPLE"
	awsSessionKeyID = "ASIAY34FZKBOKMUTVV7A"
	awsSecret       = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
	awsToken        = "IQoJb3JpZ2luX2VjEJr//////////wEaCXVzLWVhc3QtMSJHMEUCIQDx1Mq8tGmfP0Yqgd8z7Lw2Pvx5e0QbJAYDb1KQpU0mhAIgQ3FZyJ1nU+2H/fJ0P6pq0jK4zA3c9wH5z2v8YxkQ+Gkq9gQI8v//////////ARAAGgw4ODg4ODg4ODg4ODgiDKpl"
)

var testCredentials = aws.Credentials{AccessKeyID: awsSessionKeyID, SecretAccessKey: awsSecret,
	SessionToken: awsToken, Source: "EnvConfigCredentials", CanExpire: true, Expires: time.Date(2024, 5, 1, 12, 0, 0, 0, time.UTC)}

// TestRedactionTable logs every form in which secrets leaked (issue 17) and that people log:
// no secret may reach the output, and the text around it stays as it was.
func TestRedactionTable(t *testing.T) {
	setLambdaEnv(t)
	for _, c := range []struct {
		name    string
		log     func(l *slog.Logger)
		secrets []string
		keep    []string // text that must still be in the record
	}{
		// Keys, in every spelling.
		{"aws.Credentials field names as keys", func(l *slog.Logger) {
			l.Info("creds", "AccessKeyID", awsSessionKeyID, "SecretAccessKey", awsSecret, "SessionToken", awsToken, "Source", "env")
		}, []string{awsSessionKeyID, awsSecret, awsToken}, []string{`"Source":"env"`}},
		{"SCREAMING, snake, kebab and camel keys", func(l *slog.Logger) {
			l.Info("keys", "DB_PASSWORD", "hunter2", "client_secret", "cs-1", "x-api-key", "ak-1", "apiKey", "ak-2",
				"accessToken", "at-1", "refresh_token", "rt-1", "AWS_SESSION_TOKEN", "st-1", "privateKey", "pk-1",
				"Set-Cookie", "ck-1", "passwd", "pw-1", "user_pwd", "pw-2", "csrftoken", "ct-1", "Passphrase", "pp-1",
				"auth_token", "au-1", "credentials", "cr-1", "sessionKey", "sk-1", "jwt", "jw-1", "APIKey", "ak-3", "dbpassword", "pw-3")
		}, []string{"hunter2", "cs-1", "ak-1", "ak-2", "at-1", "rt-1", "st-1", "pk-1", "ck-1", "pw-1", "pw-2", "ct-1",
			"pp-1", "au-1", "cr-1", "sk-1", "jw-1", "ak-3", "pw-3"}, []string{`"message":"keys"`}},
		{"group and nested keys", func(l *slog.Logger) {
			l.Info("g", slog.Group("credentials", "user", "gu-1"), "m", map[string]any{"Cookie": "ck-2", "list": []any{map[string]any{"X-API-KEY": "ak-4"}}})
		}, []string{"gu-1", "ck-2", "ak-4"}, nil},
		{"aws.Credentials as a value", func(l *slog.Logger) { l.Info("loaded", "value", testCredentials) },
			[]string{awsSessionKeyID, awsSecret, awsToken}, []string{`"Source":"EnvConfigCredentials"`}},

		// KEY=value, KEY: value and "key": "value" inside strings.
		{"KEY=value inside a longer message", func(l *slog.Logger) {
			l.Info("connecting to orders with DB_PASSWORD=hunter2 and user=app")
		}, []string{"hunter2"}, []string{"connecting to orders with DB_PASSWORD=***"}},
		{"KEY=value after a space in an attribute", func(l *slog.Logger) {
			l.Info("m", "cmd", "run --user app --password=hunter2 --verbose")
		}, []string{"hunter2"}, []string{"run --user app --password=*** --verbose"}},
		{"KEY = value with spaces and quotes", func(l *slog.Logger) {
			l.Info(`config loaded: password = "correct horse battery" region = eu-west-1`)
		}, []string{"correct", "horse", "battery"}, []string{`password = \"***\" region = eu-west-1`}},
		{"KEY: value as in a header dump", func(l *slog.Logger) {
			l.Info("request", "dump", "GET /orders HTTP/1.1\r\nHost: api.example.com\r\nAuthorization: Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.sig\r\nCookie: session=abc123; theme=dark\r\nAccept: */*\r\n")
		}, []string{"eyJhbGciOiJIUzI1NiJ9", "abc123"}, []string{`Host: api.example.com\r\nAuthorization: ***\r\n`, `Accept: */*`}},
		{"SigV4 Authorization header", func(l *slog.Logger) {
			l.Info("signed", "auth", "Authorization: AWS4-HMAC-SHA256 Credential="+awsKeyID+"/20240501/eu-west-1/logs/aws4_request, SignedHeaders=host;x-amz-date, Signature=fe5f80f77d5fa3beca038a248ff027d0445342fe2855ddc963176630326f1024")
		}, []string{awsKeyID, "fe5f80f77d5fa3beca038a248ff027d0445342fe2855ddc963176630326f1024"}, nil},
		{`"key": "value" JSON inside a string`, func(l *slog.Logger) {
			l.Info("body", "body", `{"user": "ann", "password": "hunter2", "api_key":"ak-5", "n": 1}`)
		}, []string{"hunter2", "ak-5"}, []string{`{\"user\": \"ann\", \"password\": \"***\", \"api_key\":\"***\", \"n\": 1}`}},
		{"escaped JSON inside a string", func(l *slog.Logger) {
			l.Info("body", "raw", `{\"client_secret\":\"cs-2\",\"scope\":\"read\"}`)
		}, []string{"cs-2"}, []string{`scope`, `read`}},
		{"bracketed value after a sensitive key", func(l *slog.Logger) {
			l.Info(`saving credentials: {"user":"a","password":"two words"} done`)
		}, []string{"two words"}, []string{"saving credentials: *** done"}},
		{"fmt.Sprintf %+v of aws.Credentials", func(l *slog.Logger) {
			l.Info(fmt.Sprintf("loaded %+v", testCredentials))
		}, []string{awsSessionKeyID, awsSecret, awsToken}, []string{"Source:EnvConfigCredentials CanExpire:true"}},
		{"fmt.Sprint of aws.Credentials (no field names)", func(l *slog.Logger) {
			l.Info("loaded", "value", fmt.Sprint(testCredentials))
		}, []string{awsSessionKeyID, awsSecret, awsToken}, []string{"EnvConfigCredentials true"}},
		{"fmt.Sprint of a map and of http.Header", func(l *slog.Logger) {
			l.Info(fmt.Sprint(map[string]string{"password": "hunter2", "user": "ann"}),
				"headers", fmt.Sprint(http.Header{"Authorization": {"Bearer tok-1"}, "X-Api-Key": {"ak-6"}, "Accept": {"*/*"}}))
		}, []string{"hunter2", "tok-1", "ak-6"}, []string{"map[password:*** user:ann]", "Accept:[*/*]"}},
		{"os.Environ", func(l *slog.Logger) {
			l.Info("env", "env", append(os.Environ(), "AWS_SECRET_ACCESS_KEY="+awsSecret, "AWS_SESSION_TOKEN="+awsToken, "GITHUB_TOKEN=gh-1"))
		}, []string{awsSecret, awsToken, "gh-1"}, []string{`"AWS_SECRET_ACCESS_KEY=***"`}},
		{"URL password and presigned URL", func(l *slog.Logger) {
			l.Info("db", "url", "postgres://app:pw-4@db.internal:5432/orders?sslmode=require",
				"presigned", "https://bucket.s3.amazonaws.com/k?X-Amz-Credential="+awsSessionKeyID+"%2F20240501&X-Amz-Security-Token="+awsToken+"&X-Amz-Signature=abc")
		}, []string{"pw-4", awsSessionKeyID, awsToken}, []string{"postgres://app:***@db.internal:5432/orders?sslmode=require"}},
		{"two-word keys in prose", func(l *slog.Logger) {
			l.Info("rotated: api key: ak-7, Secret Access Key: " + awsSecret + ", private key: pk-2")
		}, []string{"ak-7", awsSecret, "pk-2"}, []string{"rotated: api key: ***"}},

		// Errors.
		{"wrapped error", func(l *slog.Logger) {
			l.Error("failed", "error", fmt.Errorf("connecting: %w", errors.New("auth failed for DB_PASSWORD=hunter2 token: tok-2")))
		}, []string{"hunter2", "tok-2"}, []string{`"exception":"connecting: auth failed for DB_PASSWORD=*** token: ***"`}},
		{"second error attribute", func(l *slog.Logger) {
			l.Error("failed", "error", errTest, "cause", fmt.Errorf("retry: password=%s", "hunter2"))
		}, []string{"hunter2"}, []string{`"cause":"retry: password=***"`}},
		{"error value in a struct field", func(l *slog.Logger) {
			l.Error("failed", "detail", struct{ Msg string }{fmt.Sprint(errors.New("secret=s-1 rejected"))})
		}, []string{"s-1"}, []string{"secret=*** rejected"}},

		// Values that look like AWS credentials, wherever they are.
		{"access key ids anywhere", func(l *slog.Logger) {
			l.Info("uploading with " + awsKeyID + " as (" + awsSessionKeyID + ")")
		}, []string{awsKeyID, awsSessionKeyID}, []string{"uploading with *** as (***)"}},
		{"secret access key next to the word secret", func(l *slog.Logger) {
			l.Info("the secret " + awsSecret + " was rotated")
		}, []string{awsSecret}, []string{"the secret *** was rotated"}},
		{"session token alone", func(l *slog.Logger) {
			l.Info("sts", "out", "got "+awsToken+" from sts")
		}, []string{awsToken}, []string{"got *** from sts"}},
		{"older session token", func(l *slog.Logger) {
			l.Info("sts", "out", "FwoGZXIvYXdzEBYaDHhBTEvNsYBsmK1yTSKoAePEOc/"+strings.Repeat("Zk3mQ9pLx2", 12))
		}, []string{"FwoGZXIvYXdz"}, nil},
	} {
		t.Run(c.name, func(t *testing.T) {
			var out lineBuffer
			c.log(slog.New(NewHandler(&out)))
			s := out.String()
			out.records(t) // valid JSON
			for _, secret := range c.secrets {
				if strings.Contains(s, secret) {
					t.Errorf("secret %q leaked:\n%s", secret, s)
				}
			}
			for _, keep := range c.keep {
				if !strings.Contains(s, keep) {
					t.Errorf("%q is missing:\n%s", keep, s)
				}
			}
		})
	}
}

// TestRedactionKeepsOrdinaryText logs text close to the forms above that is not secret: it
// reaches the output unchanged.
func TestRedactionKeepsOrdinaryText(t *testing.T) {
	setLambdaEnv(t)
	for _, text := range []string{
		"request handled",
		"GET /hello/world 200 in 12ms",
		"token_count=42 session_id=s-42 max_tokens: 1024 input_tokens=17",
		"tokenizer: bpe, author: ann, status: ok, key: partition-1, cache key: user:42",
		"at 12:00:01.123 took 3.5s",
		"https://example.com/a/b?c=d&e=f#g",
		"commit 3f2a9c1e5b7d4a6f8e0c2b4d6f8a0c2e4b6d8f0a",
		"Authorization header missing; no password given",
		"fetching SecretId=arn:aws:secretsmanager:eu-west-1:123456789012:secret:prod/db-AbCdEf",
		"NextToken: eyJ2IjoxfQ== ClientToken=9b1deb4d",
		"arn:aws:lambda:eu-west-1:123456789012:function:payment-collector:live",
		"AKIA is the prefix of long-term access key ids",
		"path /api/v1/users/1234/orders/5678/items/abc matched",
		"{\"user\":\"ann\",\"roles\":[\"admin\"]}",
		"name=ann role=admin region=eu-west-1",
		"password reset: done",
	} {
		var out lineBuffer
		slog.New(NewHandler(&out)).Info(text, "text", text, "key", "value")
		r := out.records(t)[0]
		if r["message"] != text || r["text"] != text || r["key"] != "value" {
			t.Errorf("ordinary text changed: %q became message %q, text %q", text, r["message"], r["text"])
		}
	}
}

func TestSensitiveKeys(t *testing.T) {
	r := newRedactor(DefaultRedactKeys(), DefaultRedactAllowKeys())
	for key, want := range map[string]bool{
		"password": true, "Password": true, "DB_PASSWORD": true, "dbPassword": true, "passwordHash": true,
		"SecretAccessKey": true, "aws_secret_access_key": true, "SessionToken": true, "X-Amz-Security-Token": true,
		"x-api-key": true, "X-API-KEY": true, "apikey": true, "Authorization": true, "Proxy-Authorization": true,
		"Cookie": true, "cookies": true, "private_key": true, "AccessKeyId": true, "AWS_ACCESS_KEY_ID": true,
		"csrftoken": true, "id_token": true, "token": true, "TOKEN": true, "pwd": true, "DB_PWD": true,
		"creds": true, "jwt": true, "session": true, "sessions": true, "Credentials": true,

		"token_count": false, "tokenCount": false, "TOKEN_TYPE": false, "max_tokens": false, "tokens": false,
		"tokenizer": false, "NextToken": false, "nextToken": false, "ContinuationToken": false, "ClientToken": false,
		"session_id": false, "sessionId": false, "RoleSessionName": false, "SecretId": false, "secret_arn": false,
		"author": false, "key": false, "path": false, "status": false, "": false, "-_-": false, "pwdx": false,
	} {
		if got := r.sensitive(key); got != want {
			t.Errorf("sensitive(%q) = %v, want %v", key, got, want)
		}
	}
	if long := strings.Repeat("a", 100) + "Password"; !r.sensitive(long) {
		t.Errorf("a key longer than the stack buffer is not matched")
	}
}

func TestRedactKeysConfigurable(t *testing.T) {
	setLambdaEnv(t)
	var out lineBuffer
	l := slog.New(NewHandler(&out, WithRedactKeys(append(DefaultRedactKeys(), "SSN")...)))
	l.Info("m", "ssn", "123-45-6789", "user_ssn", "987", "token", "t", "name", "ann")
	r := out.records(t)[0]
	if r["ssn"] != "***" || r["user_ssn"] != "***" || r["token"] != "***" || r["name"] != "ann" {
		t.Errorf("%v", r)
	}

	out = lineBuffer{}
	l = slog.New(NewHandler(&out, WithRedactKeys("only")))
	l.Info("m", "token", "t", "ONLY", "x")
	r = out.records(t)[0]
	if r["token"] != "t" || r["ONLY"] != "***" {
		t.Errorf("replaced list: %v", r)
	}

	out = lineBuffer{}
	l = slog.New(NewHandler(&out, WithRedactAllowKeys(append(DefaultRedactAllowKeys(), "user_token")...)))
	l.Info("m", "user_token", "visible", "session_id", "s", "token", "t")
	r = out.records(t)[0]
	if r["user_token"] != "visible" || r["session_id"] != "s" || r["token"] != "***" {
		t.Errorf("extended allow list: %v", r)
	}

	out = lineBuffer{}
	l = slog.New(NewHandler(&out, WithRedactKeys()))
	l.Info("password=p "+awsKeyID, "password", "p")
	r = out.records(t)[0]
	if r["password"] != "p" || r["message"] != "password=p ***" {
		t.Errorf("without terms, only AWS credentials are masked: %v", r)
	}
}

func TestRedactKeysFromTheEnvironment(t *testing.T) {
	setLambdaEnv(t)
	t.Setenv(EnvRedactKeys, " ssn , -session,")
	t.Setenv(EnvRedactAllowKeys, "user_token,-session_id")
	var out lineBuffer
	slog.New(NewHandler(&out)).Info("m", "ssn", "1", "session", "2", "user_token", "3", "token", "4", "session_id", "5")
	r := out.records(t)[0]
	if r["ssn"] != "***" || r["session"] != "2" || r["user_token"] != "3" || r["token"] != "***" || r["session_id"] != "5" {
		t.Errorf("%v", r)
	}

	out = lineBuffer{}
	slog.New(NewHandler(&out, WithRedactKeys("token"))).Info("m", "ssn", "1", "token", "2")
	if r := out.records(t)[0]; r["ssn"] != "1" || r["token"] != "***" {
		t.Errorf("the option should win over %s: %v", EnvRedactKeys, r)
	}
}

func TestInvocationKeysAreRedacted(t *testing.T) {
	setLambdaEnv(t)
	var out lineBuffer
	h := WrapAction(func(ctx context.Context, _ int) error {
		AppendKeys(ctx, slog.String("Authorization", "Bearer x"), slog.String("note", "api_key=k-1"))
		FromContext(ctx).Info("m")
		return nil
	}, WithOutput(&out), WithPersistentKeys(slog.String("secret", "y")))
	h(invokeCtx("r", ""), 0)
	r := out.records(t)[0]
	if r["Authorization"] != "***" || r["secret"] != "***" || r["note"] != "api_key=***" {
		t.Errorf("%v", r)
	}
}

// TestRedactionAllocatesNothing checks that a record with ordinary strings, and one with a
// secret to mask, cost no allocation.
func TestRedactionAllocatesNothing(t *testing.T) {
	setLambdaEnv(t)
	h := NewHandler(discard{})
	ctx := context.Background()
	for _, msg := range []string{"request handled", "login failed: password=hunter2 for " + awsKeyID} {
		r := slog.NewRecord(time.Now(), slog.LevelInfo, msg, 0)
		r.AddAttrs(slog.String("path", "/hello/world"), slog.String("line", "a long line of ordinary text, key: value, a=b"),
			slog.Int("status", 200), slog.String("password", "x"))
		if n := testing.AllocsPerRun(100, func() { _ = h.Handle(ctx, r) }); n != 0 {
			t.Errorf("%q: %v allocations per record", msg, n)
		}
	}
}

type discard struct{}

func (discard) Write(p []byte) (int, error) { return len(p), nil }
