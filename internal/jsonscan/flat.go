package jsonscan

import (
	"bytes"

	"github.com/lambdalog/lambdalog/internal/needle"
)

// FlatObject reports whether d is, apart from white space around it, a well-formed JSON object
// of at most max members whose values are all strings, numbers, true, false or null, and whose
// strings (keys and values) are all plain: free of escapes and valid UTF-8.
//
// In such a document every '"' delimits a string, and a string followed by ':' is a key, so a
// member can be found by searching for its quoted key (see FlatKey), without reading the
// document as a whole again. A log store can check each message once, when it is written, and
// keep the answer for every reader.
func FlatObject(d []byte, max int) bool {
	i := SkipSpace(d, 0)
	if i >= len(d) || d[i] != '{' {
		return false
	}
	if i = SkipSpace(d, i+1); i < len(d) && d[i] == '}' {
		return SkipSpace(d, i+1) == len(d)
	}
	for n := 0; n < max; n++ {
		if i >= len(d) || d[i] != '"' {
			return false
		}
		end, plain, err := scanString(d, i, true)
		if err != nil || !plain {
			return false
		}
		if i = SkipSpace(d, end); i >= len(d) || d[i] != ':' {
			return false
		}
		if i = SkipSpace(d, i+1); i >= len(d) {
			return false
		}
		switch c := d[i]; {
		case c == '"':
			if i, plain, err = scanString(d, i, true); err != nil || !plain {
				return false
			}
		case c == '-' || c >= '0' && c <= '9':
			i = numberEnd(d, i)
		case c == 't' || c == 'f' || c == 'n':
			i = literalEnd(d, i)
		default:
			return false
		}
		if i < 0 {
			return false
		}
		if i = SkipSpace(d, i); i >= len(d) {
			return false
		}
		switch d[i] {
		case '}':
			return SkipSpace(d, i+1) == len(d)
		case ',':
			i = SkipSpace(d, i+1)
		default:
			return false
		}
	}
	return false
}

// A FlatKey finds the member of a flat object (one for which FlatObject reports true) that
// has a given key, by searching for the quoted key.
type FlatKey struct {
	quoted needle.Needle // the key between quotes
	key    string
	read   bool // the key could match from the closing quote of the string before it: read the members
}

// NewFlatKey returns the FlatKey for key.
func NewFlatKey(key string) FlatKey {
	k := FlatKey{quoted: needle.New(`"` + key + `"`), key: key}
	if key != "" {
		switch key[0] {
		case ' ', '\t', '\n', '\r', ',', ':', '}', ']':
			k.read = true
		}
	}
	return k
}

// Find returns the raw value of the first member of the flat object d whose key is k's: a
// string's contents between its quotes (which are its value, the string being plain), or the
// text of a number, true, false or null; kind tells which. ok is false if d has no such
// member. On a document that is not flat it may answer wrongly, but it never panics.
func (k FlatKey) Find(d []byte) (raw []byte, kind Kind, ok bool) {
	if k.read {
		return k.findByReading(d)
	}
	for i := 0; ; {
		j := k.quoted.Index(d[i:])
		if j < 0 {
			return nil, Invalid, false
		}
		i += j + len(k.key) + 2
		if i = SkipSpace(d, i); i < len(d) && d[i] == ':' {
			return flatValue(d, SkipSpace(d, i+1))
		}
		// A string value equal to the key.
	}
}

// flatValue returns the scalar value at d[i].
func flatValue(d []byte, i int) ([]byte, Kind, bool) {
	if i >= len(d) {
		return nil, Invalid, false
	}
	switch c := d[i]; {
	case c == '"':
		end := bytes.IndexByte(d[i+1:], '"')
		if end < 0 {
			return nil, Invalid, false
		}
		return d[i+1 : i+1+end], String, true
	case c == '-' || c >= '0' && c <= '9':
		if end := numberEnd(d, i); end > i {
			return d[i:end], Number, true
		}
	case c == 't' || c == 'f' || c == 'n':
		if end := literalEnd(d, i); end > i {
			return d[i:end], kindOf[c], true
		}
	}
	return nil, Invalid, false
}

// findByReading is Find for a key that a search could mistake: it reads the members in turn.
func (k FlatKey) findByReading(d []byte) ([]byte, Kind, bool) {
	s := New(d)
	if s.Object() != nil {
		return nil, Invalid, false
	}
	for {
		key, ok, err := s.Member()
		if err != nil || !ok {
			return nil, Invalid, false
		}
		if key.Plain && string(key.Raw) == k.key {
			return flatValue(d, SkipSpace(d, s.Pos()))
		}
		if s.Skip() != nil {
			return nil, Invalid, false
		}
	}
}
