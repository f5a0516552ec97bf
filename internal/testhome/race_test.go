package testhome

import (
	"os"
	"testing"
)

// TestNoRaceExitPause: the pause is turned off, other GORACE options are
// kept, and a value the user gave for atexit_sleep_ms wins.
func TestNoRaceExitPause(t *testing.T) {
	for _, c := range []struct{ before, after string }{
		{"", "atexit_sleep_ms=0"},
		{"halt_on_error=1", "halt_on_error=1 atexit_sleep_ms=0"},
		{"atexit_sleep_ms=500 log_path=/tmp/r", "atexit_sleep_ms=500 log_path=/tmp/r"},
	} {
		t.Setenv("GORACE", c.before)
		noRaceExitPause()
		if got := os.Getenv("GORACE"); got != c.after {
			t.Errorf("GORACE %q: got %q, want %q", c.before, got, c.after)
		}
	}
}
