// Package jsonscan reads JSON documents held in memory, one value or one container member at a
// time, without reflection. Its reads allocate nothing: only Str.Value copies a string that
// needs decoding, and a Flattener's buffers grow to fit. It is lambdalog's one JSON reader: the
// CloudWatch Logs server's PutLogEvents decoder, httpadapter's event decoder, filterpattern's
// JSON matcher and Logs Insights' field discovery all read with it, as they all write JSON
// strings with internal/jsonstr.
//
// # Reading
//
// A Scanner reads a document, a string or a []byte that it never modifies, from its first byte.
// Every read first skips white space (space, tab, line feed, carriage return), then reads one
// value or one piece of a container:
//
//   - Peek tells the Kind of the next value from its first byte, without reading it.
//   - Null, Bool, Number and Str read scalars; Skip reads (and checks) any value, containers
//     included.
//   - Object then Member, one call per member, read an object; Array then Element read an
//     array. After Member or Element the caller reads or skips the member's or element's value
//     before it asks for the next one. SkipMembers and SkipElements read (and check) the rest
//     of the object or array, for a caller that has found what it wanted in it;
//     SkipScalarMembers passes over the members whose keys a caller does not look for.
//   - End checks that only white space is left.
//   - Accept reads a fixed piece of text, for a fast path over an expected form.
//   - Flatten reads a value and reports each of its leaves with its dotted path.
//
// A Scanner is a small value: a copy saves its state, and assigning the copy back restores it,
// which is how a caller tries a fast path and falls back.
//
// # What is accepted
//
// Exactly the JSON of RFC 8259, as encoding/json's json.Valid accepts it:
//
//   - Strings are enclosed in double quotes. Every byte except '"', '\\' and the control
//     characters U+0000 to U+001F stands for itself; the escapes are \" \\ \/ \b \f \n \r \t and
//     \uXXXX with four hexadecimal digits of either case. Invalid UTF-8 and lone surrogate
//     escapes are accepted (and replaced when decoded, see below).
//   - Numbers are -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?: no leading +, no leading
//     zeros, no bare '.', no NaN or Infinity.
//   - The literals are true, false and null, in lower case.
//   - Objects and arrays nest at most MaxDepth levels deep, encoding/json's limit; a deeper
//     value is rejected with ErrTooDeep. SetMaxDepth changes the limit or lifts it.
//   - Keys are reported in document order, duplicates included: which one wins is the
//     caller's decision.
//
// Everything else is rejected with a *SyntaxError: a missing or extra comma or colon, a
// trailing comma, a single-quoted string, an unquoted key, a comment, a bare word.
//
// # Strings
//
// Str and Member return a string as a Str: its raw contents, the bytes between the quotes as
// they stand in the document, and whether it is plain, that is free of escapes and valid
// UTF-8, so that the raw contents are the value itself and cost no copy. Other strings are
// decoded with AppendUnescaped (or Str.Value) exactly as encoding/json decodes them: escapes
// are replaced by what they stand for, a \uD800-\uDBFF escape followed by a \uDC00-\uDFFF
// escape becomes one rune, and each lone surrogate escape and each byte of invalid UTF-8 (the
// UTF-8 encoding of a surrogate included) becomes U+FFFD, the replacement character. The
// decoded value is therefore always valid UTF-8.
//
// # Numbers and literals
//
// Number returns a number's token as written, its grammar checked but its value not
// converted: the caller parses it (strconv.ParseInt for a timestamp, ParseFloat for a metric)
// or keeps its text, so no precision is lost on the way. Bool and Null read the literals;
// Flatten reports them as their text.
//
// # Errors
//
// A read that finds something other than what it reads returns a *SyntaxError (or ErrTooDeep),
// and Pos then tells the offset where the scanner stopped, which is where the problem is. The
// errors are fixed values, so a failed read allocates nothing either. After an error the
// Scanner's state is unspecified: the caller stops reading.
package jsonscan

import "math"

// Kind is the kind of a JSON value.
type Kind uint8

// The kinds of JSON values. Invalid is what Peek reports at the end of the input or before a
// byte that starts no value.
const (
	Invalid Kind = iota
	Object
	Array
	String
	Number
	True
	False
	Null
)

var kindNames = [...]string{"invalid", "object", "array", "string", "number", "true", "false", "null"}

// String returns the kind's name in lower case: "object", "true", "invalid".
func (k Kind) String() string {
	if int(k) < len(kindNames) {
		return kindNames[k]
	}
	return "invalid"
}

// kindOf tells the kind of a value from its first byte.
var kindOf = func() (t [256]Kind) {
	t['{'], t['['], t['"'], t['t'], t['f'], t['n'], t['-'] = Object, Array, String, True, False, Null, Number
	for c := '0'; c <= '9'; c++ {
		t[c] = Number
	}
	return t
}()

// MaxDepth is the deepest nesting of objects and arrays a Scanner accepts, encoding/json's
// limit: a top-level array is at depth 1.
const MaxDepth = 10000

// A SyntaxError says why the input is not the JSON that was read; Scanner.Pos says where.
type SyntaxError struct{ msg string }

func (e *SyntaxError) Error() string { return e.msg }

// ErrTooDeep is returned for objects and arrays nested more than MaxDepth levels deep.
var ErrTooDeep = &SyntaxError{"exceeded max depth"}

var (
	errValue        = &SyntaxError{"expected a value"}
	errObject       = &SyntaxError{"expected an object"}
	errArray        = &SyntaxError{"expected an array"}
	errString       = &SyntaxError{"expected a string"}
	errNumber       = &SyntaxError{"invalid number"}
	errBool         = &SyntaxError{"expected a boolean"}
	errLiteral      = &SyntaxError{"invalid literal"}
	errKey          = &SyntaxError{"expected an object key"}
	errColon        = &SyntaxError{"expected ':' after an object key"}
	errObjectNext   = &SyntaxError{"expected ',' or '}' in an object"}
	errArrayNext    = &SyntaxError{"expected ',' or ']' in an array"}
	errUnterminated = &SyntaxError{"unterminated string"}
	errControl      = &SyntaxError{"control character in a string"}
	errEscape       = &SyntaxError{"invalid escape in a string"}
	errTrailing     = &SyntaxError{"unexpected data after the top-level value"}
)

// A Scanner reads one JSON document. The zero value reads an empty document; New starts one.
type Scanner[T string | []byte] struct {
	data  T
	pos   int  // offset of the next byte to read
	depth int  // objects and arrays entered with Object or Array and not yet left
	first bool // just after Object or Array: no member or element read yet
	limit int  // the deepest nesting accepted: 0 for MaxDepth, -1 for no limit
}

// New returns a Scanner at the start of data.
func New[T string | []byte](data T) Scanner[T] { return Scanner[T]{data: data} }

// SetMaxDepth sets the deepest nesting of objects and arrays the scanner accepts, MaxDepth
// until it is set; n <= 0 removes the limit. Skip reads any nesting without recursion, but
// Flatten, or a caller that recurses on Object and Array, is then as deep as the document.
func (s *Scanner[T]) SetMaxDepth(n int) {
	if n <= 0 {
		n = -1
	}
	s.limit = n
}

// room returns how many more levels of nesting the scanner accepts.
func (s *Scanner[T]) room() int {
	switch s.limit {
	case 0:
		return MaxDepth - s.depth
	case -1:
		return math.MaxInt
	}
	return s.limit - s.depth
}

// Pos returns the offset in the document of the next byte to read or, after an error, of the
// byte where reading stopped.
func (s *Scanner[T]) Pos() int { return s.pos }

// SkipSpace returns the offset of the first byte at or after i in data that is not JSON white
// space (len(data) if there is none).
func SkipSpace[T string | []byte](data T, i int) int {
	for i < len(data) && data[i] <= ' ' && (data[i] == ' ' || data[i] == '\t' || data[i] == '\n' || data[i] == '\r') {
		i++
	}
	return i
}

// next skips white space and returns the next byte, 0 at the end of the input.
func (s *Scanner[T]) next() byte {
	s.pos = SkipSpace(s.data, s.pos)
	if s.pos < len(s.data) {
		return s.data[s.pos]
	}
	return 0
}

// Peek skips white space and returns the kind of the next value, told by its first byte
// (reading it checks the rest), or Invalid at the end of the input or before a byte that
// starts no value.
func (s *Scanner[T]) Peek() Kind { return kindOf[s.next()] }

// End checks that nothing but white space is left.
func (s *Scanner[T]) End() error {
	if s.next(); s.pos < len(s.data) {
		return errTrailing
	}
	return nil
}

// hasLiteral reports whether data holds lit at i.
func hasLiteral[T string | []byte](data T, i int, lit string) bool {
	return len(data)-i >= len(lit) && string(data[i:i+len(lit)]) == lit
}

// Accept reads lit, a fixed piece of JSON text such as `{"id":`, if the input continues with
// exactly those bytes after white space, and reports whether it did. It checks nothing else
// and does not count the brackets in lit: it is for a fast path over a form the caller
// expects, which falls back to the other reads, from a copy of the Scanner saved before,
// when the input turns out to differ.
func (s *Scanner[T]) Accept(lit string) bool {
	if s.next(); hasLiteral(s.data, s.pos, lit) {
		s.pos += len(lit)
		return true
	}
	return false
}

// Null reads a null if one comes next and reports whether it did.
func (s *Scanner[T]) Null() bool {
	if s.next() == 'n' && hasLiteral(s.data, s.pos, "null") {
		s.pos += len("null")
		return true
	}
	return false
}

// Bool reads true or false.
func (s *Scanner[T]) Bool() (bool, error) {
	switch s.next() {
	case 't':
		if hasLiteral(s.data, s.pos, "true") {
			s.pos += len("true")
			return true, nil
		}
	case 'f':
		if hasLiteral(s.data, s.pos, "false") {
			s.pos += len("false")
			return false, nil
		}
	}
	return false, errBool
}

// Number reads a number and returns its token as written.
func (s *Scanner[T]) Number() (T, error) {
	s.next()
	end := numberEnd(s.data, s.pos)
	if end < 0 {
		return s.data[:0], errNumber
	}
	start := s.pos
	s.pos = end
	return s.data[start:end], nil
}

// numberEnd returns the offset after the number at data[i], -1 if there is none.
func numberEnd[T string | []byte](data T, i int) int {
	if i < len(data) && data[i] == '-' {
		i++
	}
	switch {
	case i >= len(data):
		return -1
	case data[i] == '0':
		i++
	case data[i] >= '1' && data[i] <= '9':
		i = digitsEnd(data, i+1)
	default:
		return -1
	}
	if i < len(data) && data[i] == '.' {
		if j := digitsEnd(data, i+1); j > i+1 {
			i = j
		} else {
			return -1
		}
	}
	if i < len(data) && data[i]|0x20 == 'e' {
		i++
		if i < len(data) && (data[i] == '+' || data[i] == '-') {
			i++
		}
		if j := digitsEnd(data, i); j > i {
			i = j
		} else {
			return -1
		}
	}
	return i
}

func digitsEnd[T string | []byte](data T, i int) int {
	for i < len(data) && data[i] >= '0' && data[i] <= '9' {
		i++
	}
	return i
}

// Object reads the '{' that opens an object. Member then reads its members.
func (s *Scanner[T]) Object() error { return s.open('{', errObject) }

// Array reads the '[' that opens an array. Element then reads its elements.
func (s *Scanner[T]) Array() error { return s.open('[', errArray) }

func (s *Scanner[T]) open(c byte, err error) error {
	if s.next() != c {
		return err
	}
	if s.room() <= 0 {
		return ErrTooDeep
	}
	s.pos++
	s.depth++
	s.first = true
	return nil
}

// Member reads the key of the next member of the object being read, and the colon after it,
// and leaves the scanner at the member's value, which the caller then reads or skips. At the
// end of the object it reads the closing '}' and returns ok false.
func (s *Scanner[T]) Member() (key Str[T], ok bool, err error) {
	c := s.next()
	if s.first {
		s.first = false
		if c == '}' {
			s.close()
			return key, false, nil
		}
	} else {
		switch c {
		case ',':
			s.pos++
			c = s.next()
		case '}':
			s.close()
			return key, false, nil
		default:
			return key, false, errObjectNext
		}
	}
	if c != '"' {
		return key, false, errKey
	}
	if key, err = s.str(); err != nil {
		return key, false, err
	}
	if s.next() != ':' {
		return key, false, errColon
	}
	s.pos++
	return key, true, nil
}

// Element reports whether the array being read has another element and, if so, leaves the
// scanner at it, for the caller to read or skip. At the end of the array it reads the closing
// ']' and returns false.
func (s *Scanner[T]) Element() (bool, error) {
	c := s.next()
	if s.first {
		s.first = false
		if c == ']' {
			s.close()
			return false, nil
		}
		return true, nil
	}
	switch c {
	case ',':
		s.pos++
		return true, nil
	case ']':
		s.close()
		return false, nil
	}
	return false, errArrayNext
}

// close reads the '}' or ']' at s.pos.
func (s *Scanner[T]) close() {
	s.pos++
	s.depth--
}
