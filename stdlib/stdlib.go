// Package stdlib holds the Lua modules shipped inside the binary. They are
// written in Lua on top of the bindings (LuaSocket's split: primitives in
// Go, conveniences and protocols in Lua) and found by require.
package stdlib

import (
	"embed"
	"io/fs"
	"strings"

	lua "github.com/gonetrepl/gonetrepl/third_party/gopher-lua"
)

//go:embed *.lua
var files embed.FS

// Names lists the embedded modules.
func Names() []string {
	entries, _ := fs.ReadDir(files, ".")
	var names []string
	for _, e := range entries {
		if name, ok := strings.CutSuffix(e.Name(), ".lua"); ok {
			names = append(names, name)
		}
	}
	return names
}

// Source returns the Lua source of the embedded module name ("http").
func Source(name string) ([]byte, error) {
	return files.ReadFile(name + ".lua")
}

// Preload registers every embedded module in package.preload, so require
// compiles it on first use and not at start-up. Each module's chunk gets
// its name and internal, a table of Go helpers the modules share and users
// do not see (check_options, which checks an options table's keys
// against the shapes the type stubs declare).
func Preload(L *lua.LState, internal *lua.LTable) {
	for _, name := range Names() {
		file := name + ".lua"
		L.PreloadModule(name, func(L *lua.LState) int {
			src, err := files.ReadFile(file)
			if err != nil {
				L.RaiseError("stdlib: %v", err)
			}
			fn, err := L.Load(strings.NewReader(string(src)), "stdlib/"+file)
			if err != nil {
				L.RaiseError("%v", err)
			}
			L.Push(fn)
			L.Push(lua.LString(name))
			L.Push(internal)
			L.Call(2, 1)
			return 1
		})
	}
}
