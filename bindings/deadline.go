package bindings

import (
	lua "github.com/yuin/gopher-lua"
	"sync/atomic"
	"time"
)

// deadlines tracks one socket's deadlines as the script set them, and
// applies them to the socket before each operation. Go's deadlines are
// absolute; set_timeout adds an idle timeout, refreshed before every
// operation; the earlier of the two applies. A cancel pokes the socket
// with a deadline in the past, so the next operation applies its own again.
//
// Fields other than poked are touched only with the interpreter lock held.
type deadlines struct {
	read, write  time.Time     // absolute, from set_deadline and friends
	idle         time.Duration // set_timeout; 0 is off
	appliedRead  time.Time
	appliedWrite time.Time
	poked        atomic.Bool // a cancel moved the socket's deadlines
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

// armRead applies the read deadline for the next operation.
func (d *deadlines) armRead(s deadliner) { d.arm(d.read, &d.appliedRead, s.SetReadDeadline) }

// armWrite applies the write deadline for the next operation.
func (d *deadlines) armWrite(s deadliner) { d.arm(d.write, &d.appliedWrite, s.SetWriteDeadline) }

// arm sets the socket's deadline to the one in force, unless it is set
// already: setting one costs a timer update, so it is done only on change
// (always, with an idle timeout) or after a poke.
func (d *deadlines) arm(abs time.Time, applied *time.Time, set func(time.Time) error) {
	if d.poked.Swap(false) {
		d.forget()
	}
	if dl := d.effective(abs); !dl.Equal(*applied) {
		set(dl)
		*applied = dl
	}
}

// forget records that the socket's deadlines were set outside deadlines
// (by a relay, an exchange, interact): the next operation applies its own
// again. The gil must be held.
func (d *deadlines) forget() {
	d.appliedRead, d.appliedWrite = unknownDeadline, unknownDeadline
}

// unknownDeadline is an applied deadline that matches no real one.
var unknownDeadline = time.Unix(0, 1)

// armReadBefore applies the read deadline for the next operation, or by if
// that is earlier (a timeout argument of the call). The next operation sets
// the conn's own again.
func (d *deadlines) armReadBefore(s deadliner, by time.Time) {
	d.armRead(s)
	if cur := d.appliedRead; cur.IsZero() || by.Before(cur) {
		s.SetReadDeadline(by)
		d.appliedRead = by
	}
}

// poke makes a blocked operation on s return now. It may run on any
// goroutine.
func (d *deadlines) poke(s deadliner) {
	d.poked.Store(true)
	past := time.Unix(1, 0)
	s.SetReadDeadline(past)
	s.SetWriteDeadline(past)
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
