package bindings

import (
	"context"
	"errors"
	"os"
	"slices"
	"sync"
	"time"

	lua "github.com/gonetrepl/gonetrepl/third_party/gopher-lua"
)

// deadlines tracks one socket's deadlines as the script set them, and
// shares the socket's two Go deadlines (one per direction) among the calls
// that wait on it. Go's deadlines are absolute; set_timeout adds an idle
// timeout, armed when each call starts; the earlier of the two applies.
//
// read, write and idle are touched only with the interpreter lock held; the
// gates have their own locks.
type deadlines struct {
	read, write time.Time     // absolute, from set_deadline and friends
	idle        time.Duration // set_timeout; 0 is off
	rg, wg      gate          // the read and the write direction
}

// deadliner is the part of net.Conn and of listeners that deadlines use.
type deadliner interface {
	SetReadDeadline(time.Time) error
	SetWriteDeadline(time.Time) error
}

func (d *deadlines) effective(abs time.Time) time.Time {
	if d.idle <= 0 {
		return abs
	}
	idle := time.Now().Add(d.idle)
	if abs.IsZero() || idle.Before(abs) {
		return idle
	}
	return abs
}

// readCall is a read of s, bounded by the read deadline in force and, if
// not zero, by by (a timeout argument of the call). The gil must be held.
func (d *deadlines) readCall(s deadliner, by time.Time) ioCall {
	return ioCall{g: &d.rg, side: side{s: s}, by: earlier(d.effective(d.read), by)}
}

// writeCall is readCall's twin for writes.
func (d *deadlines) writeCall(s deadliner, by time.Time) ioCall {
	return ioCall{g: &d.wg, side: side{s: s, write: true}, by: earlier(d.effective(d.write), by)}
}

// wake makes the calls whose context has ended (canceled tasks) return
// now, in both directions, and no other call. It may run on any goroutine:
// it is the poke a task's Cancel runs.
func (d *deadlines) wake() {
	d.rg.wake()
	d.wg.wake()
}

// forget records that the socket's deadlines were set outside the gates
// (a TLS upgrade handing the socket over): the next call applies its own.
func (d *deadlines) forget() {
	d.rg.forget()
	d.wg.forget()
}

// fresh records that the socket has no deadline yet, as a new one has
// none: its first read and write then set none, which would cost a trip
// into the runtime's poller each for every new conn.
func (d *deadlines) fresh() {
	d.rg.known, d.wg.known = true, true
}

// earlier is the earlier of two deadlines, where zero is none.
func earlier(a, b time.Time) time.Time {
	if a.IsZero() || (!b.IsZero() && b.Before(a)) {
		return b
	}
	return a
}

// pastDeadline is a deadline that has passed: it makes a blocked call
// return at once.
var pastDeadline = time.Unix(1, 0)

// side is one direction of a socket: how its deadline is set.
type side struct {
	s     deadliner
	write bool
}

func (s side) set(t time.Time) {
	if s.write {
		s.s.SetWriteDeadline(t)
	} else {
		s.s.SetReadDeadline(t)
	}
}

// A gate shares one direction's deadline among the calls waiting in that
// direction (two tasks reading one conn, a timed accept beside ln:serve's).
// The socket gets the earliest of their deadlines, or one in the past while
// a call's task is canceled. A call that fails with a deadline that was not
// its own (its task is not canceled, its deadline has not come) waits until
// the socket's deadline is in the future again and retries: a timeout or a
// cancel belongs to the one call it was for.
type gate struct {
	mu      sync.Mutex
	side    side       // how to set the deadline; from the calls
	calls   []gateCall // in the gate now
	nextID  uint64
	applied time.Time     // the socket's deadline, if known
	known   bool          // applied is the socket's deadline
	gen     uint64        // counts the deadlines set
	changed chan struct{} // closed when applied changes; made on demand
}

type gateCall struct {
	id  uint64
	ctx context.Context
	by  time.Time // zero: none
}

// want is the deadline the socket needs for the calls in the gate; ok is
// false when there are none (any deadline will do). g.mu is held.
func (g *gate) want() (t time.Time, ok bool) {
	for _, c := range g.calls {
		if c.ctx.Err() != nil {
			return pastDeadline, true
		}
		t = earlier(t, c.by)
	}
	return t, len(g.calls) > 0
}

// apply sets the socket's deadline to the one the calls need, if it is not
// set already (setting costs a timer update). g.mu is held.
func (g *gate) apply() {
	t, ok := g.want()
	if !ok || (g.known && t.Equal(g.applied)) {
		return
	}
	g.side.set(t)
	g.applied, g.known = t, true
	g.gen++
	if g.changed != nil {
		close(g.changed)
		g.changed = nil
	}
}

// enter adds a call to the gate and applies the deadline it needs. It
// returns the call's id, for leave, and the generation of the deadline
// the call's first attempt runs under, for retry.
func (g *gate) enter(s side, ctx context.Context, by time.Time) (id, gen uint64) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.side = s
	g.nextID++
	g.calls = append(g.calls, gateCall{id: g.nextID, ctx: ctx, by: by})
	g.apply()
	return g.nextID, g.gen
}

func (g *gate) leave(id uint64) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.calls = slices.DeleteFunc(g.calls, func(c gateCall) bool { return c.id == id })
	g.apply()
}

// wake applies what the calls need now: a deadline in the past if a call's
// task was canceled.
func (g *gate) wake() {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.apply()
}

func (g *gate) forget() {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.known = false
}

// setOutside runs set, which sets the socket's deadline outside the gate;
// the next call applies its own again.
func (g *gate) setOutside(set func()) {
	g.mu.Lock()
	defer g.mu.Unlock()
	set()
	g.known = false
}

// generation identifies the deadline the socket has now.
func (g *gate) generation() uint64 {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.gen
}

// retry reports whether a call that failed with err should try again:
// err is a deadline that was not the call's own (another call's timeout or
// cancel). It first waits until the socket's deadline no longer lies in the
// past, which happens when the calls it was for have left. gen is the
// generation when the attempt started: if the deadline has not moved since
// and lies ahead, the error did not come from it (a TLS conn repeats the
// timeout that broke it) and is final. When it says again, next is the
// generation the next attempt runs under.
func (g *gate) retry(ctx context.Context, by time.Time, err error, gen uint64) (again bool, next uint64) {
	if !errors.Is(err, os.ErrDeadlineExceeded) {
		return false, 0
	}
	g.mu.Lock()
	final := g.gen == gen && g.known && (g.applied.IsZero() || g.applied.After(time.Now()))
	g.mu.Unlock()
	if final {
		return false, 0
	}
	var timer *time.Timer
	defer func() {
		if timer != nil {
			timer.Stop()
		}
	}()
	for {
		now := time.Now()
		if ctx.Err() != nil || (!by.IsZero() && !now.Before(by)) {
			return false, 0
		}
		g.mu.Lock()
		g.apply()
		if g.applied.IsZero() || g.applied.After(now) {
			next := g.gen
			g.mu.Unlock()
			return true, next
		}
		if g.changed == nil {
			g.changed = make(chan struct{})
		}
		ch := g.changed
		g.mu.Unlock()
		var expired <-chan time.Time
		if !by.IsZero() {
			if timer == nil {
				timer = time.NewTimer(by.Sub(now))
			}
			expired = timer.C
		}
		select {
		case <-ch:
		case <-ctx.Done():
		case <-expired:
		}
	}
}

// An ioCall is one blocking call's claim on one direction of a socket:
// the gate of that direction and the call's own deadline.
type ioCall struct {
	g    *gate
	side side
	by   time.Time // zero: none
}

// do runs op, a socket operation in the call's direction, inside the gate,
// for the task whose context is ctx (its cancel wakes op); again after a
// deadline that was another call's. op must pick up where a failed attempt
// left off (a partial write). It may wait: call it with the interpreter
// lock released.
func (c ioCall) do(ctx context.Context, op func() error) error {
	id, gen := c.g.enter(c.side, ctx, c.by)
	defer c.g.leave(id)
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		err := op()
		if err == nil {
			return nil
		}
		again, next := c.g.retry(ctx, c.by, err, gen)
		if !again {
			return err
		}
		gen = next
	}
}

// A deadlineReceiver returns the deadlines of the receiver of a method call
// (argument 1), raising an argument error for a wrong receiver. Its
// methods are the deadline methods that conns and packet conns share.
type deadlineReceiver func(rt *Runtime, L *lua.LState) *deadlines

var (
	connDeadlines   deadlineReceiver = func(rt *Runtime, L *lua.LState) *deadlines { return &rt.checkConn(L).dl }
	packetDeadlines deadlineReceiver = func(rt *Runtime, L *lua.LState) *deadlines { return &rt.checkPacketConn(L).dl }
)

func (of deadlineReceiver) setDeadline(rt *Runtime, L *lua.LState) int {
	d := of(rt, L)
	t := argTime(L, 2, "t")
	d.read, d.write = t, t
	L.Push(lua.LTrue)
	return 1
}

func (of deadlineReceiver) setReadDeadline(rt *Runtime, L *lua.LState) int {
	d := of(rt, L)
	d.read = argTime(L, 2, "t")
	L.Push(lua.LTrue)
	return 1
}

func (of deadlineReceiver) setWriteDeadline(rt *Runtime, L *lua.LState) int {
	d := of(rt, L)
	d.write = argTime(L, 2, "t")
	L.Push(lua.LTrue)
	return 1
}

func (of deadlineReceiver) setTimeout(rt *Runtime, L *lua.LState) int {
	d := of(rt, L)
	d.idle, _ = optSeconds(L, 2, "secs")
	L.Push(lua.LTrue)
	return 1
}
