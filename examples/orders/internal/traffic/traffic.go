// Package traffic sends examples/orders' HTTP API a realistic mix of
// requests and checks every answer: orders of customers cust-0001 to
// cust-0200 with amounts spread from $5 to $800 (so that about one payment
// in ten is over order.CardLimit and fails), a GET /orders/{id} of one
// placed order in three, after every ninth order one that is not valid (bad
// JSON, no customer, a negative amount), and after every twenty-fourth a GET
// of an unknown id.
package traffic

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"net/http"
	"strings"
	"sync"

	"github.com/lambdalog/lambdalog/examples/orders/internal/order"
)

// Config says what traffic to send.
type Config struct {
	// URL is the API's base URL, such as http://127.0.0.1:3000.
	URL string
	// Orders is how many valid orders to place.
	Orders int
	// Concurrency is how many requests are in flight at once (at least 1).
	Concurrency int
	// Seed makes the mix reproducible.
	Seed uint64
	// Client sends the requests; http.DefaultClient when nil.
	Client *http.Client
}

// Placed is an order the API placed.
type Placed struct {
	order.Order
	// CorrelationID is the one the API answered with.
	CorrelationID string
}

// Report is what was sent and answered.
type Report struct {
	// Placed are the orders placed, in the order they were requested.
	Placed []Placed
	// Declined counts the placed orders whose payment must fail.
	Declined int
	// Rejected counts the orders that were not valid, answered 400.
	Rejected int
	// Lookups counts the GETs of placed orders, answered 200 with the order.
	Lookups int
	// NotFound counts the GETs of unknown ids, answered 404.
	NotFound int
}

// step is one request of the mix.
type step struct {
	kind     stepKind
	customer string
	amount   int64
	body     string // for invalid orders
}

type stepKind int

const (
	place stepKind = iota
	invalid
	unknown
)

// Run sends the traffic and returns what happened; the error joins every
// unexpected answer (at most ten are kept).
func Run(ctx context.Context, cfg Config) (*Report, error) {
	if cfg.Client == nil {
		cfg.Client = http.DefaultClient
	}
	cfg.Concurrency = max(cfg.Concurrency, 1)
	cfg.URL = strings.TrimSuffix(cfg.URL, "/")
	steps := plan(cfg.Orders, cfg.Seed)

	r := &run{cfg: cfg, placed: make([]*Placed, len(steps))}
	work := make(chan int)
	var wg sync.WaitGroup
	for range cfg.Concurrency {
		wg.Go(func() {
			for i := range work {
				r.do(ctx, i, steps[i])
			}
		})
	}
	for i := range steps {
		if ctx.Err() != nil {
			break
		}
		work <- i
	}
	close(work)
	wg.Wait()

	rep := &Report{Rejected: r.rejected, Lookups: r.lookups, NotFound: r.notFound}
	for _, p := range r.placed {
		if p != nil {
			rep.Placed = append(rep.Placed, *p)
			if order.Declined(p.Amount) {
				rep.Declined++
			}
		}
	}
	return rep, errors.Join(append(r.errs, ctx.Err())...)
}

// plan lays out the mix: orders valid orders, an invalid one after every
// ninth, an unknown id after every twenty-fourth.
func plan(orders int, seed uint64) []step {
	rng := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	bad := []string{`{"customer":"cust-0001","amount":`, `{"amount":1999}`, `{"customer":"cust-0001","amount":-500}`}
	var steps []step
	for i := range orders {
		// Log-uniform from $5 to $800: small orders are the most common.
		amount := int64(math.Exp(math.Log(500) + rng.Float64()*(math.Log(80_000)-math.Log(500))))
		steps = append(steps, step{kind: place, customer: fmt.Sprintf("cust-%04d", 1+rng.IntN(200)), amount: amount})
		if i%9 == 8 {
			steps = append(steps, step{kind: invalid, body: bad[(i/9)%len(bad)]})
		}
		if i%24 == 23 {
			steps = append(steps, step{kind: unknown})
		}
	}
	return steps
}

// run is the state of one Run.
type run struct {
	cfg    Config
	placed []*Placed // by step

	mu                          sync.Mutex
	rejected, lookups, notFound int
	errs                        []error
}

func (r *run) fail(err error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(r.errs) < 10 {
		r.errs = append(r.errs, err)
	}
}

func (r *run) count(n *int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	*n++
}

// do sends one step (and, for one placed order in three, its GET).
func (r *run) do(ctx context.Context, i int, s step) {
	switch s.kind {
	case invalid:
		status, _, _, err := r.send(ctx, http.MethodPost, "/orders", s.body)
		if err == nil && status != http.StatusBadRequest {
			err = fmt.Errorf("POST /orders %s: status %d, want 400", s.body, status)
		}
		if err != nil {
			r.fail(err)
			return
		}
		r.count(&r.rejected)
	case unknown:
		path := fmt.Sprintf("/orders/o-unknown-%d", i)
		status, _, _, err := r.send(ctx, http.MethodGet, path, "")
		if err == nil && status != http.StatusNotFound {
			err = fmt.Errorf("GET %s: status %d, want 404", path, status)
		}
		if err != nil {
			r.fail(err)
			return
		}
		r.count(&r.notFound)
	case place:
		body := fmt.Sprintf(`{"customer":%q,"amount":%d}`, s.customer, s.amount)
		status, header, answer, err := r.send(ctx, http.MethodPost, "/orders", body)
		var p Placed
		if err == nil && status != http.StatusCreated {
			err = fmt.Errorf("POST /orders %s: status %d, want 201: %s", body, status, answer)
		}
		if err == nil {
			err = r.placedOrder(body, header, answer, s, &p)
		}
		if err != nil {
			r.fail(err)
			return
		}
		r.placed[i] = &p
		if i%3 == 0 {
			r.lookup(ctx, p.Order)
		}
	}
}

// placedOrder checks the answer to a POST /orders.
func (r *run) placedOrder(body string, header http.Header, answer []byte, s step, p *Placed) error {
	var got struct {
		order.Order
		CorrelationID string `json:"correlation_id"`
	}
	if err := json.Unmarshal(answer, &got); err != nil {
		return fmt.Errorf("POST /orders %s: answer %s: %w", body, answer, err)
	}
	if got.Customer != s.customer || got.Amount != s.amount || got.ID == "" || got.CorrelationID == "" ||
		header.Get("X-Correlation-Id") != got.CorrelationID || header.Get("Location") != "/orders/"+got.ID {
		return fmt.Errorf("POST /orders %s: answer %s, headers %v", body, answer, header)
	}
	*p = Placed{Order: got.Order, CorrelationID: got.CorrelationID}
	return nil
}

// lookup reads a placed order back.
func (r *run) lookup(ctx context.Context, o order.Order) {
	path := "/orders/" + o.ID
	status, _, answer, err := r.send(ctx, http.MethodGet, path, "")
	var got order.Order
	if err == nil && status != http.StatusOK {
		err = fmt.Errorf("GET %s: status %d, want 200: %s", path, status, answer)
	}
	if err == nil {
		if err = json.Unmarshal(answer, &got); err == nil && (got.ID != o.ID || got.Customer != o.Customer || got.Amount != o.Amount || !got.PlacedAt.Equal(o.PlacedAt)) {
			err = fmt.Errorf("GET %s: answered %s", path, answer)
		}
	}
	if err != nil {
		r.fail(err)
		return
	}
	r.count(&r.lookups)
}

// maxAnswer bounds the answers read.
const maxAnswer = 1 << 20

func (r *run) send(ctx context.Context, method, path, body string) (int, http.Header, []byte, error) {
	var rd io.Reader
	if body != "" {
		rd = bytes.NewReader([]byte(body))
	}
	req, err := http.NewRequestWithContext(ctx, method, r.cfg.URL+path, rd)
	if err != nil {
		return 0, nil, nil, err
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := r.cfg.Client.Do(req)
	if err != nil {
		return 0, nil, nil, err
	}
	defer resp.Body.Close()
	answer, err := io.ReadAll(io.LimitReader(resp.Body, maxAnswer))
	if err != nil {
		return 0, nil, nil, fmt.Errorf("%s %s: %w", method, path, err)
	}
	return resp.StatusCode, resp.Header, answer, nil
}
