package bindings

// net.relay(a, b): copy both ways between two conns, in Go, until both
// directions have ended, passing half-close on (as httputil's
// switchProtocolCopier and socat do).

import (
	"context"
	"errors"
	"io"
	"net"
	"sync/atomic"
	"time"

	lua "github.com/gonetrepl/gonetrepl/third_party/gopher-lua"
)

const relayDoc = "Copies bytes from a to b and from b to a, in Go, until both directions have ended, and returns the byte counts. Bytes already buffered in a conn (by earlier reads) go first. When one side reads EOF, the other is half-closed (close_write), so its peer reads EOF and can still answer; a conn that cannot half-close (a pipe) is closed instead, which also ends the other direction. An error in either direction (reset, timeout, a closed conn) stops both and returns nil, err, then the counts so far. Each conn's deadlines and idle timeout apply to its reads and writes; tracing shows the traffic (tracing turned on once the relay runs shows it only on conns with an idle timeout: without one, the kernel moves the bytes). The conns are left open: close them after. Stream conns only. With a process tube (proc.spawn): once the child's output has ended and it has exited, the other direction ends too, its unread bytes dropped (nothing can take them); and a child that stops reading its stdin ends the direction into it, not the relay. " +
	"opts make it a man in the middle (without them it stays the fast path): on_data(dir, data), with dir \"a2b\" or \"b2a\", sees each chunk as it is read (at most 64 KiB: a hook never sees unbounded data) and returns the bytes to forward (a string), false to drop the chunk, nil to forward it unchanged, or delay_secs, data to forward data (nil: the chunk) that long after it was read (a delay holds back the chunks after it in that direction: order is kept). At a direction's EOF on_data(dir, \"\") is called once more: what it returns goes before the half-close (a hook that held bytes back, a match cut across two reads, flushes them). on_close(dir, err) is called when a direction has ended (err nil after its half-close). The hooks run in the task that called net.relay, one at a time, holding the interpreter only while they run; at most 8 chunks per direction wait between read and write. A hook that raises, or on_data returning another value, stops the relay: nil, err of kind other with the message, which is also printed with its traceback. pace = bytes per second (or {a2b = n, b2a = m}) limits a direction's writes with a token bucket that holds 100 ms of bytes and starts empty."

// relay is one net.relay: its two conns and, per conn, whether relay
// closed it (a conn without half-close), so that reading it then is an
// end, not an error. A named type so that its goroutines have names in
// stack dumps.
type relay struct {
	a, b   *Conn
	closed [2]atomic.Bool   // a, b closed by the relay itself
	dl     [2]relayDeadline // a's and b's deadlines, read with the lock held
	// ended is set when a process tube's child has exited after its
	// output ended: the other direction, which can go nowhere, stops.
	// finished[dir] is closed when direction dir has ended.
	ended    atomic.Bool
	finished [2]chan struct{}
	// ctx is the relay's own: stop cancels it, which ends the relay's
	// reads and writes and no other task's on the same conns.
	ctx    context.Context
	cancel context.CancelFunc
}

// relayDeadline is a conn's deadlines as the relay applies them: the
// absolute ones are set once before it starts; an idle timeout is
// refreshed before every read and write.
type relayDeadline struct {
	read, write time.Time
	idle        time.Duration
}

// relayHalf is the outcome of one direction.
type relayHalf struct {
	dir int // 0: a to b, 1: b to a
	n   int64
	err error
}

// run copies both ways until both directions end, and returns the counts
// and the first error. It may wait: call it with the lock released.
func (r *relay) run() (ab, ba int64, err error) {
	defer r.cancel()
	results := make(chan relayHalf, 2)
	go r.copy(0, results)
	go r.copy(1, results)
	var counts [2]int64
	for range 2 {
		h := <-results
		counts[h.dir] = h.n
		if h.err != nil && err == nil {
			err = h.err
			r.stop()
		}
	}
	return counts[0], counts[1], err
}

// stop makes both directions' blocked reads and writes return.
func (r *relay) stop() {
	r.cancel()
	r.a.dl.wake()
	r.b.dl.wake()
}

// readCall and writeCall are the relay's next read from and write to the
// conn with index i; an idle timeout is armed for each.
func (r *relay) readCall(i int, c *Conn) ioCall {
	by, _ := soonest(r.dl[i].read, time.Now(), r.dl[i].idle)
	return ioCall{g: &c.dl.rg, side: side{s: c.nc}, by: by}
}

func (r *relay) writeCall(i int, c *Conn) ioCall {
	by, _ := soonest(r.dl[i].write, time.Now(), r.dl[i].idle)
	return ioCall{g: &c.dl.wg, side: side{s: c.nc, write: true}, by: by}
}

func (r *relay) conns(dir int) (src, dst *Conn, si, di int) {
	if dir == 0 {
		return r.a, r.b, 0, 1
	}
	return r.b, r.a, 1, 0
}

// copy runs one direction: src's buffered bytes, then everything src
// reads, to dst; at src's EOF, dst is half-closed.
func (r *relay) copy(dir int, results chan<- relayHalf) {
	defer close(r.finished[dir])
	src, dst, si, di := r.conns(dir)
	var n int64
	// With no idle timeout and no tracing, bytes need not pass through Lua's
	// buffer: once it is drained, io.Copy between the sockets lets the
	// kernel move them (splice(2) between TCP and Unix sockets). It runs
	// as a read of src and a write of dst at once.
	var direct func() error
	if r.dl[si].idle == 0 && r.dl[di].idle == 0 && src.tr.mode() == traceOff && dst.tr.mode() == traceOff {
		direct = func() error {
			return r.readCall(si, src).do(r.ctx, func() error {
				return r.writeCall(di, dst).do(r.ctx, func() error {
					w, err := io.Copy(dst.nc, src.nc)
					n += w
					return err
				})
			})
		}
	}
	err := src.rd.copyTo(r.ctx, direct, func(p []byte) (int, error) {
		w, err := dst.writeIn(r.ctx, r.writeCall(di, dst), p)
		n += int64(w)
		if err != nil {
			err = dst.opError("write", err)
		}
		return w, err
	}, func(fill func() error) error {
		return r.readCall(si, src).do(r.ctx, fill)
	})
	err = r.endDir(dir, err)
	results <- relayHalf{dir: dir, n: n, err: err}
}

// endDir finishes direction dir once its copying stopped with err (nil: src
// read EOF): at EOF, dst is half-closed (or closed); the error that ends
// the direction is returned, nil for an end that is not one (a conn the
// relay closed itself, a process tube's child gone).
func (r *relay) endDir(dir int, err error) error {
	src, dst, si, di := r.conns(dir)
	switch {
	case err == nil: // EOF
		if cw, ok := dst.nc.(interface{ CloseWrite() error }); ok {
			dst.tr.record(dst, ">", "close_write", nil)
			cw.CloseWrite()
		} else {
			r.closed[di].Store(true)
			dst.tr.recClosed(dst)
			dst.closed.Store(true)
			dst.nc.Close()
		}
		if pc, ok := src.nc.(*procConn); ok {
			// The child's output ended: once it has exited, nothing
			// can take the other direction's bytes any more.
			select {
			case <-pc.proc.done:
				r.ended.Store(true)
				r.stop()
			case <-r.finished[1-dir]:
			case <-r.ctx.Done():
			}
		}
	case r.ended.Load():
		err = nil // a process tube's child exited: the end of this direction
	case isProcGone(dst, err):
		err = nil // the child closed its stdin or exited: the end of this direction
	case r.closed[si].Load() && (errors.Is(err, net.ErrClosed) || errors.Is(err, io.ErrClosedPipe)):
		err = nil // we closed src: the end of this direction
	default:
		var opErr *net.OpError
		if !errors.As(err, &opErr) {
			err = src.opError("read", err)
		}
	}
	return err
}

// copyTo writes the unread bytes, then everything the source gives, to
// write, until the source ends (nil) or either fails (the error). It holds
// the read lock throughout: other reads of the conn wait. Bytes write did
// not take stay buffered. read runs each fill from the source. If direct
// is not nil, it copies the rest once the buffer is drained. It gives up
// when ctx ends.
func (b *bufReader) copyTo(ctx context.Context, direct func() error, write func(p []byte) (int, error), read func(fill func() error) error) error {
	if err := b.op.LockContext(ctx, time.Time{}); err != nil {
		return err
	}
	defer b.op.Unlock()
	for {
		if b.r < b.w {
			n, err := write(b.buf[b.r:b.w])
			b.consume(n)
			if err != nil {
				return err
			}
			continue
		}
		if direct != nil {
			return direct()
		}
		if err := read(func() error { return b.fill(bulkBuf) }); err != nil {
			if err == io.EOF {
				return nil
			}
			return err
		}
	}
}

func (rt *Runtime) netRelay(L *lua.LState) int {
	a := argConn(rt, L, 1, "a")
	b := argConn(rt, L, 2, "b")
	if a == b {
		argError(L, 2, "b", "the same conn as a")
	}
	for i, c := range []*Conn{a, b} {
		if c.datagram {
			argError(L, i+1, []string{"a", "b"}[i], "stream conn expected, got a %s conn", c.network)
		}
	}
	hooks := argRelayOpts(L, 3)
	for _, c := range []*Conn{a, b} {
		if err := rt.flushHeld(L, c); err != nil {
			return rt.pushError(L, err, "relay", "")
		}
	}
	r := &relay{a: a, b: b, finished: [2]chan struct{}{make(chan struct{}), make(chan struct{})}}
	r.ctx, r.cancel = context.WithCancel(context.Background())
	for i, c := range []*Conn{a, b} {
		r.dl[i] = relayDeadline{read: c.dl.read, write: c.dl.write, idle: c.dl.idle}
	}
	var ab, ba int64
	var err error
	if hooks.any() {
		h := &hookedRelay{relay: r, hooks: hooks, events: make(chan relayEvent, 2)}
		for dir := range 2 {
			h.credits[dir] = make(chan struct{}, relayCredits)
			h.queue[dir] = make(chan relayChunk, relayCredits+2) // the chunks, on_data's last word, the end
		}
		var counts [2]int64
		counts, err = h.run(rt, L)
		ab, ba = counts[0], counts[1]
	} else {
		err = rt.block(L, r.stop, func(context.Context) error {
			var err error
			ab, ba, err = r.run()
			return err
		})
	}
	if err != nil {
		n := rt.pushError(L, err, "relay", "")
		L.Push(lua.LNumber(ab))
		L.Push(lua.LNumber(ba))
		return n + 2
	}
	L.Push(lua.LNumber(ab))
	L.Push(lua.LNumber(ba))
	return 2
}
