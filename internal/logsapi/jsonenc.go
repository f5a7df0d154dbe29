package logsapi

import (
	"encoding/binary"
	"strconv"
	"unicode/utf8"
)

// safeASCII reports the ASCII bytes that need no escaping inside a JSON string.
var safeASCII = func() (t [utf8.RuneSelf]bool) {
	for c := 0x20; c < utf8.RuneSelf; c++ {
		t[c] = c != '"' && c != '\\'
	}
	return t
}()

const hexDigits = "0123456789abcdef"

// appendString appends s as a JSON string. Invalid UTF-8 becomes U+FFFD
// and U+2028/U+2029 are escaped, as encoding/json does.
func appendString(dst []byte, s string) []byte { return appendBytes(dst, []byte(s)) }

// appendBytes appends message bytes s as a JSON string; see appendString.
func appendBytes(dst []byte, s []byte) []byte {
	dst = append(dst, '"')
	start, bytewise := 0, 0 // s[i:bytewise] holds a special byte: check one at a time
	for i := 0; i < len(s); {
		if i >= bytewise && i+8 <= len(s) {
			if !hasSpecial(binary.LittleEndian.Uint64(s[i:])) {
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
		r, size := utf8.DecodeRune(s[i:])
		if r == utf8.RuneError && size == 1 {
			dst = append(dst, s[start:i]...)
			dst = append(dst, `\ufffd`...)
			i++
			start = i
			continue
		}
		if r == '\u2028' || r == '\u2029' {
			dst = append(dst, s[start:i]...)
			dst = append(dst, '\\', 'u', '2', '0', '2', hexDigits[r&0xf])
			i += size
			start = i
			continue
		}
		i += size
	}
	dst = append(dst, s[start:]...)
	return append(dst, '"')
}

// hasSpecial reports whether any of the 8 bytes in w needs attention inside
// a JSON string (quote, backslash, control character or non-ASCII: the
// bytes strSpecial marks and safeASCII does not), testing them all at once.
func hasSpecial(w uint64) bool {
	const ones, highs = 0x0101010101010101, 0x8080808080808080
	q, bs := w^('"'*ones), w^('\\'*ones)                   // zero where w has a quote, a backslash
	zero := (q-ones)&^q | (bs-ones)&^bs | (w-0x20*ones)&^w // high bit where a byte is zero, or < 0x20
	return (w|zero)&highs != 0
}

// appendField appends "name": (preceded by a comma unless first).
func appendField(dst []byte, first bool, name string) []byte {
	if !first {
		dst = append(dst, ',')
	}
	dst = append(dst, '"')
	dst = append(dst, name...)
	return append(dst, '"', ':')
}

func appendInt(dst []byte, v int64) []byte { return strconv.AppendInt(dst, v, 10) }
