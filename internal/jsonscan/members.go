package jsonscan

import (
	"encoding/binary"
	"math"
	"math/bits"
	"unsafe"
)

// A ByteSet is a set of bytes: byte c is in it when bit c&63 of element c>>6 is set. The
// zero value is empty.
type ByteSet [4]uint64

// Add adds c to the set.
func (b *ByteSet) Add(c byte) { b[c>>6] |= 1 << (c & 63) }

// Has reports whether c is in the set.
func (b *ByteSet) Has(c byte) bool { return b[c>>6]&(1<<(c&63)) != 0 }

// SkipScalarMembers reads, from the object being read (after Object or a member's value),
// the members that a caller looking for some keys passes over, at most max of them, and
// returns how many it read. Such a member has a string, number, true, false or null for
// value, and a key that starts with an ASCII byte that is not a backslash, and either not
// in starts (so that the key's value, escapes decoded, starts with the same byte, which no
// key the caller looks for starts with) or, for a key free of escapes and of bytes outside
// ASCII (so that its raw contents are its value), one for which pass reports true (a nil
// pass passes none). It stops before the first member that is not one, or that it cannot
// read quickly, and at the end of the object: Member then reads what follows as it would
// have without the call. It checks what it reads as Skip does, and what it stops before is
// checked by the reads that follow, so that a document is accepted or rejected exactly as
// it would be without it.
//
// It is the fast way through the members of an object that a caller skips, such as the
// fields of a log line that a query does not read. The key given to pass is valid only
// during the call.
func (s *Scanner[T]) SkipScalarMembers(starts *ByteSet, pass func(key []byte) bool, max int) int {
	var n int
	s.pos, s.first, n = skipScalarMembers(bytesOf(s.data), s.pos, s.first, starts, pass, max)
	return n
}

// skipScalarMembers is SkipScalarMembers on the document d from offset i; first tells
// whether no member has been read yet. It returns the offset and first after the members
// read, and how many.
func skipScalarMembers(d []byte, i int, first bool, starts *ByteSet, pass func([]byte) bool, max int) (int, bool, int) {
	n := 0
	for n < max {
		j := i
		if !first {
			if j < len(d) && d[j] != ',' {
				j = SkipSpace(d, j)
			}
			if j >= len(d) || d[j] != ',' {
				break
			}
			j++
		}
		if j < len(d) && d[j] != '"' {
			j = SkipSpace(d, j)
		}
		if len(d)-j < 2 || d[j] != '"' {
			break
		}
		if c := d[j+1]; c == '"' || c == '\\' || c >= 0x80 {
			break
		} else if !starts.Has(c) {
			if k := stopAt(d, j+1); k >= 0 && d[k] == '"' {
				j = k + 1
			} else if j = stringEnd(d, j); j < 0 {
				break
			}
		} else {
			k := indexStop(d, j+1, highs)
			if pass == nil || k >= len(d) || d[k] != '"' || !pass(d[j+1:k]) {
				break
			}
			j = k + 1
		}
		if j < len(d) && d[j] != ':' {
			j = SkipSpace(d, j)
		}
		if j >= len(d) || d[j] != ':' {
			break
		}
		if j++; j < len(d) && d[j] <= ' ' {
			j = SkipSpace(d, j)
		}
		if j >= len(d) {
			break
		}
		switch c := d[j]; {
		case c == '"':
			if k := stopAt(d, j+1); k >= 0 && d[k] == '"' {
				j = k + 1
			} else {
				j = stringEnd(d, j)
			}
		case c >= '0' && c <= '9' || c == '-':
			j = numberEnd(d, j)
		case c == 't' || c == 'f' || c == 'n':
			j = literalEnd(d, j)
		default:
			j = -1
		}
		if j < 0 {
			break
		}
		i, first = j, false
		n++
	}
	return i, first, n
}

// stopAt returns the offset of the first byte at or after j in d that ends a run of a
// string's plain contents ('"', '\\' or a control character; see indexStop), looking at
// eight bytes at a time, or -1 if there is none before the last eight bytes. Most strings
// have no escape and end at the first such byte: the loops over members call it inline.
func stopAt(d []byte, j int) int {
	for ; len(d)-j >= 8; j += 8 {
		if m := stopMask(binary.LittleEndian.Uint64(d[j:]), 0); m != 0 {
			return j + bits.TrailingZeros64(m)/8
		}
	}
	return -1
}

// stringEnd returns the offset after the string whose opening quote is at d[i], or -1 if
// it is malformed.
func stringEnd(d []byte, i int) int {
	end, _, err := scanString(d, i, false)
	if err != nil {
		return -1
	}
	return end
}

// noBytes is the empty ByteSet.
var noBytes ByteSet

// skipAllScalarMembers is SkipScalarMembers for a caller that wants no member.
func (s *Scanner[T]) skipAllScalarMembers() { s.SkipScalarMembers(&noBytes, nil, math.MaxInt) }

// bytesOf returns the bytes of a document, without copying them: the caller only reads them.
func bytesOf[T string | []byte](data T) []byte {
	// A string and a slice both start with a pointer to the bytes and their count.
	s := *(*string)(unsafe.Pointer(&data))
	return unsafe.Slice(unsafe.StringData(s), len(s))
}
