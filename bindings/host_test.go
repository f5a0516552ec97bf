package bindings

import (
	"io"
	"strings"
	"testing"
	"time"

	lua "github.com/gonetrepl/gonetrepl/third_party/gopher-lua"
)

// What the REPL relies on: every Lua way of writing goes through the
// runtime's writers (so through the terminal's), Eval shows results inside
// the task, and help finds entries by value and by name.

func TestIoWriteGoesThroughRuntime(t *testing.T) {
	rt, out := newTestRuntime(t)
	defer rt.Close()
	var stdout, stderr syncBuffer
	rt.SetOutput(&stdout, &stderr)
	task := startChunk(t, rt, `
		print("print")
		io.write("io.write\n")
		io.stdout:write("io.stdout\n")
		io.stderr:write("io.stderr\n")
		io.output():write("io.output\n")`)
	waitTask(t, task)
	if task.Status() != statusDone {
		t.Fatal(task.Err())
	}
	if got, want := stdout.String(), "print\nio.write\nio.stdout\nio.output\n"; got != want {
		t.Errorf("stdout got %q, want %q", got, want)
	}
	if got, want := stderr.String(), "io.stderr\n"; got != want {
		t.Errorf("stderr got %q, want %q", got, want)
	}
	if out.String() != "" {
		t.Errorf("the writers before SetOutput got %q", out.String())
	}
}

func TestEvalShowsResultsInsideTheTask(t *testing.T) {
	rt, _ := newTestRuntime(t)
	defer rt.Close()
	fn, err := rt.Load(strings.NewReader(`return 1, "two", setmetatable({}, {__tostring = function() return "three" end})`), "line")
	if err != nil {
		t.Fatal(err)
	}
	var shown []string
	task := rt.Eval("line", fn, func(L *lua.LState, values []lua.LValue) {
		for _, v := range values {
			shown = append(shown, L.ToStringMeta(v).String()) // runs __tostring: Lua code
		}
	})
	waitTask(t, task)
	if task.Status() != statusDone || strings.Join(shown, ",") != "1,two,three" {
		t.Fatalf("status %s, shown %q: %s", task.Status(), shown, task.Err())
	}

	// An error in a __tostring the show calls fails the line.
	fn, _ = rt.Load(strings.NewReader(`return setmetatable({}, {__tostring = function() error("no tostring") end})`), "line")
	task = rt.Eval("line", fn, func(L *lua.LState, values []lua.LValue) { L.ToStringMeta(values[0]) })
	waitTask(t, task)
	if task.Status() != statusFailed || !strings.Contains(task.Err(), "no tostring") {
		t.Fatalf("status %s, err %q", task.Status(), task.Err())
	}
}

func TestTryLockedGivesUpOnABusyInterpreter(t *testing.T) {
	rt, _ := newTestRuntime(t)
	defer rt.Close()
	// A pure-Lua loop hands the lock on once its time slice is over: the
	// completer gets its turn.
	loop := startChunk(t, rt, "while true do end")
	time.Sleep(50 * time.Millisecond) // the loop holds the lock
	if !rt.TryLocked(time.Second, func(*lua.LState) {}) {
		t.Error("TryLocked did not get a turn beside a pure-Lua loop")
	}
	loop.Cancel()
	waitTask(t, loop)
	// A holder that never ticks (Go code, a step that runs whole): it
	// gives up, and the lock is not left taken behind it.
	rt.gil.Lock()
	if rt.TryLocked(20*time.Millisecond, func(*lua.LState) {}) {
		t.Error("TryLocked ran while the interpreter was held")
	}
	rt.gil.Unlock()
	if !rt.TryLocked(time.Second, func(*lua.LState) {}) {
		t.Error("TryLocked did not run on an idle interpreter")
	}
}

func TestHelp(t *testing.T) {
	rt, out := newTestRuntime(t)
	defer rt.Close()
	task := startChunk(t, rt, `
		help()
		help(net.dial)
		help("conn:read_line")
		local a, b = net.pipe()
		help(a)
		help(time)
		help("no.such")
		help(interact)`)
	waitTask(t, task)
	if task.Status() != statusDone {
		t.Fatal(task.Err())
	}
	got := out.String()
	for _, want := range []string{
		"  net ", "  conn ", "  globals ", // the module list
		"net.dial(network, address [, opts]) -> conn | nil, err\n  Connects to address", "example: c = assert(net.dial(",
		"c:read_line([max] [, opts]) -> line | nil, err\n",
		"  c:set_timeout(secs) -> true\n",      // help(a): the conn methods
		"  time.sleep(secs)\n",                 // help(time)
		`no help for "no.such"`,                //
		"interact(conn)\n  Wires the terminal", // a global
	} {
		if !strings.Contains(got, want) {
			t.Errorf("help output lacks %q:\n%s", want, got)
		}
	}
	// Every documented function of a module is found by its value.
	for _, m := range Docs() {
		if m.Method || m.Name == globalsModule {
			continue
		}
		for _, d := range m.Docs {
			rt2, out2 := newTestRuntime(t)
			task := startChunk(t, rt2, "help("+d.Name+")")
			waitTask(t, task)
			if !strings.HasPrefix(out2.String(), d.Sig+"\n") {
				t.Errorf("help(%s) printed %q", d.Name, out2.String())
			}
			rt2.Close()
		}
	}
}

func TestInteractNeedsATerminal(t *testing.T) {
	rt, _ := newTestRuntime(t)
	defer rt.Close()
	task := startChunk(t, rt, `local a, b = net.pipe(); interact(a)`)
	waitTask(t, task)
	if task.Status() != statusFailed || !strings.Contains(task.Err(), "interact needs a terminal: stdin is not one") {
		t.Fatalf("status %s, err %q", task.Status(), task.Err())
	}
}

// fakeTerminal is a Terminal whose user types nothing: ReadLine waits for
// leave. It counts the ReadLines in progress.
type fakeTerminal struct {
	out     syncBuffer
	reading chan struct{} // gets a value when a ReadLine starts
}

func (f *fakeTerminal) ReadLine(prompt string, leave <-chan struct{}) (string, error) {
	f.reading <- struct{}{}
	<-leave
	return "", ErrDetach
}

func (f *fakeTerminal) Output() io.Writer { return &f.out }

// TestInteractOneAtATime: a second interact while one runs raises; the
// first ends when its peer closes, showing the last bytes, and the
// terminal is free again.
func TestInteractOneAtATime(t *testing.T) {
	rt, _ := newTestRuntime(t)
	defer rt.Close()
	term := &fakeTerminal{reading: make(chan struct{}, 4)}
	rt.SetTerminal(term)
	first := startChunk(t, rt, `a, b = net.pipe(); return interact(a)`)
	<-term.reading
	second := startChunk(t, rt, `local c, d = net.pipe(); interact(c)`)
	waitTask(t, second)
	if second.Status() != statusFailed || !strings.Contains(second.Err(), "another task is interacting") {
		t.Fatalf("second interact: status %s, err %q", second.Status(), second.Err())
	}
	closer := startChunk(t, rt, `b:write("bye") b:close()`)
	waitTask(t, closer)
	waitTask(t, first)
	if first.Status() != statusDone || !strings.HasSuffix(term.out.String(), "bye\n[closed by peer]\n") {
		t.Fatalf("first interact: status %s, err %q, output %q", first.Status(), first.Err(), term.out.String())
	}
	third := startChunk(t, rt, `local c, d = net.pipe(); d:close(); return interact(c)`)
	waitTask(t, third)
	if third.Status() != statusDone {
		t.Fatalf("third interact: status %s, err %q", third.Status(), third.Err())
	}
}
