package filterpattern

import "fmt"

// InvalidPatternMessage is the message CloudWatch Logs puts in an
// InvalidParameterException when it cannot parse a filter pattern and has no
// more specific message. See [SyntaxError.AWSMessage].
const InvalidPatternMessage = "Invalid filter pattern"

// SyntaxError reports a filter pattern that cannot be parsed or that breaks a
// rule of the language (such as the limit on regular expressions).
type SyntaxError struct {
	// Offset is the byte offset in the pattern where the problem was found.
	Offset int
	// Msg says what is wrong, in words meant for the person who wrote the
	// pattern.
	Msg string

	// aws is the message CloudWatch Logs gives for this error when it is
	// known, or "" when it is not.
	aws string
	// col is the 1-based column (in characters) of Offset, 0 if unknown.
	col int
}

// Error implements the error interface. The message names the position as a
// 1-based column, counted in characters as an editor shows it.
func (e *SyntaxError) Error() string {
	col := e.col
	if col == 0 {
		col = e.Offset + 1
	}
	return fmt.Sprintf("filter pattern: column %d: %s", col, e.Msg)
}

// AWSMessage returns the message CloudWatch Logs puts in the
// InvalidParameterException it returns for this pattern: one of the specific
// messages AWS is known to give (for example "If a filter pattern starts with
// '{' it must end with '}'" or "Invalid character(s) in term '@'"), or
// [InvalidPatternMessage] followed by the detail of this error.
func (e *SyntaxError) AWSMessage() string {
	if e.aws != "" {
		return e.aws
	}
	return InvalidPatternMessage + ": " + e.Msg
}

// errorf returns a *SyntaxError at offset off.
func errorf(off int, format string, args ...any) *SyntaxError {
	return &SyntaxError{Offset: off, Msg: fmt.Sprintf(format, args...)}
}

// withAWS sets the message CloudWatch Logs is known to give for e.
func (e *SyntaxError) withAWS(msg string) *SyntaxError {
	e.aws = msg
	return e
}
