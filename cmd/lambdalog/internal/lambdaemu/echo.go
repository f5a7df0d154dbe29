package lambdaemu

import (
	"fmt"
	"strings"
)

// prefixColors are the ANSI colours of function names in echoed lines,
// given in name order (red is left for errors).
var prefixColors = []string{"36", "33", "32", "35", "34", "96", "93", "92", "95", "94"}

// setPrefixes sets the names that start echoed lines: none for a single
// function; otherwise each function's name, padded to the longest, then
// " | ", coloured when Options.EchoColor is set.
func (e *Emulator) setPrefixes(fns []Function) {
	prefixes := map[string]string{}
	if len(fns) > 1 {
		width := 0
		for _, fn := range fns {
			width = max(width, len(fn.Name))
		}
		for i, fn := range fns {
			p := fmt.Sprintf("%-*s |", width, fn.Name)
			if e.opts.EchoColor {
				p = "\x1b[" + prefixColors[i%len(prefixColors)] + "m" + p + "\x1b[0m"
			}
			prefixes[fn.Name] = p + " "
		}
	}
	e.echoMu.Lock()
	e.prefixes = prefixes
	e.echoMu.Unlock()
}

// echo writes a log event of function fn to Options.Echo, each of its
// lines after the function's prefix.
func (e *Emulator) echo(fn, msg string) {
	w := e.opts.Echo
	if w == nil {
		return
	}
	msg = strings.TrimSuffix(msg, "\n")
	e.echoMu.Lock()
	defer e.echoMu.Unlock()
	p := e.prefixes[fn]
	if p == "" {
		fmt.Fprintln(w, msg)
		return
	}
	var b strings.Builder
	for line := range strings.SplitSeq(msg, "\n") {
		b.WriteString(p)
		b.WriteString(line)
		b.WriteByte('\n')
	}
	_, _ = w.Write([]byte(b.String()))
}

// note writes a line for the developer to Options.Messages.
func (e *Emulator) note(format string, args ...any) {
	if e.opts.Messages == nil {
		return
	}
	e.echoMu.Lock()
	defer e.echoMu.Unlock()
	fmt.Fprintf(e.opts.Messages, "lambdalog: "+format+"\n", args...)
}
