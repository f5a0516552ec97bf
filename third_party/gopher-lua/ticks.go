package lua

import (
	"runtime"
	"strings"
	"unsafe"

	"github.com/gonetrepl/gonetrepl/third_party/gopher-lua/pm"
)

// gonetrepl patch 13: ticks. A host that runs many Lua threads under one
// lock (gonetrepl's tasks) needs a point where a thread that has run long
// can hand the lock to the others, and a cancel can stop a Go builtin that
// runs long on a large input. Every thread counts its work (one unit per
// VM instruction, and what Go builtins charge with Charge: pattern steps,
// comparisons of table.sort, bytes copied by string.rep and table.concat);
// every TickEvery units it ticks: the work is added to the state's total,
// the thread's context is checked (a canceled one raises its error, as the
// VM's per-instruction check did), and Global.Tick is called.

// TickEvery is the work between two ticks of a thread: about 20-50 µs of
// Lua.
const TickEvery = 1000

// onTick flushes the thread's work, stops it if its context is done, and
// calls the host's hook.
func (ls *LState) onTick() {
	ls.G.work += int64(ls.tick)
	ls.tick = 0
	if ls.ctx != nil {
		select {
		case <-ls.ctx.Done():
			// From now on every instruction ticks and raises again, as
			// the VM's per-instruction check did: a pcall cannot swallow
			// a cancellation.
			ls.tick = TickEvery
			ls.RaiseError("%s", ls.ctx.Err().Error())
		default:
		}
	}
	if f := ls.G.Tick; f != nil {
		f(ls)
	}
}

// Charge counts n units of work done by a Go function on behalf of the
// thread, ticking when they reach TickEvery. A Go function that can run
// long calls it every bounded amount of work, at a point where it may be
// stopped by a Lua error and where other threads may run (it holds no
// Lua value that another thread could change under it).
func (ls *LState) Charge(n int) {
	if n <= 0 {
		return
	}
	if ls.tick += n; ls.tick >= TickEvery {
		ls.onTick()
	}
}

// TickNow makes the thread tick at its next instruction: a host that saw
// its context done (a blocking call that returned canceled) stops it there
// rather than up to TickEvery instructions later.
func (ls *LState) TickNow() { ls.tick = max(ls.tick, TickEvery) }

// Work is the work done so far by all the threads of the state: the
// ticks of every thread, plus what this thread did since its last one.
// Deterministic for one thread: tests measure how a parser's cost grows
// with its input by it.
func (ls *LState) Work() int64 { return ls.G.work + int64(ls.tick) }

// patternMeter counts a pattern match's steps as the thread's work, so
// that string.find and friends tick on a large subject.
func (ls *LState) patternMeter() *pm.Meter {
	return &pm.Meter{Every: TickEvery / 4, Check: ls.Charge}
}

// findMeter is patternMeter for string.find and match, reused by the
// thread from call to call: they run no Lua while they match (a tick may
// let other threads run, never this one), so one at a time uses it, and
// a parser calling find in a loop allocates no Meter a call.
func (ls *LState) findMeter() *pm.Meter {
	if ls.meter == nil {
		ls.meter = ls.patternMeter()
	}
	ls.meter.Restart()
	return ls.meter
}

// bytesPerUnit is the bytes a Go builtin copies for one unit of work, and
// copyChunk the most it copies between two charges (a fraction of a tick).
// From unlockedSize bytes on, the copy runs through Global.Unlocked when
// the host set it: allocating and touching hundreds of megabytes takes
// long even in pieces, and other threads may run meanwhile.
const (
	bytesPerUnit = 256
	copyChunk    = 64 << 10
	unlockedSize = 1 << 20
)

// bigWork runs work, which builds a result of size bytes from Go strings
// and touches no Lua state, without the host's lock when it is big and
// the host allows it. It reports whether it did; if not, the caller does
// the work itself, charging it as it goes.
func (ls *LState) bigWork(size int, work func()) bool {
	if size < unlockedSize || ls.G.Unlocked == nil {
		return false
	}
	ls.G.Unlocked(ls, work)
	return true
}

// joinCharged is strings.Join(parts, "") for a result of size bytes,
// charged to L as it copies (or copied without the host's lock), so that
// building a string of hundreds of megabytes does not hold the others up
// and can be stopped.
func joinCharged(L *LState, parts []string, size int64) string {
	if size < copyChunk {
		return strings.Join(parts, "")
	}
	var out string
	if L.bigWork(int(size), func() { out = buildJoin(parts, int(size), yieldEvery()) }) {
		return out
	}
	return buildJoin(parts, int(size), L.chargeBytes)
}

// repeatCharged is strings.Repeat(s, n), charged to L as it copies (or
// copied without the host's lock).
func repeatCharged(L *LState, s string, n int) string {
	size := len(s) * n // checked against MaxStringSize by the caller
	if size < copyChunk || n <= 1 {
		return strings.Repeat(s, n)
	}
	var out string
	if L.bigWork(size, func() { out = buildRepeat(s, n, yieldEvery()) }) {
		return out
	}
	return buildRepeat(s, n, L.chargeBytes)
}

// yieldEvery is the charge of a copy made without the host's lock: it
// lets the Go scheduler in every megabyte (see buildJoin).
func yieldEvery() func(int) {
	copied := 0
	return func(n int) {
		if copied += n; copied >= unlockedSize {
			copied = 0
			runtime.Gosched()
		}
	}
}

// chargeBytes charges the copy of n bytes.
func (ls *LState) chargeBytes(n int) { ls.Charge(1 + n/bytesPerUnit) }

// buildJoin and buildRepeat copy in pieces of copyChunk, calling charge
// (if not nil) after each. Pieces also when the host's lock is released:
// one copy of many megabytes is a memmove that the Go scheduler cannot
// preempt, and a garbage collection waiting to stop the world for it
// stalls every goroutine (on a VM whose page faults are slow, for
// hundreds of milliseconds).
func buildJoin(parts []string, size int, charge func(int)) string {
	var b strings.Builder
	b.Grow(size)
	for _, p := range parts {
		for len(p) > 0 {
			c := min(len(p), copyChunk)
			b.WriteString(p[:c])
			p = p[c:]
			if charge != nil {
				charge(c)
			}
		}
	}
	return b.String()
}

func buildRepeat(s string, n int, charge func(int)) string {
	size := len(s) * n
	b := make([]byte, size)
	filled := 0
	for filled < len(s) { // the first copy of s
		c := copy(b[filled:], s[filled:min(len(s), filled+copyChunk)])
		filled += c
		if charge != nil {
			charge(c)
		}
	}
	// Then double what is there: b[:k] is k/len(s) whole copies of s, and
	// filled stays a multiple of len(s).
	for filled < size {
		k := min(filled, size-filled)
		for off := 0; off < k; off += copyChunk {
			c := copy(b[filled+off:filled+k], b[off:min(k, off+copyChunk)])
			if charge != nil {
				charge(c)
			}
		}
		filled += k
	}
	return unsafe.String(&b[0], size)
}

// unlockedText runs f on s without the host's lock when s is big (see
// bigWork): string.upper, lower and reverse of hundreds of megabytes.
func unlockedText(L *LState, s string, f func(string) string) string {
	var out string
	if !L.bigWork(len(s), func() { out = f(s) }) {
		out = f(s)
	}
	return out
}
