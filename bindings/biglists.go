package bindings

// Lua lists built from big Go slices. A binding that makes one table per
// item of a file's or a peer's input (read_transcript's events, up to a
// million; cap:streams()'s chunks; os.list_dir's names, up to 1,048,576)
// builds with the interpreter lock held, and used to hold it for the
// whole list: every other task (a server's handlers, a ticker) waited.
// Now each builder charges its work to the calling thread as it goes
// (lua.LState.Charge, as the string library charges its copies): every
// lua.TickEvery units the thread ticks, and the runtime's tick (gil.go)
// hands the lock to the waiting tasks once the time slice has passed, and
// stops the builder with a Lua error if its task was canceled meanwhile.
//
// At a charge other tasks may run. What a builder has half built is
// reachable only from its Go locals, and what it reads must not change
// under it: it keeps its own reference to the source (a capture closed
// meanwhile still finishes the list it began).

import (
	lua "github.com/gonetrepl/gonetrepl/third_party/gopher-lua"
)

// chargeBytesPerUnit is the bytes a builder copies for one unit of work,
// as the vendored gopher-lua counts string.rep's and table.concat's.
const chargeBytesPerUnit = 256

// chargeItem charges the building of one item that copied n bytes.
func chargeItem(L *lua.LState, n int) { L.Charge(1 + n/chargeBytesPerUnit) }

// luaStrings is the Lua list of ss (os.list_dir's names, a lookup's
// answers), charged a unit a string.
func luaStrings(L *lua.LState, ss []string) *lua.LTable {
	t := L.CreateTable(len(ss), 0)
	for i, s := range ss {
		t.RawSetInt(i+1, lua.LString(s))
		L.Charge(1)
	}
	return t
}
