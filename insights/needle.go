package insights

import nd "github.com/lambdalog/lambdalog/internal/needle"

// A needle is a text that raw messages are searched for (package needle).
type needle = nd.Needle

func newNeedle(s string) needle { return nd.New(s) }

// backslash is the needle of a backslash, which can start a JSON escape.
var backslash = newNeedle(`\`)
