package server

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/lambdalog/lambdalog/cmd/lambdalog/internal/store"
)

// TestOldLayoutIsMovedIntoLogs opens a data directory written in the layout
// of earlier versions (the log store at the top, metrics/ beside it): its
// events are there afterwards, read from logs/.
func TestOldLayoutIsMovedIntoLogs(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	old, err := store.Open(dir, store.Options{SweepInterval: -1})
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now().UnixMilli()
	if _, err := old.CreateGroup(ctx, "us-east-1", store.Group{Name: "g"}); err != nil {
		t.Fatal(err)
	}
	if err := old.CreateStream(ctx, "us-east-1", "g", "s"); err != nil {
		t.Fatal(err)
	}
	if _, err := old.PutEvents(ctx, "us-east-1", "g", "s", []store.Event{{Timestamp: now, Message: []byte("kept")}}); err != nil {
		t.Fatal(err)
	}

	// While the old store is open, its directory is reported as in use.
	if _, err := Open(Config{DataDir: dir, Logger: slog.New(slog.DiscardHandler)}); err == nil || !strings.Contains(err.Error(), "in use") {
		t.Fatalf("open while in use: %v", err)
	}
	if err := old.Close(); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Join(dir, "metrics"), 0o700); err != nil {
		t.Fatal(err)
	}

	s, err := Open(Config{DataDir: dir, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	it, err := s.Logs.Events(ctx, "us-east-1", "g", "s", store.Range{})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for it.Next() {
		got = append(got, string(it.Event().Message))
	}
	if err := it.Close(); err != nil || !slices.Equal(got, []string{"kept"}) {
		t.Fatalf("events after the move: %q, %v", got, err)
	}
	entries, _ := os.ReadDir(dir)
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	if !slices.Equal(names, []string{"logs", "metrics", "traces"}) {
		t.Errorf("data directory holds %q, want only logs, metrics and traces", names)
	}
}

func TestRunNamesTheFlagOfAnAddressInUse(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	err = Run(context.Background(), slog.New(slog.DiscardHandler), []Listener{
		{Name: "api", Addr: "127.0.0.1:0", Flag: "--addr"},
		{Name: "apiGateway", Addr: ln.Addr().String(), Flag: "--api-addr"},
	}, func(map[string]string) error { t.Fatal("ready called"); return nil })
	if err == nil || !strings.Contains(err.Error(), "--api-addr") || !strings.Contains(err.Error(), "already in use") {
		t.Fatalf("err = %v", err)
	}
}

func TestRunStopsOnCancelAndOnReadyError(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	var urls map[string]string
	done := make(chan error, 1)
	go func() {
		done <- Run(ctx, slog.New(slog.DiscardHandler), []Listener{{Name: "api", Addr: "127.0.0.1:0", Flag: "--addr"}},
			func(u map[string]string) error { urls = u; cancel(); return nil })
	}()
	if err := <-done; err != nil {
		t.Fatalf("cancelled: %v", err)
	}
	if !strings.HasPrefix(urls["api"], "http://127.0.0.1:") {
		t.Errorf("urls %v", urls)
	}
	boom := errors.New("boom")
	if err := Run(context.Background(), slog.New(slog.DiscardHandler), []Listener{{Name: "api", Addr: "127.0.0.1:0"}},
		func(map[string]string) error { return boom }); !errors.Is(err, boom) {
		t.Fatalf("ready error: %v", err)
	}
}

func TestSecondServerOnADataDirectoryInUse(t *testing.T) {
	dir := t.TempDir()
	first, err := Open(Config{DataDir: dir, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	defer first.Close()
	_, err = Open(Config{DataDir: dir, Logger: slog.New(slog.DiscardHandler)})
	if err == nil || !strings.Contains(err.Error(), "in use by another lambdalog") || !strings.Contains(err.Error(), "--memory") {
		t.Fatalf("second open: %v", err)
	}
}
