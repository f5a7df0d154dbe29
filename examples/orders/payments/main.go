// Command payments is the payments function of examples/orders, invoked
// asynchronously (InvocationType Event) by the orders function with an
// order.Payment. It captures the payment, or declines it when the amount is
// over order.CardLimit: on purpose, so that the application has failures to
// find. A declined payment fails the invocation (a function error, which
// X-Ray records as a fault).
//
// The correlation id comes in the event (its correlation_id), the trace
// header with the invocation. It logs "payment captured" or, at ERROR,
// "payment failed" in the application's story, records the metric
// PaymentsCaptured or PaymentsFailed, and annotates its trace with OrderId
// and Customer.
package main

import (
	"context"
	"errors"
	"fmt"
	"log"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/lambdalog/lambdalog/examples/orders/internal/app"
	"github.com/lambdalog/lambdalog/examples/orders/internal/order"
	"github.com/lambdalog/lambdalog/logger"
	"github.com/lambdalog/lambdalog/tracer"
)

func main() {
	f, err := app.New(context.Background())
	if err != nil {
		log.Fatalf("payments: %v", err)
	}
	s := &service{f: f}
	lambda.Start(app.Wrap(f, s.handle, logger.WithCorrelationPath("correlation_id")))
}

// service is the payments function.
type service struct{ f *app.Function }

// Receipt is the result of a captured payment.
type Receipt struct {
	OrderID string `json:"order_id"`
	Status  string `json:"status"`
}

// ErrDeclined is the error of a declined payment.
var ErrDeclined = errors.New("payment declined")

// handle charges a payment.
func (s *service) handle(ctx context.Context, p order.Payment) (Receipt, error) {
	return tracer.CaptureMethod(ctx, "charge", func(ctx context.Context) (Receipt, error) {
		app.Annotate(ctx, p.OrderID, p.Customer)
		if _, err := order.Parse(p.OrderID); err != nil {
			return Receipt{}, fmt.Errorf("payment for %w", err)
		}
		if order.Declined(p.Amount) {
			reason := fmt.Sprintf("amount %d over the card limit %d", p.Amount, order.CardLimit)
			s.f.Story.ErrorContext(ctx, "payment failed", "order_id", p.OrderID, "customer", p.Customer, "amount", p.Amount, "reason", reason)
			app.Count(ctx, "PaymentsFailed")
			return Receipt{}, fmt.Errorf("%w: order %s: %s", ErrDeclined, p.OrderID, reason)
		}
		s.f.Story.InfoContext(ctx, "payment captured", "order_id", p.OrderID, "customer", p.Customer, "amount", p.Amount)
		app.Count(ctx, "PaymentsCaptured")
		return Receipt{OrderID: p.OrderID, Status: "captured"}, nil
	})
}
