// Package needle finds a fixed text in log lines quickly.
//
// A Needle looks for its text's rarest byte first, by the usual frequency of
// bytes in log lines (text, JSON, hexadecimal ids, timestamps, log levels),
// with bytes.IndexByte, and compares the rest only where that byte is: few
// places in a line. Searching for " placed by " or `"latency_ms"` from the
// first byte would stop at every space or quote.
package needle

import "bytes"

// A Needle is a text to search for. The zero Needle, or one of an empty
// text, is found nowhere.
type Needle struct {
	text   []byte
	anchor int // the offset in text of its rarest byte
}

// New returns the Needle for s.
func New(s string) Needle {
	n := Needle{text: []byte(s)}
	for i := range len(s) {
		if byteRank[s[i]] > byteRank[s[n.anchor]] {
			n.anchor = i
		}
	}
	return n
}

// Text returns the needle's text (nil for the zero Needle); the caller must
// not change it.
func (n Needle) Text() []byte { return n.text }

// Index returns the offset of the first occurrence of the needle's text in
// msg, or -1.
func (n Needle) Index(msg []byte) int {
	if len(n.text) == 0 {
		return -1
	}
	a, off := n.text[n.anchor], n.anchor
	for i := off; i < len(msg); {
		j := bytes.IndexByte(msg[i:], a)
		if j < 0 {
			return -1
		}
		if start := i + j - off; start+len(n.text) <= len(msg) && bytes.Equal(msg[start:start+len(n.text)], n.text) {
			return start
		}
		i += j + 1
	}
	return -1
}

// In reports whether msg holds the needle's text.
func (n Needle) In(msg []byte) bool { return n.Index(msg) >= 0 }

// commonBytes are the bytes of log lines from the most frequent: the higher
// a byte's byteRank, the rarer. Upper case letters follow the levels, INFO
// the most common.
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
