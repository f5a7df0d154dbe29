// Command lambdalog runs lambdalog's local AWS tooling: a CloudWatch
// Logs-compatible server today, and local Lambda runs and log queries as
// they are added.
//
// Usage:
//
//	lambdalog <command> [flags]
//
// Run "lambdalog help" for the list of commands and
// "lambdalog <command> -h" for a command's flags.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

// command is one subcommand. To add one, write a file with a function
// returning a command and list it in commands.
type command struct {
	name    string
	summary string
	// run executes the command with its arguments (after the name).
	run func(ctx context.Context, args []string, stdout, stderr io.Writer) error
}

func commands() []command {
	return []command{
		serveCommand(),
		devCommand(),
		metricsCommand(),
		versionCommand(),
	}
}

// errUsage reports bad command-line usage; its message is already printed.
var errUsage = errors.New("usage error")

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	switch {
	case errors.Is(err, flag.ErrHelp):
		// -h: usage was printed on request.
	case errors.Is(err, errUsage):
		os.Exit(2)
	case err != nil:
		fmt.Fprintln(os.Stderr, "lambdalog:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] == "help" || args[0] == "-h" || args[0] == "--help" {
		printHelp(stdout)
		return nil
	}
	for _, c := range commands() {
		if c.name == args[0] {
			return c.run(ctx, args[1:], stdout, stderr)
		}
	}
	fmt.Fprintf(stderr, "lambdalog: unknown command %q\n\n", args[0])
	printHelp(stderr)
	return errUsage
}

func printHelp(w io.Writer) {
	fmt.Fprintln(w, "lambdalog: observability tools for AWS Lambda, locally.")
	fmt.Fprintln(w, "\nUsage:\n  lambdalog <command> [flags]\n\nCommands:")
	for _, c := range commands() {
		fmt.Fprintf(w, "  %-10s %s\n", c.name, c.summary)
	}
	fmt.Fprintln(w, "\nRun 'lambdalog <command> -h' for a command's flags.")
}

// parseFlags parses args, turning flag errors (already printed with the
// usage) and positional arguments, which no command takes, into errUsage;
// -h yields flag.ErrHelp.
func parseFlags(fs *flag.FlagSet, args []string) error {
	err := fs.Parse(args)
	if err != nil && !errors.Is(err, flag.ErrHelp) {
		return errUsage
	}
	if err == nil && fs.NArg() > 0 {
		fmt.Fprintf(fs.Output(), "lambdalog %s: unexpected argument %q\n", fs.Name(), fs.Arg(0))
		fs.Usage()
		return errUsage
	}
	return err
}

// newFlagSet returns a flag set that prints usage to stderr.
func newFlagSet(name, usage string, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintf(stderr, "Usage: lambdalog %s\n\nFlags:\n", usage)
		fs.PrintDefaults()
	}
	return fs
}
