package jsonscan

import (
	"math/bits"
	"unicode/utf16"
	"unicode/utf8"
	"unsafe"
)

// A Str is a JSON string as it stands in the document.
type Str[T string | []byte] struct {
	// Raw is the string's contents: the bytes between its quotes, escapes not decoded.
	Raw T
	// Plain reports that Raw has no escape and is valid UTF-8, so that Raw is the value.
	Plain bool
}

// Value returns the string's value: Raw itself when it is plain, otherwise a new decoded copy
// (see AppendUnescaped to decode into a buffer instead).
func (x Str[T]) Value() T {
	if x.Plain {
		return x.Raw
	}
	b := AppendUnescaped(make([]byte, 0, len(x.Raw)), x.Raw) // decoding shortens all but invalid UTF-8
	var v T
	switch v := any(&v).(type) {
	case *string:
		*v = unsafe.String(unsafe.SliceData(b), len(b)) // b is not used again: no copy
	case *[]byte:
		*v = b
	}
	return v
}

// Str reads a string.
func (s *Scanner[T]) Str() (Str[T], error) {
	if s.next() != '"' {
		return Str[T]{}, errString
	}
	return s.str()
}

// str reads the string whose opening quote is at s.pos.
func (s *Scanner[T]) str() (Str[T], error) {
	start := s.pos + 1
	end, plain, err := scanString(s.data, s.pos, true)
	if s.pos = end; err != nil {
		return Str[T]{}, err
	}
	return Str[T]{Raw: s.data[start : end-1], Plain: plain}, nil
}

// scanString reads the string whose opening quote is at data[i] and returns the offset after
// its closing quote or, with the error, of the byte where it failed. With checkUTF8 it also
// tells whether the string is plain.
func scanString[T string | []byte](data T, i int, checkUTF8 bool) (end int, plain bool, err error) {
	var high uint64 // highs while non-ASCII bytes must be looked at: plain as far as known
	if checkUTF8 {
		high = highs
	}
	for i++; ; {
		if i = indexStop(data, i, high); i >= len(data) {
			return len(data), false, errUnterminated
		}
		switch c := data[i]; {
		case c == '"':
			return i + 1, high != 0, nil
		case c == '\\':
			high = 0
			for { // escapes often come in runs, as in \" or \r\n: read them all here
				if i+1 < len(data) && shortEscape[data[i+1]] != 0 {
					i += 2
				} else if _, ok := hex4(data, i+2); ok && data[i+1] == 'u' {
					i += 6
				} else {
					return i, false, errEscape
				}
				if i >= len(data) || data[i] != '\\' {
					break
				}
			}
		case c < ' ':
			return i, false, errControl
		default: // not ASCII
			size, valid := runeAt(data, i)
			if !valid {
				high = 0
			}
			i += size
		}
	}
}

// shortEscape maps the letter of each two-byte escape to the byte it stands for, and other
// bytes to 0.
var shortEscape = [256]byte{'"': '"', '\\': '\\', '/': '/', 'b': '\b', 'f': '\f', 'n': '\n', 'r': '\r', 't': '\t'}

// hex4 decodes the four hexadecimal digits at data[i].
func hex4[T string | []byte](data T, i int) (rune, bool) {
	if len(data)-i < 4 {
		return 0, false
	}
	var r rune
	for _, c := range [4]byte{data[i], data[i+1], data[i+2], data[i+3]} {
		switch {
		case c >= '0' && c <= '9':
			c -= '0'
		case c|0x20 >= 'a' && c|0x20 <= 'f':
			c = (c | 0x20) - 'a' + 10
		default:
			return 0, false
		}
		r = r<<4 | rune(c)
	}
	return r, true
}

// AppendUnescaped appends the value of the string whose raw contents (as in Str.Raw) are raw to
// dst and returns the extended buffer. It decodes as encoding/json does: escapes become what
// they stand for, a surrogate pair of \u escapes one rune, and a lone surrogate escape or a
// byte of invalid UTF-8 U+FFFD. On contents no Scanner would accept it does not fail: a
// backslash that starts no valid escape is kept as it is.
func AppendUnescaped[T string | []byte](dst []byte, raw T) []byte {
	for i := 0; i < len(raw); {
		// Copy the run of ASCII bytes up to the next backslash or non-ASCII byte as it is. Runs
		// between escapes are often short: the first eight bytes are looked at one by one.
		j := i
		for end := min(i+8, len(raw)); j < end && !special[raw[j]]; j++ {
		}
		if j == i+8 {
			j = indexStop(raw, j, highs)
		}
		if j > i {
			dst = append(dst, raw[i:j]...)
		}
		if i = j; i == len(raw) {
			break
		}
		switch c := raw[i]; {
		case c >= utf8.RuneSelf:
			size, valid := runeAt(raw, i)
			if valid {
				dst = append(dst, raw[i:i+size]...)
			} else {
				dst = utf8.AppendRune(dst, utf8.RuneError)
			}
			i += size
			continue
		case c != '\\': // '"' or a control character, which no string holds: kept
			dst = append(dst, c)
			i++
			continue
		}
		var e byte // the escape's letter
		if i+1 < len(raw) {
			e = raw[i+1]
		}
		if d := shortEscape[e]; d != 0 {
			dst = append(dst, d)
			i += 2
			continue
		}
		r, ok := hex4(raw, i+2)
		if e != 'u' || !ok { // not an escape: the backslash stands for itself
			dst = append(dst, '\\')
			i++
			continue
		}
		if i += 6; utf16.IsSurrogate(r) {
			r2, ok := rune(0), false
			if i+1 < len(raw) && raw[i] == '\\' && raw[i+1] == 'u' {
				r2, ok = hex4(raw, i+2)
			}
			if r = utf16.DecodeRune(r, r2); ok && r != utf8.RuneError {
				i += 6
			} else {
				r = utf8.RuneError
			}
		}
		dst = utf8.AppendRune(dst, r)
	}
	return dst
}

// runeAt decodes the UTF-8 encoding of a rune at s[i:] and returns its length, 1 for a byte of
// invalid UTF-8, and whether it is valid.
func runeAt[T string | []byte](s T, i int) (size int, valid bool) {
	var b [utf8.UTFMax]byte
	r, size := utf8.DecodeRune(b[:copy(b[:], s[i:])])
	return size, r != utf8.RuneError || size > 1
}

// indexStop returns the offset of the first byte at or after i in data that ends a run of a
// string's plain contents: '"', '\\', a control character below 0x20 or, when high is highs
// rather than 0, a byte that is not ASCII; len(data) if there is none.
//
// It looks at eight bytes at a time. In x^(b*ones) a byte b of x becomes zero; in (x-ones)&^x
// the high bit of each zero byte of x is set, and in (x-n*ones)&^x that of each byte below n
// (n <= 0x80). A borrow can set the bits of bytes above the first such byte too, never below,
// so the lowest bit set marks the first byte that stops the run.
func indexStop[T string | []byte](data T, i int, high uint64) int {
	for rest := data[i:]; len(rest) >= 8; rest = rest[8:] {
		if m := stopMask(load64(rest), high); m != 0 {
			return i + bits.TrailingZeros64(m)/8
		}
		i += 8
	}
	for ; i < len(data); i++ {
		if c := data[i]; c == '"' || c == '\\' || c < ' ' || c >= utf8.RuneSelf && high != 0 {
			break
		}
	}
	return i
}

const ones, highs = 0x0101010101010101, 0x8080808080808080

// special marks the bytes that indexStop stops at when high is highs.
var special = func() (t [256]bool) {
	for c := range 256 {
		t[c] = c == '"' || c == '\\' || c < ' ' || c >= utf8.RuneSelf
	}
	return t
}()

// stopMask returns the high bits of the bytes of w that indexStop stops at (exact up to the
// first). In x = w^(2*ones) the quote (0x22) and the control characters, and no other byte,
// become bytes below 0x21, whose high bits (x-0x21*ones)&^x sets: one test for both.
func stopMask(w, high uint64) uint64 {
	x, b := w^(2*ones), w^('\\'*ones)
	return ((x-0x21*ones)&^x | (b-ones)&^b | w&high) & highs
}

// load64 returns the first eight bytes of s as a little-endian word (the compiler makes this
// one load).
func load64[T string | []byte](s T) uint64 {
	return uint64(s[0]) | uint64(s[1])<<8 | uint64(s[2])<<16 | uint64(s[3])<<24 |
		uint64(s[4])<<32 | uint64(s[5])<<40 | uint64(s[6])<<48 | uint64(s[7])<<56
}
