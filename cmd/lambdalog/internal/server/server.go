// Package server is what `lambdalog serve` and `lambdalog dev` share: it
// opens the stores in one data directory, builds the router that serves
// every emulated AWS API over them, and runs the listeners with one
// shutdown path.
//
// # Data directory
//
// One directory (Config.DataDir, default $XDG_DATA_HOME/lambdalog or
// ~/.local/share/lambdalog) holds one subdirectory per store:
//
//	logs/      log groups, streams and events (package store)
//	metrics/   metric data points, from EMF lines and PutMetricData (package metricstore)
//	traces/    X-Ray trace segments (package tracestore)
//
// A directory in the layout of earlier versions, the log store's files at the
// top with metrics/ beside them, is moved into this layout when opened: its
// files go into logs/. The move takes the log store's lock first, so a
// directory in use by another lambdalog is left alone and reported.
//
// # Wiring
//
// Logs Insights queries run in the background over the log store (package
// queries); Close stops them before it closes the stores.
//
// StartLiveTail sessions (logsapi.LiveTail) see every event the log store
// takes in, through the same hook as the metric store; Close ends them.
//
// Both stores refuse writes while the data directory's disk has less free
// space than Config.MinFreeBytes, and stop for good (Config.OnFatal) on a
// storage failure; see package store.
//
// Every event the log store takes in, from PutLogEvents or from the local
// runtime, is offered to the metric store: the ones holding Embedded Metric
// Format objects become data points, and so do the values the log group's
// metric filters publish (logsapi.MetricPublisher); then, once a command
// has called SetSubscriptions (dev does), to the subscription deliverer
// (package subscriptions). Open registers the
// CloudWatch Logs, CloudWatch metrics, X-Ray and STS (GetCallerIdentity)
// APIs with the Router; a command registers more (dev adds the Lambda Invoke API)
// before it calls Run. Handler serves the web console (package console) on
// the same address as the APIs.
//
// The trace store takes segment documents from the X-Ray API and OTLP/HTTP
// (package xrayapi, both registered on the Router) and from the X-Ray
// daemon address: ListenXRay opens it (UDP for segments, and the X-Ray API
// over TCP on the same port, as the AWS daemon proxies sampling requests).
//
// # Listeners
//
// Run serves each Listener with read-header and idle timeouts and a cap on
// open connections, calls ready with the resolved addresses once all of them
// listen (WriteReadyFile writes them for scripts and tests), and on
// cancellation shuts every listener down gracefully, returning every error.
package server

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/lambdalog/lambdalog/cmd/lambdalog/internal/awsapi"
	"github.com/lambdalog/lambdalog/cmd/lambdalog/internal/console"
	"github.com/lambdalog/lambdalog/cmd/lambdalog/internal/emf"
	"github.com/lambdalog/lambdalog/cmd/lambdalog/internal/logsapi"
	"github.com/lambdalog/lambdalog/cmd/lambdalog/internal/metricsapi"
	"github.com/lambdalog/lambdalog/cmd/lambdalog/internal/metricstore"
	"github.com/lambdalog/lambdalog/cmd/lambdalog/internal/queries"
	"github.com/lambdalog/lambdalog/cmd/lambdalog/internal/store"
	"github.com/lambdalog/lambdalog/cmd/lambdalog/internal/stsapi"
	"github.com/lambdalog/lambdalog/cmd/lambdalog/internal/subscriptions"
	"github.com/lambdalog/lambdalog/cmd/lambdalog/internal/tracestore"
	"github.com/lambdalog/lambdalog/cmd/lambdalog/internal/xrayapi"
	"github.com/lambdalog/lambdalog/insights"
)

// Config configures Open.
type Config struct {
	// DataDir is the data directory; empty means DefaultDataDir.
	DataDir string
	// Memory keeps everything in memory: nothing survives Close.
	Memory bool
	// AccountID appears in ARNs; default 123456789012.
	AccountID string
	// Region is the region the web console shows first; default us-east-1.
	Region string
	// Credentials, when set, make every API request need a SigV4 signature
	// made with them.
	Credentials *awsapi.Credentials
	// MinFreeBytes is the free-space floor below which the stores refuse
	// writes; 0 means the stores' default (256 MiB), negative disables it.
	MinFreeBytes int64
	// OnFatal is called once, on its own goroutine, when a store stops after
	// a storage failure it cannot recover from (the disk filled up anyway,
	// a write failed): the process must then exit, without waiting for
	// calls that may be stuck inside the store.
	OnFatal func(error)
	// Logger receives server-side failures; nil means slog.Default().
	Logger *slog.Logger
}

// Server is an open data directory and the router over it.
type Server struct {
	// Logs is the log store.
	Logs *store.Store
	// Metrics is the metric store.
	Metrics *metricstore.Store
	// Traces is the trace store.
	Traces *tracestore.Store
	// xray configures the X-Ray APIs, here and on the daemon address.
	xray xrayapi.Options
	// Router serves the APIs; register more before Run.
	Router *awsapi.Router
	// Queries runs Logs Insights queries over Logs.
	Queries *queries.Manager
	// Console is the web console; register more pages before Run.
	Console *console.Console
	// Location says where the data lives, for the start-up line.
	Location string

	metricFilters *logsapi.MetricPublisher // publishes for the log store's metric filters
	liveTail      *logsapi.LiveTail        // StartLiveTail's sessions
	deliverer     atomic.Pointer[subscriptions.Deliverer]

	logger    *slog.Logger
	closeOnce sync.Once
	closeErr  error
}

// Open opens the stores and builds the router.
func Open(cfg Config) (*Server, error) {
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	s := &Server{Location: "in memory (throw-away)", logger: cfg.Logger}
	var logsDir, metricsDir, tracesDir string
	if !cfg.Memory {
		dir := cfg.DataDir
		if dir == "" {
			var err error
			if dir, err = DefaultDataDir(); err != nil {
				return nil, err
			}
		}
		cfg.DataDir = dir
		if err := prepareDataDir(dir); err != nil {
			return nil, err
		}
		s.Location = dir + " (durable)"
		logsDir, metricsDir, tracesDir = filepath.Join(dir, "logs"), filepath.Join(dir, "metrics"), filepath.Join(dir, "traces")
	}
	var err error
	inUse := func(err error) error {
		// Pebble's lock: EAGAIN from another process, its own message from this one.
		if errors.Is(err, syscall.EAGAIN) || errors.Is(err, syscall.EACCES) || strings.Contains(err.Error(), "lock held by current process") {
			return fmt.Errorf("data directory %s is in use by another lambdalog (serve or dev): stop it, or pass --data with another directory, or --memory (%w)", cfg.DataDir, err)
		}
		return err
	}
	s.Metrics, err = metricstore.Open(metricsDir, metricstore.Options{InMemory: cfg.Memory, MinFreeBytes: cfg.MinFreeBytes, Logger: cfg.Logger, OnFatal: cfg.OnFatal})
	if err != nil {
		return nil, inUse(err)
	}
	s.Logs, err = store.Open(logsDir, store.Options{InMemory: cfg.Memory, MinFreeBytes: cfg.MinFreeBytes, Logger: cfg.Logger,
		OnFatal: cfg.OnFatal, AfterPut: s.afterPut, FlatJSON: insights.FlatJSON})
	if err != nil {
		s.Metrics.Close()
		return nil, inUse(err)
	}
	s.metricFilters = logsapi.NewMetricPublisher(s.Logs)
	s.liveTail = logsapi.NewLiveTail(logsapi.LiveTailOptions{Logger: cfg.Logger})
	s.xray = xrayapi.Options{AccountID: cfg.AccountID, Logger: cfg.Logger}
	s.Traces, err = tracestore.Open(tracesDir, tracestore.Options{InMemory: cfg.Memory, MinFreeBytes: cfg.MinFreeBytes, Logger: cfg.Logger, OnFatal: cfg.OnFatal})
	if err != nil {
		s.Logs.Close()
		s.Metrics.Close()
		return nil, inUse(err)
	}
	s.Queries = queries.New(s.Logs, queries.Options{Logger: cfg.Logger})
	s.Router = awsapi.NewRouter(awsapi.Options{Credentials: cfg.Credentials, Logger: cfg.Logger},
		logsapi.New(s.Logs, logsapi.Options{AccountID: cfg.AccountID, Logger: cfg.Logger, Queries: s.Queries, LiveTail: s.liveTail}),
		afterQueuedLogs{metricsapi.New(s.Metrics, metricsapi.Options{Logger: cfg.Logger}), s.Logs},
		xrayapi.New(s.Traces, s.xray), xrayapi.NewOTLP(s.Traces, s.xray),
		stsapi.New(stsapi.Options{AccountID: cfg.AccountID}))
	s.Console = console.New(console.Options{Logs: s.Logs, Metrics: s.Metrics, Queries: s.Queries, Traces: s.Traces, Region: cfg.Region,
		AccountID: cfg.AccountID, Credentials: cfg.Credentials, Logger: cfg.Logger})
	return s, nil
}

// Handler serves the web console and the APIs on one address; see
// console.Owns for which requests are the console's.
func (s *Server) Handler() http.Handler { return s.Console.Handler(s.Router) }

// afterPut is the log store's AfterPut hook.
func (s *Server) afterPut(ctx context.Context, in store.Ingested) {
	s.ingestMetrics(ctx, in)
	s.liveTail.Offer(&in)
	if d := s.deliverer.Load(); d != nil {
		d.Offer(ctx, in)
	}
}

// SetSubscriptions makes d deliver, from now on, the events the log store
// takes in through their groups' subscription filters. dev sets it once its
// functions run; serve runs no functions and delivers nothing.
func (s *Server) SetSubscriptions(d *subscriptions.Deliverer) { s.deliverer.Store(d) }

// ingestMetrics stores the data points
// of the events that hold EMF and those the group's metric filters publish.
// Invalid EMF stays an ordinary log event (counted by the metric store).
func (s *Server) ingestMetrics(ctx context.Context, in store.Ingested) {
	var candidates [][]byte
	for _, e := range in.Events {
		if emf.IsCandidate(e.Message) {
			candidates = append(candidates, e.Message)
		}
	}
	if len(candidates) > 0 {
		if _, err := s.Metrics.Ingest(ctx, time.UnixMilli(in.Millis), candidates...); err != nil && !errors.Is(err, emf.ErrInvalid) {
			s.logger.Warn("storing EMF metrics", "error", err)
		}
	}
	points, err := s.metricFilters.Points(ctx, &in, nil)
	if err != nil {
		s.logger.Warn("metric filters", "group", in.Group.Name, "error", err)
	}
	if len(points) > 0 {
		if err := s.Metrics.Put(ctx, points); err != nil {
			s.logger.Warn("storing metric filter data points", "group", in.Group.Name, "error", err)
		}
	}
}

// Close stops the running queries and closes the stores; calls after the
// first return its result.
func (s *Server) Close() error {
	s.closeOnce.Do(func() {
		s.Queries.Close()
		s.liveTail.Close()
		s.closeErr = errors.Join(s.Logs.Close(), s.Metrics.Close(), s.Traces.Close())
	})
	return s.closeErr
}

// DefaultDataDir is $XDG_DATA_HOME/lambdalog or ~/.local/share/lambdalog.
func DefaultDataDir() (string, error) {
	if x := os.Getenv("XDG_DATA_HOME"); x != "" {
		return filepath.Join(x, "lambdalog"), nil
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return "", fmt.Errorf("no data directory: %w (pass --data DIR or --memory)", err)
	}
	return filepath.Join(home, ".local", "share", "lambdalog"), nil
}
