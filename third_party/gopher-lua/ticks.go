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
const (
	bytesPerUnit = 256
	copyChunk    = 64 << 10
)

// joinCharged is strings.Join(parts, "") for a result of size bytes,
// charged to L as it copies, so that building a string of hundreds of
// megabytes ticks (and can be stopped) along the way.
func joinCharged(L *LState, parts []string, size int64) string {
	if size < copyChunk {
		return strings.Join(parts, "")
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

// repeatCharged is strings.Repeat(s, n), charged to L as it copies.
func repeatCharged(L *LState, s string, n int) string {
	size := len(s) * n // checked against MaxStringSize by the caller
	if size < copyChunk || n <= 1 {
		return strings.Repeat(s, n)
	}
	b := make([]byte, size)
	filled := copy(b, s)
	// Copy whole repetitions from the front: every copy starts at a
	// multiple of len(s), and so must end at one.
	chunk := max(copyChunk/len(s), 1) * len(s)
	for filled < size {
		c := copy(b[filled:], b[:min(filled, chunk)])
		filled += c
		L.Charge(c / bytesPerUnit)
	}
	return unsafe.String(&b[0], size)
}
