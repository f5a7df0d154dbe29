package insights

import (
	"cmp"
	"strings"
)

// isNumberValue reports whether v is a "number value" of AWS's sort order:
// a number, or text made only of digits.
func isNumberValue(v value) (float64, bool) {
	switch v.kind {
	case kNumber, kBool, kTime:
		return v.num, true
	case kString:
		if v.str == "" {
			return 0, false
		}
		for i := 0; i < len(v.str); i++ {
			if !isDigit(v.str[i]) {
				return 0, false
			}
		}
		f, _ := parseNumber(v.str)
		return f, true
	}
	return 0, false
}

// naturalCompare compares two present values in AWS's ascending sort
// order ("an updated version of natural sorting", CWL_QuerySyntax-Sort):
// all values that are not numbers come before all numbers; numbers compare
// by value; other values compare chunk by chunk, runs of digits by their
// length and then their value, everything else by Unicode code point.
// Lists and maps (which AWS does not sort) come after numbers.
func naturalCompare(a, b value) int {
	if a.kind >= kList || b.kind >= kList {
		return cmpBool(a.kind >= kList, b.kind >= kList)
	}
	x, xn := isNumberValue(a)
	y, yn := isNumberValue(b)
	switch {
	case xn && yn:
		switch {
		case x < y:
			return -1
		case x > y:
			return 1
		}
		as, _ := a.text()
		bs, _ := b.text()
		return strings.Compare(as, bs)
	case xn:
		return 1
	case yn:
		return -1
	}
	as, _ := a.text()
	bs, _ := b.text()
	return naturalCompareText(as, bs)
}

func cmpBool(a, b bool) int {
	switch {
	case a == b:
		return 0
	case a:
		return 1
	}
	return -1
}

// naturalCompareText compares two texts chunk by chunk.
func naturalCompareText(a, b string) int {
	i, j := 0, 0
	for i < len(a) && j < len(b) {
		if isDigit(a[i]) && isDigit(b[j]) {
			ie, je := i, j
			for ie < len(a) && isDigit(a[ie]) {
				ie++
			}
			for je < len(b) && isDigit(b[je]) {
				je++
			}
			if c := cmp.Compare(ie-i, je-j); c != 0 {
				return c
			}
			if c := strings.Compare(a[i:ie], b[j:je]); c != 0 {
				return c
			}
			i, j = ie, je
			continue
		}
		if a[i] != b[j] {
			// Byte order of UTF-8 is code point order.
			return cmp.Compare(int(a[i]), int(b[j]))
		}
		i++
		j++
	}
	return cmp.Compare(len(a)-i, len(b)-j)
}
