package order

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"
)

func TestNewParseRoundTrip(t *testing.T) {
	now := time.Date(2026, 5, 1, 12, 30, 0, 123456789, time.UTC)
	o, err := New("cust-0042", 1999, now)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(o.ID, "o-") || !strings.HasSuffix(o.ID, "-1999-cust-0042") || !o.PlacedAt.Equal(now.Truncate(time.Millisecond)) {
		t.Fatalf("order %+v", o)
	}
	got, err := Parse(o.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got != o {
		t.Fatalf("Parse(%q) = %+v, want %+v", o.ID, got, o)
	}
	if again, _ := New("cust-0042", 1999, now); again.ID == o.ID {
		t.Errorf("two orders placed at the same time share the id %s", o.ID)
	}
}

func TestParseRejects(t *testing.T) {
	valid := Format(time.UnixMilli(1777638600123), 0x7f3a9c01, 1999, "cust-0042")
	if _, err := Parse(valid); err != nil {
		t.Fatalf("%s: %v", valid, err)
	}
	for _, id := range []string{
		"", "o", "o-", "x-mo7m8zuz-7f3a9c01-1999-cust-0042", "o-mo7m8zuz-7f3a9c01-1999",
		"o-0mo7m8zuz-7f3a9c01-1999-cust-0042", // not canonical time
		"o-+mo7m8zuz-7f3a9c01-1999-cust-0042", // sign
		"o-MO7M8ZUZ-7f3a9c01-1999-cust-0042",  // upper case
		"o-mo7m8zuz-7F3A9C01-1999-cust-0042",  // upper-case nonce
		"o-mo7m8zuz-7f3a9c1-1999-cust-0042",   // short nonce
		"o-mo7m8zuz-7f3a9c01-01999-cust-0042", // leading zero
		"o-mo7m8zuz-7f3a9c01-0-cust-0042",     // zero amount
		"o-mo7m8zuz-7f3a9c01-100000001-c",     // over MaxAmount
		"o-mo7m8zuz-7f3a9c01-1999-Cust",       // upper-case customer
		"o-mo7m8zuz-7f3a9c01-1999--cust",      // customer starting with a dash
		"o-mo7m8zuz-7f3a9c01-1999-" + strings.Repeat("c", MaxCustomer+1),
		"o-zzzzzzzzzzzz-7f3a9c01-1999-cust", // after year 9999
	} {
		if o, err := Parse(id); !errors.Is(err, ErrInvalid) {
			t.Errorf("Parse(%q) = %+v, %v; want ErrInvalid", id, o, err)
		}
	}
}

func TestValidate(t *testing.T) {
	for _, c := range []struct {
		customer string
		amount   int64
		ok       bool
	}{
		{"a", 1, true}, {"cust-0042", MaxAmount, true}, {strings.Repeat("z", MaxCustomer), 5, true},
		{"", 1, false}, {"a", 0, false}, {"a", -5, false}, {"a", MaxAmount + 1, false}, {"a b", 1, false}, {"é", 1, false},
	} {
		if err := Validate(c.customer, c.amount); (err == nil) != c.ok {
			t.Errorf("Validate(%q, %d) = %v", c.customer, c.amount, err)
		}
	}
}

func TestDeclined(t *testing.T) {
	if Declined(CardLimit) || !Declined(CardLimit+1) {
		t.Errorf("Declined: the card limit %d is the largest amount captured", CardLimit)
	}
}

// FuzzParse: no input panics; an id that parses is the canonical id of a
// valid order, and the order encodes as JSON.
func FuzzParse(f *testing.F) {
	f.Add("o-mo7m8zuz-7f3a9c01-1999-cust-0042")
	f.Add("o-0-00000000-1-a")
	f.Add("o-zzzzzzzzzzzz-ffffffff-100000000-" + strings.Repeat("z", 32))
	f.Fuzz(func(t *testing.T, id string) {
		o, err := Parse(id)
		if err != nil {
			if !errors.Is(err, ErrInvalid) {
				t.Fatalf("Parse(%q): %v does not wrap ErrInvalid", id, err)
			}
			return
		}
		if err := Validate(o.Customer, o.Amount); err != nil {
			t.Fatalf("Parse(%q) = invalid order %+v: %v", id, o, err)
		}
		parts := strings.SplitN(id, "-", 5)
		var nonce uint32
		for _, c := range parts[2] {
			nonce = nonce<<4 | uint32(strings.IndexRune("0123456789abcdef", c))
		}
		if f := Format(o.PlacedAt, nonce, o.Amount, o.Customer); f != id {
			t.Fatalf("Parse(%q) then Format = %q", id, f)
		}
		if _, err := json.Marshal(o); err != nil {
			t.Fatalf("order %+v: %v", o, err)
		}
	})
}
