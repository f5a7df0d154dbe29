package main

import (
	"io"
	"os"
	"strconv"
)

// terminal describes where a command writes: whether it is a terminal,
// its width, and whether to colour (a terminal, and NO_COLOR not set).
type terminal struct {
	isTTY bool
	width int
	color bool
}

// terminalOf returns w's terminal: a character device with a window size, or
// a plain writer (a pipe, a file, a test's buffer) 80 columns wide unless
// $COLUMNS says otherwise.
func terminalOf(w io.Writer) terminal {
	t := terminal{width: 80}
	if n, err := strconv.Atoi(os.Getenv("COLUMNS")); err == nil && n > 0 {
		t.width = n
	}
	f, ok := w.(*os.File)
	if !ok {
		return t
	}
	if cols, ok := windowWidth(f); ok {
		t.isTTY = true
		if cols > 0 {
			t.width = cols
		}
	}
	_, noColor := os.LookupEnv("NO_COLOR")
	t.color = t.isTTY && !noColor && os.Getenv("TERM") != "dumb"
	return t
}
