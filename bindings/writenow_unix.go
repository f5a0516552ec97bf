//go:build unix

package bindings

import (
	"syscall"
	"time"

	lua "github.com/gonetrepl/gonetrepl/third_party/gopher-lua"
)

// nowWriter is the runtime's one non-blocking write, used with the
// interpreter lock held: one per runtime (only the lock's holder uses it),
// so a write allocates no closure.
type nowWriter struct {
	p  []byte
	n  int
	fn func(fd uintptr) bool // writeFD, bound once
}

func newNowWriter() *nowWriter {
	w := &nowWriter{}
	w.fn = w.writeFD
	return w
}

// writeFD writes w.p to fd until it is all written or the socket would
// block or fails. It never asks the poller to wait: its caller holds the
// interpreter lock.
func (w *nowWriter) writeFD(fd uintptr) bool {
	for w.n < len(w.p) {
		m, err := syscall.Write(int(fd), w.p[w.n:])
		if err == syscall.EINTR {
			continue
		}
		if err != nil || m <= 0 {
			break
		}
		w.n += m
	}
	return true
}

// writeNow writes what of p the socket takes at once, without releasing
// the interpreter lock, and returns how many bytes that was: all of a
// small write to a socket with room, so it costs no hand-off of the lock.
// It writes nothing (0), leaving the whole write to the waiting path, when
// c has no raw source (TLS, pipes, Windows), another write is in progress,
// the task is canceled, the call's deadline has passed or the socket's
// deadline is past (the gate's business), or the socket would block or
// fails: the waiting path then writes the rest and reports its errors.
func (rt *Runtime) writeNow(L *lua.LState, c *Conn, p []byte, by time.Time) int {
	if t := taskOf(L); t != nil && t.ctx.Err() != nil {
		return 0
	}
	return rt.writeSocketNow(c, p, by)
}

// writeSocketNow is writeNow for a task canceled or not: held bytes
// (heldwrite.go) a canceled task wrote before its cancel still go out as
// far as the socket takes them, as they would have had they not been held.
func (rt *Runtime) writeSocketNow(c *Conn, p []byte, by time.Time) int {
	rc := c.rd.raw
	if rc == nil || len(p) == 0 || c.wshut.Load() || c.closed.Load() {
		return 0
	}
	if by = earlier(c.dl.effective(c.dl.write), by); !by.IsZero() && !time.Now().Before(by) {
		return 0
	}
	if !c.wop.TryLock() {
		return 0
	}
	defer c.wop.Unlock()
	id := c.tr.beginWrite()
	defer c.tr.endWrite(id)
	w := rt.nowWrite
	w.p, w.n = p, 0
	err := rc.Write(w.fn)
	n := w.n
	w.p = nil
	if err != nil {
		return 0 // a past deadline or a closed socket: before any byte
	}
	if n > 0 && c.tr.mode() != traceOff {
		c.tr.record(c, ">", bytesWhat("wrote", n), p[:n])
	}
	return n
}
