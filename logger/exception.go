package logger

import (
	"errors"
	"fmt"
	"reflect"
	"runtime"
	"strconv"
	"strings"
)

// PanicError is what the middleware reports for a panicking handler: the panic value and the
// stack of the goroutine where it happened.
type PanicError struct {
	Value any
	pcs   []uintptr
}

func newPanicError(v any) *PanicError {
	pcs := make([]uintptr, 64)
	n := runtime.Callers(2, pcs)
	return &PanicError{Value: v, pcs: pcs[:n]}
}

// Error implements error.
func (p *PanicError) Error() string { return fmt.Sprintf("panic: %v", p.Value) }

// Unwrap returns the panic value if it is an error.
func (p *PanicError) Unwrap() error {
	err, _ := p.Value.(error)
	return err
}

// Callers returns the program counters of the panicking goroutine's stack.
func (p *PanicError) Callers() []uintptr { return p.pcs }

// stackError attaches the stack of its creation to an error; see WithStack.
type stackError struct {
	err error
	pcs []uintptr
}

// WithStack returns err annotated with the caller's stack, which the logger writes as
// stack_trace when the error is logged. It returns nil for a nil err.
func WithStack(err error) error {
	if err == nil {
		return nil
	}
	pcs := make([]uintptr, 64)
	n := runtime.Callers(2, pcs)
	return &stackError{err: err, pcs: pcs[:n]}
}

func (e *stackError) Error() string      { return e.err.Error() }
func (e *stackError) Unwrap() error      { return e.err }
func (e *stackError) Callers() []uintptr { return e.pcs }

// stacker is implemented by errors that carry a stack (PanicError, WithStack).
type stacker interface{ Callers() []uintptr }

// appendException appends the exception, exception_name and stack_trace keys for err.
func (c *core) appendException(buf []byte, err error) (out []byte) {
	start := len(buf)
	defer func() {
		if p := recover(); p != nil {
			out = append(buf[:start], `,"exception":`...)
			out = appendString(out, fmt.Sprintf("!ERROR: rendering %T panicked: %v", err, p))
		}
	}()
	buf = append(buf, `,"exception":`...)
	buf = c.redact.appendString(buf, errorMessage(err))
	buf = append(buf, `,"exception_name":"`...)
	buf = appendTypeChain(buf, err, 0)
	buf = append(buf, '"')
	var s stacker
	if errors.As(err, &s) {
		buf = appendStack(buf, s.Callers())
	}
	return buf
}

// errorMessage returns err.Error(), surviving a panicking Error method.
func errorMessage(err error) (msg string) {
	defer func() {
		if p := recover(); p != nil {
			msg = fmt.Sprintf("!ERROR: %T.Error panicked: %v", err, p)
		}
	}()
	return err.Error()
}

// appendTypeChain writes the Go types of err and the errors it wraps: "*fmt.wrapError >
// *fs.PathError" for a chain, "*errors.joinError[*errors.errorString, *fs.PathError]" for a join.
func appendTypeChain(buf []byte, err error, depth int) []byte {
	if se, ok := err.(*stackError); ok {
		err = se.err
	}
	buf = appendEscaped(buf, reflect.TypeOf(err).String())
	if depth > 16 {
		return buf
	}
	switch u := err.(type) {
	case interface{ Unwrap() error }:
		if next := u.Unwrap(); next != nil {
			buf = append(buf, " > "...)
			buf = appendTypeChain(buf, next, depth+1)
		}
	case interface{ Unwrap() []error }:
		buf = append(buf, '[')
		n := 0
		for _, e := range u.Unwrap() {
			if e == nil {
				continue
			}
			if n > 0 {
				buf = append(buf, ", "...)
			}
			buf = appendTypeChain(buf, e, depth+1)
			n++
		}
		buf = append(buf, ']')
	}
	return buf
}

// appendStack writes stack_trace as frames {function, file, line}, starting at the panic site
// for a panic (runtime frames before it are left out).
func appendStack(buf []byte, pcs []uintptr) []byte {
	buf = append(buf, `,"stack_trace":[`...)
	frames := runtime.CallersFrames(pcs)
	var all []runtime.Frame
	for {
		f, more := frames.Next()
		if f.Function == "runtime.gopanic" {
			all = all[:0]
		} else if !(len(all) == 0 && strings.HasPrefix(f.Function, "runtime.")) {
			all = append(all, f)
		}
		if !more {
			break
		}
	}
	for i, f := range all {
		if i > 0 {
			buf = append(buf, ',')
		}
		buf = append(buf, `{"function":`...)
		buf = appendString(buf, f.Function)
		buf = append(buf, `,"file":`...)
		buf = appendString(buf, f.File)
		buf = append(buf, `,"line":`...)
		buf = strconv.AppendInt(buf, int64(f.Line), 10)
		buf = append(buf, '}')
	}
	return append(buf, ']')
}
