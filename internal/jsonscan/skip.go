package jsonscan

// Skip reads the next value, whatever its kind, checking it as every other read does. It
// needs a few bytes of stack for every 64 levels of nesting, and allocates nothing.
func (s *Scanner[T]) Skip() error {
	// Scalars, the most common values, are read without the state machine.
	var end int
	var err error
	switch c := s.next(); classOf[c] {
	case clQuote:
		end, _, err = scanString(s.data, s.pos, false)
	case clNumber:
		if end = numberEnd(s.data, s.pos); end < 0 {
			end, err = s.pos, errNumber
		}
	case clLiteral:
		if end = literalEnd(s.data, s.pos); end < 0 {
			end, err = s.pos, errLiteral
		}
	default:
		end, err = skipValue(s.data, s.pos, s.room())
	}
	s.pos = end
	return err
}

// literalEnd returns the offset after the literal true, false or null at data[i], -1 if there
// is none.
func literalEnd[T string | []byte](data T, i int) int {
	lit := "null"
	switch data[i] {
	case 't':
		lit = "true"
	case 'f':
		lit = "false"
	}
	if !hasLiteral(data, i, lit) {
		return -1
	}
	return i + len(lit)
}

// The states of skipValue: what may come next.
const (
	stValue        = iota // a value
	stValueOrClose        // a value or ']': just after '['
	stKey                 // a key: after ',' in an object
	stKeyOrClose          // a key or '}': just after '{'
	stColon               // ':' after a key
	stNext                // ',' or the bracket that closes the innermost object or array
)

// The classes of bytes skipValue tells apart; any other byte is clOther.
const (
	clOther = iota
	clSpace
	clQuote
	clColon
	clComma
	clOpen
	clClose
	clLiteral
	clNumber
)

// classOf is the class of each byte.
var classOf = func() (t [256]uint8) {
	for _, c := range " \t\n\r" {
		t[c] = clSpace
	}
	t['"'], t[':'], t[','], t['['], t['{'], t[']'], t['}'] = clQuote, clColon, clComma, clOpen, clOpen, clClose, clClose
	t['t'], t['f'], t['n'], t['-'] = clLiteral, clLiteral, clLiteral, clNumber
	for c := '0'; c <= '9'; c++ {
		t[c] = clNumber
	}
	return t
}()

// skipValue reads the value at data[i], in which room levels of objects and arrays may nest,
// and returns the offset after it, or where it failed. It looks at
// one byte at a time in a state that says what may come next, and keeps a stack of bits, one
// for each object or array it is in (the innermost lowest, 1 for an object, 0 for an array),
// to tell which of the two the innermost is; it reads values nested deeper than it has bits
// for with a recursive call.
func skipValue[T string | []byte](data T, i, room int) (int, error) {
	return skipFrom(data, i, room, stValue, 0, 0)
}

// SkipMembers reads the rest of the object being read, after Object or a member's value: its
// remaining members and the closing '}', checking them as Skip does. It is for a caller that
// has found what it wanted in an object and only needs the rest to be well-formed.
func (s *Scanner[T]) SkipMembers() error {
	s.skipAllScalarMembers()
	state := stNext
	if s.first {
		state = stKeyOrClose
	}
	return s.skipRest(state, 1)
}

// SkipElements reads the rest of the array being read, after Array or an element, and the
// closing ']', as SkipMembers does for an object.
func (s *Scanner[T]) SkipElements() error {
	state := stNext
	if s.first {
		state = stValueOrClose
	}
	return s.skipRest(state, 0)
}

// skipRest reads the rest of the innermost object or array, in state, whose bit is objects.
func (s *Scanner[T]) skipRest(state int, objects uint64) error {
	end, err := skipFrom(s.data, s.pos, s.room()+1, state, objects, 1)
	s.pos, s.first = end, false
	if err == nil {
		s.depth--
	}
	return err
}

// skipFrom is skipValue from inside n levels of objects and arrays, whose bits are objects,
// in state.
func skipFrom[T string | []byte](data T, i, room int, state int, objects uint64, n int) (int, error) {
	limit := min(room, 64)
	var err error
	for {
		if i >= len(data) {
			return i, stateError(state, objects)
		}
		c := data[i]
		switch class := classOf[c]; class {
		case clSpace:
			i++
			continue
		case clQuote:
			switch state {
			case stValue, stValueOrClose:
				state = stNext
			case stKey, stKeyOrClose:
				state = stColon
			default:
				return i, stateError(state, objects)
			}
			i, _, err = scanString(data, i, false)
			if err != nil {
				return i, err
			}
		case clColon:
			if state != stColon {
				return i, stateError(state, objects)
			}
			state = stValue
			i++
			continue
		case clComma:
			if state != stNext {
				return i, stateError(state, objects)
			}
			state = stValue
			if objects&1 != 0 {
				state = stKey
			}
			i++
			continue
		case clOpen:
			if state > stValueOrClose {
				return i, stateError(state, objects)
			}
			if n == limit {
				if n == room {
					return i, ErrTooDeep
				}
				if i, err = skipValue(data, i, room-n); err != nil {
					return i, err
				}
				state = stNext
				break // the nested value ended
			}
			n++
			i++
			if c == '[' {
				objects <<= 1
				state = stValueOrClose
				for i < len(data) && data[i] == '[' && n < limit { // arrays in arrays, as in [[1]]
					objects <<= 1
					n++
					i++
				}
			} else {
				objects = objects<<1 | 1
				state = stKeyOrClose
			}
			continue
		case clClose:
			inObject := objects&1 != 0
			if !(c == ']' && (state == stValueOrClose || state == stNext && !inObject) ||
				c == '}' && (state == stKeyOrClose || state == stNext && inObject)) {
				return i, stateError(state, objects)
			}
			n, objects = n-1, objects>>1
			i++
			state = stNext
			for n > 0 && i < len(data) && data[i] == ']'|byte(objects&1)<<5 { // ']' or '}'
				n, objects = n-1, objects>>1 // the brackets closing outer levels, as in [[1]]
				i++
			}
		case clLiteral, clNumber:
			if state > stValueOrClose {
				return i, stateError(state, objects)
			}
			end, bad := literalEnd(data, i), errLiteral
			if class == clNumber {
				end, bad = numberEnd(data, i), errNumber
			}
			if end < 0 {
				return i, bad
			}
			i, state = end, stNext
		default:
			return i, stateError(state, objects)
		}
		if n == 0 { // the value ended
			return i, nil
		}
	}
}

// stateError returns the error for a byte that cannot come in state, with the object and
// array bits of skipValue.
func stateError(state int, objects uint64) error {
	switch state {
	case stKey, stKeyOrClose:
		return errKey
	case stColon:
		return errColon
	case stNext:
		if objects&1 != 0 {
			return errObjectNext
		}
		return errArrayNext
	}
	return errValue
}
