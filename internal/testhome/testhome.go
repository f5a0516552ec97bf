// Package testhome keeps tests out of the user's home directory. A test
// binary's TestMain calls Run: every test, and every gonetrepl process a
// test starts (they inherit the environment), then sees HOME as a new
// empty directory and no GONETREPL_HISTORY (nor GONETREPL_TOUR), so nothing reads or writes
// the real ~/.gonetrepl_history. A test that wants a history file names
// one itself. Run also takes the race detector's one-second pause at exit
// out of those processes (race.go).
package testhome

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"
)

// Run runs the tests with HOME set to a fresh temporary directory, removed
// afterwards, GONETREPL_HISTORY and GONETREPL_TOUR unset, and GORACE's
// atexit_sleep_ms 0 for the processes the tests start. It returns m.Run's
// status.
func Run(m *testing.M) int {
	home, err := os.MkdirTemp("", "gonetrepl-test-home-")
	if err != nil {
		fmt.Fprintf(os.Stderr, "testhome: %v\n", err)
		return 1
	}
	defer os.RemoveAll(home)
	// A go command a test runs (go vet on the tour's Go lessons) keeps
	// the build cache go test itself uses: in the new home it would
	// rebuild the standard library, tens of seconds.
	if os.Getenv("GOCACHE") == "" {
		if dir, err := os.UserCacheDir(); err == nil {
			os.Setenv("GOCACHE", filepath.Join(dir, "go-build"))
		}
	}
	// Likewise its module cache (by default under HOME/go): in the new
	// home a go build of this module (TestVersionNamesTheCommit, the
	// program built without -race) downloaded every dependency again from
	// the module proxy, 10 s and the network each time. And its settings
	// (go env -w, in the user's config directory): GOTOOLCHAIN=local or a
	// GOFLAGS there holds for it as for go test.
	if os.Getenv("GOMODCACHE") == "" && os.Getenv("GOPATH") == "" {
		if dir, err := os.UserHomeDir(); err == nil {
			os.Setenv("GOMODCACHE", filepath.Join(dir, "go", "pkg", "mod"))
		}
	}
	if os.Getenv("GOENV") == "" {
		if dir, err := os.UserConfigDir(); err == nil {
			os.Setenv("GOENV", filepath.Join(dir, "go", "env"))
		}
	}
	os.Setenv("HOME", home)
	os.Unsetenv("GONETREPL_HISTORY")
	os.Unsetenv("GONETREPL_TOUR")
	noRaceExitPause()
	return m.Run()
}
