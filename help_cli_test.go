package main

import (
	"strings"
	"testing"
	"unicode/utf8"
)

// TestHelpWrapsToTheTerminal: help in a 60-column terminal wraps its long
// entries to 60 columns, in a script as at the prompt; piped, an entry's
// summary stays one line (a program reading it gets whole lines).
func TestHelpWrapsToTheTerminal(t *testing.T) {
	s := startOnPty(t, 60, "", nil, "-e", `help(net.dial) print("END")`)
	s.expect(`END`)
	s.waitExit(0)
	out := plain(s.rawText())
	if !strings.Contains(out, "\n  Connects to address over network") {
		t.Fatalf("no summary line:\n%s", out)
	}
	for _, line := range strings.Split(out, "\n") {
		if n := utf8.RuneCountInString(line); n > 60 {
			t.Errorf("line of %d columns in a 60-column terminal: %q", n, line)
		}
	}

	r := startREPL(t, "", nil, "--no-color")
	r.run(`help("expect")`, `c:expect\(pattern`)
	r.expect(`\n  Reads until the received bytes match`)
	r.quit()

	piped := runCLI(t, "", "-e", `help(net.dial)`)
	if n := strings.Count(piped.stdout, "\n"); n != 3 || piped.code != 0 {
		t.Errorf("piped help(net.dial) is %d lines, want 3: %v", n, piped)
	}
}
