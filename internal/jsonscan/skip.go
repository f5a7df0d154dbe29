package jsonscan

// Skip reads the next value, whatever its kind, checking it as every other read does. It
// keeps 32 bytes on the stack for every 256 levels of nesting, and allocates nothing.
func (s *Scanner[T]) Skip() error {
	end, err := skipValue(s.data, s.pos, s.room())
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

// skipValue reads the value at data[i], in which room levels of objects and arrays may nest,
// and returns the offset after it, or where it failed. It keeps one bit for each object or
// array it enters, to tell which of the two the innermost is, and reads values nested deeper
// than it has bits for with a recursive call.
func skipValue[T string | []byte](data T, i, room int) (int, error) {
	var bits [4]uint64
	n := 0 // levels entered
	var err error
	for {
		// A value starts at i.
		if i = SkipSpace(data, i); i >= len(data) {
			return i, errValue
		}
		switch c := data[i]; kindOf[c] {
		case Object, Array:
			if n == room {
				return i, ErrTooDeep
			}
			if n == len(bits)*64 {
				if i, err = skipValue(data, i, room-n); err != nil {
					return i, err
				}
				break // the nested value ended
			}
			i = SkipSpace(data, i+1)
			if i < len(data) && data[i] == c+2 { // ']' or '}'
				i++
				break // the empty array or object is the value that ended
			}
			word, bit := n/64, uint64(1)<<(n%64)
			n++
			if c == '[' {
				bits[word] &^= bit
				continue // at the first element
			}
			bits[word] |= bit
			if i, err = memberValue(data, i); err != nil {
				return i, err
			}
			continue // at the first member's value
		case String:
			if i, _, err = scanString(data, i, false); err != nil {
				return i, err
			}
		case Number:
			end := numberEnd(data, i)
			if end < 0 {
				return i, errNumber
			}
			i = end
		case True, False, Null:
			end := literalEnd(data, i)
			if end < 0 {
				return i, errLiteral
			}
			i = end
		default:
			return i, errValue
		}
		// A value ended at i: close the objects and arrays it ends, then find the next value.
		for n > 0 {
			i = SkipSpace(data, i)
			var c byte
			if i < len(data) {
				c = data[i]
			}
			inObject := bits[(n-1)/64]&(1<<((n-1)%64)) != 0
			if c == ',' {
				if inObject {
					if i, err = memberValue(data, SkipSpace(data, i+1)); err != nil {
						return i, err
					}
				} else {
					i++
				}
				break
			}
			switch {
			case inObject && c != '}':
				return i, errObjectNext
			case !inObject && c != ']':
				return i, errArrayNext
			}
			i++
			n--
		}
		if n == 0 {
			return i, nil
		}
	}
}

// memberValue reads the key at data[i] and the colon after it, and returns the offset after
// the colon.
func memberValue[T string | []byte](data T, i int) (int, error) {
	if i >= len(data) || data[i] != '"' {
		return i, errKey
	}
	i, _, err := scanString(data, i, false)
	if err != nil {
		return i, err
	}
	if i = SkipSpace(data, i); i >= len(data) || data[i] != ':' {
		return i, errColon
	}
	return i + 1, nil
}
