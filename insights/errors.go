package insights

import (
	"fmt"
	"unicode/utf8"
)

// Error reports a query that cannot be compiled: a syntax error, an unknown
// command or function, a wrong number of arguments, a reference that is not
// valid where it stands (a field that a preceding stats did not produce), or
// a command that is not supported locally. A server returns it as a
// MalformedQueryException whose queryCompileError has location
// {startCharOffset: Start, endCharOffset: End} and message Message.
type Error struct {
	// Start and End are the offsets, in characters (Unicode code points)
	// from the start of the query, of the first and the last character of
	// the text the error is about; End is inclusive, as ANTLR (which AWS's
	// parser uses) reports a token's stop index. For an error at the end of
	// the query both are the query's length.
	Start, End int
	// Line and Column give Start as a 1-based line and column, in
	// characters, for people.
	Line, Column int
	// Message says what is wrong, naming the text it is about.
	Message string
}

// Error implements the error interface.
func (e *Error) Error() string {
	return fmt.Sprintf("insights: line %d, column %d: %s", e.Line, e.Column, e.Message)
}

// errAt returns an *Error about the bytes src[start:end] (end exclusive; an
// empty span stands for the position start).
func errAt(src string, start, end int, format string, args ...any) *Error {
	start = min(max(start, 0), len(src))
	end = min(max(end, start), len(src))
	e := &Error{Message: fmt.Sprintf(format, args...), Line: 1, Column: 1}
	chars := 0
	for i := 0; i < start; {
		r, n := utf8.DecodeRuneInString(src[i:])
		if r == '\n' {
			e.Line++
			e.Column = 1
		} else {
			e.Column++
		}
		i += n
		chars++
	}
	e.Start = chars
	e.End = chars + utf8.RuneCountInString(src[start:end]) - 1
	if e.End < e.Start {
		e.End = e.Start
	}
	return e
}
