package main

import (
	"io"
	"os"

	"github.com/chzyer/readline"
)

// terminalWidth returns a function giving w's width in columns when w is
// a terminal, asked at each call (the window may be resized), and 0 when
// it is not: help wraps its entries to it.
func terminalWidth(w io.Writer) func() int {
	return func() int {
		f, ok := w.(*os.File)
		if !ok || !readline.IsTerminal(int(f.Fd())) {
			return 0
		}
		cols, _, err := readline.GetSize(int(f.Fd()))
		if err != nil || cols <= 0 {
			return 0
		}
		return cols
	}
}

// stdinIsTerminal reports whether r is a terminal: interact can read
// typed lines from it.
func stdinIsTerminal(r io.Reader) bool {
	f, ok := r.(*os.File)
	return ok && readline.IsTerminal(int(f.Fd()))
}
