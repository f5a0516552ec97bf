//go:build !unix

package main

import "testing"

// mkfifo skips the test: this system has no named pipes in the file
// system.
func mkfifo(t *testing.T, path string) {
	t.Helper()
	t.Skipf("no FIFO here (%s): a test of special files", path)
}
