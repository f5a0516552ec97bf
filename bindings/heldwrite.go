package bindings

import (
	"context"
	"sync"
	"time"

	lua "github.com/gonetrepl/gonetrepl/third_party/gopher-lua"
)

// Writes held while input waits.
//
// A server answering pipelined requests (redis-benchmark -P 16, HTTP
// pipelining) wrote each reply with its own system call: the peer had sent
// sixteen requests in one packet and got sixteen packets back, and on
// loopback the write is most of a small reply's cost. So a write on a
// stream conn whose peer has more input waiting, unread, in the conn's
// buffer is held: the task is about to read that input without waiting,
// and the replies to it go out together. Held bytes are written
//
//   - when any task waits (rt.block: a read that needs more input, a
//     sleep, a channel, any blocking call), yields, or ends: the task
//     that wrote them, or another one, which could only run because the
//     writer had stopped;
//   - after heldAge while tasks run on without waiting (checked at the
//     interpreter's ticks, writing what the sockets take without waiting),
//     and when a conn holds maxHeld bytes (a write bigger than that is
//     never held: holding it would copy a script's big string);
//   - before anything else is written on the conn (write_frame, send_file,
//     close_write, close, a relay, a TLS handshake over it), so the stream
//     keeps its order; a write on a conn that holds bytes is added to them;
//   - on c:flush().
//
// A write with nothing waiting to be read goes out at once, as before, so a
// request-response exchange, a prompt and a script that writes and then
// reads see no change. Only writes through c:write, c:send_line and
// c:send_after with no deadline of their own are held, only on plain
// sockets with raw writes (tcp and unix on Unix systems; not TLS, pipes
// or datagrams). A held write returns at once with its length, as a write
// the kernel buffered does; if writing it later fails, the conn's next
// write, flush or close returns that error.

const (
	// maxHeld caps the bytes one conn holds: past it, they are written.
	maxHeld = 64 << 10
	// heldAge is how long tasks that run without waiting keep bytes held.
	heldAge = time.Millisecond
)

// held is what a conn holds.
type held struct {
	p          *[]byte // from heldBufs; nil once written
	prev, next *Conn   // the conns before and after it on rt.held's list
	err        error   // writing held bytes failed: the next write or flush says so
}

// heldBufs are the buffers of held bytes: a conn has one only while it
// holds bytes, so an idle conn costs nothing more.
var heldBufs = sync.Pool{New: func() any { b := make([]byte, 0, 4<<10); return &b }}

// inputWaiting reports whether c's buffer has bytes no read has taken.
func (c *Conn) inputWaiting() bool {
	c.rd.mu.Lock()
	defer c.rd.mu.Unlock()
	return c.rd.r < c.rd.w
}

// hold keeps p to write later, if it can and should (see above), and
// reports whether it did. The gil is held.
//
// more is c:write's {more = true}: the caller says more bytes follow at
// once (a file after its header), so they are held with no input waiting.
func (rt *Runtime) hold(L *lua.LState, c *Conn, p []byte, by time.Time, more bool) bool {
	if c.rd.raw == nil || c.datagram || len(p) == 0 || len(p) > maxHeld || !by.IsZero() || c.closed.Load() || c.wshut.Load() {
		return false
	}
	h := c.out
	switch {
	case h != nil && (h.p == nil || len(*h.p)+len(p) > maxHeld):
		return false // an error to report, or full: the caller flushes
	case h == nil && !more && !c.inputWaiting():
		return false
	case h == nil && taskOf(L) == nil:
		return false // not a task: nothing would flush it
	}
	if h == nil {
		if rt.held == nil {
			rt.heldSince = time.Since(epoch)
		}
		c.out = &held{p: heldBufs.Get().(*[]byte)}
		rt.pushHeld(c)
		h = c.out
	}
	*h.p = append(*h.p, p...)
	return true
}

// flushHeld writes what c holds, if anything, and returns the error of
// writing it now or earlier (which it clears). It may wait, with the gil
// released. A conn that holds nothing costs one comparison.
func (rt *Runtime) flushHeld(L *lua.LState, c *Conn) error {
	h := c.out
	if h == nil {
		return nil
	}
	if h.p != nil {
		rt.unlinkHeld(c)
		rt.writeHeld(L, c, h, true)
	}
	if c.out == h { // not a newer hold, made while this one waited
		c.out = nil
	}
	return h.err
}

// pushHeld puts c, which holds bytes, first on rt.held's list.
func (rt *Runtime) pushHeld(c *Conn) {
	h := c.out
	h.prev, h.next = nil, rt.held
	if rt.held != nil {
		rt.held.out.prev = c
	}
	rt.held = c
}

// unlinkHeld takes c off rt.held's list, in constant time: a task may
// close thousands of conns that hold bytes.
func (rt *Runtime) unlinkHeld(c *Conn) {
	h := c.out
	if h.prev != nil {
		h.prev.out.next = h.next
	} else if rt.held == c {
		rt.held = h.next
	}
	if h.next != nil {
		h.next.out.prev = h.prev
	}
	h.prev, h.next = nil, nil
}

// takeHeld takes the bytes c holds, to write them itself (send_file, in
// one write with a small file): nil if c holds none. It returns the error
// of writing held bytes earlier, if any, taking nothing. Give the buffer
// back with releaseHeld.
func (rt *Runtime) takeHeld(c *Conn) (*[]byte, error) {
	h := c.out
	if h == nil {
		return nil, nil
	}
	if h.p == nil { // an error to report, or a flush in progress (its bytes go first)
		if h.err != nil {
			c.out = nil
		}
		return nil, h.err
	}
	rt.unlinkHeld(c)
	c.out = nil
	return h.p, nil
}

// releaseHeld gives a buffer of held bytes back to the pool.
func releaseHeld(buf *[]byte) {
	if cap(*buf) <= maxHeld {
		*buf = (*buf)[:0]
		heldBufs.Put(buf)
	}
}

// writeHeld writes h's bytes, which c holds: at once as far as the socket
// takes them, and the rest, if wait, with the gil released. A failure is
// kept in h.err. When the socket is full and wait is false, what is left
// stays in h, and writeHeld reports false. c is off rt.held's list.
func (rt *Runtime) writeHeld(L *lua.LState, c *Conn, h *held, wait bool) bool {
	p := *h.p
	n := rt.writeSocketNow(c, p, time.Time{})
	if n < len(p) && !wait {
		*h.p = append(p[:0], p[n:]...)
		return false
	}
	buf := h.p
	h.p = nil
	if n < len(p) {
		call := c.dl.writeCall(c.nc, time.Time{})
		err := rt.block(L, c.poke, func(ctx context.Context) error {
			_, err := c.writeIn(ctx, call, p[n:])
			return err
		})
		if err != nil {
			h.err = c.opError("write", err)
		}
	}
	*buf = p
	releaseHeld(buf)
	return true
}

// flushHeldAll writes what every conn holds: with the gil released for what
// a socket does not take at once if wait, else leaving that held. A
// failure stays with its conn (h.err) for the conn's next write or flush.
// L may be nil when wait is false.
//
// A conn is taken off the list before its bytes are written: a wait
// there (rt.block) flushes the rest of the list first, and a task that
// holds bytes on the conn meanwhile makes a new hold, which stays.
func (rt *Runtime) flushHeldAll(L *lua.LState, wait bool) {
	var kept []*Conn // sockets that took only part (wait false)
	for rt.held != nil {
		c := rt.held
		h := c.out
		rt.unlinkHeld(c)
		if rt.writeHeld(L, c, h, wait) {
			if h.err == nil && c.out == h {
				c.out = nil
			}
		} else {
			kept = append(kept, c)
		}
	}
	for _, c := range kept { // back on the list
		rt.pushHeld(c)
	}
	if rt.held != nil {
		rt.heldSince = time.Since(epoch)
	}
}

// flushAtEnd writes what is held as a task ends, in a protected call: the
// task's own call has returned, and a failure here must not escape.
func (rt *Runtime) flushAtEnd(L *lua.LState) {
	L.Push(L.NewFunction(func(L *lua.LState) int {
		rt.flushHeldAll(L, true)
		return 0
	}))
	L.PCall(0, 0, nil) // a failure stays with its conn (held.err)
}

// connFlush is c:flush().
func (rt *Runtime) connFlush(L *lua.LState) int {
	c := rt.checkConn(L)
	return rt.result(L, rt.flushHeld(L, c), "flush")
}
