//go:build unix

package bindings

import "syscall"

// mkfifo makes a FIFO at path, for the tests that check that nothing
// blocks on one.
func mkfifo(path string) error { return syscall.Mkfifo(path, 0o600) }
