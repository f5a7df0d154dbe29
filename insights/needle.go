package insights

import "bytes"

// A needle is a text that raw messages are searched for. A search looks
// for the needle's rarest byte first (by the usual frequency of bytes in log
// lines), which finds few places to compare the rest: searching for
// " placed by " from its first byte would stop at every space.
type needle struct {
	text   []byte
	anchor int // the offset in text of its rarest byte
}

func newNeedle(s string) needle {
	n := needle{text: []byte(s)}
	for i := range len(s) {
		if byteRank[s[i]] > byteRank[s[n.anchor]] {
			n.anchor = i
		}
	}
	return n
}

// in reports whether msg holds the needle.
func (n needle) in(msg []byte) bool {
	a, off := n.text[n.anchor], n.anchor
	for i := off; i < len(msg); {
		j := bytes.IndexByte(msg[i:], a)
		if j < 0 {
			return false
		}
		if start := i + j - off; start+len(n.text) <= len(msg) && bytes.Equal(msg[start:start+len(n.text)], n.text) {
			return true
		}
		i += j + 1
	}
	return false
}

// backslash is the needle of a backslash, which can start a JSON escape.
var backslash = newNeedle(`\`)

// commonBytes are the bytes of log lines (text, JSON, hexadecimal ids,
// timestamps, log levels) from the most frequent: the higher a byte's
// byteRank, the rarer. Upper case letters follow the levels, INFO the most
// common.
const commonBytes = " \"eatoinsrl0123456789cdu:,_-.hfbmp/gyZ{}wvkxINFOTSAERDWLGBUCPMHKVYXJQjqz"

var byteRank = func() (r [256]uint8) {
	for i := range r {
		r[i] = 255
	}
	for i := range len(commonBytes) {
		r[commonBytes[i]] = uint8(i)
	}
	return r
}()
