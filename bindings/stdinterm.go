package bindings

// os.stdin_is_terminal: whether the user types the script's input. A
// script that reads commands from stdin (scripts/redis.lua) shows a prompt
// on a terminal and none on a pipe, as redis-cli does.

import lua "github.com/gonetrepl/gonetrepl/third_party/gopher-lua"

func init() {
	osFuncs = append(osFuncs, binding{"stdin_is_terminal", (*Runtime).osStdinIsTerminal,
		"os.stdin_is_terminal() -> boolean",
		"True when stdin is a terminal (at the prompt, or a script run from a terminal), false when it is a pipe, a file or nothing: whether to show a prompt before reading a line with io.read. The same terminal interact needs.",
		`if os.stdin_is_terminal() then io.write("> ") io.flush() end local line = io.read("*l")`})
}

// osStdinIsTerminal reports whether the CLI gave the runtime a terminal:
// it does exactly when stdin is one (the REPL's, or a script's).
func (rt *Runtime) osStdinIsTerminal(L *lua.LState) int {
	rt.mu.Lock()
	term := rt.terminal
	rt.mu.Unlock()
	L.Push(lua.LBool(term != nil))
	return 1
}
