package bindings

import (
	"errors"
	"io"
	"sync"
	"time"

	lua "github.com/gonetrepl/gonetrepl/third_party/gopher-lua"
)

// What a host program — the REPL — uses to drive a Runtime: switch its
// output to the terminal, evaluate a line as a task, and look at the Lua
// state between tasks.

// SetOutput sends print, io.write, io.stdout/io.stderr and the errors of
// failed tasks to new writers from now on (the REPL's terminal writer,
// which keeps the typed line intact).
func (rt *Runtime) SetOutput(stdout, stderr io.Writer) {
	rt.stdout.set(stdout)
	rt.stderr.set(stderr)
}

// Eval runs fn as a task, as Start does, and then, still inside the task
// and with the interpreter lock held, hands fn's results to show. So a
// __tostring metamethod that show calls runs as part of the line: Ctrl-C
// stops it like the rest of the line, and an error in it fails the task.
func (rt *Runtime) Eval(name string, fn *lua.LFunction, show func(L *lua.LState, results []lua.LValue)) *Task {
	rt.gil.Lock()
	wrapper := rt.L.NewFunction(func(L *lua.LState) int {
		L.Push(fn)
		L.Call(0, lua.MultRet)
		results := make([]lua.LValue, L.GetTop())
		for i := range results {
			results[i] = L.Get(i + 1)
		}
		show(L, results)
		return 0
	})
	rt.gil.Unlock()
	return rt.Start(name, wrapper)
}

// TryLocked runs fn with the interpreter lock held, if it can take the lock
// within wait; it reports whether fn ran. The completer uses it: a task
// may hold the lock for a time slice, or for ever inside a step that runs
// whole (compiling a huge pattern), and the prompt must not hang on it. fn must not run Lua code (no metamethods): only look at
// values, with raw access.
func (rt *Runtime) TryLocked(wait time.Duration, fn func(L *lua.LState)) bool {
	if !rt.gil.TryLock() && !rt.lockWithin(wait) {
		return false
	}
	defer rt.gil.Unlock()
	fn(rt.L)
	return true
}

// lockWithin takes the interpreter lock if it can within wait, and reports
// whether it did. It waits in Lock, as a task coming back from a blocking
// call does, so that a busy task hands the lock on to it at its next tick
// past its time slice; if the wait runs out first, the lock, once taken,
// is given back at once.
func (rt *Runtime) lockWithin(wait time.Duration) bool {
	const (
		waiting = iota
		taken
		abandoned
	)
	var mu sync.Mutex
	state := waiting
	got := make(chan struct{})
	go func() {
		rt.gil.Lock()
		mu.Lock()
		defer mu.Unlock()
		if state == abandoned {
			rt.gil.Unlock()
			return
		}
		state = taken
		close(got)
	}()
	timer := time.NewTimer(wait)
	defer timer.Stop()
	select {
	case <-got:
		return true
	case <-timer.C:
		mu.Lock()
		defer mu.Unlock()
		if state == taken {
			return true
		}
		state = abandoned
		return false
	}
}

// A Terminal is the user's terminal; interact(conn) reads typed lines
// through it and writes received bytes to Output.
type Terminal interface {
	// ReadLine reads one typed line without its newline. It returns
	// ErrDetach when the user asks to leave (Ctrl-]) and as soon as leave
	// is closed (at once if it is closed already), io.EOF at Ctrl-D on an
	// empty line. Nothing of one call is left for the next: a leave or a
	// Ctrl-] meant for it never ends a later call.
	ReadLine(prompt string, leave <-chan struct{}) (string, error)
	// Output is where received bytes go: above the line being typed.
	Output() io.Writer
}

// ErrDetach is what Terminal.ReadLine returns when the user leaves
// interact with Ctrl-], or when it is told to leave.
var ErrDetach = errors.New("detach")

// SetTerminal makes interact available, reading from term. The REPL sets
// its own; the CLI sets one for a script whose stdin is a terminal.
// Without it, interact raises an error saying stdin is not a terminal.
func (rt *Runtime) SetTerminal(term Terminal) {
	rt.mu.Lock()
	rt.terminal = term
	rt.mu.Unlock()
}
