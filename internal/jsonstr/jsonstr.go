// Package jsonstr appends Go strings to byte slices as JSON strings, without allocating and
// without encoding/json. Every encoder in lambdalog (the logger, EMF metrics, the HTTP adapter,
// the CloudWatch Logs API) uses it, so there is one escaping routine to trust and to fuzz.
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
	i := plainPrefix(s)
	if i == len(s) {
		return append(dst, s...)
	}
	start := 0
	for i < len(s) {
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

const (
	lsb = 0x0101010101010101
	msb = 0x8080808080808080
)

// plainPrefix returns the length of the longest prefix of s made of printable ASCII other than
// '"' and '\\', examining eight bytes at a time.
func plainPrefix[T string | []byte](s T) int {
	i := 0
	for ; i+8 <= len(s); i += 8 {
		x := uint64(s[i]) | uint64(s[i+1])<<8 | uint64(s[i+2])<<16 | uint64(s[i+3])<<24 |
			uint64(s[i+4])<<32 | uint64(s[i+5])<<40 | uint64(s[i+6])<<48 | uint64(s[i+7])<<56
		quote := x ^ (lsb * '"')
		backslash := x ^ (lsb * '\\')
		special := (x - lsb*0x20) | (quote-lsb)&^quote | (backslash-lsb)&^backslash | x
		if special&msb != 0 {
			break
		}
	}
	for ; i < len(s) && s[i] < utf8.RuneSelf && safeASCII[s[i]]; i++ {
	}
	return i
}
