package logger

import (
	"context"
	"log/slog"
	"os"
	"strings"
	"testing"
)

type credentials struct {
	User     string            `json:"user"`
	Password string            `json:"password"`
	Token    string            // no tag: key "Token"
	Headers  map[string]string `json:"headers"`
	Nested   *credentials      `json:"nested,omitempty"`
}

func TestRedaction(t *testing.T) {
	setLambdaEnv(t)
	const secret = "s3cr3t-value"
	t.Setenv("AWS_SESSION_TOKEN", secret)
	var out lineBuffer
	l := slog.New(NewHandler(&out))
	l.Info("attrs", "password", secret, "authorization", secret, slog.Group("secret", "inner", secret), "ok", "visible")
	l.Info("map", "m", map[string]any{"Cookie": secret, "list": []any{map[string]any{"X-API-KEY": secret}}, "ok": "visible"})
	l.Info("struct", "c", credentials{User: "ann", Password: secret, Token: secret,
		Headers: map[string]string{"Set-Cookie": secret, "Accept": "visible"},
		Nested:  &credentials{User: "bob", Password: secret}})
	l.Info("environ", "env", os.Environ())
	l.Info("env string", "line", "AWS_SECRET_ACCESS_KEY="+secret)
	if s := out.String(); strings.Contains(s, secret) {
		t.Fatalf("secret leaked:\n%s", s)
	}
	recs := out.records(t)
	if recs[0]["password"] != "***" || recs[0]["secret"] != "***" || recs[0]["ok"] != "visible" {
		t.Errorf("attrs: %v", recs[0])
	}
	m := recs[1]["m"].(map[string]any)
	if m["Cookie"] != "***" || m["ok"] != "visible" || m["list"].([]any)[0].(map[string]any)["X-API-KEY"] != "***" {
		t.Errorf("map: %v", m)
	}
	c := recs[2]["c"].(map[string]any)
	if c["user"] != "ann" || c["password"] != "***" || c["Token"] != "***" ||
		c["headers"].(map[string]any)["Set-Cookie"] != "***" || c["headers"].(map[string]any)["Accept"] != "visible" ||
		c["nested"].(map[string]any)["password"] != "***" || c["nested"].(map[string]any)["user"] != "bob" {
		t.Errorf("struct: %v", c)
	}
	found := false
	for _, e := range recs[3]["env"].([]any) {
		if e == "AWS_SESSION_TOKEN=***" {
			found = true
		}
	}
	if !found {
		t.Errorf("environ: AWS_SESSION_TOKEN entry not redacted: %v", recs[3]["env"])
	}
	if recs[4]["line"] != "AWS_SECRET_ACCESS_KEY=***" {
		t.Errorf("env string: %v", recs[4]["line"])
	}
}

func TestRedactKeysConfigurable(t *testing.T) {
	setLambdaEnv(t)
	var out lineBuffer
	l := slog.New(NewHandler(&out, WithRedactKeys(append(DefaultRedactKeys(), "SSN")...)))
	l.Info("m", "ssn", "123-45-6789", "token", "t", "name", "ann")
	r := out.records(t)[0]
	if r["ssn"] != "***" || r["token"] != "***" || r["name"] != "ann" {
		t.Errorf("%v", r)
	}

	out = lineBuffer{}
	l = slog.New(NewHandler(&out, WithRedactKeys("only")))
	l.Info("m", "token", "t", "ONLY", "x")
	r = out.records(t)[0]
	if r["token"] != "t" || r["ONLY"] != "***" {
		t.Errorf("replaced list: %v", r)
	}
}

func TestInvocationKeysAreRedacted(t *testing.T) {
	setLambdaEnv(t)
	var out lineBuffer
	h := WrapAction(func(ctx context.Context, _ int) error {
		AppendKeys(ctx, slog.String("Authorization", "Bearer x"))
		FromContext(ctx).Info("m")
		return nil
	}, WithOutput(&out), WithPersistentKeys(slog.String("secret", "y")))
	h(invokeCtx("r", ""), 0)
	r := out.records(t)[0]
	if r["Authorization"] != "***" || r["secret"] != "***" {
		t.Errorf("%v", r)
	}
}
