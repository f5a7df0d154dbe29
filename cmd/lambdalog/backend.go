package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/lambdalog/lambdalog/cmd/lambdalog/internal/emf"
	"github.com/lambdalog/lambdalog/cmd/lambdalog/internal/logsapi"
	"github.com/lambdalog/lambdalog/cmd/lambdalog/internal/metricsapi"
	"github.com/lambdalog/lambdalog/cmd/lambdalog/internal/metricstore"
	"github.com/lambdalog/lambdalog/cmd/lambdalog/internal/store"
)

// backend is what serve and dev share: the log store; the metric store, fed with the EMF
// objects of every event the log store takes in (from PutLogEvents or the local runtime);
// and one HTTP handler serving the CloudWatch Logs API and the CloudWatch metrics API.
type backend struct {
	logs     *store.Store
	metrics  *metricstore.Store
	api      http.Handler
	location string // where the data lives, for the startup line

	closeOnce sync.Once
	closeErr  error
}

// openBackend opens the stores in dataDir (the per-user default when empty) or, with
// memory, in memory.
func openBackend(dataDir string, memory bool, opts logsapi.Options) (*backend, error) {
	b := &backend{location: "in memory (throw-away)"}
	if !memory {
		if dataDir == "" {
			var err error
			if dataDir, err = defaultDataDir(); err != nil {
				return nil, err
			}
		}
		if err := os.MkdirAll(dataDir, 0o700); err != nil {
			return nil, fmt.Errorf("create data directory: %w", err)
		}
		b.location = dataDir + " (durable)"
	}
	var err error
	b.metrics, err = metricstore.Open(filepath.Join(dataDir, "metrics"), metricstore.Options{InMemory: memory})
	if err != nil {
		return nil, err
	}
	b.logs, err = store.Open(dataDir, store.Options{InMemory: memory, Logger: opts.Logger, AfterPut: b.ingestMetrics(opts.Logger)})
	if err != nil {
		b.metrics.Close()
		return nil, err
	}
	logs := logsapi.New(b.logs, opts)
	metrics := metricsapi.New(b.metrics, metricsapi.Options{Logger: opts.Logger, Authenticate: logs.Authenticate})
	b.api = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if metrics.Match(r) {
			metrics.ServeHTTP(w, r)
			return
		}
		logs.ServeHTTP(w, r)
	})
	return b, nil
}

// ingestMetrics returns the log store's AfterPut hook: it stores the data points of the
// events that hold EMF. Invalid EMF stays an ordinary log event (counted by the metric store).
func (b *backend) ingestMetrics(logger *slog.Logger) func(context.Context, []store.Event, int64) {
	return func(ctx context.Context, events []store.Event, ingestMillis int64) {
		var candidates [][]byte
		for _, e := range events {
			if emf.IsCandidate(e.Message) {
				candidates = append(candidates, e.Message)
			}
		}
		if len(candidates) == 0 {
			return
		}
		if _, err := b.metrics.Ingest(ctx, time.UnixMilli(ingestMillis), candidates...); err != nil && !errors.Is(err, emf.ErrInvalid) {
			logger.Warn("storing EMF metrics", "error", err)
		}
	}
}

// Close closes both stores; calls after the first return its result.
func (b *backend) Close() error {
	b.closeOnce.Do(func() { b.closeErr = errors.Join(b.logs.Close(), b.metrics.Close()) })
	return b.closeErr
}

// defaultDataDir is $XDG_DATA_HOME/lambdalog or ~/.local/share/lambdalog.
func defaultDataDir() (string, error) {
	if x := os.Getenv("XDG_DATA_HOME"); x != "" {
		return filepath.Join(x, "lambdalog"), nil
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return "", fmt.Errorf("no data directory: %w (pass --data)", err)
	}
	return filepath.Join(home, ".local", "share", "lambdalog"), nil
}
