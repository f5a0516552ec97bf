package bindings

// Writing lines and answering prompts, as pwntools' tubes do: c:send_line
// with the conn's newline (c:set_newline), and c:send_after and
// c:send_line_after, which wait for a literal and only then send. Unlike
// pwntools' sendafter, a wait that times out sends nothing.

import (
	"context"
	"time"

	lua "github.com/gonetrepl/gonetrepl/third_party/gopher-lua"
)

// defaultNewline is what send_line ends a line with until set_newline.
const defaultNewline = "\n"

// lineEnding is the conn's newline.
func (c *Conn) lineEnding() string {
	if c.newline == "" {
		return defaultNewline
	}
	return c.newline
}

func (rt *Runtime) connSetNewline(L *lua.LState) int {
	c := rt.checkConn(L)
	s := argString(L, 2, "s")
	if s == "" {
		argError(L, 2, "s", "must not be empty")
	}
	c.newline = s
	L.Push(lua.LTrue)
	return 1
}

// writeData writes data as one write, by the call's own deadline (zero:
// none) besides the conn's, and pushes the bytes written or nil, err.
//
// A write the socket takes at once is written holding the interpreter
// lock (writeNow); the rest, if any, waits with the lock released.
func (rt *Runtime) writeData(L *lua.LState, c *Conn, data string, by time.Time, more bool) int {
	p := bytesOf(data)
	if rt.hold(L, c, p, by, more) {
		L.Push(lua.LNumber(len(p)))
		return 1
	}
	if err := rt.flushHeld(L, c); err != nil {
		return rt.pushError(L, err, "write", "")
	}
	done := rt.writeNow(L, c, p, by)
	if done == len(p) && done > 0 {
		L.Push(lua.LNumber(done))
		return 1
	}
	call := c.dl.writeCall(c.nc, by)
	var n int
	err := rt.block(L, c.poke, func(ctx context.Context) error {
		var err error
		n, err = c.writeIn(ctx, call, p[done:])
		return err
	})
	if err != nil {
		return rt.pushError(L, c.opError("write", err), "write", "")
	}
	L.Push(lua.LNumber(done + n))
	return 1
}

func (rt *Runtime) connSendLine(L *lua.LState) int {
	c := rt.checkConn(L)
	data := argData(L, 2, "data")
	return rt.writeData(L, c, data+c.lineEnding(), time.Time{}, false)
}

func (rt *Runtime) connSendAfter(L *lua.LState) int     { return rt.sendAfter(L, false) }
func (rt *Runtime) connSendLineAfter(L *lua.LState) int { return rt.sendAfter(L, true) }

// sendAfter waits for delim as read_until does, then sends data (and the
// newline if line is set), all within opts.timeout. It returns what came
// before delim; on a failed wait it has sent nothing.
func (rt *Runtime) sendAfter(L *lua.LState, line bool) int {
	c := rt.checkConn(L)
	opts, at := cutOpts(L, 4, 4, readOptsShape)
	delim := argString(L, 2, "delim")
	if delim == "" {
		argError(L, 2, "delim", "must not be empty")
	}
	data := argData(L, 3, "data")
	o := argReadOpts(L, at, opts, defaultReadMax, false, 0, lua.MaxStringSize)
	if c.datagram {
		return rt.pushError(L, c.streamOnly("send_after"), "send_after", "")
	}
	by := o.deadline()
	got, err := rt.readString(L, c, o.max+len(delim), c.rd.scanUntil([]byte(delim), o.max, "data", false, false), by)
	if err != nil {
		return rt.pushError(L, c.opError("read", c.timedOut(err, awaited{delim: delim})), "read", "")
	}
	if line {
		data += c.lineEnding()
	}
	if rt.writeData(L, c, data, by, false) == 2 {
		return 2
	}
	L.Pop(1)
	L.Push(lua.LString(got))
	return 1
}
