package bindings

import (
	"sync"
	"sync/atomic"
	"time"

	lua "github.com/gonetrepl/gonetrepl/third_party/gopher-lua"
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
//
// The lock is mu, for the tasks that come back (Lock: fast, and a
// running goroutine may take it at once). A task handing the lock on
// never waits in mu, where it would queue ahead of tasks that come back
// after it: it waits for the baton, which the holder passes (keeping mu
// locked for it) only when no task waits in Lock.
type gil struct {
	mu sync.Mutex
	// baton passes the lock, mu staying locked, to a task waiting in
	// handOff. At most one is in flight: only the holder sends it.
	baton chan struct{}
	// fresh counts the goroutines in Lock (and TryLocked); yielded, the
	// tasks in handOff. Read by the holder without a lock.
	fresh   atomic.Int32
	yielded atomic.Int32
	// since is when the holder took the lock: written by each holder
	// after taking it, read only by the holder.
	since time.Duration
}

func newGil() *gil { return &gil{baton: make(chan struct{}, 1)} }

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

// Unlock releases the lock: to the tasks in Lock if there are any, else
// to the first task waiting in handOff.
func (g *gil) Unlock() {
	if g.fresh.Load() == 0 && g.yielded.Load() > 0 {
		g.baton <- struct{}{}
		return
	}
	g.mu.Unlock()
}

// due reports whether the holder has had its slice and others wait.
func (g *gil) due() bool {
	if g.fresh.Load() == 0 && g.yielded.Load() == 0 {
		return false
	}
	return time.Since(epoch)-g.since >= TimeSlice
}

// handOff lets the tasks waiting for the lock run, and takes it back after
// them: after the ones in Lock, in turn with the others in handOff. The
// caller holds the lock.
func (g *gil) handOff() {
	g.yielded.Add(1)
	g.Unlock() // to us again if no one else waits
	<-g.baton
	g.yielded.Add(-1)
	g.since = time.Since(epoch)
}

// tick is the vendored gopher-lua's Global.Tick: called every thousand or
// so units of work of any thread, with the lock held. A canceled task has
// already been stopped there.
func (rt *Runtime) tick(L *lua.LState) {
	if rt.held != nil && time.Since(epoch)-rt.heldSince >= heldAge {
		rt.flushHeldAll(L, false)
	}
	if rt.gil.due() {
		rt.gil.handOff()
		stopIfCanceled(L) // canceled while the others ran
	}
}
