// Command api is the HTTP front of examples/orders, behind an API Gateway
// HTTP API (package httpadapter):
//
//	POST /orders       {"customer":"cust-0042","amount":1999}  (amount in cents)
//	                   201 {"id":"o-...","customer":...,"amount":...,"placed_at":...,"correlation_id":...}
//	                   400 {"message":...} when the order is not valid
//	GET  /orders/{id}  200 the order, 404 {"message":...}
//
// Both invoke the orders function synchronously through the Lambda Invoke
// API, with the correlation id in the client context (logger.ClientContext)
// and the trace header on the call (tracer.InstrumentAWS). The correlation
// id is the request's X-Correlation-Id header, else the API Gateway request
// id; every response carries it back in X-Correlation-Id.
//
// It logs "order received", "order confirmed" and "order rejected" in the
// application's story and "order looked up" in its own log group, records the
// metrics OrdersRequested, OrdersRejected and OrderLookups, and annotates
// its trace with OrderId and Customer. The environment variable
// ORDERS_FUNCTION names the orders function.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log"
	"net/http"
	"os"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/aws"
	awslambda "github.com/aws/aws-sdk-go-v2/service/lambda"

	"github.com/lambdalog/lambdalog/examples/orders/internal/app"
	"github.com/lambdalog/lambdalog/examples/orders/internal/order"
	"github.com/lambdalog/lambdalog/httpadapter"
	"github.com/lambdalog/lambdalog/logger"
)

func main() {
	orders := os.Getenv("ORDERS_FUNCTION")
	if orders == "" {
		log.Fatal("api: ORDERS_FUNCTION is not set")
	}
	f, err := app.New(context.Background())
	if err != nil {
		log.Fatalf("api: %v", err)
	}
	s := &service{f: f, orders: orders}
	adapter := httpadapter.New(s.routes())
	handler := func(ctx context.Context, event json.RawMessage) (json.RawMessage, error) {
		return adapter.Invoke(ctx, event)
	}
	lambda.Start(app.Wrap(f, handler, logger.WithCorrelationPath(logger.CorrelationAPIGatewayHTTP)))
}

// service is the api function.
type service struct {
	f      *app.Function
	orders string // the orders function's name or ARN
}

func (s *service) routes() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("POST /orders", s.place)
	mux.HandleFunc("GET /orders/{id}", s.get)
	return httpadapter.JSONErrors(mux)
}

// maxBody bounds the body of POST /orders.
const maxBody = 4096

// placed is the answer to POST /orders.
type placed struct {
	order.Order
	CorrelationID string `json:"correlation_id"`
}

func (s *service) place(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	var in struct {
		Customer string `json:"customer"`
		Amount   int64  `json:"amount"`
	}
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, maxBody))
	dec.DisallowUnknownFields()
	err := dec.Decode(&in)
	if err != nil {
		err = fmt.Errorf("request body: %w", err)
	} else {
		err = order.Validate(in.Customer, in.Amount)
	}
	if err != nil {
		s.reject(w, r, err)
		return
	}
	app.Annotate(ctx, "", in.Customer)
	s.f.Story.InfoContext(ctx, "order received", "customer", in.Customer, "amount", in.Amount)
	app.Count(ctx, "OrdersRequested")
	resp, err := s.invoke(ctx, order.Request{Action: order.ActionPlace, Customer: in.Customer, Amount: in.Amount})
	switch {
	case err != nil:
		s.unavailable(w, r, err)
		return
	case resp.Error != "" || resp.Order == nil:
		s.reject(w, r, errors.New(resp.Message))
		return
	}
	o := *resp.Order
	app.Annotate(ctx, o.ID, "")
	s.f.Story.InfoContext(ctx, "order confirmed", "order_id", o.ID, "customer", o.Customer, "amount", o.Amount)
	w.Header().Set("Location", "/orders/"+o.ID)
	writeJSON(w, r, http.StatusCreated, placed{Order: o, CorrelationID: logger.CorrelationID(ctx)})
}

// reject answers 400 to an order that is not valid.
func (s *service) reject(w http.ResponseWriter, r *http.Request, err error) {
	ctx := r.Context()
	s.f.Story.WarnContext(ctx, "order rejected", "reason", err.Error())
	app.Count(ctx, "OrdersRejected")
	writeJSON(w, r, http.StatusBadRequest, map[string]string{"message": err.Error()})
}

// unavailable answers 502 when the orders function could not be invoked or
// failed.
func (s *service) unavailable(w http.ResponseWriter, r *http.Request, err error) {
	ctx := r.Context()
	logger.FromContext(ctx).ErrorContext(ctx, "invoking the orders function", "error", err)
	writeJSON(w, r, http.StatusBadGateway, map[string]string{"message": "the orders service failed; see the logs of correlation id " + logger.CorrelationID(ctx)})
}

func (s *service) get(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	id := r.PathValue("id")
	app.Annotate(ctx, id, "")
	app.Count(ctx, "OrderLookups")
	resp, err := s.invoke(ctx, order.Request{Action: order.ActionGet, ID: id})
	if err != nil {
		s.unavailable(w, r, err)
		return
	}
	logger.FromContext(ctx).InfoContext(ctx, "order looked up", "order_id", id, "found", resp.Order != nil)
	if resp.Order == nil {
		writeJSON(w, r, http.StatusNotFound, map[string]string{"message": "order not found"})
		return
	}
	app.Annotate(ctx, "", resp.Order.Customer)
	writeJSON(w, r, http.StatusOK, resp.Order)
}

// invoke calls the orders function synchronously.
func (s *service) invoke(ctx context.Context, req order.Request) (order.Response, error) {
	payload, err := json.Marshal(req)
	if err != nil {
		return order.Response{}, err
	}
	in := &awslambda.InvokeInput{FunctionName: aws.String(s.orders), Payload: payload}
	cc, err := logger.ClientContext(ctx, "")
	if err != nil {
		return order.Response{}, err
	}
	if cc != "" {
		in.ClientContext = aws.String(cc)
	}
	out, err := s.f.Lambda.Invoke(ctx, in)
	if err != nil {
		return order.Response{}, err
	}
	if out.FunctionError != nil {
		return order.Response{}, fmt.Errorf("the orders function failed (%s): %s", aws.ToString(out.FunctionError), out.Payload)
	}
	var resp order.Response
	if err := json.Unmarshal(out.Payload, &resp); err != nil {
		return order.Response{}, fmt.Errorf("the orders function's answer %q: %w", out.Payload, err)
	}
	return resp, nil
}

// writeJSON answers status and v as JSON, with the correlation id in the
// X-Correlation-Id header.
func writeJSON(w http.ResponseWriter, r *http.Request, status int, v any) {
	ctx := r.Context()
	logger.SetCorrelationHeader(ctx, w.Header())
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	if err := json.NewEncoder(w).Encode(v); err != nil {
		logger.FromContext(ctx).ErrorContext(ctx, "writing the response", "error", err)
	}
}
