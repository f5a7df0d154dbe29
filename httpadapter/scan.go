package httpadapter

import (
	"fmt"

	"github.com/lambdalog/lambdalog/internal/jsonscan"
)

// scanner reads the fields of an event payload that the adapter needs,
// skipping (and checking) the rest, with jsonscan. Strings without escapes
// are substrings of the payload, so they cost no allocation. null reads as
// an empty object, array, string or false.
type scanner struct {
	s       string
	r       jsonscan.Scanner[string]
	started bool
}

// js returns the reader, started at the beginning of d.s.
func (d *scanner) js() *jsonscan.Scanner[string] {
	if !d.started {
		d.r, d.started = jsonscan.New(d.s), true
	}
	return &d.r
}

// fail reports a malformed or unexpected payload.
func (d *scanner) fail(err error) error {
	return fmt.Errorf("httpadapter: invalid event JSON at offset %d: %w", d.js().Pos(), err)
}

// peek returns the first byte of the next value, or 0 at the end of input.
func (d *scanner) peek() byte {
	r := d.js()
	r.Peek()
	if r.Pos() < len(d.s) {
		return d.s[r.Pos()]
	}
	return 0
}

// end reports an error if anything but white space follows the value.
func (d *scanner) end() error {
	if err := d.js().End(); err != nil {
		return d.fail(err)
	}
	return nil
}

// object reads an object (or null), calling fn for every key with the
// scanner positioned at the value; fn must consume the value.
func (d *scanner) object(fn func(key string) error) error {
	r := d.js()
	if r.Null() {
		return nil
	}
	if err := r.Object(); err != nil {
		return d.fail(err)
	}
	for {
		key, ok, err := r.Member()
		if err != nil {
			return d.fail(err)
		}
		if !ok {
			return nil
		}
		if err := fn(key.Value()); err != nil {
			return err
		}
	}
}

// array reads an array (or null), calling fn with the scanner positioned at
// each element; fn must consume the element.
func (d *scanner) array(fn func() error) error {
	r := d.js()
	if r.Null() {
		return nil
	}
	if err := r.Array(); err != nil {
		return d.fail(err)
	}
	for {
		more, err := r.Element()
		if err != nil {
			return d.fail(err)
		}
		if !more {
			return nil
		}
		if err := fn(); err != nil {
			return err
		}
	}
}

// str reads a string; null reads as "".
func (d *scanner) str() (string, error) {
	r := d.js()
	if r.Null() {
		return "", nil
	}
	x, err := r.Str()
	if err != nil {
		return "", d.fail(err)
	}
	return x.Value(), nil
}

// boolean reads true, false or null (false).
func (d *scanner) boolean() (bool, error) {
	r := d.js()
	if r.Null() {
		return false, nil
	}
	b, err := r.Bool()
	if err != nil {
		return false, d.fail(err)
	}
	return b, nil
}

// listMap reads an object whose values are arrays of strings (or null).
// A plain string value is accepted as a one-element list, so both the
// documented and the commonly seen shapes of VPC Lattice events decode.
func (d *scanner) listMap(fn func(k, v string)) error {
	return d.object(func(k string) error {
		if d.js().Peek() == jsonscan.String {
			v, err := d.str()
			if err == nil {
				fn(k, v)
			}
			return err
		}
		return d.array(func() error {
			v, err := d.str()
			if err == nil {
				fn(k, v)
			}
			return err
		})
	})
}

// skip consumes and checks any value.
func (d *scanner) skip() error {
	if err := d.js().Skip(); err != nil {
		return d.fail(err)
	}
	return nil
}
