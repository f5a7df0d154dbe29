package main

import (
	"context"
	"go/parser"
	"go/token"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// TestPackageCommentListsEveryCommand keeps `go doc` honest: the package
// comment's Commands section names exactly the commands in the table, with
// their summaries.
func TestPackageCommentListsEveryCommand(t *testing.T) {
	f, err := parser.ParseFile(token.NewFileSet(), "main.go", nil, parser.ParseComments|parser.PackageClauseOnly)
	if err != nil {
		t.Fatal(err)
	}
	doc := f.Doc.Text()
	_, section, ok := strings.Cut(doc, "Commands:\n")
	if !ok {
		t.Fatalf("no Commands: section in the package comment:\n%s", doc)
	}
	section, _, _ = strings.Cut(strings.TrimLeft(section, "\n"), "\n\n")
	line := regexp.MustCompile(`^\s*(\S+)\s+(.+)$`)
	var documented []string
	for l := range strings.SplitSeq(section, "\n") {
		m := line.FindStringSubmatch(l)
		if m == nil {
			t.Fatalf("unreadable line %q in the Commands section", l)
		}
		documented = append(documented, m[1])
		c, ok := findCommand(m[1])
		if !ok {
			t.Errorf("the package comment lists %q, which is not a command", m[1])
		} else if c.summary != m[2] {
			t.Errorf("%s: package comment says %q, the command table %q", m[1], m[2], c.summary)
		}
	}
	for _, c := range commands() {
		if !slices.Contains(documented, c.name) {
			t.Errorf("command %q is missing from the package comment", c.name)
		}
	}
}

func TestHelpCommandPrintsFlagsWithDoubleDash(t *testing.T) {
	for _, c := range commands() {
		if c.name == "help" {
			continue
		}
		var out strings.Builder
		if err := run(context.Background(), []string{"help", c.name}, &out, io.Discard); err != nil {
			t.Fatalf("help %s: %v", c.name, err)
		}
		if !strings.HasPrefix(out.String(), "Usage: lambdalog "+c.name) {
			t.Errorf("help %s printed %q", c.name, out.String())
		}
		if regexp.MustCompile(`(?m)^\s+-[a-z]`).MatchString(out.String()) {
			t.Errorf("help %s spells a flag with one dash:\n%s", c.name, out.String())
		}
	}
	var out strings.Builder
	if err := run(context.Background(), []string{"help", "serve"}, &out, io.Discard); err != nil || !strings.Contains(out.String(), "  --addr host:port") && !strings.Contains(out.String(), "  --addr string") {
		t.Errorf("help serve: %v\n%s", err, out.String())
	}
	if err := run(context.Background(), []string{"help", "bogus"}, io.Discard, io.Discard); err != errUsage {
		t.Errorf("help bogus: %v", err)
	}
}

func TestVersion(t *testing.T) {
	for _, args := range [][]string{{"--version"}, {"version"}} {
		var out strings.Builder
		if err := run(context.Background(), args, &out, io.Discard); err != nil {
			t.Fatal(err)
		}
		if !regexp.MustCompile(`^lambdalog \S+.*, go1\.\d+`).MatchString(out.String()) {
			t.Errorf("%v printed %q", args, out.String())
		}
	}
}

func TestCredentialsNeverFromTheCommandLine(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "secret")
	if err := os.WriteFile(file, []byte("from-file\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("LAMBDALOG_SECRET_ACCESS_KEY", "from-env")
	c, err := credentialsFrom("KEY", "")
	if err != nil || c.AccessKeyID != "KEY" || c.SecretAccessKey != "from-env" {
		t.Errorf("env: %+v %v", c, err)
	}
	c, err = credentialsFrom("KEY", file)
	if err != nil || c.SecretAccessKey != "from-file" {
		t.Errorf("file wins over env: %+v %v", c, err)
	}
	t.Setenv("LAMBDALOG_SECRET_ACCESS_KEY", "")
	if c, err := credentialsFrom("", ""); c != nil || err != nil {
		t.Errorf("none: %+v %v", c, err)
	}
	var stderr strings.Builder
	if err := run(context.Background(), []string{"serve", "--secret-access-key", "s3cr3t"}, io.Discard, &stderr); err != errUsage {
		t.Errorf("--secret-access-key is not a flag; got %v", err)
	}
}
