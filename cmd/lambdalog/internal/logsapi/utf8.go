package logsapi

import "unicode/utf8"

// requireUTF8 makes every operation of ops refuse a request body that is
// not valid UTF-8 with a SerializationException, as AWS's JSON parser
// does, before the operation decodes it. Decoding would otherwise turn each
// invalid byte into U+FFFD, so that different names became one.
func requireUTF8(ops map[string]operation) map[string]operation {
	for name, serve := range ops {
		ops[name] = func(h *Handler, c *call) error {
			if !utf8.Valid(c.body) {
				return serializationError("Invalid UTF-8 in request body at byte offset %d", invalidUTF8At(c.body))
			}
			return serve(h, c)
		}
	}
	return ops
}

// invalidUTF8At returns the offset of the first byte of b that is not part
// of valid UTF-8, or -1.
func invalidUTF8At(b []byte) int {
	for i := 0; i < len(b); {
		r, n := utf8.DecodeRune(b[i:])
		if r == utf8.RuneError && n == 1 {
			return i
		}
		i += n
	}
	return -1
}
