// Package order is the domain of examples/orders: an order, its id, and the
// events the three functions send each other.
//
// The application keeps no database: an order's id carries the order, so
// whichever execution environment of the orders function answers
// GET /orders/{id}, under lambdalog dev as on AWS, reads the order from the
// id. An id is
//
//	o-<placed at: Unix milliseconds, base 36>-<nonce: 8 hex digits>-<amount in cents>-<customer>
//
// for example o-mjx3k2a1-7f3a9c01-1999-cust-0042. Parse accepts only the
// canonical form that Format writes, so one order has one id.
package order

import (
	"crypto/rand"
	"encoding/binary"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Limits of an order.
const (
	// MaxAmount is the largest amount of an order, in cents.
	MaxAmount = 100_000_000
	// CardLimit is the largest amount, in cents, that the payments function
	// captures: it declines larger payments, on purpose.
	CardLimit = 50_000
	// MaxCustomer is the longest customer id.
	MaxCustomer = 32
)

// Order is one placed order.
type Order struct {
	ID       string `json:"id"`
	Customer string `json:"customer"`
	// Amount is in cents.
	Amount int64 `json:"amount"`
	// PlacedAt has millisecond precision.
	PlacedAt time.Time `json:"placed_at"`
}

// ErrInvalid is wrapped by the errors of Validate, New and Parse.
var ErrInvalid = errors.New("invalid order")

// Validate reports whether customer and amount make an order: a customer id
// of 1 to 32 lower-case letters, digits and dashes, starting with a letter or
// digit, and an amount of 1 to MaxAmount cents.
func Validate(customer string, amount int64) error {
	if !validCustomer(customer) {
		return fmt.Errorf("%w: customer %q: want 1 to %d lower-case letters, digits and dashes, starting with a letter or digit", ErrInvalid, customer, MaxCustomer)
	}
	if amount < 1 || amount > MaxAmount {
		return fmt.Errorf("%w: amount %d: want 1 to %d cents", ErrInvalid, amount, MaxAmount)
	}
	return nil
}

func validCustomer(s string) bool {
	if len(s) == 0 || len(s) > MaxCustomer || s[0] == '-' {
		return false
	}
	for i := range len(s) {
		if c := s[i]; !('a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '-') {
			return false
		}
	}
	return true
}

// New places an order at now (truncated to the millisecond), with a random
// nonce in its id.
func New(customer string, amount int64, now time.Time) (Order, error) {
	if err := Validate(customer, amount); err != nil {
		return Order{}, err
	}
	var b [4]byte
	_, _ = rand.Read(b[:])
	placed := time.UnixMilli(now.UnixMilli()).UTC()
	return Order{ID: Format(placed, binary.BigEndian.Uint32(b[:]), amount, customer), Customer: customer, Amount: amount, PlacedAt: placed}, nil
}

// Format writes the id of an order.
func Format(placed time.Time, nonce uint32, amount int64, customer string) string {
	return fmt.Sprintf("o-%s-%08x-%d-%s", strconv.FormatInt(placed.UnixMilli(), 36), nonce, amount, customer)
}

// maxMillis is the last millisecond of year 9999, the last time JSON can
// hold (RFC 3339).
var maxMillis = time.Date(9999, 12, 31, 23, 59, 59, 999e6, time.UTC).UnixMilli()

// Parse reads the order an id carries.
func Parse(id string) (Order, error) {
	bad := func(why string) (Order, error) {
		return Order{}, fmt.Errorf("%w: id %q: %s", ErrInvalid, id, why)
	}
	parts := strings.SplitN(id, "-", 5)
	if len(parts) != 5 || parts[0] != "o" {
		return bad("want o-<time>-<nonce>-<amount>-<customer>")
	}
	ms, err := strconv.ParseInt(parts[1], 36, 64)
	if err != nil || ms < 0 || ms > maxMillis || strconv.FormatInt(ms, 36) != parts[1] {
		return bad("bad time")
	}
	nonce, err := strconv.ParseUint(parts[2], 16, 32)
	if err != nil || fmt.Sprintf("%08x", nonce) != parts[2] {
		return bad("bad nonce")
	}
	amount, err := strconv.ParseInt(parts[3], 10, 64)
	if err != nil || strconv.FormatInt(amount, 10) != parts[3] {
		return bad("bad amount")
	}
	if err := Validate(parts[4], amount); err != nil {
		return Order{}, fmt.Errorf("id %q: %w", id, err)
	}
	return Order{ID: id, Customer: parts[4], Amount: amount, PlacedAt: time.UnixMilli(ms).UTC()}, nil
}

// Actions of a Request.
const (
	ActionPlace = "place"
	ActionGet   = "get"
)

// Request is the event of the orders function: place an order for Customer
// and Amount, or get the order ID.
type Request struct {
	Action   string `json:"action"`
	Customer string `json:"customer,omitempty"`
	Amount   int64  `json:"amount,omitempty"`
	ID       string `json:"id,omitempty"`
}

// Errors of a Response.
const (
	ErrorInvalid  = "invalid"   // the order to place is not valid
	ErrorNotFound = "not_found" // no order has the id
)

// Response is the orders function's answer: the order, or an Error code
// and a Message.
type Response struct {
	Order   *Order `json:"order,omitempty"`
	Error   string `json:"error,omitempty"`
	Message string `json:"message,omitempty"`
}

// Payment is the event of the payments function. It carries the
// correlation id itself: Lambda passes a client context to synchronous
// invocations only.
type Payment struct {
	OrderID       string `json:"order_id"`
	Customer      string `json:"customer"`
	Amount        int64  `json:"amount"`
	CorrelationID string `json:"correlation_id"`
}

// Declined reports whether the payments function declines a payment of
// amount cents.
func Declined(amount int64) bool { return amount > CardLimit }
