package httpadapter

import (
	"errors"
	"fmt"
	"strings"
	"unicode/utf16"
	"unicode/utf8"
)

// maxDepth bounds the nesting of skipped JSON values so hostile payloads
// cannot exhaust the stack.
const maxDepth = 512

// scanner is a small, allocation-conscious JSON reader over a string. It reads
// only the fields the adapter needs and skips (while validating) the rest.
// Strings without escapes are returned as substrings of the input, so they
// cost no allocation.
type scanner struct {
	s string
	i int
}

func (d *scanner) errorf(format string, args ...any) error {
	return fmt.Errorf("httpadapter: invalid event JSON at offset %d: %s", d.i, fmt.Sprintf(format, args...))
}

func (d *scanner) ws() {
	for d.i < len(d.s) {
		switch d.s[d.i] {
		case ' ', '\t', '\n', '\r':
			d.i++
		default:
			return
		}
	}
}

// peek returns the next non-space byte, or 0 at the end of input.
func (d *scanner) peek() byte {
	d.ws()
	if d.i >= len(d.s) {
		return 0
	}
	return d.s[d.i]
}

// end reports an error if anything but white space follows the value.
func (d *scanner) end() error {
	if d.ws(); d.i < len(d.s) {
		return d.errorf("unexpected data after the top-level value")
	}
	return nil
}

// null consumes a JSON null if one comes next.
func (d *scanner) null() bool {
	if d.peek() == 'n' && strings.HasPrefix(d.s[d.i:], "null") {
		d.i += 4
		return true
	}
	return false
}

// object reads an object (or null), calling fn for every key with the
// scanner positioned at the value; fn must consume the value.
func (d *scanner) object(fn func(key string) error) error {
	if d.null() {
		return nil
	}
	if d.peek() != '{' {
		return d.errorf("expected an object")
	}
	d.i++
	if d.peek() == '}' {
		d.i++
		return nil
	}
	for {
		if d.peek() != '"' {
			return d.errorf("expected an object key")
		}
		key, err := d.str()
		if err != nil {
			return err
		}
		if d.peek() != ':' {
			return d.errorf("expected ':' after an object key")
		}
		d.i++
		if err := fn(key); err != nil {
			return err
		}
		switch d.peek() {
		case ',':
			d.i++
		case '}':
			d.i++
			return nil
		default:
			return d.errorf("expected ',' or '}' in an object")
		}
	}
}

// array reads an array (or null), calling fn with the scanner positioned at
// each element; fn must consume the element.
func (d *scanner) array(fn func() error) error {
	if d.null() {
		return nil
	}
	if d.peek() != '[' {
		return d.errorf("expected an array")
	}
	d.i++
	if d.peek() == ']' {
		d.i++
		return nil
	}
	for {
		if err := fn(); err != nil {
			return err
		}
		switch d.peek() {
		case ',':
			d.i++
		case ']':
			d.i++
			return nil
		default:
			return d.errorf("expected ',' or ']' in an array")
		}
	}
}

// str reads a string; null reads as "".
func (d *scanner) str() (string, error) {
	if d.null() {
		return "", nil
	}
	if d.peek() != '"' {
		return "", d.errorf("expected a string")
	}
	start := d.i + 1
	for j := start; j < len(d.s); j++ {
		switch c := d.s[j]; {
		case c == '"':
			d.i = j + 1
			return d.s[start:j], nil
		case c == '\\':
			return d.unescape(start)
		case c < 0x20:
			d.i = j
			return "", d.errorf("control character in a string")
		}
	}
	d.i = len(d.s)
	return "", d.errorf("unterminated string")
}

// unescape decodes a string that contains escapes, starting after its quote.
func (d *scanner) unescape(start int) (string, error) {
	var b strings.Builder
	b.Grow(len(d.s) - start)
	j := start
	for j < len(d.s) {
		c := d.s[j]
		switch {
		case c == '"':
			d.i = j + 1
			return b.String(), nil
		case c < 0x20:
			d.i = j
			return "", d.errorf("control character in a string")
		case c != '\\':
			b.WriteByte(c)
			j++
			continue
		}
		if j+1 >= len(d.s) {
			break
		}
		esc := d.s[j+1]
		j += 2
		switch esc {
		case '"', '\\', '/':
			b.WriteByte(esc)
		case 'b':
			b.WriteByte('\b')
		case 'f':
			b.WriteByte('\f')
		case 'n':
			b.WriteByte('\n')
		case 'r':
			b.WriteByte('\r')
		case 't':
			b.WriteByte('\t')
		case 'u':
			r, ok := hex4(d.s, j)
			if !ok {
				d.i = j
				return "", d.errorf("invalid \\u escape")
			}
			j += 4
			if utf16.IsSurrogate(r) {
				r2, ok := rune(0), false
				if j+6 <= len(d.s) && d.s[j] == '\\' && d.s[j+1] == 'u' {
					r2, ok = hex4(d.s, j+2)
				}
				if dec := utf16.DecodeRune(r, r2); ok && dec != utf8.RuneError {
					r = dec
					j += 6
				} else {
					r = utf8.RuneError
				}
			}
			b.WriteRune(r)
		default:
			d.i = j - 1
			return "", d.errorf("invalid escape character %q", esc)
		}
	}
	d.i = len(d.s)
	return "", d.errorf("unterminated string")
}

func hex4(s string, i int) (rune, bool) {
	if i+4 > len(s) {
		return 0, false
	}
	var r rune
	for _, c := range []byte(s[i : i+4]) {
		r <<= 4
		switch {
		case c >= '0' && c <= '9':
			r |= rune(c - '0')
		case c >= 'a' && c <= 'f':
			r |= rune(c - 'a' + 10)
		case c >= 'A' && c <= 'F':
			r |= rune(c - 'A' + 10)
		default:
			return 0, false
		}
	}
	return r, true
}

// boolean reads true, false or null (false).
func (d *scanner) boolean() (bool, error) {
	switch d.peek() {
	case 't':
		if strings.HasPrefix(d.s[d.i:], "true") {
			d.i += 4
			return true, nil
		}
	case 'f':
		if strings.HasPrefix(d.s[d.i:], "false") {
			d.i += 5
			return false, nil
		}
	case 'n':
		if d.null() {
			return false, nil
		}
	}
	return false, d.errorf("expected a boolean")
}

// listMap reads an object whose values are arrays of strings (or null).
// A plain string value is accepted as a one-element list, so both the
// documented and the commonly seen shapes of VPC Lattice events decode.
func (d *scanner) listMap(fn func(k, v string)) error {
	return d.object(func(k string) error {
		if d.peek() == '"' {
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

// skip consumes and validates any value.
func (d *scanner) skip() error { return d.skipDepth(0) }

var errTooDeep = errors.New("httpadapter: event JSON nested too deeply")

func (d *scanner) skipDepth(depth int) error {
	if depth > maxDepth {
		return errTooDeep
	}
	switch c := d.peek(); {
	case c == '{':
		return d.object(func(string) error { return d.skipDepth(depth + 1) })
	case c == '[':
		return d.array(func() error { return d.skipDepth(depth + 1) })
	case c == '"':
		_, err := d.str()
		return err
	case c == 't' || c == 'f':
		_, err := d.boolean()
		return err
	case c == 'n':
		if d.null() {
			return nil
		}
	case c == '-' || (c >= '0' && c <= '9'):
		return d.number()
	}
	return d.errorf("expected a value")
}

// number consumes a JSON number, checking its grammar.
func (d *scanner) number() error {
	s, i := d.s, d.i
	if i < len(s) && s[i] == '-' {
		i++
	}
	digits := func() bool {
		j := i
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i++
		}
		return i > j
	}
	switch {
	case i < len(s) && s[i] == '0':
		i++
	case !digits():
		d.i = i
		return d.errorf("invalid number")
	}
	if i < len(s) && s[i] == '.' {
		i++
		if !digits() {
			d.i = i
			return d.errorf("invalid number")
		}
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		i++
		if i < len(s) && (s[i] == '+' || s[i] == '-') {
			i++
		}
		if !digits() {
			d.i = i
			return d.errorf("invalid number")
		}
	}
	d.i = i
	return nil
}
