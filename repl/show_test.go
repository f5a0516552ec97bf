package repl

import (
	"fmt"
	"runtime"
	"strings"
	"testing"

	"github.com/fatih/color"
	lua "github.com/gonetrepl/gonetrepl/third_party/gopher-lua"

	"github.com/gonetrepl/gonetrepl/bindings"
	"github.com/gonetrepl/gonetrepl/internal/textesc"
)

// showLine evaluates src as a prompt line would and returns what it shows.
func showLine(t *testing.T, rt *bindings.Runtime, src string) string {
	t.Helper()
	c, err := compile(rt, strings.Split(src, "\n"))
	if err != nil {
		t.Fatalf("%s: %v", src, err)
	}
	var shown string
	task := rt.Eval("test", c.fn, func(L *lua.LState, values []lua.LValue) { shown = show(L, values) })
	<-task.Done()
	if task.Status() != "done" {
		t.Fatalf("%s: %s", src, task.Err())
	}
	return shown
}

func TestShow(t *testing.T) {
	color.NoColor = true
	rt := bindings.New(bindings.Options{})
	defer rt.Close()
	for _, c := range []struct{ src, want string }{
		{"1+1", "2"},
		{"1, 'a', nil, true", `1	"a"	nil	true`},
		{"=nil", "nil"},
		{"{}", "{}"},
		{"{1, 2, 3}", "{1, 2, 3}"},
		{"{1, nil, 3}", "{1, [3] = 3}"},
		{`{b = 1, a = 2, [1.5] = 3, ["not id"] = 4, ["end"] = 5}`, `{[1.5] = 3, a = 2, b = 1, ["end"] = 5, ["not id"] = 4}`},
		{`"tab\tnl\nq\"bs\\"`, `"tab\tnl\nq\"bs\\"`},
		{`"\0\1\2003"`, `"\0\1\2003"`},
		{`"héllo"`, `"héllo"`},
		{`"\255\254"`, `"\255\254"`},
		{"(function() local t = {} t.t = t return t end)()", "{t = <cycle>}"},
		{"{{{{{{{}}}}}}}", "{{{{{{…}}}}}}"},
		{"setmetatable({}, {__tostring = function() return 'custom' end})", "custom"},
		{`(net.pipe())`, "<pipe conn pipe -> pipe>"},
	} {
		if got := showLine(t, rt, c.src); got != c.want {
			t.Errorf("%s shows %q, want %q", c.src, got, c.want)
		}
	}
	// A big table goes over several lines, and stops at maxEntries.
	got := showLine(t, rt, "local t = {} for i = 1, 150 do t[i] = i * 1000 end return t")
	if !strings.HasPrefix(got, "{\n  1000,\n") || !strings.HasSuffix(got, "  …50 more,\n}") {
		t.Errorf("a long list shows as:\n%s", got)
	}
	// A long binary string at the top is a hexdump; nested, it is cut.
	got = showLine(t, rt, `string.rep("\0\1", 40)`)
	if !strings.HasPrefix(got, "<80 bytes>\n00000000  00 01 00 01") || !strings.HasSuffix(got, "\n*\n00000050") {
		t.Errorf("80 binary bytes show as:\n%s", got)
	}
	// A long string at the top is a view: its size, its first and last
	// bytes, how to see the rest.
	got = showLine(t, rt, `string.rep("\0\1\2", 2^20)`)
	if !strings.HasPrefix(got, "<3145728 bytes: the first 256 and the last 128 follow; bin.hexdump(s:sub(i, j)) shows bytes i to j, print(s) writes them all>\n00000000  00 01 02") ||
		!strings.Contains(got, "\n000000f0  00 01 02 00 01 02 00 01  02 00 01 02 00 01 02 00  |................|\n…\n002fff80  01 02 00") ||
		!strings.HasSuffix(got, "\n002ffff0  02 00 01 02 00 01 02 00  01 02 00 01 02 00 01 02  |................|\n00300000") {
		t.Errorf("3 MiB of binary shows as:\n%s", got)
	}
	got = showLine(t, rt, `string.rep("abc", 2^20)`)
	want := "<3145728 bytes: the first 2048 and the last 512 follow; print(s) writes them all, s:sub(i, j) shows bytes i to j>\n" +
		`"` + strings.Repeat("abc", 683)[:2048] + `"…` + "\n" + `…"` + strings.Repeat("abc", 171)[1:] + `"`
	if got != want {
		t.Errorf("3 MiB of text shows as %d bytes:\n%s", len(got), got)
	}
	// A cut does not split a character.
	got = showLine(t, rt, `"a" .. string.rep("é", 2^12)`)
	if !strings.Contains(got, `"a`+strings.Repeat("é", 1023)+`"…`) || !strings.Contains(got, `…"`+strings.Repeat("é", 256)+`"`) || strings.Contains(got, `\`) {
		t.Errorf("a long text of two-byte characters shows as:\n%s", got)
	}
	got = showLine(t, rt, `{string.rep("x", 300)}`)
	if !strings.Contains(got, `xxx"…(300 bytes)`) || strings.Count(got, "x") != maxNestedText {
		t.Errorf("a long nested string shows as %q", got)
	}
}

// Every byte value survives quote: the literal, read back by Lua, is the
// same string.
func TestQuoteReadsBack(t *testing.T) {
	var all strings.Builder
	for i := range 256 {
		all.WriteByte(byte(i))
		all.WriteString("7") // a digit after each: escapes must not swallow it
	}
	all.WriteString("日本")
	s := all.String()
	L := lua.NewState()
	defer L.Close()
	if err := L.DoString("return " + textesc.Quote(s)); err != nil {
		t.Fatal(err)
	}
	if got := L.Get(-1).String(); got != s {
		t.Fatalf("quote does not read back:\n got %q\nwant %q", got, s)
	}
}

func TestCompleteIncomplete(t *testing.T) {
	rt := bindings.New(bindings.Options{})
	defer rt.Close()
	for _, c := range []struct {
		lines      []string
		incomplete bool
		err        string
	}{
		{[]string{"function f()"}, true, ""},
		{[]string{"function f()", "return 1"}, true, ""},
		{[]string{"function f()", "return 1", "end"}, false, ""},
		{[]string{"x = {"}, true, ""},
		{[]string{"s = [[long"}, true, ""},
		{[]string{`s = "unfinished`}, false, "stdin:1: unfinished string near '<eof>'"},
		{[]string{`s = "go on \`}, true, ""},
		{[]string{`s = "go on \`, `here"`}, false, ""},
		// No line can complete these (found by FuzzChunk): the error is
		// shown at once instead of a >> prompt.
		{[]string{"x = [="}, false, "stdin:1: invalid long string delimiter near '[='"},
		{[]string{"A 0E"}, false, "stdin:"},
		{[]string{"x = = 1"}, false, "stdin:1: unexpected symbol near '='"},
		{[]string{"end"}, false, "stdin:1: '<eof>' expected near 'end'"},
	} {
		_, err := compile(rt, c.lines)
		var syn *bindings.SyntaxError
		isSyn := asSyntax(err, &syn)
		switch {
		case c.incomplete && !(isSyn && syn.Incomplete):
			t.Errorf("%q: want incomplete, got %v", c.lines, err)
		case !c.incomplete && c.err == "" && err != nil:
			t.Errorf("%q: %v", c.lines, err)
		case c.err != "" && (err == nil || syn == nil || syn.Incomplete || !strings.Contains(err.Error(), c.err)):
			t.Errorf("%q: want error %q, got %v", c.lines, c.err, err)
		}
	}
}

func asSyntax(err error, syn **bindings.SyntaxError) bool {
	s, ok := err.(*bindings.SyntaxError)
	*syn = s
	return ok
}

func TestCompletion(t *testing.T) {
	rt := bindings.New(bindings.Options{})
	defer rt.Close()
	fn, _ := rt.Load(strings.NewReader(`
		a, b = net.pipe()
		obj = setmetatable({field = 1}, {__index = {method_one = function() end, method_two = function() end}})
		deep = {inner = {value = 1, victory = 2}}`), "setup")
	task := rt.Start("setup", fn)
	<-task.Done()
	c := completer{rt}
	for _, tc := range []struct {
		line string
		want []string
	}{
		{"net.dia", []string{"l"}},
		{"x = net.li", []string{"sten", "sten_multicast", "sten_packet"}},
		{"a:set_t", []string{"imeout"}},
		{"a:clo", []string{"se", "se_read", "se_write"}},
		{"obj:meth", []string{"od_one", "od_two"}},
		{"deep.inner.v", []string{"alue", "ictory"}},
		{"whil", []string{"e"}},
		{"nosuch.x", nil},
	} {
		got, n := c.Do([]rune(tc.line), len([]rune(tc.line)))
		var words []string
		for _, g := range got {
			words = append(words, string(g))
		}
		if strings.Join(words, " ") != strings.Join(tc.want, " ") {
			t.Errorf("%q completes to %q, want %q", tc.line, words, tc.want)
		}
		if prefix := tc.line[strings.LastIndexAny(tc.line, " .:")+1:]; len(got) > 0 && n != len(prefix) {
			t.Errorf("%q: prefix length %d, want %d", tc.line, n, len(prefix))
		}
	}
}

func TestJoinable(t *testing.T) {
	if !joinable([]string{"function f()", "return 1", "end"}) {
		t.Error("a plain function is not joinable")
	}
	for _, lines := range [][]string{{"x = 1 -- c", "y = 2"}, {"s = [[a", "b]]"}} {
		if joinable(lines) {
			t.Errorf("%q is joinable", lines)
		}
	}
}

// The API reference describes the prompt with figures that live here.
func TestPromptSectionTrue(t *testing.T) {
	doc := bindings.Markdown()
	for _, want := range []string{
		fmt.Sprintf("binary string over %d bytes", maxEscaped),
		fmt.Sprintf("a string over %d bytes shows its size, its first\n  %d and last %d bytes", maxWholeText, headText, tailText),
		fmt.Sprintf("a binary one over %d bytes: its first %d and last %d", maxWholeDump, headDump, tailDump),
		fmt.Sprintf("show %d KiB or so", lineBudget>>10),
		fmt.Sprintf("below depth %d", maxDepth),
		fmt.Sprintf("at most %d entries", maxEntries),
		fmt.Sprintf("the last %d\n  entries", historyKeep),
		"continuation prompt `" + strings.TrimSpace(promptContinue) + "`",
	} {
		if !strings.Contains(doc, want) {
			t.Errorf("the API reference's prompt section does not say %q", want)
		}
	}
}

// A value whose __tostring raises, loops or returns no string still shows,
// as its plain text and the reason, and the line ends normally: the prompt
// calls __tostring protected and bounded (bindings.Text). A raising one
// failed the line; a looping one held the prompt and every task for ever.
func TestShowToStringThatFails(t *testing.T) {
	color.NoColor = true
	rt := bindings.New(bindings.Options{})
	defer rt.Close()
	for _, c := range []struct{ src, want string }{
		{`setmetatable({}, {__tostring = function() error("boom", 0) end})`, " (__tostring failed: boom)"},
		{`setmetatable({}, {__tostring = function() while true do end end})`, " (__tostring did not finish in 500ms)"},
		{`setmetatable({}, {__tostring = function() return {} end})`, " (__tostring returned a table, not a string)"},
		{`{setmetatable({}, {__tostring = error}), 1}`, " (__tostring failed: "},
		{`newproxy and 1 or 1, setmetatable({}, {__tostring = function() coroutine.yield() end})`, "1\ttable: 0x"},
		// One budget for the line, not one for each value.
		{`local t, x = {}, setmetatable({}, {__tostring = function() while true do end end})
		  for i = 1, 50 do t[i] = x end return t`, "did not finish"},
	} {
		got := showLine(t, rt, c.src)
		if !strings.Contains(got, c.want) || !strings.Contains(got, "table: 0x") {
			t.Errorf("%s shows %q, want it to contain %q", c.src, got, c.want)
		}
	}
}

// Tables nested deeper than the printer goes (a million levels, built in a
// loop) show as a bounded marker: the printer's recursion stops at
// maxDepth, whatever the depth.
func TestShowDeepNesting(t *testing.T) {
	color.NoColor = true
	rt := bindings.New(bindings.Options{})
	defer rt.Close()
	got := showLine(t, rt, "local t = {} for i = 1, 1000000 do t = {t} end return t")
	if got != "{{{{{{…}}}}}}" {
		t.Errorf("a million nested tables show as %q", got)
	}
}

// Showing a big value at the prompt costs a bounded view, whatever its
// size: what c:read_all() returns (16 MiB of binary) was a hexdump of its
// first MiB, 5 MB of text, and a million-entry table was copied whole to
// be sorted. What each shows is under 16 KiB, and what showing it
// allocates (runtime.MemStats.TotalAlloc: every byte, whenever collected)
// under 1 MiB; print still writes every byte.
func TestShowBoundsBigValues(t *testing.T) {
	color.NoColor = true
	rt := bindings.New(bindings.Options{})
	defer rt.Close()
	showLine(t, rt, `
		local p = {} for i = 0, 2^16 - 1 do p[i + 1] = string.char(i % 256, math.floor(i / 256)) end
		bin16 = string.rep(table.concat(p), 128) -- no two lines of its hexdump alike
		text16 = string.rep("0123456789abcde\n", 2^20)
		hash = {} for i = 1, 2^20 do hash["k" .. i] = i end
		list = {} for i = 1, 2^20 do list[i] = i end
		many = {} for i = 1, 5000 do many[i] = "value " .. i end`)
	for _, c := range []struct {
		src  string
		want []string
	}{
		{"bin16", []string{"<16777216 bytes: the first 256 and the last 128 follow; bin.hexdump(s:sub(i, j)) shows bytes i to j, print(s) writes them all>\n00000000  00 00 01 00 02 00 03 00",
			"\n000000f0  78 00 79 00", "|x.y.z.{.|.}.~...|\n…\n00ffff80  c0 ff c1 ff", "\n00fffff0  f8 ff f9 ff fa ff fb ff  fc ff fd ff fe ff ff ff  |................|\n01000000"}},
		{"text16", []string{"<16777216 bytes: the first 2048 and the last 512 follow; print(s) writes them all, s:sub(i, j) shows bytes i to j>\n\"0123456789abcde\\n",
			`0123456789abcde\n"`}},
		{"hash", []string{"  k1 = 1,\n  k10 = 10,\n  k100 = 100,\n  k1000 = 1000,\n", "  …1048476 more,\n}"}},
		{"list", []string{"{\n  1,\n  2,\n", "  100,\n  …1048476 more,\n}"}},
		{"unpack(many)", []string{`"value 1"	"value 2"`, " more values"}},
		{"{bin16, text16}", []string{"{\n  \"\\0\\0\\1\\0\\2\\0", "\"…(16777216 bytes),\n  \"0123456789abcde\\n"}},
	} {
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		got := showLine(t, rt, c.src)
		runtime.ReadMemStats(&after)
		if len(got) >= 16<<10 {
			t.Errorf("%s shows %d bytes:\n%.2000s", c.src, len(got), got)
		}
		if alloc := after.TotalAlloc - before.TotalAlloc; alloc >= 1<<20 {
			t.Errorf("showing %s allocated %d bytes", c.src, alloc)
		}
		for _, w := range c.want {
			if !strings.Contains(got, w) {
				t.Errorf("%s shows, without %q:\n%.3000s", c.src, w, got)
			}
		}
	}
}

// Nested tables share one budget for the line: five levels of 100 entries,
// each the same table, were 10^10 entries to show (maxEntries bounds each
// table alone), and the prompt never came back.
func TestShowSharedTablesBounded(t *testing.T) {
	color.NoColor = true
	rt := bindings.New(bindings.Options{})
	defer rt.Close()
	got := showLine(t, rt, `local t = {} for d = 1, 5 do local u = {} for i = 1, 100 do u[i] = t end t = u end return t`)
	if len(got) >= 16<<10 || !strings.HasPrefix(got, "{\n  {\n    {\n      {\n        {\n          {…},\n") || !strings.HasSuffix(got, " more,\n}") {
		t.Errorf("shared tables show as %d bytes:\n%.3000s", len(got), got)
	}
}

// Scanning a big table to show it is charged as work (L.Charge), a unit an
// entry: at each tick on the way the line hands the lock to the other
// tasks once it has had its time slice, and Ctrl-C stops it.
func TestShowChargesTableScan(t *testing.T) {
	color.NoColor = true
	rt := bindings.New(bindings.Options{})
	defer rt.Close()
	showLine(t, rt, `hash = {} for i = 1, 2^18 do hash["k" .. i] = i end list = {} for i = 1, 2^18 do list[i] = i end`)
	for _, name := range []string{"hash", "list"} {
		c, err := compile(rt, []string{name})
		if err != nil {
			t.Fatal(err)
		}
		var work int64
		task := rt.Eval("test", c.fn, func(L *lua.LState, values []lua.LValue) {
			before := L.Work()
			show(L, values)
			work = L.Work() - before
		})
		<-task.Done()
		if work < 1<<18 {
			t.Errorf("showing %s (2^18 entries) charged %d units of work", name, work)
		}
	}
}
