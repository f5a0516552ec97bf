package main

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/gonetrepl/gonetrepl/internal/peer"
)

// Issue 16: runtime error messages as good as lua5.1's. Every snippet of
// testdata/lua51_errors/runtime.txt runs through the real lua5.1 (Debian
// package lua5.1; ./test.sh installs it, and with CI=true a missing one
// fails the test) and through gonetrepl -e, and the first line of the
// error and the traceback's Lua frames (position and function name) must
// be the same, except for the snippets listed in lua51KnownDifferences.

// lua51KnownDifferences are the snippets of the corpus whose error still
// reads differently from lua5.1's, on purpose, with the reason. A listed
// snippet that starts matching fails the test: the list stays true.
var lua51KnownDifferences = map[string]string{
	// describe (bindings/scheduler.go) puts the innermost Lua frame's
	// position in front of a message that carries none, so that every
	// failure says where it happened; lua5.1 prints "boom" alone, level 2
	// of the main chunk being outside Lua code.
	`error("boom", 2)`: "gonetrepl gives every message a position",
	// Comparison errors keep gopher-lua's wording ("attempt to compare
	// table with table"; lua5.1 "two table values"): the runtime half of
	// issue 16 leaves comparisons as they are.
	`print({} < {})`: "comparison wording of two values of one type",
	// lua5.1's coroutine.wrap puts its caller's position in front of the
	// message a second time ("(command line):1: (command line):1:
	// attempt..."); gonetrepl passes the coroutine's message on as raised.
	`coroutine.wrap(function() local x; x() end)()`: "lua5.1's wrap repeats the position",
	// Argument errors keep the project's wording, which every binding and
	// its documentation use: "bad argument #1 to floor (...)", where
	// lua5.1 quotes the name ('floor').
	`math.floor(nil)`: "argument errors name the function unquoted",
}

// A lua51Case is one snippet of the corpus: code run as a chunk and, for a
// task case, fn, an expression for the function run as a task (gonetrepl)
// or a coroutine (lua5.1) after it.
type lua51Case struct {
	line string // as written in the corpus, the key of lua51KnownDifferences
	code string
	fn   string
}

func readLua51Corpus(t *testing.T, path string) []lua51Case {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var cases []lua51Case
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		c := lua51Case{line: line, code: line}
		if rest, ok := strings.CutPrefix(line, "task "); ok {
			code, fn, ok := strings.Cut(rest, " | ")
			if !ok {
				t.Fatalf("%s: a task line is \"task SNIPPET | FN\": %q", path, line)
			}
			c.code, c.fn = code, fn
		}
		c.code = strings.ReplaceAll(c.code, `\n`, "\n")
		cases = append(cases, c)
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return cases
}

// luaError is what an interpreter printed for a failure: the message (the
// first line, without the program's prefix) and the traceback's Lua frames
// ("(command line):2: in function 'f'"); frames of Go or C functions are
// left out ("[G]: in function 'error'", lua5.1's "[C]: ?").
type luaError struct {
	msg    string
	frames []string
}

func (e luaError) String() string {
	return fmt.Sprintf("%q, frames %q", e.msg, e.frames)
}

var taskFailedPrefix = regexp.MustCompile(`^task \d+ \(.*?\) failed: `)

func parseLuaError(stderr string) luaError {
	lines := strings.Split(strings.TrimRight(stderr, "\n"), "\n")
	msg := strings.TrimPrefix(lines[0], "lua5.1: ")
	e := luaError{msg: taskFailedPrefix.ReplaceAllString(msg, "")}
	for i, line := range lines {
		if line != "stack traceback:" {
			continue
		}
		for _, f := range lines[i+1:] {
			f = strings.TrimSpace(f)
			if f == "" || strings.HasPrefix(f, "[C]") || strings.HasPrefix(f, "[G]") {
				continue
			}
			e.frames = append(e.frames, f)
		}
		break
	}
	return e
}

func TestRuntimeErrorsMatchLua51(t *testing.T) {
	t.Parallel()
	lua51 := peer.Find(t, "lua5.1", "lua5.1")
	cases := readLua51Corpus(t, "testdata/lua51_errors/runtime.txt")
	if len(cases) < 20 {
		t.Fatalf("want a corpus of at least 20 snippets; got %d", len(cases))
	}
	inCorpus := map[string]bool{}
	for _, c := range cases {
		inCorpus[c.line] = true
	}
	for line := range lua51KnownDifferences {
		if !inCorpus[line] {
			t.Errorf("known difference %q is not in the corpus", line)
		}
	}
	matched := 0
	for _, c := range cases {
		oursCode, luaCode := c.code, c.code
		if c.fn != "" {
			oursCode += "\ntask.spawn(" + c.fn + ")"
			luaCode += "\nlocal co = coroutine.create(" + c.fn + ") local ok, e = coroutine.resume(co) " +
				"io.stderr:write('lua5.1: ', tostring(e), '\\n', debug.traceback(co), '\\n')"
		}
		ctx, cancel := context.WithTimeout(context.Background(), runTimeout)
		cmd := exec.CommandContext(ctx, lua51, "-e", luaCode)
		cmd.Args[0] = "lua5.1" // its messages start "lua5.1: "
		var stderr strings.Builder
		cmd.Stderr = &stderr
		cmd.WaitDelay = 5 * time.Second
		runErr := cmd.Run()
		cancel()
		if stderr.Len() == 0 {
			t.Errorf("%q: lua5.1 printed no error (%v): not a broken snippet", c.line, runErr)
			continue
		}
		want := parseLuaError(stderr.String())
		r := runPlainCLIEnv(t, nil, "", "-e", oursCode)
		if r.code != 1 {
			t.Errorf("%q: want status 1; got %v", c.line, r)
			continue
		}
		got := parseLuaError(r.stderr)
		same := got.msg == want.msg && strings.Join(got.frames, "\n") == strings.Join(want.frames, "\n")
		reason, known := lua51KnownDifferences[c.line]
		switch {
		case same && known:
			t.Errorf("%q now reads as lua5.1's (%v): take it out of lua51KnownDifferences (%s)", c.line, got, reason)
		case !same && !known:
			t.Errorf("%q:\n  lua5.1:    %v\n  gonetrepl: %v", c.line, want, got)
		case same:
			matched++
		}
	}
	t.Logf("%d of %d snippets read as lua5.1's; %d known differences", matched, len(cases), len(lua51KnownDifferences))
}
