package lua

// gonetrepl patch: a limit on calls from Go into Lua, as Lua 5.1's
// LUAI_MAXCCALLS.
//
// Lua-to-Lua calls run in the VM's loop and take no Go stack; CallStackSize
// bounds them. But every call from Go into Lua (a metamethod, a pcall, a
// table.sort comparator, a string.gsub callback, a __tostring from
// tostring) runs a new VM loop on the Go stack, and every coroutine resume
// runs the coroutine's loop there too, on a call stack of its own that
// CallStackSize does not count. Nested deep enough (coroutine.wrap inside
// coroutine.wrap, under pcall), they ended in Go's "fatal error: stack
// overflow", which no recover can catch, after gigabytes of stack. Here
// they end in a Lua error, "C stack overflow", as in Lua 5.1.

// MaxCCalls is how deep calls from Go into Lua and coroutine resumes may
// nest on one Go stack: LUAI_MAXCCALLS of Lua 5.1.
const MaxCCalls = 200

// errCStackOverflow is the message of the error past MaxCCalls.
const errCStackOverflow = "C stack overflow"

// enterCCall counts a call from Go into Lua on ls, raising a Lua error past
// MaxCCalls. callR undoes it when the call returns; PCall, when an error
// unwinds it.
func (ls *LState) enterCCall() {
	if ls.nCcalls >= MaxCCalls {
		ls.RaiseError(errCStackOverflow)
	}
	ls.nCcalls++
}

// enterResume prepares th to be resumed by ls: th's loop runs one level
// deeper on ls's Go stack. It returns the error message if that is past
// MaxCCalls, "" otherwise.
func (ls *LState) enterResume(th *LState) string {
	if ls.nCcalls >= MaxCCalls {
		return errCStackOverflow
	}
	th.nCcalls = ls.nCcalls + 1
	th.baseCcalls = th.nCcalls
	return ""
}

// checkYield raises an error when a coroutine yields from inside a call
// from Go (a metamethod, pcall, an iterator, a sort comparator): the Go
// code that made that call would go on as if it had returned, with the
// coroutine suspended under it. Lua 5.1 refuses the same.
func (ls *LState) checkYield() {
	if ls.Parent != nil && ls.nCcalls > ls.baseCcalls {
		ls.RaiseError("attempt to yield across metamethod/C-call boundary")
	}
}

// NestUnder makes th count its calls from Go as nested under ls's, for a
// thread that Go code runs on the Go stack that is running ls: the limit
// then holds across both.
func (th *LState) NestUnder(ls *LState) {
	th.nCcalls = ls.nCcalls + 1
	th.baseCcalls = th.nCcalls
}
