package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/lambdalog/lambdalog/cmd/lambdalog/internal/logsapi"
)

const defaultAddr = "127.0.0.1:4588"

func serveCommand() command {
	return command{
		name:    "serve",
		summary: "run a CloudWatch Logs-compatible API server on an embedded store",
		run:     runServe,
	}
}

func runServe(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("serve", "serve [--addr host:port] [--data DIR | --memory] [--account-id ID] [--access-key-id K --secret-access-key S]", stderr)
	addr := fs.String("addr", defaultAddr, "listen address; any non-loopback address requires --access-key-id and --secret-access-key")
	data := fs.String("data", "", "data directory (default $XDG_DATA_HOME/lambdalog or ~/.local/share/lambdalog)")
	memory := fs.Bool("memory", false, "keep data in memory only; everything is lost on exit")
	account := fs.String("account-id", "123456789012", "AWS account id used in ARNs")
	keyID := fs.String("access-key-id", "", "access key id clients must sign requests with (SigV4)")
	secret := fs.String("secret-access-key", "", "secret access key clients must sign requests with (SigV4)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if (*keyID == "") != (*secret == "") {
		return errors.New("serve: --access-key-id and --secret-access-key must be given together")
	}
	if *keyID == "" && !isLoopback(*addr) {
		return fmt.Errorf("serve: refusing to listen on non-loopback address %s without credentials: pass --access-key-id and --secret-access-key so requests are SigV4-verified, or use 127.0.0.1", *addr)
	}
	logger := slog.New(slog.NewTextHandler(stderr, nil))
	b, err := openBackend(*data, *memory, logsapi.Options{
		AccountID: *account, AccessKeyID: *keyID, SecretAccessKey: *secret, Logger: logger,
	})
	if err != nil {
		return fmt.Errorf("serve: %w", err)
	}
	defer b.Close()

	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return fmt.Errorf("serve: %w", err)
	}
	srv := &http.Server{
		Handler:           b.api,
		ReadHeaderTimeout: 10 * time.Second,
		ErrorLog:          slog.NewLogLogger(logger.Handler(), slog.LevelWarn),
	}
	fmt.Fprintf(stdout, "lambdalog: CloudWatch Logs and CloudWatch metrics APIs on http://%s\n", ln.Addr())
	fmt.Fprintf(stdout, "lambdalog: store %s\n", b.location)

	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
	}
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil {
		return fmt.Errorf("serve: shutdown: %w", err)
	}
	if err := b.Close(); err != nil {
		return fmt.Errorf("serve: %w", err)
	}
	fmt.Fprintln(stdout, "lambdalog: stopped")
	return nil
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
