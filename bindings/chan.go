package bindings

import (
	"context"
	"fmt"
	"sync"
	"time"

	lua "github.com/gonetrepl/gonetrepl/third_party/gopher-lua"
)

const chanSummary = "a channel of Lua values between tasks, from task.chan"

var chanMethods = []binding{
	{"send", (*Runtime).chanSend, "ch:send(v [, timeout]) -> true | nil, err",
		"Sends v, waiting while the channel is full; err.kind is 'closed' on a closed channel, 'timeout' after timeout seconds.",
		"ch:send({line = line})"},
	{"recv", (*Runtime).chanRecv, "ch:recv([timeout]) -> v, true | nil, false [, err]",
		"Receives a value, waiting for one; nil, false once the channel is closed and drained; nil, false, err on timeout.",
		"local v, ok = ch:recv(1)"},
	{"close", (*Runtime).chanClose, "ch:close()",
		"Closes the channel: receivers drain what is left, then get nil, false; senders get err.kind == 'closed'.",
		"ch:close()"},
}

// Chan carries Lua values between tasks: a queue of at most capacity
// values (plus one for each receiver that was waiting when it was sent),
// and the senders waiting for room (or, with capacity 0, for a receiver
// to take their value). The queue is a ring that grows as values
// arrive, so task.chan(2^20) costs a few words until it is used (a Go
// channel of that capacity was 16 MiB up front), and shrinks back when it
// is drained. All fields are guarded by mu.
type Chan struct {
	mu       sync.Mutex
	capacity int
	queue    ring
	senders  []*chanSender // waiting, oldest first
	// recvWake, when not nil, is closed (and cleared) when a value or
	// a sender arrives or the channel closes: receivers wait on it.
	recvWake    chan struct{}
	recvWaiting int // receivers waiting on recvWake
	closed      bool
	closing     chan struct{} // closed by close, for waiting senders
}

// chanSender is a sender waiting: taken is closed once a receiver (or
// the room a receiver made) has its value.
type chanSender struct {
	v     lua.LValue
	taken chan struct{}
}

func newChan(capacity int) *Chan {
	return &Chan{capacity: capacity, closing: make(chan struct{})}
}

func (ch *Chan) isClosed() bool {
	ch.mu.Lock()
	defer ch.mu.Unlock()
	return ch.closed
}

// wakeReceivers wakes every waiting receiver. The caller holds mu.
func (ch *Chan) wakeReceivers() {
	if ch.recvWake != nil {
		close(ch.recvWake)
		ch.recvWake = nil
	}
}

// trySend queues v if there is room. Otherwise it registers a waiting
// sender and returns it. The caller holds mu.
func (ch *Chan) trySend(v lua.LValue) (queued bool, w *chanSender) {
	// Room is the capacity, plus one for each receiver waiting that no
	// queued value is for yet: a send to a waiting receiver succeeds at
	// once, even on an unbuffered channel, as with a Go channel.
	if ch.queue.len() < ch.capacity+ch.recvWaiting {
		ch.queue.push(v)
		ch.wakeReceivers()
		return true, nil
	}
	w = &chanSender{v: v, taken: make(chan struct{})}
	ch.senders = append(ch.senders, w)
	ch.wakeReceivers()
	return false, w
}

// withdraw removes a waiting sender that gave up; false if a receiver
// took its value first. The caller holds mu.
func (ch *Chan) withdraw(w *chanSender) bool {
	for i, s := range ch.senders {
		if s == w {
			ch.senders = append(ch.senders[:i], ch.senders[i+1:]...)
			return true
		}
	}
	return false
}

// tryRecv takes the next value: from the queue (then the oldest waiting
// sender's value moves in), or straight from a waiting sender when the
// queue is empty (capacity 0). After close, only the queue drains: the
// waiting senders fail with 'closed'. The caller holds mu.
func (ch *Chan) tryRecv() (v lua.LValue, ok bool) {
	if ch.queue.len() > 0 {
		v = ch.queue.pop()
		if !ch.closed && len(ch.senders) > 0 && ch.queue.len() < ch.capacity+ch.recvWaiting {
			ch.queue.push(ch.takeSender())
			ch.wakeReceivers()
		}
		return v, true
	}
	if !ch.closed && len(ch.senders) > 0 {
		return ch.takeSender(), true
	}
	return nil, false
}

// takeSender takes the oldest waiting sender's value and tells it so. The
// caller holds mu; there is a sender waiting.
func (ch *Chan) takeSender() lua.LValue {
	w := ch.senders[0]
	ch.senders[0] = nil
	ch.senders = ch.senders[1:]
	close(w.taken)
	return w.v
}

// ring is a FIFO of Lua values in a slice that doubles when full and is
// dropped when empty.
type ring struct {
	buf  []lua.LValue
	head int
	n    int
}

func (r *ring) len() int { return r.n }

func (r *ring) push(v lua.LValue) {
	if r.n == len(r.buf) {
		grown := make([]lua.LValue, max(8, 2*len(r.buf)))
		for i := range r.n {
			grown[i] = r.buf[(r.head+i)%len(r.buf)]
		}
		r.buf, r.head = grown, 0
	}
	r.buf[(r.head+r.n)%len(r.buf)] = v
	r.n++
}

func (r *ring) pop() lua.LValue {
	v := r.buf[r.head]
	r.buf[r.head] = nil
	r.head = (r.head + 1) % len(r.buf)
	r.n--
	if r.n == 0 {
		r.buf, r.head = nil, 0 // a burst's memory goes back
	}
	return v
}

// chanType is the type name of task.chan values.
const chanType = "task.chan"

var chanClass = &class{
	name:    chanType,
	methods: chanMethods,
	tostring: func(v any) string {
		ch := v.(*Chan)
		ch.mu.Lock()
		defer ch.mu.Unlock()
		state := ""
		if ch.closed {
			state = " closed"
		}
		return fmt.Sprintf("<chan %d/%d%s>", ch.queue.len(), ch.capacity, state)
	},
	eq: func(a, b any) bool { return a == b },
}

func (rt *Runtime) taskChan(L *lua.LState) int {
	capacity := optSize(L, 1, "capacity", 0, 0, 1<<20)
	ch := newChan(capacity)
	L.Push(rt.newUserData(chanType, ch))
	return 1
}

var errChanClosed = simpleError(kindClosed, "send", "", "send on closed channel")

func (rt *Runtime) chanSend(L *lua.LState) int {
	ch := checkClass[*Chan](rt, L, 1, chanType)
	v := L.CheckAny(2)
	timeout, hasTimeout := optSeconds(L, 3, "timeout")
	if ch.isClosed() {
		return rt.pushError(L, errChanClosed, "", "")
	}
	// A socket in the channel belongs to no task: the sender may end
	// before anyone receives it. Given away before the send, because the
	// receiver may adopt it as soon as it is in.
	undo := rt.giveAway(v)
	ch.mu.Lock()
	if ch.closed {
		ch.mu.Unlock()
		undo()
		return rt.pushError(L, errChanClosed, "", "")
	}
	queued, w := ch.trySend(v)
	ch.mu.Unlock()
	if queued {
		L.Push(lua.LTrue)
		return 1
	}
	sent := false
	err := rt.block(L, nil, func(ctx context.Context) error {
		expire, stop := expireAfter(timeout, hasTimeout)
		defer stop()
		var err error
		select {
		case <-w.taken:
			sent = true
			return nil
		case <-ch.closing:
			err = errChanClosed
		case <-expire:
			err = simpleError(kindTimeout, "send", "", "send: timeout after %v", timeout)
		case <-ctx.Done():
			err = ctx.Err()
		}
		ch.mu.Lock()
		defer ch.mu.Unlock()
		if !ch.withdraw(w) {
			sent = true
			return nil // taken just before: the send happened
		}
		return err
	})
	if err != nil {
		if !sent {
			// Not sent: its sockets are the sender's again. (Sent just as
			// the task was canceled, they are the receiver's now.)
			undo()
		}
		return rt.pushError(L, err, "send", "")
	}
	L.Push(lua.LTrue)
	return 1
}

func (rt *Runtime) chanRecv(L *lua.LState) int {
	ch := checkClass[*Chan](rt, L, 1, chanType)
	timeout, hasTimeout := optSeconds(L, 2, "timeout")
	ch.mu.Lock()
	v, ok := ch.tryRecv()
	closed := ch.closed
	ch.mu.Unlock()
	if !ok && !closed {
		err := rt.block(L, nil, func(ctx context.Context) error {
			var err error
			v, ok, err = ch.waitRecv(ctx, timeout, hasTimeout)
			return err
		})
		if err != nil {
			if ok && v != nil {
				// Received just as the task was canceled: Lua never sees
				// it, so a socket in it is nobody's. It is closed now, not
				// left to the garbage collector (in the background: a TLS
				// conn's close may wait).
				if ud, isUD := v.(*lua.LUserData); isUD {
					if s, isSock := ud.Value.(socket); isSock {
						go s.closeOwned(rt)
					}
				}
			}
			L.Push(lua.LNil)
			L.Push(lua.LFalse)
			L.Push(rt.errorValue(err, "recv", ""))
			return 3
		}
	}
	if !ok {
		L.Push(lua.LNil)
		L.Push(lua.LFalse)
		return 2
	}
	rt.adoptValue(taskOf(L), v)
	L.Push(v)
	L.Push(lua.LTrue)
	return 2
}

// waitRecv waits for a value, for at most timeout when hasTimeout, or
// until the channel closes (ok false, no error) or ctx ends. It runs
// without the interpreter lock.
func (ch *Chan) waitRecv(ctx context.Context, timeout time.Duration, hasTimeout bool) (v lua.LValue, ok bool, err error) {
	expire, stop := expireAfter(timeout, hasTimeout)
	defer stop()
	ch.mu.Lock()
	defer ch.mu.Unlock()
	for {
		v, ok = ch.tryRecv()
		if ok || ch.closed {
			return v, ok, nil
		}
		if ch.recvWake == nil {
			ch.recvWake = make(chan struct{})
		}
		wake := ch.recvWake
		ch.recvWaiting++
		ch.mu.Unlock()
		select {
		case <-wake:
		case <-expire:
			err = simpleError(kindTimeout, "recv", "", "recv: timeout after %v", timeout)
		case <-ctx.Done():
			err = ctx.Err()
		}
		ch.mu.Lock()
		ch.recvWaiting--
		if err != nil {
			// A value sent on the strength of this receiver waiting is
			// taken even when the timeout fired at the same time; a
			// canceled task takes nothing (the value stays for the next
			// receiver).
			if ctx.Err() == nil {
				if v, ok = ch.tryRecv(); ok {
					return v, ok, nil
				}
			}
			return v, ok, err
		}
	}
}

func (rt *Runtime) chanClose(L *lua.LState) int {
	ch := checkClass[*Chan](rt, L, 1, chanType)
	ch.mu.Lock()
	defer ch.mu.Unlock()
	if !ch.closed {
		ch.closed = true
		close(ch.closing)
		ch.wakeReceivers()
	}
	return 0
}
