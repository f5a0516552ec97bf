// Package testhome keeps tests out of the user's home directory. A test
// binary's TestMain calls Run: every test, and every gonetrepl process a
// test starts (they inherit the environment), then sees HOME as a new
// empty directory and no GONETREPL_HISTORY, so nothing reads or writes
// the real ~/.gonetrepl_history. A test that wants a history file names
// one itself.
package testhome

import (
	"fmt"
	"os"
	"testing"
)

// Run runs the tests with HOME set to a fresh temporary directory, removed
// afterwards, and GONETREPL_HISTORY unset. It returns m.Run's status.
func Run(m *testing.M) int {
	home, err := os.MkdirTemp("", "gonetrepl-test-home-")
	if err != nil {
		fmt.Fprintf(os.Stderr, "testhome: %v\n", err)
		return 1
	}
	defer os.RemoveAll(home)
	os.Setenv("HOME", home)
	os.Unsetenv("GONETREPL_HISTORY")
	return m.Run()
}
