package bindings

import (
	"strings"
	"testing"
	"unicode/utf8"
)

// helpOutput runs src on a fresh runtime whose terminal is width columns
// wide (0: not a terminal) and returns what it printed.
func helpOutput(t *testing.T, width int, src string) string {
	t.Helper()
	out := &syncBuffer{}
	rt := New(Options{Stdout: out, Stderr: out, Width: func() int { return width }})
	defer rt.Close()
	task := startChunk(t, rt, src)
	waitTask(t, task)
	if task.Status() != statusDone {
		t.Fatal(task.Err())
	}
	return out.String()
}

// TestHelpFindsNames: help takes names as users type them: a bare method
// name is searched in every class (several matches are listed), a
// receiver picks its class, and the hint names entries that way, never
// by a class name with a space in it.
func TestHelpFindsNames(t *testing.T) {
	for _, c := range []struct {
		src       string
		want      []string
		notWanted []string
	}{
		{`help("expect")`, []string{"c:expect(pattern", "\n  Reads until the received bytes match"}, nil},
		{`help("dial")`, []string{"net.dial(network, address [, opts])"}, nil},
		{`help("close")`, []string{"  c:close()", "  ln:close()", "  pc:close()", "  ch:close()", `help("c:close") shows one entry`}, nil},
		{`help("c:close")`, []string{"c:close() -> true | nil, err\n  "}, []string{"ln:close"}},
		{`help("ln:close")`, []string{"ln:close() -> true | nil, err\n  "}, []string{"c:close"}},
		{`help("x:close")`, []string{"  c:close()", "  ln:close()"}, nil},
		{`help("t:wait")`, []string{"t:wait([timeout])", "example: "}, nil},
		{`help(task.spawn(function() end))`, []string{"  t:wait(", `help("t:wait") shows one entry`}, []string{"task handle:"}},
		{`help(assert(net.listen("tcp", "127.0.0.1:0")))`, []string{"  ln:accept(", `help("ln:accept") shows one entry`}, nil},
		{`help("nosuch")`, []string{`no help for "nosuch"`}, nil},
		// The tour is found from help(), and by its value and names.
		{`help()`, []string{"\n  tour ", "New to sockets? tour() is a guided tour"}, nil},
		{`help(tour)`, []string{"tour.start()", "tour.check() -> done", `help("tour.start") shows one entry`}, nil},
		{`help(tour.check)`, []string{"tour.check() -> done\n  Looks at what you have done"}, nil},
	} {
		got := helpOutput(t, 0, c.src)
		for _, w := range c.want {
			if !strings.Contains(got, w) {
				t.Errorf("%s lacks %q:\n%s", c.src, w, got)
			}
		}
		for _, w := range c.notWanted {
			if strings.Contains(got, w) {
				t.Errorf("%s has %q:\n%s", c.src, w, got)
			}
		}
	}
}

// TestHelpFindsValues: help(x) works for a value of every class (the
// field-only addr and error values too), for the functions and objects of
// the stdlib modules, and points Lua's own functions to the Lua manual.
func TestHelpFindsValues(t *testing.T) {
	for _, c := range []struct{ src, want string }{
		{`local ln = assert(net.listen("tcp", "127.0.0.1:0")); help(ln:addr()); ln:close()`, "A socket address"},
		{`local ln = assert(net.listen("tcp", "127.0.0.1:0")); help(ln:addr()); ln:close()`, "\n  .port "},
		{`local c, err = net.dial("tcp", "127.0.0.1:1", {timeout = 2}); help(err)`, "\n  .kind "},
		{`help(require("http").get)`, "http.get(url [, opts]) -> response | nil, err\n  GETs url"},
		{`help(require("http"))`, "  http.client("},
		{`help(require("http").client())`, "  client:get(url"},
		{`local http = require("http"); local cl = http.client(); help(cl); help(cl.close)`, "client:close() -> true\n  "},
		{`help(require("flags").new("x"))`, "  cli:parse(argv)"},
		{`help(require("resp").new)`, "resp.new("},
		{`help(print)`, "print is Lua 5.1's own; see https://www.lua.org/manual/5.1/manual.html#pdf-print"},
		{`help(string.format)`, "#pdf-string.format"},
		{`help(string.pack)`, "string.pack(fmt, v1, ...) -> s\n"},
		{`help(function() end)`, "no help for this function"},
	} {
		if got := helpOutput(t, 0, c.src); !strings.Contains(got, c.want) {
			t.Errorf("%s lacks %q:\n%s", c.src, c.want, got)
		}
	}
}

// TestHelpWraps: with a terminal width, every line of an entry and of the
// module list fits it, continuation lines indented under their text;
// without one (output not a terminal) an entry's summary is one line.
func TestHelpWraps(t *testing.T) {
	const width = 50
	got := helpOutput(t, width, `help(net.dial); help(); help("close"); help(net)`)
	for _, line := range strings.Split(strings.TrimRight(got, "\n"), "\n") {
		if n := utf8.RuneCountInString(line); n > width && strings.Contains(strings.TrimSpace(line), " ") {
			t.Errorf("line of %d columns: %q", n, line)
		}
	}
	if !strings.HasPrefix(got, "net.dial(network, address [, opts]) -> conn | nil,\n    err\n  Connects to address") {
		t.Errorf("help(net.dial) starts %q", got[:min(len(got), 120)])
	}
	lines := strings.Split(got, "\n")
	if len(lines) < 4 || !strings.HasPrefix(lines[3], "  ") || strings.HasPrefix(lines[3], "  example:") {
		t.Errorf("the summary is not continued on an indented line:\n%s", got)
	}

	flat := helpOutput(t, 0, `help(net.dial)`)
	if n := strings.Count(flat, "\n"); n != 3 {
		t.Errorf("without a width, help(net.dial) is %d lines, want 3:\n%s", n, flat)
	}
}

// TestWrap: words move whole; a word longer than the width keeps a line of
// its own; a text that fits is untouched, spaces and all.
func TestWrap(t *testing.T) {
	for _, c := range []struct {
		text  string
		width int
		want  string
	}{
		{"aa bb cc", 8, "> aa bb\n  cc\n"},
		{"aa  bb", 0, "> aa  bb\n"},
		{"aa  bb", 20, "> aa  bb\n"},
		{"a verylongwordindeed b", 8, "> a\n  verylongwordindeed\n  b\n"},
		{"é é é é", 7, "> é é é\n  é\n"},
	} {
		if got := wrap(c.text, c.width, "> ", "  "); got != c.want {
			t.Errorf("wrap(%q, %d) = %q, want %q", c.text, c.width, got, c.want)
		}
	}
}
