// Command lambdalog runs AWS Lambda functions and the AWS services they log,
// measure and trace to, on your machine, and reads what they wrote.
//
// Usage:
//
//	lambdalog <command> [flags]
//
// Commands:
//
//	serve     run the CloudWatch Logs, CloudWatch metrics and X-Ray APIs on an embedded store
//	dev       run Lambda functions locally, with Lambda's logs and traces, the Invoke API and an API Gateway front
//	invoke    invoke a function of a running dev and print its response
//	query     run a Logs Insights query and print its results
//	traces    list recent X-Ray traces, or draw one as a waterfall with its log lines
//	tail      print log events of log groups, interleaved by time, and follow new ones
//	metrics   list metrics and print their series
//	version   print the version and the revision it was built from
//	help      print the commands, or one command's flags
//
// Run "lambdalog help <command>" (or "lambdalog <command> --help") for a
// command's flags. The commands live in this package, one file each; the
// services they run are in internal/server and the packages it wires.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"
)

// command is one subcommand. To add one, write a file with a function
// returning a command, list it in commands, and add its line to the
// package comment (a test checks they agree).
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
		invokeCommand(),
		queryCommand(),
		tracesCommand(),
		tailCommand(),
		metricsCommand(),
		versionCommand(),
		helpCommand(),
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
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" {
		printHelp(stdout)
		return nil
	}
	if args[0] == "--version" || args[0] == "-version" {
		args = []string{"version"}
	}
	if c, ok := findCommand(args[0]); ok {
		return c.run(ctx, args[1:], stdout, stderr)
	}
	fmt.Fprintf(stderr, "lambdalog: unknown command %q\n\n", args[0])
	printHelp(stderr)
	return errUsage
}

func findCommand(name string) (command, bool) {
	for _, c := range commands() {
		if c.name == name {
			return c, true
		}
	}
	return command{}, false
}

func printHelp(w io.Writer) {
	fmt.Fprintln(w, "lambdalog: run AWS Lambda functions and their logs, metrics and traces locally, and read them.")
	fmt.Fprintln(w, "\nUsage:\n  lambdalog <command> [flags]\n\nCommands:")
	for _, c := range commands() {
		fmt.Fprintf(w, "  %-9s %s\n", c.name, c.summary)
	}
	fmt.Fprintln(w, "\nRun 'lambdalog help <command>' for a command's flags.")
}

func helpCommand() command {
	return command{
		name:    "help",
		summary: "print the commands, or one command's flags",
		run: func(ctx context.Context, args []string, stdout, stderr io.Writer) error {
			if len(args) == 0 {
				printHelp(stdout)
				return nil
			}
			c, ok := findCommand(args[0])
			if !ok || c.name == "help" {
				fmt.Fprintf(stderr, "lambdalog help: unknown command %q\n\n", args[0])
				printHelp(stderr)
				return errUsage
			}
			// A command prints its usage to its stderr on --help; here it is asked for.
			err := c.run(ctx, []string{"--help"}, stdout, stdout)
			if errors.Is(err, flag.ErrHelp) {
				return nil
			}
			return err
		},
	}
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

// newFlagSet returns a flag set that prints its usage, with every flag
// spelled --name as in the usage line, to stderr.
func newFlagSet(name, usage string, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintf(stderr, "Usage: lambdalog %s\n\nFlags:\n", usage)
		printFlags(stderr, fs)
	}
	return fs
}

// printFlags is flag.PrintDefaults with flags spelled --name.
func printFlags(w io.Writer, fs *flag.FlagSet) {
	fs.VisitAll(func(f *flag.Flag) {
		name, usage := flag.UnquoteUsage(f)
		line := "  --" + f.Name
		if name != "" {
			line += " " + name
		}
		line += "\n    \t" + strings.ReplaceAll(usage, "\n", "\n    \t")
		if f.DefValue != "" && f.DefValue != "false" && f.DefValue != "0" && f.DefValue != "[]" {
			line += fmt.Sprintf(" (default %s)", f.DefValue)
		}
		fmt.Fprintln(w, line)
	})
}
