package lua

import (
	"strings"
	"unsafe"

	"github.com/yuin/gopher-lua/pm"
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
			ls.RaiseError(ls.ctx.Err().Error())
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
	if L.bigWork(int(size), func() { out = strings.Join(parts, "") }) {
		return out
	}
	var b strings.Builder
	b.Grow(int(size))
	for _, p := range parts {
		for len(p) > copyChunk {
			b.WriteString(p[:copyChunk])
			p = p[copyChunk:]
			L.Charge(copyChunk / bytesPerUnit)
		}
		b.WriteString(p)
		L.Charge(1 + len(p)/bytesPerUnit)
	}
	return b.String()
}

// repeatCharged is strings.Repeat(s, n), charged to L as it copies (or
// copied without the host's lock).
func repeatCharged(L *LState, s string, n int) string {
	size := len(s) * n // checked against MaxStringSize by the caller
	if size < copyChunk || n <= 1 {
		return strings.Repeat(s, n)
	}
	var out string
	if L.bigWork(size, func() { out = strings.Repeat(s, n) }) {
		return out
	}
	b := make([]byte, size)
	filled := 0
	for filled < len(s) { // the first copy of s, in pieces
		c := copy(b[filled:], s[filled:min(len(s), filled+copyChunk)])
		filled += c
		L.Charge(1 + c/bytesPerUnit)
	}
	// Then double what is there: b[:k] is k/len(s) whole copies of s, and
	// filled stays a multiple of len(s). Each block in pieces.
	for filled < size {
		k := min(filled, size-filled)
		for off := 0; off < k; off += copyChunk {
			c := copy(b[filled+off:filled+k], b[off:min(k, off+copyChunk)])
			L.Charge(1 + c/bytesPerUnit)
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
