package bindings

import (
	"bytes"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	lua "github.com/gonetrepl/gonetrepl/third_party/gopher-lua"

	"github.com/gonetrepl/gonetrepl/internal/peer"
)

// The Lua tests: each testdata/*_test.lua file defines global functions
// named Test*; each runs as a subtest, in name order, in a fresh runtime,
// as a task, the way a user's script runs. A test passes when its function
// returns and no other task it started failed.

func TestLua(t *testing.T) {
	files, err := filepath.Glob("testdata/*_test.lua")
	if err != nil || len(files) == 0 {
		t.Fatalf("no Lua tests found: %v", err)
	}
	for _, file := range files {
		base := strings.TrimSuffix(filepath.Base(file), "_test.lua")
		t.Run(base, func(t *testing.T) {
			t.Parallel()
			var globals map[string]string
			if setup := luaSetup[base]; setup != nil {
				globals = setup(t)
			}
			for _, name := range luaTestNames(t, file) {
				t.Run(name, func(t *testing.T) { runLuaTest(t, file, name, globals) })
			}
		})
	}
}

// luaSetup holds, by file name without "_test.lua", a function run once
// before that file's tests (to start a server they talk to, say); the
// string globals it returns are set for each of them.
var luaSetup = map[string]func(t *testing.T) map[string]string{}

// luaTestNames loads file and lists its Test* globals, sorted.
func luaTestNames(t *testing.T, file string) []string {
	rt, _ := newTestRuntime(t)
	defer rt.Close()
	loadLuaFile(t, rt, file)
	var names []string
	rt.gil.Lock()
	rt.L.G.Global.ForEach(func(k, v lua.LValue) {
		if s, ok := k.(lua.LString); ok && strings.HasPrefix(string(s), "Test") && v.Type() == lua.LTFunction {
			names = append(names, string(s))
		}
	})
	rt.gil.Unlock()
	sort.Strings(names)
	if len(names) == 0 {
		t.Fatalf("%s defines no Test* function", file)
	}
	return names
}

// syncBuffer collects a runtime's output for the test log.
type syncBuffer = peer.SyncBuffer

func newTestRuntime(t *testing.T) (*Runtime, *syncBuffer) {
	out := &syncBuffer{}
	rt := New(Options{Stdout: out, Stderr: out})
	preloadTestHelp(t, rt)
	return rt, out
}

// testHelpFile holds the helpers the Lua tests share, as require "testhelp".
const testHelpFile = "testdata/testhelp.lua"

func preloadTestHelp(t testing.TB, rt *Runtime) {
	fn := loadCompiled(t, rt, testHelpFile)
	rt.gil.Lock()
	defer rt.gil.Unlock()
	preload := rt.L.GetField(rt.L.GetGlobal("package"), "preload")
	rt.L.SetField(preload, "testhelp", fn)
	rt.L.SetGlobal("work", rt.L.NewFunction(luaWork))
}

// compiled holds, by file name, the compiled chunk of each Lua file the
// tests load: a file is parsed and compiled once, not again for each of
// its tests (and testhelp.lua once, not for each of the 473). A function
// proto is not changed by running it, and gopher-lua shares one between
// states (NewFunctionFromProto); each test still runs the chunk afresh, in
// its own runtime.
var compiled sync.Map // file name -> *lua.FunctionProto

// loadCompiled returns file's main chunk as a function of rt, compiling
// the file on first use (with rt.Load, as a script is).
func loadCompiled(t testing.TB, rt *Runtime, file string) *lua.LFunction {
	if proto, ok := compiled.Load(file); ok {
		rt.gil.Lock()
		defer rt.gil.Unlock()
		return rt.L.NewFunctionFromProto(proto.(*lua.FunctionProto))
	}
	src, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	fn, err := rt.Load(bytes.NewReader(src), file)
	if err != nil {
		t.Fatal(err)
	}
	compiled.Store(file, fn.Proto)
	return fn
}

// luaWork is the tests' work(): the work the state has done so far (VM
// instructions, pattern steps, what Go builtins charge; see the vendored
// gopher-lua's ticks.go). Deterministic for one task: growth tests compare
// a parser's work on inputs of n and 8n bytes, never its time.
func luaWork(L *lua.LState) int {
	L.Push(lua.LNumber(L.Work()))
	return 1
}

// loadLuaFile runs file's main chunk (which defines the tests) to its end.
func loadLuaFile(t *testing.T, rt *Runtime, file string) {
	fn := loadCompiled(t, rt, file)
	task := rt.Start("load "+file, fn)
	<-task.Done()
	if task.Status() != statusDone {
		t.Fatalf("loading %s: %s", file, task.Err())
	}
}

// luaTestTimeout bounds one Lua test; a test that hangs fails with it.
const luaTestTimeout = 60 * time.Second

func runLuaTest(t *testing.T, file, name string, globals map[string]string) {
	rt, out := newTestRuntime(t)
	rt.gil.Lock()
	for k, v := range globals {
		rt.L.SetGlobal(k, lua.LString(v))
	}
	rt.gil.Unlock()
	defer func() {
		if t.Failed() && out.String() != "" {
			t.Logf("output:\n%s", out.String())
		}
	}()
	defer rt.Close()
	loadLuaFile(t, rt, file)
	rt.gil.Lock()
	fn := rt.L.GetGlobal(name).(*lua.LFunction)
	allowTaskErrors := false
	task := rt.spawn(name, fn, []lua.LValue{rt.luaT(t, &allowTaskErrors)})
	task.silent = true
	rt.gil.Unlock()
	select {
	case <-task.Done():
	case <-time.After(luaTestTimeout):
		rt.Close()
		t.Fatalf("%s did not finish in %v", name, luaTestTimeout)
	}
	if task.Status() != statusDone {
		t.Fatalf("%s", task.Err()+"\n"+task.Trace())
	}
	rt.gil.Lock()
	allowed := allowTaskErrors
	rt.gil.Unlock()
	if rt.Failed() && !allowed {
		t.Fatalf("a task started by %s failed (see output)", name)
	}
}

// luaT is the t argument of a Lua test: t:log(...), t:tempdir(), t:name(),
// and t:allow_task_errors() for a test whose tasks fail on purpose.
func (rt *Runtime) luaT(t *testing.T, allowTaskErrors *bool) *lua.LTable {
	L := rt.L
	tt := L.NewTable()
	L.SetField(tt, "log", L.NewFunction(func(L *lua.LState) int {
		parts := make([]string, 0, L.GetTop()-1)
		for i := 2; i <= L.GetTop(); i++ {
			parts = append(parts, L.ToStringMeta(L.Get(i)).String())
		}
		t.Log(strings.Join(parts, "\t"))
		return 0
	}))
	L.SetField(tt, "tempdir", L.NewFunction(func(L *lua.LState) int {
		L.Push(lua.LString(t.TempDir()))
		return 1
	}))
	L.SetField(tt, "allow_task_errors", L.NewFunction(func(L *lua.LState) int {
		*allowTaskErrors = true
		return 0
	}))
	L.SetField(tt, "name", L.NewFunction(func(L *lua.LState) int {
		L.Push(lua.LString(t.Name()))
		return 1
	}))
	return tt
}
