package logsapi_test

import (
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"

	"github.com/lambdalog/lambdalog/cmd/lambdalog/internal/awsapi"
	"github.com/lambdalog/lambdalog/cmd/lambdalog/internal/logsapi"
	"github.com/lambdalog/lambdalog/cmd/lambdalog/internal/store"
	"github.com/lambdalog/lambdalog/internal/testserver"
)

// clock is a settable clock shared by the store and the handler.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

type env struct {
	url    string
	store  *store.Store
	clock  *clock
	client *cloudwatchlogs.Client
}

type envConfig struct {
	dir          string // on-disk store when set
	keyID        string
	secret       string
	realClock    bool
	clientRegion string
}

func newEnv(t *testing.T, cfg envConfig) *env {
	t.Helper()
	clk := &clock{t: time.Now().Truncate(time.Millisecond)}
	now := clk.Now
	if cfg.realClock {
		now = time.Now
	}
	st, err := store.Open(cfg.dir, store.Options{InMemory: cfg.dir == "", Now: now, SweepInterval: -1})
	if err != nil {
		t.Fatal(err)
	}
	ro := awsapi.Options{Now: now}
	if cfg.keyID != "" {
		ro.Credentials = &awsapi.Credentials{AccessKeyID: cfg.keyID, SecretAccessKey: cfg.secret}
	}
	srv := httptest.NewServer(awsapi.NewRouter(ro, logsapi.New(st, logsapi.Options{Now: now})))
	t.Cleanup(func() {
		srv.Close()
		if err := st.Close(); err != nil {
			t.Error(err)
		}
	})
	e := &env{url: srv.URL, store: st, clock: clk}
	key, secret := cfg.keyID, cfg.secret
	if key == "" {
		key, secret = "AKIDEXAMPLE", "secret"
	}
	e.client = e.newClient(key, secret, cfg.clientRegion)
	return e
}

func (e *env) newClient(key, secret, region string) *cloudwatchlogs.Client {
	if region == "" {
		region = "us-east-1"
	}
	return cloudwatchlogs.New(cloudwatchlogs.Options{
		Region:           region,
		BaseEndpoint:     aws.String(e.url),
		Credentials:      credentials.NewStaticCredentialsProvider(key, secret, ""),
		RetryMaxAttempts: 1,
		HTTPClient:       testserver.HTTPClient(nil),
	})
}
