package main

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gonetrepl/gonetrepl/internal/peer"
)

// syntaxCase is one chunk of testdata/lua51_errors/syntax.txt.
type syntaxCase struct {
	line  int    // in the corpus file
	chunk string // with its line breaks
	known string // why it still differs from lua5.1, or ""
}

// readSyntaxCorpus reads the corpus: a chunk a line, ↵ for a line break,
// "  ## known: why" after a chunk that differs on purpose; '#' lines and
// blank lines are comments.
func readSyntaxCorpus(t *testing.T, path string) []syntaxCase {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var cases []syntaxCase
	for i, l := range strings.Split(string(data), "\n") {
		if l == "" || strings.HasPrefix(l, "#") {
			continue
		}
		c := syntaxCase{line: i + 1}
		if chunk, why, ok := strings.Cut(l, "  ## known: "); ok {
			l, c.known = chunk, why
		}
		c.chunk = strings.ReplaceAll(l, "↵", "\n")
		cases = append(cases, c)
	}
	return cases
}

// TestSyntaxErrorsMatchLua51 runs every chunk of the corpus through the
// real lua5.1 and through gonetrepl, each three ways: as a -e chunk, as a
// script file and through loadstring. The first line of the error (lua5.1
// prefixes "lua5.1: ") must be the same each way, except for the chunks
// listed as known differences, which must still differ one way at least.
// lua5.1 is Debian's package of that name (./test.sh installs it); with
// CI=true a missing one fails the test, else it is skipped.
func TestSyntaxErrorsMatchLua51(t *testing.T) {
	t.Parallel()
	lua51 := peer.Find(t, "lua5.1", "lua5.1")
	cases := readSyntaxCorpus(t, filepath.Join("testdata", "lua51_errors", "syntax.txt"))
	if len(cases) < 20 {
		t.Fatalf("the corpus has %d chunks; it should have 20 at least", len(cases))
	}
	dir := t.TempDir()
	for i, c := range cases {
		if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("%d.lua", i)), []byte(c.chunk), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	ours := func(args ...string) *exec.Cmd { return plainCommand(t, args...) }
	theirs := func(args ...string) *exec.Cmd {
		c := exec.Command(lua51, args...)
		c.Args[0] = "lua5.1" // its messages start with its argv[0]
		return c
	}

	// loadstring: one process per interpreter reads every chunk.
	driver := fmt.Sprintf(`for i = 0, %d do
		local f = assert(io.open(i .. ".lua", "rb"))
		local s = f:read("*a")
		f:close()
		local _, err = loadstring(s)
		print(err or "(compiles)")
	end`, len(cases)-1)
	loadOurs := strings.Split(firstLines(t, ours, dir, true, "-e", driver), "\n")
	loadTheirs := strings.Split(firstLines(t, theirs, dir, true, "-e", driver), "\n")
	if len(loadOurs) < len(cases) || len(loadTheirs) < len(cases) {
		t.Fatalf("loadstring driver: %d and %d lines for %d chunks:\n%s\n---\n%s", len(loadOurs), len(loadTheirs), len(cases), strings.Join(loadOurs, "\n"), strings.Join(loadTheirs, "\n"))
	}

	type outcome struct{ e, file [2]string }
	results := make([]outcome, len(cases))
	var wg sync.WaitGroup
	sem := make(chan struct{}, 4)
	for i, c := range cases {
		for who, cmd := range []func(...string) *exec.Cmd{ours, theirs} {
			wg.Add(1)
			go func() {
				defer wg.Done()
				sem <- struct{}{}
				defer func() { <-sem }()
				results[i].e[who] = firstLines(t, cmd, dir, false, "-e", c.chunk)
				results[i].file[who] = firstLines(t, cmd, dir, false, fmt.Sprintf("%d.lua", i))
			}()
		}
	}
	wg.Wait()

	matched, known := 0, 0
	perWay := map[string]int{}
	for i, c := range cases {
		r := results[i]
		diffs := []string{}
		for _, d := range []struct{ how, ours, theirs string }{
			{"-e", r.e[0], r.e[1]},
			{"file", r.file[0], r.file[1]},
			{"loadstring", loadOurs[i], loadTheirs[i]},
		} {
			if d.ours == d.theirs {
				perWay[d.how]++
			} else {
				diffs = append(diffs, fmt.Sprintf("  %s:\n    lua5.1:    %s\n    gonetrepl: %s", d.how, d.theirs, d.ours))
			}
		}
		switch {
		case c.known == "" && len(diffs) > 0:
			t.Errorf("syntax.txt:%d %q differs from lua5.1:\n%s", c.line, c.chunk, strings.Join(diffs, "\n"))
		case c.known != "" && len(diffs) == 0:
			t.Errorf("syntax.txt:%d %q is listed as a known difference (%s) but now matches lua5.1: %s", c.line, c.chunk, c.known, r.e[1])
		case c.known == "":
			matched++
		default:
			known++
			t.Logf("known difference, syntax.txt:%d %q (%s):\n%s", c.line, c.chunk, c.known, strings.Join(diffs, "\n"))
		}
	}
	t.Logf("%d of %d chunks match lua5.1 three ways, %d are known differences; -e matches %d, file %d, loadstring %d",
		matched, len(cases), known, perWay["-e"], perWay["file"], perWay["loadstring"])
}

// firstLines runs an interpreter in dir and returns the first line of its
// stderr without lua5.1's "lua5.1: " prefix, or (all) the whole of its
// stdout; "(runs)" when it wrote no error. It is killed after runTimeout.
func firstLines(t *testing.T, cmd func(...string) *exec.Cmd, dir string, all bool, args ...string) string {
	c := cmd(args...)
	c.Dir = dir
	var stdout, stderr bytes.Buffer
	c.Stdout, c.Stderr = &stdout, &stderr
	if err := c.Start(); err != nil {
		t.Errorf("%s: %v", c.Path, err)
		return "(did not start)"
	}
	stop := time.AfterFunc(runTimeout, func() { c.Process.Kill() })
	c.Wait() // the status is the error's; the text is what is compared
	if !stop.Stop() {
		t.Errorf("%s %q did not end within %v", c.Path, args, runTimeout)
	}
	if all {
		return stdout.String()
	}
	first, _, _ := strings.Cut(stderr.String(), "\n")
	if first == "" {
		return "(runs)"
	}
	return strings.TrimPrefix(first, "lua5.1: ")
}
