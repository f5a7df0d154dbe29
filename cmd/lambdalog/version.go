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
		summary: "print the lambdalog version",
		run: func(_ context.Context, _ []string, stdout, _ io.Writer) error {
			v := "(devel)"
			if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" {
				v = bi.Main.Version
			}
			_, err := fmt.Fprintln(stdout, "lambdalog", v)
			return err
		},
	}
}
