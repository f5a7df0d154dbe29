package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"strconv"
	"strings"

	"github.com/lambdalog/lambdalog/cmd/lambdalog/internal/awsapi"
	"github.com/lambdalog/lambdalog/cmd/lambdalog/internal/server"
)

const defaultAddr = "127.0.0.1:4588"

func serveCommand() command {
	return command{
		name:    "serve",
		summary: "run the CloudWatch Logs, CloudWatch metrics and X-Ray APIs on an embedded store",
		run:     runServe,
	}
}

// serverFlags are the flags serve and dev share: where the APIs listen and
// where the data lives.
type serverFlags struct {
	addr, data, account, readyFile string
	memory                         bool
	minFree                        byteSizeFlag
	xray                           addrFlag
}

func (f *serverFlags) register(fs *flag.FlagSet, addrUsage string) {
	fs.StringVar(&f.addr, "addr", defaultAddr, addrUsage)
	f.xray = addrFlag{addr: defaultXRayAddr}
	fs.Var(&f.xray, "xray-addr", "`host:port` of the X-Ray daemon: segments over UDP, the X-Ray API for sampling over TCP (loopback only; when the default is taken, a free port)")
	fs.StringVar(&f.data, "data", "", "data `directory` (default $XDG_DATA_HOME/lambdalog or ~/.local/share/lambdalog)")
	fs.BoolVar(&f.memory, "memory", false, "keep data in memory only; everything is lost on exit")
	fs.StringVar(&f.account, "account-id", "123456789012", "AWS account `id` used in ARNs")
	f.minFree = byteSizeFlag(256 << 20)
	fs.Var(&f.minFree, "min-free-disk", "refuse writes while the data directory's disk has less free `space` than this (e.g. 256MiB, 1GB; 0 turns it off)")
	fs.StringVar(&f.readyFile, "ready-file", "", "once listening, write the URLs as a JSON object to this `file` (for scripts and tests)")
}

// open opens the data directory and the router over it. A storage failure
// the stores cannot recover from ends the process: calls stuck inside a
// store cannot be waited for.
func (f *serverFlags) open(logger *slog.Logger, creds *awsapi.Credentials, region string, stderr io.Writer) (*server.Server, error) {
	minFree := int64(f.minFree)
	if minFree == 0 {
		minFree = -1 // the flag's 0 means no floor; the stores' 0 means their default
	}
	return server.Open(server.Config{DataDir: f.data, Memory: f.memory, AccountID: f.account, Region: region, Credentials: creds, Logger: logger,
		MinFreeBytes: minFree, OnFatal: func(err error) {
			fmt.Fprintf(stderr, "lambdalog: stopping: %v\n", err)
			os.Exit(1)
		}})
}

// ready writes the ready file, if one was asked for.
func (f *serverFlags) ready(urls map[string]string) error {
	if f.readyFile == "" {
		return nil
	}
	return server.WriteReadyFile(f.readyFile, urls)
}

func runServe(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("serve", "serve [--addr host:port] [--xray-addr host:port] [--data DIR | --memory] [--account-id ID] [--access-key-id K --secret-access-key-file FILE] [--ready-file FILE]", stderr)
	var sf serverFlags
	sf.register(fs, "`host:port` to listen on; any non-loopback address requires credentials (--access-key-id and the secret)")
	keyID := fs.String("access-key-id", os.Getenv("LAMBDALOG_ACCESS_KEY_ID"), "access `key id` clients must sign requests with (SigV4); default $LAMBDALOG_ACCESS_KEY_ID")
	secretFile := fs.String("secret-access-key-file", "", "`file` holding the secret access key clients sign with; default: the secret in $LAMBDALOG_SECRET_ACCESS_KEY")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	creds, err := credentialsFrom(*keyID, *secretFile)
	if err != nil {
		return fmt.Errorf("serve: %w", err)
	}
	if creds == nil && !isLoopback(sf.addr) {
		return fmt.Errorf("serve: refusing to listen on non-loopback address %s without credentials: pass --access-key-id and --secret-access-key-file (or set LAMBDALOG_ACCESS_KEY_ID and LAMBDALOG_SECRET_ACCESS_KEY) so requests are SigV4-verified, or use 127.0.0.1", sf.addr)
	}
	if !isLoopback(sf.xray.addr) {
		return fmt.Errorf("serve: --xray-addr %s is not a loopback address; the X-Ray daemon takes unsigned segments and binds only 127.0.0.1 or localhost", sf.xray.addr)
	}
	logger := slog.New(slog.NewTextHandler(stderr, nil))
	srv, err := sf.open(logger, creds, "", stderr)
	if err != nil {
		return fmt.Errorf("serve: %w", err)
	}
	defer srv.Close()
	xd, err := srv.ListenXRay(sf.xray.addr, "--xray-addr", !sf.xray.set)
	if err != nil {
		return fmt.Errorf("serve: %w", err)
	}
	defer xd.Close()
	err = server.Run(ctx, logger, []server.Listener{xd.Listener, {Name: "api", Addr: sf.addr, Flag: "--addr", Handler: srv.Handler()}},
		func(urls map[string]string) error {
			fmt.Fprintf(stdout, "lambdalog: %s APIs on %s\n", joinAnd(srv.Router.APIs()), urls["api"])
			printXRay(stdout, xd)
			fmt.Fprintf(stdout, "lambdalog: store %s\n", srv.Location)
			fmt.Fprintf(stdout, "lambdalog: console on %s/\n", urls["api"])
			if creds != nil {
				fmt.Fprintln(stdout, "lambdalog: the console asks for the access key id as user name and the secret access key as password")
			}
			return sf.ready(urls)
		})
	if err = errors.Join(err, srv.Close()); err != nil {
		return fmt.Errorf("serve: %w", err)
	}
	fmt.Fprintln(stdout, "lambdalog: stopped")
	return nil
}

// credentialsFrom returns the credentials requests must be signed with, or
// nil when no access key id is given. The secret never comes from the
// command line, where every user of the machine could read it in ps.
func credentialsFrom(keyID, secretFile string) (*awsapi.Credentials, error) {
	secret := os.Getenv("LAMBDALOG_SECRET_ACCESS_KEY")
	if secretFile != "" {
		b, err := os.ReadFile(secretFile)
		if err != nil {
			return nil, fmt.Errorf("--secret-access-key-file: %w", err)
		}
		secret = strings.TrimSpace(string(b))
	}
	switch {
	case keyID == "" && secret == "":
		return nil, nil
	case keyID == "" || secret == "":
		return nil, errors.New("an access key id needs its secret and the secret its key id: pass --access-key-id (or set LAMBDALOG_ACCESS_KEY_ID) with --secret-access-key-file (or LAMBDALOG_SECRET_ACCESS_KEY)")
	}
	return &awsapi.Credentials{AccessKeyID: keyID, SecretAccessKey: secret}, nil
}

// defaultXRayAddr is the X-Ray daemon's address, as SDKs assume it.
const defaultXRayAddr = "127.0.0.1:2000"

// addrFlag is an address flag that knows whether it was given.
type addrFlag struct {
	addr string
	set  bool
}

func (a *addrFlag) String() string { return a.addr }

func (a *addrFlag) Set(s string) error {
	a.addr, a.set = s, true
	return nil
}

// printXRay prints the X-Ray daemon's start-up line, the address last.
func printXRay(w io.Writer, xd *server.XRayDaemon) {
	if xd.Moved != "" {
		fmt.Fprintf(w, "lambdalog: %s\n", xd.Moved)
	}
	fmt.Fprintf(w, "lambdalog: X-Ray daemon (segments over UDP, sampling over TCP) on %s\n", xd.Addr)
}

// joinAnd joins names as "a, b and c".
func joinAnd(names []string) string {
	if len(names) < 2 {
		return strings.Join(names, "")
	}
	return strings.Join(names[:len(names)-1], ", ") + " and " + names[len(names)-1]
}

// isLoopback reports whether addr's host is a loopback name or address.
func isLoopback(addr string) bool {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return false
	}
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// byteSizeFlag is a flag holding a number of bytes, written with an
// optional unit: 512, 64KiB, 256MiB, 1GB, 2GiB.
type byteSizeFlag int64

func (b *byteSizeFlag) String() string { return formatBytes(int64(*b)) }

func (b *byteSizeFlag) Set(s string) error {
	units := []struct {
		suffix string
		mult   int64
	}{{"KiB", 1 << 10}, {"MiB", 1 << 20}, {"GiB", 1 << 30}, {"TiB", 1 << 40}, {"kB", 1e3}, {"KB", 1e3}, {"MB", 1e6}, {"GB", 1e9}, {"TB", 1e12}, {"B", 1}}
	num, mult := strings.TrimSpace(s), int64(1)
	for _, u := range units {
		if n, ok := strings.CutSuffix(num, u.suffix); ok {
			num, mult = strings.TrimSpace(n), u.mult
			break
		}
	}
	n, err := strconv.ParseFloat(num, 64)
	if err != nil || n < 0 || n*float64(mult) > 1<<62 {
		return fmt.Errorf("want a size such as 256MiB or 1GB, not %q", s)
	}
	*b = byteSizeFlag(n * float64(mult))
	return nil
}

// formatBytes writes n in the largest binary unit that keeps it whole.
func formatBytes(n int64) string {
	for _, u := range []struct {
		suffix string
		size   int64
	}{{"TiB", 1 << 40}, {"GiB", 1 << 30}, {"MiB", 1 << 20}, {"KiB", 1 << 10}} {
		if n >= u.size && n%u.size == 0 {
			return strconv.FormatInt(n/u.size, 10) + u.suffix
		}
	}
	return strconv.FormatInt(n, 10)
}
