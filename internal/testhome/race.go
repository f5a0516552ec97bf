package testhome

import (
	"os"
	"strings"
)

// noRaceExitPause sets GORACE's atexit_sleep_ms to 0 unless GORACE already
// sets it, so that the gonetrepl processes a test starts (a test binary
// built with -race, re-executed, or a test binary re-running one of its
// own tests) end as soon as they exit. The race detector otherwise sleeps a
// second in every exiting process (its default, "to let other goroutines
// report"): a second of wall time per process, and the root package's
// tests start hundreds, dozens of them one after another (TestScriptsHelp:
// 42). Races are still found and reported where they happen, and a process
// that reported one still exits with status 66; Go's own tests of the race
// detector's reports run with the same setting (runtime/race/output_test.go).
// A binary built without -race ignores GORACE.
func noRaceExitPause() {
	gorace := os.Getenv("GORACE")
	if strings.Contains(gorace, "atexit_sleep_ms") {
		return
	}
	os.Setenv("GORACE", strings.TrimSpace(gorace+" atexit_sleep_ms=0"))
}
