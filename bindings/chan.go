package bindings

import (
	"context"
	"fmt"
	"sync"

	lua "github.com/yuin/gopher-lua"
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

// Chan carries Lua values between tasks. The Go channel is never closed
// (a send racing a close would panic); closing is signalled apart.
type Chan struct {
	data      chan lua.LValue
	closing   chan struct{}
	closeOnce sync.Once
	capacity  int
}

func (ch *Chan) isClosed() bool {
	select {
	case <-ch.closing:
		return true
	default:
		return false
	}
}

// chanType is the type name of task.chan values.
const chanType = "task.chan"

var chanClass = &class{
	name:    chanType,
	methods: chanMethods,
	tostring: func(v any) string {
		ch := v.(*Chan)
		state := ""
		if ch.isClosed() {
			state = " closed"
		}
		return fmt.Sprintf("<chan %d/%d%s>", len(ch.data), ch.capacity, state)
	},
	eq: func(a, b any) bool { return a == b },
}

func (rt *Runtime) taskChan(L *lua.LState) int {
	capacity := optSize(L, 1, "capacity", 0, 0, 1<<20)
	ch := &Chan{data: make(chan lua.LValue, capacity), closing: make(chan struct{}), capacity: capacity}
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
	select {
	case ch.data <- v:
		L.Push(lua.LTrue)
		return 1
	default:
	}
	sent := false
	err := rt.block(L, nil, func(ctx context.Context) error {
		expire, stop := expireAfter(timeout, hasTimeout)
		defer stop()
		select {
		case ch.data <- v:
			sent = true
			return nil
		case <-ch.closing:
			return errChanClosed
		case <-expire:
			return simpleError(kindTimeout, "send", "", "send: timeout after %v", timeout)
		case <-ctx.Done():
			return ctx.Err()
		}
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
	var v lua.LValue
	ok := true
	select {
	case v = <-ch.data:
		rt.adoptValue(taskOf(L), v)
		L.Push(v)
		L.Push(lua.LTrue)
		return 2
	default:
	}
	err := rt.block(L, nil, func(ctx context.Context) error {
		expire, stop := expireAfter(timeout, hasTimeout)
		defer stop()
		select {
		case v = <-ch.data:
			return nil
		case <-ch.closing:
			// Drain what was sent before the close.
			select {
			case v = <-ch.data:
			default:
				ok = false
			}
			return nil
		case <-expire:
			return simpleError(kindTimeout, "recv", "", "recv: timeout after %v", timeout)
		case <-ctx.Done():
			return ctx.Err()
		}
	})
	if err != nil {
		if v != nil {
			// Received just as the task was canceled: Lua never sees
			// it, so a socket in it is nobody's. It is closed now, not
			// left to the garbage collector (in the background: a TLS
			// conn's close may wait).
			if ud, ok := v.(*lua.LUserData); ok {
				if s, ok := ud.Value.(socket); ok {
					go s.closeOwned(rt)
				}
			}
		}
		L.Push(lua.LNil)
		L.Push(lua.LFalse)
		L.Push(rt.errorValue(err, "recv", ""))
		return 3
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

func (rt *Runtime) chanClose(L *lua.LState) int {
	ch := checkClass[*Chan](rt, L, 1, chanType)
	ch.closeOnce.Do(func() { close(ch.closing) })
	return 0
}
