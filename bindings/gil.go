package bindings

import (
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	lua "github.com/yuin/gopher-lua"
)

// TimeSlice is how long a task may hold the interpreter while others wait
// for it. Past it, the task hands the lock on at its next tick (every
// thousand VM instructions, pattern steps or so; see the vendored
// gopher-lua's ticks.go) and takes it back after them: a long loop, sort
// or pattern match no longer stalls a server's other clients, its timers
// or the prompt.
const TimeSlice = 10 * time.Millisecond

// A gil is the interpreter lock: held while Lua runs, released around
// every blocking call (block) and, past a time slice, at a tick. Tasks
// coming back from a blocking call (a read that got its bytes, a timer)
// go before the ones that handed the lock on for having run their slice:
// they hold it briefly, and a round trip through a busy server should
// wait for one slice at most, not one per busy task.
type gil struct {
	mu sync.Mutex
	// fresh counts the goroutines in Lock; yielded, the tasks handing
	// the lock on. Read by the holder at each tick, without mu.
	fresh   atomic.Int32
	yielded atomic.Int32
	// turn lets one task that handed the lock on at a time take it back,
	// so that busy tasks take turns among themselves.
	turn sync.Mutex
	// since is when the holder took the lock: written by each holder
	// after taking it, read only by the holder.
	since time.Duration
}

// epoch is the origin of gil.since: a monotonic clock.
var epoch = time.Now()

func (g *gil) Lock() {
	g.fresh.Add(1)
	g.mu.Lock()
	g.fresh.Add(-1)
	g.since = time.Since(epoch)
}

func (g *gil) TryLock() bool {
	if !g.mu.TryLock() {
		return false
	}
	g.since = time.Since(epoch)
	return true
}

func (g *gil) Unlock() { g.mu.Unlock() }

// due reports whether the holder has had its slice and others wait.
func (g *gil) due() bool {
	if g.fresh.Load() == 0 && g.yielded.Load() == 0 {
		return false
	}
	return time.Since(epoch)-g.since >= TimeSlice
}

// handOff lets the tasks waiting for the lock run, and takes it back: after
// the ones that came back from a blocking call, in turn with the others
// that handed it on. The caller holds the lock.
func (g *gil) handOff() {
	g.yielded.Add(1)
	g.mu.Unlock()
	g.turn.Lock()
	// Those in Lock now go first; a steady stream of them (a busy server)
	// delays this task by one slice at most.
	start := time.Since(epoch)
	for g.fresh.Load() > 0 && time.Since(epoch)-start < TimeSlice {
		runtime.Gosched()
	}
	g.mu.Lock()
	g.turn.Unlock()
	g.yielded.Add(-1)
	g.since = time.Since(epoch)
}

// tick is the vendored gopher-lua's Global.Tick: called every thousand or
// so units of work of any thread, with the lock held. A canceled task has
// already been stopped there.
func (rt *Runtime) tick(L *lua.LState) {
	if rt.gil.due() {
		rt.gil.handOff()
	}
}
