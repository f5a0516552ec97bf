package bindings

// Lua 5.2/5.3's table.pack and table.unpack, added to Lua 5.1's table
// library because people type them by habit. table.unpack is also the
// global unpack (the same function), so that table.unpack == unpack.

import (
	"math"

	lua "github.com/gonetrepl/gonetrepl/third_party/gopher-lua"
)

const tableSummary = "Lua 5.2's table.pack and table.unpack, added to the table library (unpack is table.unpack)"

// maxResults caps the values one call returns (table.unpack,
// utf8.codepoint): the interpreter's stack holds 262,144 values in all
// (luaOptions.RegistryMaxSize), shared by every frame of the task, and
// passing the results on through a Go function (pcall, print) copies
// them once more. Lua 5.1's unpack stopped at 8,000, Lua 5.3's at about a
// million.
const maxResults = 100_000

var tableFuncs = []binding{
	{"pack", (*Runtime).tablePack, "table.pack(...) -> t",
		"A table with the arguments at 1, 2, … and their count in field n (nils included).",
		`local t = table.pack(f()); for i = 1, t.n do print(t[i]) end`},
	{"unpack", (*Runtime).tableUnpack, "table.unpack(list [, i [, j]]) -> ...",
		"list[i], list[i+1], …, list[j] (i defaults to 1, j to #list); the global unpack is the same function. At most 100,000 values, else \"too many results to unpack\".",
		`local a, b = table.unpack({1, 2})`},
}

func (rt *Runtime) tablePack(L *lua.LState) int {
	n := L.GetTop()
	t := L.CreateTable(n, 1)
	for i := 1; i <= n; i++ {
		t.RawSetInt(i, L.Get(i))
	}
	t.RawSetString("n", lua.LNumber(n))
	L.Push(t)
	return 1
}

// argIndex reads an optional index as Lua 5.1's unpack does (a fraction
// is truncated); def if nil. Any finite number is taken, clamped to
// ±2^53, so that the count below cannot overflow.
func argIndex(L *lua.LState, n int, name string, def int64) int64 {
	if L.Get(n) == lua.LNil {
		return def
	}
	f := math.Trunc(argNumber(L, n, name))
	return int64(max(min(f, 1<<53), -(1 << 53)))
}

func (rt *Runtime) tableUnpack(L *lua.LState) int {
	t, ok := L.Get(1).(*lua.LTable)
	if !ok {
		expected(L, 1, "list", "table")
	}
	i := argIndex(L, 2, "i", 1)
	var j int64
	if L.Get(3) == lua.LNil {
		j = int64(t.Len())
	} else {
		j = argIndex(L, 3, "j", 0)
	}
	if i > j {
		return 0
	}
	if j-i >= maxResults {
		L.RaiseError("too many results to unpack (at most %d)", maxResults)
	}
	for k := i; k <= j; k++ {
		L.Push(t.RawGetInt(int(k)))
	}
	return int(j - i + 1)
}
