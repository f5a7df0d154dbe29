// Command make-traffic sends the HTTP API of examples/orders a realistic
// mix of requests (see package traffic) and checks every answer:
//
//	go run ./examples/orders/cmd/make-traffic [-url http://127.0.0.1:3000] [-orders 100] [-concurrency 4] [-seed N] [-v]
//
// It prints one summary line
//
//	placed=N declined=N rejected=N lookups=N not_found=N seconds=S
//
// (declined: the placed orders whose payment fails, on purpose), with -v
// first one line per placed order (id, correlation id, amount in cents), and
// exits 1 if any answer was not the one expected.
package main

import (
	"context"
	"flag"
	"fmt"
	"net/http"
	"os"
	"os/signal"
	"time"

	"github.com/lambdalog/lambdalog/examples/orders/internal/order"
	"github.com/lambdalog/lambdalog/examples/orders/internal/traffic"
)

func main() {
	cfg := traffic.Config{Client: &http.Client{Timeout: 30 * time.Second}}
	flag.StringVar(&cfg.URL, "url", "http://127.0.0.1:3000", "base `URL` of the API (lambdalog dev's API Gateway, or the stack's ApiUrl)")
	flag.IntVar(&cfg.Orders, "orders", 100, "valid orders to place")
	flag.IntVar(&cfg.Concurrency, "concurrency", 4, "requests in flight at once")
	flag.Uint64Var(&cfg.Seed, "seed", uint64(time.Now().UnixNano()), "seed of the mix, to repeat one")
	verbose := flag.Bool("v", false, "print each placed order")
	flag.Parse()
	if cfg.Orders < 0 || cfg.Concurrency < 1 || flag.NArg() > 0 {
		fmt.Fprintln(os.Stderr, "make-traffic: -orders must be >= 0, -concurrency >= 1, and no arguments")
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	start := time.Now()
	rep, err := traffic.Run(ctx, cfg)
	if *verbose {
		for _, p := range rep.Placed {
			outcome := "captured"
			if order.Declined(p.Amount) {
				outcome = "declined"
			}
			fmt.Printf("%s %s %d %s\n", p.ID, p.CorrelationID, p.Amount, outcome)
		}
	}
	fmt.Printf("placed=%d declined=%d rejected=%d lookups=%d not_found=%d seconds=%.3f\n",
		len(rep.Placed), rep.Declined, rep.Rejected, rep.Lookups, rep.NotFound, time.Since(start).Seconds())
	if err != nil {
		fmt.Fprintln(os.Stderr, "make-traffic:", err)
		os.Exit(1)
	}
}
