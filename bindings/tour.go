package bindings

// The tour global: a guided tour of sockets at the prompt. The lessons,
// their checks and the tour's peers are Lua (stdlib/tour.lua,
// stdlib/tour_lessons.lua), loaded on first use so that a run that
// never calls the tour does not compile them; this table is what the
// prompt, help() and the type stubs see.

import (
	"os"
	"path/filepath"

	"github.com/gonetrepl/gonetrepl/internal/dotfile"
	lua "github.com/gonetrepl/gonetrepl/third_party/gopher-lua"
)

const tourSummary = "a guided tour of sockets: 15 lessons, each checked live; tour() starts it (tour.echo, tour.upper, tour.dns, tour.closed are the addresses of its peers)"

var tourFuncs = []binding{
	{"start", tourCall("start"), "tour.start()",
		"Shows the lesson you are on (lesson 1 the first time); tour() does the same. The first call starts the tour's peers in the background, on loopback: an echo server (tour.echo), a server that answers in capitals once the request has ended (tour.upper), a DNS server that knows echo.tour (tour.dns), and a port where nothing listens (tour.closed). Progress is kept in ~/.gonetrepl_tour (beside the history; $GONETREPL_TOUR overrides), mode 0600.",
		`tour.start()`},
	{"check", tourCall("check"), "tour.check() -> done",
		"Looks at what you have done (your variables, found by type whatever their names, and what the tour's peers saw) and prints whether the current lesson is done, or a hint.",
		`tour.check()`},
	{"next", tourCall("next"), "tour.next()", "Shows the next lesson.", `tour.next()`},
	{"back", tourCall("back"), "tour.back()", "Shows the lesson before.", `tour.back()`},
	{"go", tourCall("go"), "tour.go(n)", "Shows lesson n (1 to 15).", `tour.go(3)`},
	{"list", tourCall("list"), "tour.list()", "Lists the lessons, ticking those done and marking the current one.", `tour.list()`},
	{"knock", tourCall("knock"), "tour.knock(addr) -> true | nil, err",
		`Dials addr, writes "knock knock\n", and waits in the background, up to a minute, for a line in answer (lesson 3); nil, err when the dial fails.`,
		`ln = assert(net.listen("tcp", "127.0.0.1:0")); tour.knock(ln:addr()); s = assert(ln:accept()); print(s:read_line())`},
	{"tmp", tourCall("tmp"), "tour.tmp(name) -> path",
		"A fresh path in the system's temporary directory for a file of the lessons (a Unix socket); name is letters, digits, '.', '_' or '-'.",
		`ul = assert(net.listen("unix", tour.tmp("lesson.sock")))`},
}

// tourPeers are the fields of the tour global that give a peer's address.
var tourPeers = map[string]bool{"echo": true, "upper": true, "dns": true, "closed": true}

// openTour makes the tour global: its functions, tour() as tour.start(),
// and the peers' addresses as fields, each starting the peers.
func (rt *Runtime) openTour() {
	L := rt.L
	mod := rt.openModule("tour", tourFuncs)
	mt := L.NewTable()
	L.SetField(mt, "__call", L.NewFunction(func(L *lua.LState) int {
		L.Remove(1) // the tour table itself
		return rt.callTour(L, "start")
	}))
	L.SetField(mt, "__index", L.NewFunction(func(L *lua.LState) int {
		key, ok := L.Get(2).(lua.LString)
		if !ok || !tourPeers[string(key)] {
			return 0
		}
		L.SetTop(0)
		L.Push(key)
		return rt.callTour(L, "peer")
	}))
	L.SetMetatable(mod, mt)
}

// tourCall is a tour function: fn of the Lua module, called with the
// same arguments.
func tourCall(fn string) func(*Runtime, *lua.LState) int {
	return func(rt *Runtime, L *lua.LState) int { return rt.callTour(L, fn) }
}

// callTour calls function fn of the tour's Lua module with the arguments
// on L's stack, and returns its results.
func (rt *Runtime) callTour(L *lua.LState, fn string) int {
	nargs := L.GetTop()
	L.Push(L.GetField(rt.tourModule(L), fn))
	L.Insert(L.Get(-1), 1)
	L.Pop(1)
	L.Call(nargs, lua.MultRet)
	return L.GetTop()
}

// tourModule is the tour's Lua module (stdlib/tour.lua), loaded on first
// use from package.preload, where stdlib.Preload put it, and kept by the
// runtime: require "tour" gives the tour global, as for every module of
// the bindings. The gil must be held.
func (rt *Runtime) tourModule(L *lua.LState) *lua.LTable {
	if rt.tourImpl != nil {
		return rt.tourImpl
	}
	// package.preload, as gopher-lua's PreloadModule finds it.
	var loader lua.LValue = lua.LNil
	if pkg, ok := L.GetField(L.Get(lua.EnvironIndex), "package").(*lua.LTable); ok {
		if preload, ok := L.GetField(pkg, "preload").(*lua.LTable); ok {
			loader = L.GetField(preload, "tour")
		}
	}
	if loader == lua.LNil {
		L.RaiseError("the tour's module is missing from package.preload")
	}
	L.Push(loader)
	L.Push(lua.LString("tour"))
	L.Call(1, 1)
	impl, ok := L.Get(-1).(*lua.LTable)
	L.Pop(1)
	if !ok {
		L.RaiseError("the tour's module did not load")
	}
	rt.tourImpl = impl
	return impl
}

// tourFile is internal.tour_file() for stdlib/tour.lua: where progress is
// kept, or nil when there is no home to keep it in.
func tourFile(L *lua.LState) int {
	if p := dotfile.Tour(); p != "" {
		L.Push(lua.LString(p))
		return 1
	}
	L.Push(lua.LNil)
	return 1
}

// writePrivate is internal.write_private(path, text) -> true | nil, msg:
// writes text to path whole (a temporary file renamed over it), mode
// 0600 whatever the umask, as the history file is.
func writePrivate(L *lua.LState) int {
	path := L.CheckString(1)
	text := L.CheckString(2)
	fail := func(err error) int {
		L.Push(lua.LNil)
		L.Push(lua.LString(err.Error()))
		return 2
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), filepath.Base(path)+".tmp*")
	if err != nil {
		return fail(err)
	}
	_, err = tmp.WriteString(text)
	if err == nil {
		err = tmp.Chmod(0o600)
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp.Name(), path)
	}
	if err != nil {
		os.Remove(tmp.Name())
		return fail(err)
	}
	L.Push(lua.LTrue)
	return 1
}
