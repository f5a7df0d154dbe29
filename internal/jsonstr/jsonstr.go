// Package jsonstr appends Go strings to byte slices as JSON strings, without allocating and
// without encoding/json. Every encoder in lambdalog (the logger, EMF metrics, the HTTP adapter,
// the CloudWatch Logs API) uses it, so there is one escaping routine to trust and to fuzz.
// [AppendFloat] is its counterpart for float64 numbers.
//
// The output is always valid JSON whatever the input: control characters are escaped, invalid
// UTF-8 becomes U+FFFD and U+2028/U+2029 are escaped, as encoding/json does. Unlike
// encoding/json, '<', '>' and '&' are kept as they are: lambdalog's output is read by log tools,
// not embedded in HTML.
package jsonstr

import "unicode/utf8"

const hexDigits = "0123456789abcdef"

// safeASCII reports the ASCII bytes that need no escaping inside a JSON string.
var safeASCII = func() (t [utf8.RuneSelf]bool) {
	for c := 0x20; c < utf8.RuneSelf; c++ {
		t[c] = c != '"' && c != '\\'
	}
	return t
}()

// Append appends s to dst as a quoted JSON string.
func Append[T string | []byte](dst []byte, s T) []byte {
	dst = append(dst, '"')
	dst = AppendEscaped(dst, s)
	return append(dst, '"')
}

// AppendEscaped appends the escaped contents of a JSON string for s, without the quotes.
func AppendEscaped[T string | []byte](dst []byte, s T) []byte {
	start, bytewise := 0, 0 // s[i:bytewise] holds a special byte: look at one byte at a time
	for i := 0; i < len(s); {
		if i >= bytewise && i+8 <= len(s) {
			if !HasSpecial(load64(s, i)) {
				i += 8
				continue
			}
			bytewise = i + 8
		}
		c := s[i]
		if c < utf8.RuneSelf {
			if safeASCII[c] {
				i++
				continue
			}
			dst = append(dst, s[start:i]...)
			switch c {
			case '"', '\\':
				dst = append(dst, '\\', c)
			case '\n':
				dst = append(dst, '\\', 'n')
			case '\r':
				dst = append(dst, '\\', 'r')
			case '\t':
				dst = append(dst, '\\', 't')
			default:
				dst = append(dst, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
			}
			i++
			start = i
			continue
		}
		r, size := decodeRune(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			dst = append(dst, s[start:i]...)
			dst = append(dst, `\ufffd`...)
			start = i + size
		case r == '\u2028' || r == '\u2029':
			dst = append(dst, s[start:i]...)
			dst = append(dst, '\\', 'u', '2', '0', '2', hexDigits[r&0xf])
			start = i + size
		}
		i += size
	}
	return append(dst, s[start:]...)
}

// decodeRune is utf8.DecodeRune for either kind of input, without converting it.
func decodeRune[T string | []byte](s T) (rune, int) {
	switch s := any(s).(type) {
	case string:
		return utf8.DecodeRuneInString(s)
	case []byte:
		return utf8.DecodeRune(s)
	}
	panic("unreachable")
}

// load64 reads s[i:i+8] as a little-endian word (the compiler makes this one load).
func load64[T string | []byte](s T, i int) uint64 {
	return uint64(s[i]) | uint64(s[i+1])<<8 | uint64(s[i+2])<<16 | uint64(s[i+3])<<24 |
		uint64(s[i+4])<<32 | uint64(s[i+5])<<40 | uint64(s[i+6])<<48 | uint64(s[i+7])<<56
}

// HasSpecial reports whether any of the 8 bytes of w, a little-endian word of a JSON string's
// contents, needs attention: a quote, a backslash, a control character or a non-ASCII byte.
// It tests all eight at once, so scanners can skip plain text eight bytes at a time.
func HasSpecial(w uint64) bool {
	const ones, highs = 0x0101010101010101, 0x8080808080808080
	q, bs := w^('"'*ones), w^('\\'*ones)                   // zero where w has a quote, a backslash
	zero := (q-ones)&^q | (bs-ones)&^bs | (w-0x20*ones)&^w // high bit where a byte is zero, or < 0x20
	return (w|zero)&highs != 0
}
