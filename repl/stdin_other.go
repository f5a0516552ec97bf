//go:build !unix

package repl

import "io"

// newKeySource returns what readline reads keys from: a wakeableStdin
// (there is no poll(2) here to wait on stdin and a pipe at once).
func newKeySource(r io.Reader) keySource { return newWakeableStdin(r) }
