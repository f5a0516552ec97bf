package bindings

import (
	"os"
	"path/filepath"
	"runtime/debug"
	"strings"
	"testing"

	lua "github.com/gonetrepl/gonetrepl/third_party/gopher-lua"
)

// A dial, accept or listen that succeeds just as its task is canceled
// returns kind "canceled", and the socket it made is nobody's: it must be
// closed at once (the peer reads EOF, a socket file goes away), not left to
// the garbage collector, which these tests keep from running. Likewise a
// conn received on a channel as the receiver is canceled is the
// receiver's, closed with it; one sent as the sender is canceled is the
// receiver's, left open.
//
// cancel_after_op() in Lua cancels the calling task as its next blocking
// call's op returns (cancelAfterOp in scheduler.go): that moment cannot be
// timed from Lua.

func TestCanceledOpenClosesSocket(t *testing.T) {
	defer debug.SetGCPercent(debug.SetGCPercent(-1))
	cases := []struct {
		name string
		src  string
		gone []string // socket files that must not remain
	}{
		{"accept", `
			local ln = assert(net.listen("tcp", "127.0.0.1:0"))
			local c = assert(net.dial("tcp", tostring(ln:addr()), {timeout = 5})) -- waits in the backlog
			local victim = task.spawn(function() cancel_after_op(); return ln:accept() end)
			local _, err = victim:wait(5)
			assert(err.kind == "canceled", tostring(err))
			assert_eof(c, "the accepted conn")
		`, nil},
		{"dial", `
			local ln = assert(net.listen("tcp", "127.0.0.1:0"))
			local victim = task.spawn(function() cancel_after_op(); return net.dial("tcp", tostring(ln:addr())) end)
			local s = assert(ln:accept(5))
			local _, err = victim:wait(5)
			assert(err.kind == "canceled", tostring(err))
			assert_eof(s, "the dialed conn")
		`, nil},
		{"unix dial with local_addr", `
			local srv, cli = ...
			local ln = assert(net.listen("unix", srv))
			local victim = task.spawn(function() cancel_after_op(); return net.dial("unix", srv, {local_addr = cli}) end)
			local s = assert(ln:accept(5))
			local _, err = victim:wait(5)
			assert(err.kind == "canceled", tostring(err))
			assert_eof(s, "the dialed conn")
			ln:close()
		`, []string{"srv.sock", "cli.sock"}},
		{"tls.dial", `
			local ln = assert(tls.listen("127.0.0.1:0", {self_signed = true}))
			local victim = task.spawn(function()
				cancel_after_op()
				return tls.dial(tostring(ln:addr()), {insecure = true})
			end)
			local s = assert(ln:accept(5))
			s:set_timeout(2)
			local d, rerr = s:read() -- runs the server's handshake, then waits
			local _, err = victim:wait(5)
			assert(err.kind == "canceled", tostring(err))
			assert(d == nil and rerr.kind == "eof", "the TLS conn was left open: " .. tostring(rerr))
		`, nil},
		{"unix listen", `
			local srv = ...
			local victim = task.spawn(function() cancel_after_op(); return net.listen("unix", srv) end)
			local _, err = victim:wait(5)
			assert(err.kind == "canceled", tostring(err))
			local c, derr = net.dial("unix", srv)
			assert(c == nil, "the listener was left open")
		`, []string{"srv.sock"}},
		{"unixgram listen_packet", `
			local srv = ...
			local victim = task.spawn(function() cancel_after_op(); return net.listen_packet("unixgram", srv) end)
			local _, err = victim:wait(5)
			assert(err.kind == "canceled", tostring(err))
		`, []string{"srv.sock"}},
		{"ch:recv of a conn", `
			local ln = assert(net.listen("tcp", "127.0.0.1:0"))
			local c = assert(net.dial("tcp", tostring(ln:addr())))
			local s = assert(ln:accept(5))
			local ch = task.chan()
			local victim = task.spawn(function()
				cancel_after_op()
				local v, ok, err = ch:recv()
				assert(v == nil and err.kind == "canceled", tostring(err))
			end)
			time.sleep(0.05) -- the victim waits in recv
			task.spawn(function(c) ch:send(c) end, c)
			victim:wait(5)
			assert_eof(s, "the received conn")
		`, nil},
		{"ch:send of a conn", `
			local ln = assert(net.listen("tcp", "127.0.0.1:0"))
			local c = assert(net.dial("tcp", tostring(ln:addr())))
			local s = assert(ln:accept(5))
			local ch = task.chan()
			local victim = task.spawn(function(c) cancel_after_op(); ch:send(c) end, c)
			time.sleep(0.05) -- the victim waits in send
			local got = assert(ch:recv(5))
			victim:wait(5)
			assert(victim:status() == "canceled", victim:status())
			-- The conn is the receiver's now: the canceled sender did not close it.
			assert(got:write("still open"))
			s:set_timeout(2)
			assert(s:read() == "still open")
		`, nil},
	}
	// assert_eof(s, what): s reads EOF within 2 s, what was closed.
	const prelude = `local function assert_eof(s, what)
		s:set_timeout(2)
		local d, rerr = s:read()
		assert(d == nil and rerr.kind == "eof", what .. " was left open: " .. tostring(rerr))
	end
	`
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			sub := t.TempDir()
			rt, out := newTestRuntime(t)
			defer rt.Close()
			rt.gil.Lock()
			rt.L.SetGlobal("cancel_after_op", rt.L.NewFunction(func(L *lua.LState) int {
				cancelAfterOp.Store(taskOf(L))
				return 0
			}))
			rt.gil.Unlock()
			fn, err := rt.Load(strings.NewReader(prelude+tc.src), "chunk")
			if err != nil {
				t.Fatal(err)
			}
			task := rt.Start("chunk", fn, filepath.Join(sub, "srv.sock"), filepath.Join(sub, "cli.sock"))
			waitTask(t, task)
			if task.Status() != statusDone {
				t.Fatalf("%s\noutput:\n%s", task.Err(), out.String())
			}
			for _, f := range tc.gone {
				if _, err := os.Lstat(filepath.Join(sub, f)); err == nil {
					t.Errorf("%s is left behind", f)
				}
			}
		})
	}
}
