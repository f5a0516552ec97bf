package bindings

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"sync/atomic"
	"time"

	lua "github.com/gonetrepl/gonetrepl/third_party/gopher-lua"
)

const listenerSummary = "a listening socket, from net.listen"

var listenerMethods = []binding{
	{"accept", (*Runtime).listenerAccept, "ln:accept([timeout]) -> conn | nil, err",
		"Waits for the next connection; kind 'timeout' after timeout seconds. The timeout, like a cancel of the task, ends this call only: other tasks accepting on the listener (ln:serve's loop) go on waiting.",
		"local c = assert(ln:accept())"},
	{"addr", (*Runtime).listenerAddr, "ln:addr() -> addr",
		"The address the listener is bound to (with the port chosen for port 0).",
		"print(ln:addr().port)"},
	{"close", (*Runtime).listenerClose, "ln:close() -> true | nil, err",
		"Stops listening; a blocked accept returns kind 'closed'. A Unix listener removes its socket file.",
		"ln:close()"},
	{"serve", (*Runtime).listenerServe, "ln:serve(handler) -> task",
		"Accepts forever in a new task, running handler(conn) in a task per connection and closing the conn when it returns or fails. Canceling the returned task stops accepting and closes the listener (new dials are refused); handlers already running go on.",
		`ln:serve(function(c) for line in c:lines() do c:write(line .. "\n") end end)`},
}

// Listener is a listening socket as Lua sees it.
type Listener struct {
	owned
	ln      net.Listener
	network string
	gate    gate // accept's deadline, shared by the calls waiting in accept
	closed  atomic.Bool
	poke    func()
}

// listenerDeadliner adapts a listener's single deadline to deadlines.
type listenerDeadliner struct{ ln net.Listener }

func (d listenerDeadliner) SetReadDeadline(t time.Time) error {
	if s, ok := d.ln.(interface{ SetDeadline(time.Time) error }); ok {
		return s.SetDeadline(t)
	}
	return nil
}

func (d listenerDeadliner) SetWriteDeadline(time.Time) error { return nil }

// listenerType is the type name of net.listener values.
const listenerType = "net.listener"

var listenerClass = &class{
	name:    listenerType,
	methods: listenerMethods,
	tostring: func(v any) string {
		l := v.(*Listener)
		state := ""
		if l.closed.Load() {
			state = " (closed)"
		}
		return fmt.Sprintf("<%s listener %s%s>", l.network, addrString(l.ln.Addr()), state)
	},
	concat: true,
	eq:     func(a, b any) bool { return a == b },
}

func (rt *Runtime) newListener(L *lua.LState, ln net.Listener, network string) *lua.LUserData {
	l := &Listener{ln: ln, network: network}
	l.poke = l.gate.wake
	rt.track(ln)
	rt.adoptNew(L, l)
	return rt.newUserData(listenerType, l)
}

func (rt *Runtime) checkListener(L *lua.LState) *Listener {
	return checkClass[*Listener](rt, L, 1, listenerType)
}

// accept waits for a connection, at most timeout when hasTimeout. The
// timeout, and a cancel of the task, end this accept only: other tasks
// accepting on the listener (ln:serve's loop) go on waiting. A conn that
// arrives as the task is canceled is closed at once.
func (rt *Runtime) accept(L *lua.LState, l *Listener, timeout time.Duration, hasTimeout bool) (net.Conn, error) {
	call := ioCall{g: &l.gate, side: side{s: listenerDeadliner{l.ln}}}
	if hasTimeout {
		call.by = time.Now().Add(timeout)
	}
	var nc net.Conn
	err := rt.block(L, l.poke, func(ctx context.Context) error {
		return call.do(ctx, func() error {
			var err error
			nc, err = l.ln.Accept()
			return err
		})
	})
	if err != nil && nc != nil {
		nc.Close()
		nc = nil
	}
	return nc, err
}

func (rt *Runtime) listenerAccept(L *lua.LState) int {
	l := rt.checkListener(L)
	timeout, hasTimeout := optSeconds(L, 2, "timeout")
	nc, err := rt.accept(L, l, timeout, hasTimeout)
	if err != nil {
		return rt.pushError(L, err, "accept", addrString(l.ln.Addr()))
	}
	ud := rt.newConn(L, nc, l.network)
	ud.Value.(*Conn).role = "accept"
	L.Push(ud)
	return 1
}

func (rt *Runtime) listenerAddr(L *lua.LState) int {
	return rt.pushAddr(L, rt.checkListener(L).ln.Addr())
}

func (rt *Runtime) listenerClose(L *lua.LState) int {
	return rt.result(L, rt.closeListener(rt.checkListener(L)), "close")
}

// closeListener closes l for ln:close and for the end of ln:serve's loop.
// The caller holds the interpreter lock.
func (rt *Runtime) closeListener(l *Listener) error {
	l.closed.Store(true)
	rt.untrack(l.ln)
	rt.disown(l)
	return l.ln.Close()
}

// isAcceptNetError reports the errors Linux's accept(2) passes on from a
// connection that failed while it waited in the backlog; its man page
// says to treat them as EAGAIN, that is to accept again.
func isAcceptNetError(err error) bool {
	for _, e := range acceptNetErrors {
		if errors.Is(err, e) {
			return true
		}
	}
	return false
}

// listenerServe starts the accept loop as a task. Each connection gets a
// task running handler(conn); the conn is closed when that task ends, how
// ever it ends. An error in a handler is reported like any task's and does
// not stop the loop. The loop ends when the listener is closed, or when
// its task is canceled or accept fails for good, which close the listener:
// new dials are refused rather than left waiting in the backlog.
func (rt *Runtime) listenerServe(L *lua.LState) int {
	l := rt.checkListener(L)
	handler := argFunction(L, 2, "handler")
	loop := L.NewFunction(func(L *lua.LState) int {
		backoff := 5 * time.Millisecond
		for {
			nc, err := rt.accept(L, l, 0, false)
			switch {
			case err == nil:
				backoff = 5 * time.Millisecond
				conn := rt.newConn(nil, nc, l.network) // owned by its handler
				conn.Value.(*Conn).role = "accept"
				t := rt.spawn("conn "+addrString(nc.RemoteAddr()), handler, []lua.LValue{conn})
				t.handles = conn.Value.(*Conn)
				t.onExit = func() {
					c := conn.Value.(*Conn)
					if !c.closed.Load() {
						c.tr.recClosed(c)
					}
					nc.Close()
					c.closed.Store(true)
				}
			case errors.Is(err, net.ErrClosed):
				return 0
			case errors.Is(err, context.Canceled):
				// Nobody accepts any more: clients would wait in the
				// backlog for a server that is gone. Refuse them.
				rt.closeListener(l)
				L.RaiseError("%v", err)
			case errors.Is(err, os.ErrDeadlineExceeded):
				// Not this loop's (it sets no deadline): keep serving.
			case isAcceptNetError(err):
				// One client's network error, passed on by accept(2):
				// that client is gone; serve the next.
			case isErrno(err, errnosOutOfResources):
				// Out of descriptors or memory for a moment: wait and retry,
				// as net/http does, rather than spin or give up.
				fmt.Fprintf(rt.stderr, "serve %s: %v; retrying in %v\n", addrString(l.ln.Addr()), err, backoff)
				rt.block(L, nil, func(ctx context.Context) error {
					select {
					case <-time.After(backoff):
					case <-ctx.Done():
					}
					return nil
				})
				backoff = min(2*backoff, time.Second)
			default:
				rt.closeListener(l)
				L.Error(rt.errorValue(err, "accept", addrString(l.ln.Addr())), 0)
			}
		}
	})
	t := rt.spawn("serve "+addrString(l.ln.Addr()), loop, nil)
	L.Push(rt.handle(t))
	return 1
}
