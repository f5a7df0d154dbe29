package jsonstr

import (
	"math"
	"strconv"
)

// AppendFloat appends f as a JSON number, formatted as encoding/json formats a float64: the
// shortest decimal that reads back as f, with an exponent only below 1e-6 and from 1e21 on. NaN
// and the infinities, which JSON cannot represent, are written as the strings "NaN", "+Inf" and
// "-Inf", so the output is always valid JSON.
func AppendFloat(dst []byte, f float64) []byte {
	switch {
	case math.IsNaN(f):
		return append(dst, `"NaN"`...)
	case math.IsInf(f, 1):
		return append(dst, `"+Inf"`...)
	case math.IsInf(f, -1):
		return append(dst, `"-Inf"`...)
	}
	abs := math.Abs(f)
	if i := int64(f); float64(i) == f && abs < 1e15 && (i != 0 || !math.Signbit(f)) {
		return strconv.AppendInt(dst, i, 10) // whole numbers: the same digits, faster
	}
	if out, ok := appendShortDecimal(dst, f); ok {
		return out
	}
	format := byte('f')
	if abs != 0 && (abs < 1e-6 || abs >= 1e21) {
		format = 'e'
	}
	dst = strconv.AppendFloat(dst, f, format, -1, 64)
	if format == 'e' {
		// Clean up e-09 to e-9, as encoding/json does.
		n := len(dst)
		if n >= 4 && dst[n-4] == 'e' && dst[n-3] == '-' && dst[n-2] == '0' {
			dst[n-2] = dst[n-1]
			dst = dst[:n-1]
		}
	}
	return dst
}

var pow10 = [...]float64{1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6}

// appendShortDecimal is a fast path of AppendFloat for values with at most six decimals
// (12.5, 0.25): if n/10^k, with n an integer of at most 15 digits, reads back as f, it is the
// only decimal of at most 15 significant digits that does (DBL_DIG is 15), hence, without
// trailing zeros, the shortest one: what strconv would write.
func appendShortDecimal(dst []byte, f float64) ([]byte, bool) {
	a := math.Abs(f)
	if !(a >= 1e-6 && a < 1e15) {
		return dst, false
	}
	for k, p := range pow10 {
		v := f * p
		n := math.Round(v)
		if n != v || n/p != f || math.Abs(n) >= 1e15 {
			continue
		}
		var digits [24]byte
		d := strconv.AppendInt(digits[:0], int64(math.Abs(n)), 10)
		for k > 0 && d[len(d)-1] == '0' { // 9319.05*100 is not an integer, *1000 is
			d = d[:len(d)-1]
			k--
		}
		if f < 0 {
			dst = append(dst, '-')
		}
		if k == 0 {
			return append(dst, d...), true
		}
		if len(d) <= k {
			dst = append(dst, '0', '.')
			for range k - len(d) {
				dst = append(dst, '0')
			}
			return append(dst, d...), true
		}
		dst = append(dst, d[:len(d)-k]...)
		dst = append(dst, '.')
		return append(dst, d[len(d)-k:]...), true
	}
	return dst, false
}
