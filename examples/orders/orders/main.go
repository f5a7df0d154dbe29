// Command orders is the orders function of examples/orders, invoked
// synchronously by the api function through the Lambda Invoke API with an
// order.Request: it places an order (and asks the payments function,
// asynchronously, to charge it) or reads one back from its id.
//
// The correlation id comes in the invocation's client context (as
// logger.ClientContext puts it there) and goes to payments in the
// order.Payment event, since Lambda passes a client context to synchronous
// invocations only; the trace header goes with the Invoke call.
//
// It logs "order placed" in the application's story, "payment requested",
// "order read" and (at WARN) "order refused" in its own log group, records the metrics OrdersPlaced and
// OrdersRead, and annotates its trace with OrderId and Customer. The
// environment variable PAYMENTS_FUNCTION names the payments function.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log"
	"os"
	"time"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/aws"
	awslambda "github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/lambda/types"

	"github.com/lambdalog/lambdalog/examples/orders/internal/app"
	"github.com/lambdalog/lambdalog/examples/orders/internal/order"
	"github.com/lambdalog/lambdalog/logger"
	"github.com/lambdalog/lambdalog/tracer"
)

func main() {
	payments := os.Getenv("PAYMENTS_FUNCTION")
	if payments == "" {
		log.Fatal("orders: PAYMENTS_FUNCTION is not set")
	}
	f, err := app.New(context.Background())
	if err != nil {
		log.Fatalf("orders: %v", err)
	}
	s := &service{f: f, payments: payments}
	lambda.Start(app.Wrap(f, s.handle))
}

// service is the orders function.
type service struct {
	f        *app.Function
	payments string // the payments function's name or ARN
}

// handle answers an order.Request.
func (s *service) handle(ctx context.Context, req order.Request) (order.Response, error) {
	switch req.Action {
	case order.ActionPlace:
		return tracer.CaptureMethod(ctx, "place_order", func(ctx context.Context) (order.Response, error) {
			return s.place(ctx, req)
		})
	case order.ActionGet:
		return tracer.CaptureMethod(ctx, "get_order", func(ctx context.Context) (order.Response, error) {
			return s.get(ctx, req.ID), nil
		})
	default:
		return order.Response{}, fmt.Errorf("unknown action %q: want %q or %q", req.Action, order.ActionPlace, order.ActionGet)
	}
}

// place places the order and asks for its payment.
func (s *service) place(ctx context.Context, req order.Request) (order.Response, error) {
	app.Annotate(ctx, "", req.Customer)
	o, err := order.New(req.Customer, req.Amount, time.Now())
	if errors.Is(err, order.ErrInvalid) {
		logger.FromContext(ctx).WarnContext(ctx, "order refused", "error", err)
		return order.Response{Error: order.ErrorInvalid, Message: err.Error()}, nil
	}
	if err != nil {
		return order.Response{}, err
	}
	app.Annotate(ctx, o.ID, "")
	payment, err := json.Marshal(order.Payment{OrderID: o.ID, Customer: o.Customer, Amount: o.Amount, CorrelationID: logger.CorrelationID(ctx)})
	if err != nil {
		return order.Response{}, err
	}
	out, err := s.f.Lambda.Invoke(ctx, &awslambda.InvokeInput{
		FunctionName: aws.String(s.payments), InvocationType: types.InvocationTypeEvent, Payload: payment,
	})
	if err != nil {
		return order.Response{}, fmt.Errorf("requesting the payment of order %s: %w", o.ID, err)
	}
	logger.FromContext(ctx).InfoContext(ctx, "payment requested", "order_id", o.ID, "status", out.StatusCode)
	s.f.Story.InfoContext(ctx, "order placed", "order_id", o.ID, "customer", o.Customer, "amount", o.Amount)
	app.Count(ctx, "OrdersPlaced")
	return order.Response{Order: &o}, nil
}

// get reads an order from its id.
func (s *service) get(ctx context.Context, id string) order.Response {
	app.Annotate(ctx, id, "")
	app.Count(ctx, "OrdersRead")
	o, err := order.Parse(id)
	if err != nil {
		logger.FromContext(ctx).InfoContext(ctx, "order read", "order_id", id, "found", false)
		return order.Response{Error: order.ErrorNotFound, Message: "no order has the id " + id}
	}
	app.Annotate(ctx, "", o.Customer)
	logger.FromContext(ctx).InfoContext(ctx, "order read", "order_id", id, "found", true)
	return order.Response{Order: &o}
}
