// Package bindings exposes Go's net package and a task runtime to Lua.
//
// One Lua state serves many tasks. Each task is a goroutine running its own
// Lua thread; a single interpreter lock (the gil) is held while Lua runs and
// released only around blocking Go calls, so Lua code needs no locks and a
// blocking call anywhere in Lua (inside pcall, metamethods, iterators) blocks
// only its own task. See ../SPEC.md, "Concurrency model".
package bindings

import (
	"context"
	"io"
	"os"
	"sync"
	"sync/atomic"
	"time"

	lua "github.com/gonetrepl/gonetrepl/third_party/gopher-lua"

	"github.com/gonetrepl/gonetrepl/stdlib"
)

// Options configure a Runtime.
type Options struct {
	Stdout io.Writer // where print and task output go (default os.Stdout)
	Stderr io.Writer // where errors of failed tasks go (default os.Stderr)
	// FirstResource, if set, is called once, when the runtime first holds
	// something that Close must release (a listener, a packet socket, a
	// Unix socket's file): the CLI installs its signal handlers then, not
	// at start-up.
	FirstResource func()
	// Width, if set, gives the terminal's width in columns, or 0 when
	// output is not a terminal: help wraps its entries to it.
	Width func() int
}

// Runtime is one Lua state and the tasks running on it.
type Runtime struct {
	// L is the root state. Lua code never runs on it directly: every chunk
	// runs as a task on a thread of it. Touch it only with the gil held.
	L   *lua.LState
	gil *gil
	// nowWrite is the non-blocking write of the lock's holder (writeNow).
	nowWrite *nowWriter
	// held is the first conn holding written bytes, linked through
	// held.next, and heldSince when the oldest was held (heldwrite.go);
	// gil held.
	held      *Conn
	heldSince time.Duration

	stdout *lockedWriter
	stderr *lockedWriter

	firstResource     func() // Options.FirstResource
	firstResourceOnce sync.Once
	insecureWarning   sync.Once // see tls_options.go

	mu        sync.Mutex // guards the fields below; never held while waiting
	tasks     map[int64]*Task
	nextID    int64
	allDone   chan struct{}          // closed when the last live task ends
	closers   map[io.Closer]bool     // listeners to close on shutdown
	exitCode  chan int               // os.exit requests
	classes   map[string]*lua.LTable // metatables built so far, by class name
	classDefs map[string]*class      // every class, by name
	// classTostring maps each class's own __tostring to its class, so
	// that Go code can describe a value of it without running Lua (text.go).
	classTostring map[*lua.LFunction]*class
	closed        bool
	tourImpl      *lua.LTable // the tour's Lua module, once loaded (tour.go); gil held
	terminal      Terminal    // for interact: the REPL's, or a script's stdin terminal; nil when stdin is not a terminal
	interacting   bool        // a task is in interact
	helpIdx       *helpIndex  // built by the first help() call (gil held)
	width         func() int  // Options.Width
	trace         traceState  // net.trace's mode, shared by every socket
	// uncollected counts the tasks that failed with nobody to take their
	// error: not collected by t:wait(), not a serve handler ended by its
	// conn. Any makes a script's exit status 1.
	uncollected atomic.Int64

	// closing is canceled by Close: it stops what Go code runs in Lua on
	// its own account (a __tostring describing an error, see text.go).
	closing  context.Context
	closeAll context.CancelFunc
}

// luaOptions keep a task thread small while allowing 5000-deep recursion
// (see SPEC.md). A RegistrySize under 128 is silently replaced by 5120 by
// NewState, and without RegistryMaxSize the registry cannot grow.
var luaOptions = lua.Options{
	CallStackSize:       6000,
	RegistrySize:        128,
	RegistryMaxSize:     256 * 1024,
	RegistryGrowStep:    64,
	MinimizeStackMemory: true,
}

// taskRegistrySize is the Lua value stack a task's thread starts with: 16
// slots (256 bytes) instead of NewState's 128 save 1.7 KB per task, and the
// vendored gopher-lua grows a registry at least twofold when a call needs
// more. A served connection's echo loop fits in 16; 32 cost a parked
// connection 256 bytes more (BenchmarkConnMemory).
const taskRegistrySize = 16

// New makes a Runtime with the standard Lua libraries, the bindings and the
// embedded stdlib modules loaded.
func New(opts Options) *Runtime {
	if opts.Stdout == nil {
		opts.Stdout = os.Stdout
	}
	if opts.Stderr == nil {
		opts.Stderr = os.Stderr
	}
	rt := &Runtime{
		nowWrite:  newNowWriter(),
		L:         lua.NewState(withSkipLibs(luaOptions)),
		stdout:    &lockedWriter{w: opts.Stdout},
		stderr:    &lockedWriter{w: opts.Stderr},
		tasks:     map[int64]*Task{},
		closers:   map[io.Closer]bool{},
		exitCode:  make(chan int, 1),
		classes:   map[string]*lua.LTable{},
		classDefs: map[string]*class{},

		classTostring: map[*lua.LFunction]*class{},

		firstResource: opts.FirstResource,
		width:         opts.Width,
		gil:           newGil(),
	}
	rt.closing, rt.closeAll = context.WithCancel(context.Background())
	// NewThread copies the root's options: tasks start with a smaller
	// registry than NewState allows (it replaces sizes under 128).
	rt.L.Options.RegistrySize = taskRegistrySize
	rt.trace.out = rt.stderr
	rt.gil.Lock()
	defer rt.gil.Unlock()
	rt.openLibs()
	rt.L.G.Tick = rt.tick
	rt.L.G.Unlocked = func(L *lua.LState, work func()) { rt.offLock(L, offLockSize, work) }
	return rt
}

func withSkipLibs(o lua.Options) lua.Options {
	o.SkipOpenLibs = true
	return o
}

// openLibs opens every library in a fixed order: package and base first,
// because the others register themselves through them; the classes before
// the modules whose functions return their values.
func (rt *Runtime) openLibs() {
	L := rt.L
	for _, lib := range []struct {
		name string
		open lua.LGFunction
	}{
		{lua.LoadLibName, lua.OpenPackage},
		{lua.BaseLibName, lua.OpenBase},
		{lua.TabLibName, lua.OpenTable},
		{lua.IoLibName, lua.OpenIo},
		{lua.OsLibName, lua.OpenOs},
		{lua.StringLibName, lua.OpenString},
		{lua.MathLibName, lua.OpenMath},
		{lua.DebugLibName, lua.OpenDebug},
		{lua.CoroutineLibName, lua.OpenCoroutine},
		// gopher-lua's "channel" library is left out: its blocking
		// select would hold the interpreter lock. task.chan replaces it.
	} {
		L.Push(L.NewFunction(lib.open))
		L.Push(lua.LString(lib.name))
		L.Call(1, 0)
	}
	rt.openBase()
	rt.registerClass(errorClass)
	rt.registerClass(addrClass)
	rt.registerClass(connClass)
	rt.registerClass(listenerClass)
	rt.registerClass(packetConnClass)
	rt.registerClass(ipClass)
	rt.registerClass(ipnetClass)
	rt.registerClass(taskClass)
	rt.registerClass(chanClass)
	rt.registerClass(captureClass)
	rt.openModule("net", netFuncs)
	rt.openModule("task", taskFuncs)
	rt.openModule("time", timeFuncs)
	rt.openModule("bin", binFuncs)
	rt.openModule("bit", bitFuncs)
	utf8Lib := rt.openModule("utf8", utf8Funcs)
	L.SetField(utf8Lib, "charpattern", lua.LString(utf8CharPattern))
	rt.openModule("tls", tlsFuncs)
	rt.openTour()
	rt.openModule("proc", procFuncs)
	rt.openModule("pcap", pcapFuncs)
	str := L.GetGlobal("string").(*lua.LTable)
	for _, b := range stringPackFuncs {
		L.SetField(str, b.name, rt.function(b))
	}
	L.SetField(str, "MAX_SIZE", lua.LNumber(lua.MaxStringSize))
	// Lua 5.2's table.pack and table.unpack; unpack is table.unpack.
	tab := L.GetGlobal("table").(*lua.LTable)
	for _, b := range tableFuncs {
		L.SetField(tab, b.name, rt.function(b))
	}
	L.SetGlobal("unpack", L.GetField(tab, "unpack"))
	osLib := L.GetGlobal("os").(*lua.LTable)
	for _, b := range osFuncs {
		L.SetField(osLib, b.name, rt.function(b))
	}
	for _, b := range globalFuncs {
		L.SetGlobal(b.name, rt.function(b))
	}
	internal := L.NewTable()
	L.SetField(internal, "check_options", L.NewFunction(stdlibCheckOptions))
	L.SetField(internal, "tour_file", L.NewFunction(tourFile))
	L.SetField(internal, "write_private", L.NewFunction(writePrivate))
	L.SetField(internal, "read_transcript", L.NewFunction(rt.readTranscript))
	stdlib.Preload(L, internal)
}

// openModule makes a global table of bindings, also reachable by require.
func (rt *Runtime) openModule(name string, funcs []binding) *lua.LTable {
	L := rt.L
	mod := L.NewTable()
	for _, b := range funcs {
		L.SetField(mod, b.name, rt.function(b))
	}
	L.SetGlobal(name, mod)
	loaded := L.GetField(L.Get(lua.RegistryIndex), "_LOADED")
	L.SetField(loaded, name, mod)
	return mod
}

// function turns a binding into a Lua function bound to this runtime.
func (rt *Runtime) function(b binding) *lua.LFunction {
	fn := b.fn
	return rt.L.NewFunction(func(L *lua.LState) int { return fn(rt, L) })
}

// Failed reports whether an error escaped some task so far and has not
// been collected by a t:wait() since.
func (rt *Runtime) Failed() bool { return rt.uncollected.Load() > 0 }

// ExitRequested delivers the status passed to os.exit.
func (rt *Runtime) ExitRequested() <-chan int { return rt.exitCode }

// Idle returns a channel that is closed once no task is running. It is
// closed at once when none is.
func (rt *Runtime) Idle() <-chan struct{} {
	rt.mu.Lock()
	defer rt.mu.Unlock()
	if len(rt.tasks) == 0 {
		ch := make(chan struct{})
		close(ch)
		return ch
	}
	return rt.allDone
}

// Close cancels every task and closes every listener (which removes the
// socket files of Unix listeners). It does not wait for the tasks: a task
// holding the interpreter in a pure-Lua loop stops at its next instruction.
// Close needs no lock held by the caller and may run from a signal handler.
func (rt *Runtime) Close() {
	defer rt.trace.recs0.stopAll() // after the sockets' close events
	rt.closeAll()
	rt.mu.Lock()
	rt.closed = true
	tasks := make([]*Task, 0, len(rt.tasks))
	for _, t := range rt.tasks {
		tasks = append(tasks, t)
	}
	closers := make([]io.Closer, 0, len(rt.closers))
	for c := range rt.closers {
		closers = append(closers, c)
	}
	rt.mu.Unlock()
	// Every child process gets its SIGTERM first, so that their grace
	// periods run at once rather than one after the other.
	for _, c := range closers {
		if s, ok := c.(interface{ stopSoon() }); ok {
			s.stopSoon()
		}
	}
	for _, c := range closers {
		c.Close()
	}
	for _, t := range tasks {
		t.Cancel()
	}
}

// track registers a resource to close on shutdown; untrack forgets it.
func (rt *Runtime) track(c io.Closer) {
	if rt.firstResource != nil {
		rt.firstResourceOnce.Do(rt.firstResource)
	}
	rt.mu.Lock()
	rt.closers[c] = true
	rt.mu.Unlock()
}

func (rt *Runtime) untrack(c io.Closer) {
	rt.mu.Lock()
	delete(rt.closers, c)
	rt.mu.Unlock()
}

// lockedWriter serialises writes to one underlying writer, which the REPL
// may switch to its terminal.
type lockedWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (w *lockedWriter) set(to io.Writer) {
	w.mu.Lock()
	w.w = to
	w.mu.Unlock()
}

func (w *lockedWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.w.Write(p)
}
