package bindings

import (
	"bytes"
	"errors"
	"io"
	"strings"

	lua "github.com/gonetrepl/gonetrepl/third_party/gopher-lua"
	"github.com/gonetrepl/gonetrepl/third_party/gopher-lua/parse"
)

// Load compiles src as a chunk named name. A syntax error reads as
// lua5.1's: "name:line: message near 'token'" (see parse/check.go).
//
// A chunk whose error is at its end is Incomplete when one more line would
// leave it at the end still (an open block, a call, a long string): the
// REPL then asks for more. One whose last token can never go on over a
// line break ("abc, [=, 0E) is not: its error then moves to that line.
func (rt *Runtime) Load(src io.Reader, name string) (*lua.LFunction, error) {
	code, err := io.ReadAll(src)
	if err != nil {
		return nil, err
	}
	rt.gil.Lock()
	defer rt.gil.Unlock()
	fn, err := rt.L.Load(bytes.NewReader(code), name)
	if err == nil {
		return fn, nil
	}
	se := syntaxError(err)
	if se.AtEnd {
		_, err := rt.L.Load(io.MultiReader(bytes.NewReader(code), strings.NewReader("\n")), name)
		se.Incomplete = err != nil && syntaxError(err).AtEnd
	}
	return nil, se
}

// A SyntaxError is a chunk that does not compile. AtEnd is set when the
// parser stopped at the end of the source, Incomplete when it would still
// stop there with one more line: more lines could complete it (the REPL
// then asks for them). Both are the parser's findings, not read from Msg.
type SyntaxError struct {
	Msg        string
	AtEnd      bool
	Incomplete bool
}

func (e *SyntaxError) Error() string { return e.Msg }

func syntaxError(err error) *SyntaxError {
	var apiErr *lua.ApiError
	if errors.As(err, &apiErr) && apiErr.Cause != nil {
		err = apiErr.Cause
	}
	var pe *parse.Error
	if errors.As(err, &pe) {
		// Lua 5.1's wording: "name:line: message near 'token'". At the
		// end of the source, Load decides whether more lines could help.
		return &SyntaxError{Msg: pe.Error(), AtEnd: pe.Pos.Line == parse.EOF}
	}
	return &SyntaxError{Msg: strings.TrimSpace(err.Error())}
}

// Start runs fn(args...) as a task whose failure is not printed: the caller
// reports it (the main chunk of a script, a REPL line). It keeps its
// sockets open however it ends (see owner.go).
func (rt *Runtime) Start(name string, fn *lua.LFunction, args ...string) *Task {
	rt.gil.Lock()
	defer rt.gil.Unlock()
	values := make([]lua.LValue, len(args))
	for i, a := range args {
		values[i] = lua.LString(a)
	}
	t := rt.spawn(name, fn, values)
	t.silent = true
	t.keepsSockets = true
	return t
}

// SetArgs sets the global arg table as the standalone lua interpreter
// does: arg[0] is the script, arg[1..] its arguments, and negative indices
// hold the interpreter and its options.
func (rt *Runtime) SetArgs(before []string, script string, args []string) {
	rt.gil.Lock()
	defer rt.gil.Unlock()
	t := rt.L.NewTable()
	for i, a := range before {
		t.RawSetInt(i-len(before), lua.LString(a))
	}
	t.RawSetInt(0, lua.LString(script))
	for i, a := range args {
		t.RawSetInt(i+1, lua.LString(a))
	}
	rt.L.SetGlobal("arg", t)
}

// Require loads module as `-l` does: require it and set the global of that
// name to the result.
func (rt *Runtime) Require(module string) *Task {
	rt.gil.Lock()
	fn := rt.L.NewFunction(func(L *lua.LState) int {
		L.Push(L.GetGlobal("require"))
		L.Push(lua.LString(module))
		L.Call(1, 1)
		L.SetGlobal(globalName(module), L.Get(-1))
		return 0
	})
	rt.gil.Unlock()
	return rt.Start("require "+module, fn)
}

// globalName turns a module name into the global -l sets ("a.b" -> "b").
func globalName(module string) string {
	if i := strings.LastIndexAny(module, "./"); i >= 0 {
		module = module[i+1:]
	}
	return strings.Map(func(r rune) rune {
		if r == '_' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' {
			return r
		}
		return '_'
	}, module)
}
