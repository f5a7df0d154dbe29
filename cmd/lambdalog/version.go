package main

import (
	"context"
	"fmt"
	"io"
	"runtime/debug"
)

func versionCommand() command {
	return command{
		name:    "version",
		summary: "print the version and the revision it was built from",
		run: func(_ context.Context, args []string, stdout, stderr io.Writer) error {
			if err := parseFlags(newFlagSet("version", "version", stderr), args); err != nil {
				return err
			}
			_, err := fmt.Fprintln(stdout, versionString())
			return err
		},
	}
}

// versionString is "lambdalog VERSION", the module version ("(devel)" for a
// build from a checkout), followed by the VCS revision, its time and
// "modified" when the build stamped them (go build does; go run does not).
func versionString() string {
	v := "lambdalog (devel)"
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return v
	}
	if bi.Main.Version != "" {
		v = "lambdalog " + bi.Main.Version
	}
	var rev, at, modified string
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision":
			rev = s.Value
		case "vcs.time":
			at = s.Value
		case "vcs.modified":
			if s.Value == "true" {
				modified = ", modified"
			}
		}
	}
	if rev != "" {
		v += fmt.Sprintf(" (revision %s, %s%s)", rev, at, modified)
	}
	return v + ", " + bi.GoVersion
}
