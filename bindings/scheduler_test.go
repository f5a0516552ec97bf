package bindings

import (
	"context"
	"errors"
	"net"
	"strings"
	"testing"
	"time"

	lua "github.com/gonetrepl/gonetrepl/third_party/gopher-lua"
)

// Go tests for what Lua cannot reach: the lock, cancellation from outside,
// panics inside bindings. Leaks are in leak_test.go.

func startChunk(t *testing.T, rt *Runtime, src string) *Task {
	t.Helper()
	fn, err := rt.Load(strings.NewReader(src), "chunk")
	if err != nil {
		t.Fatal(err)
	}
	return rt.Start("chunk", fn)
}

func waitTask(t *testing.T, task *Task) {
	t.Helper()
	select {
	case <-task.Done():
	case <-time.After(10 * time.Second):
		t.Fatalf("task %d did not end", task.ID)
	}
}

// runChunkOutput runs a chunk in a fresh runtime and returns what it printed
// (stdout and stderr, where the trace goes, together).
func runChunkOutput(t *testing.T, src string) string {
	t.Helper()
	rt, out := newTestRuntime(t)
	defer rt.Close()
	task := startChunk(t, rt, src)
	waitTask(t, task)
	if task.Status() != statusDone {
		t.Fatalf("%s\noutput:\n%s", task.Err(), out.String())
	}
	return out.String()
}

func TestCancelPureLuaLoop(t *testing.T) {
	rt, _ := newTestRuntime(t)
	defer rt.Close()
	loop := startChunk(t, rt, "local n = 0 while true do n = n + 1 end")
	time.Sleep(50 * time.Millisecond)
	if loop.Status() != statusRunning {
		t.Fatalf("loop ended early: %s", loop.Err())
	}
	// Cancel from outside, as Ctrl-C does: the VM checks the task's
	// context at every instruction.
	loop.Cancel()
	waitTask(t, loop)
	if loop.Status() != statusCanceled {
		t.Fatalf("status %s, want canceled", loop.Status())
	}
	// The interpreter is free again.
	after := startChunk(t, rt, "return 1 + 1")
	waitTask(t, after)
	if after.Status() != statusDone {
		t.Fatalf("next chunk: %s", after.Err())
	}
}

func TestCancelLoopInsidePcall(t *testing.T) {
	rt, _ := newTestRuntime(t)
	defer rt.Close()
	// pcall catches the cancellation error, but the next instruction
	// raises it again: a canceled task cannot swallow its cancellation.
	loop := startChunk(t, rt, "while true do pcall(function() while true do end end) end")
	time.Sleep(30 * time.Millisecond)
	loop.Cancel()
	waitTask(t, loop)
	if loop.Status() != statusCanceled {
		t.Fatalf("status %s, want canceled", loop.Status())
	}
}

func TestCancelBlockedReadFromOutside(t *testing.T) {
	rt, _ := newTestRuntime(t)
	defer rt.Close()
	reader := startChunk(t, rt, `
		local ln = assert(net.listen("tcp", "127.0.0.1:0"))
		local c = assert(net.dial("tcp", tostring(ln:addr())))
		local peer = assert(ln:accept())
		peer:write("partial")
		local ok, err = pcall(c.read_line, c)
		error("read_line returned: " .. tostring(err))`)
	time.Sleep(50 * time.Millisecond)
	start := time.Now()
	reader.Cancel()
	waitTask(t, reader)
	if d := time.Since(start); d > time.Second {
		t.Errorf("cancel took %v", d)
	}
	if reader.Status() != statusCanceled {
		t.Fatalf("status %s (%s), want canceled", reader.Status(), reader.Err())
	}
}

// A panic inside a blocking call is recovered, turned into a Lua error
// with the lock held again, and the runtime carries on.
func TestPanicInBlockingCallIsRecovered(t *testing.T) {
	rt, _ := newTestRuntime(t)
	defer rt.Close()
	rt.gil.Lock()
	rt.L.SetGlobal("explode", rt.L.NewFunction(func(L *lua.LState) int {
		rt.block(L, nil, func(context.Context) error { panic("boom in Go") })
		return 0
	}))
	rt.L.SetGlobal("explode_locked", rt.L.NewFunction(func(L *lua.LState) int {
		var m map[string]int
		//lint:ignore SA5000 the panic is what this binding is for
		m["x"] = 1 // a nil-map panic while holding the lock
		return 0
	}))
	rt.gil.Unlock()
	task := startChunk(t, rt, `
		local ok, err = pcall(explode)
		assert(not ok and err:find("boom in Go"), tostring(err))
		local ok2, err2 = pcall(explode_locked)
		assert(not ok2 and tostring(err2):find("nil map"), tostring(err2))
		return "survived"`)
	waitTask(t, task)
	if task.Status() != statusDone {
		t.Fatalf("%s\n%s", task.Err(), task.Trace())
	}
}

// The lock is released while a task blocks: 100 tasks each blocked in a
// sleep inside pcall, a metamethod and a sort comparator finish together,
// not one after another.
func TestBlockingReleasesLock(t *testing.T) {
	rt, _ := newTestRuntime(t)
	defer rt.Close()
	task := startChunk(t, rt, `
		local done = task.chan(100)
		local t0 = time.now()
		for i = 1, 100 do
			task.spawn(function()
				pcall(time.sleep, 0.05)
				local m = setmetatable({}, {__index = function() time.sleep(0.05) return 1 end})
				local _ = m.x
				local list = {3, 1, 2}
				table.sort(list, function(a, b) time.sleep(0.001) return a < b end)
				done:send(true)
			end)
		end
		for i = 1, 100 do assert(done:recv(10)) end
		return time.since(t0)`)
	waitTask(t, task)
	if task.Status() != statusDone {
		t.Fatalf("%s", task.Err())
	}
	rt.gil.Lock()
	elapsed := float64(task.results[0].(lua.LNumber))
	rt.gil.Unlock()
	// Serialised, 100 tasks would take over 10 s.
	if elapsed > 5 {
		t.Fatalf("100 blocking tasks took %.2f s: the lock is not released while blocking", elapsed)
	}
}

// A chunk (a script, a prompt line) that fails or is canceled keeps the
// sockets it opened, unlike a spawned task (task_test.lua): Ctrl-C on a
// read at the prompt must leave the conn usable.
func TestChunkKeepsItsSockets(t *testing.T) {
	rt, _ := newTestRuntime(t)
	defer rt.Close()
	waitTask(t, startChunk(t, rt, `
		ln = assert(net.listen("tcp", "127.0.0.1:0"))
		ln:serve(function(c)
			c:set_timeout(10)
			for line in c:lines() do c:write(line .. "\n") end
		end)`))
	failed := startChunk(t, rt, `
		c = assert(net.dial("tcp", tostring(ln:addr())))
		c:set_timeout(10)
		error("the line fails")`)
	waitTask(t, failed)
	canceled := startChunk(t, rt, `
		d = assert(net.dial("tcp", tostring(ln:addr())))
		d:read()`)
	time.Sleep(50 * time.Millisecond)
	canceled.Cancel()
	waitTask(t, canceled)
	if failed.Status() != statusFailed || canceled.Status() != statusCanceled {
		t.Fatalf("statuses %s, %s; want failed, canceled", failed.Status(), canceled.Status())
	}
	after := startChunk(t, rt, `
		assert(c:write("still open\n"))
		assert(c:read_line() == "still open")
		d:set_timeout(10)
		assert(d:write("this one too\n"))
		assert(d:read_line() == "this one too")`)
	waitTask(t, after)
	if after.Status() != statusDone {
		t.Fatal(after.Err())
	}
}

// A canceled call's error is context.Canceled to Go code (errors.Is) and
// kind canceled to Lua, in the kind's own word: no "context canceled" in
// what a user reads.
func TestCanceledErrorText(t *testing.T) {
	e := newError(&net.OpError{Op: "read", Net: "tcp", Err: errCanceled}, "read", "")
	if e.Kind != kindCanceled || !errors.Is(e, context.Canceled) || strings.Contains(e.Error(), "context") {
		t.Errorf("got kind %q, message %q", e.Kind, e.Error())
	}
}

// A message that already starts with a position in a frame's file, on any
// line (a message caught by pcall and raised again with error(e, 0)),
// gets no second position; any other message does.
func TestHasPositionIn(t *testing.T) {
	for _, c := range []struct {
		msg, where string
		want       bool
	}{
		{"a.lua:5: boom", "a.lua:5:", true},
		{"a.lua:3: boom", "a.lua:5:", true},
		{"(command line):12: boom", "(command line):1:", true},
		{"b.lua:3: boom", "a.lua:5:", false},
		{"a.lua:boom", "a.lua:5:", false},
		{"a.lua:: boom", "a.lua:5:", false},
		{"boom", "a.lua:5:", false},
		{"a.lua:3:boom", "a.lua:5:", false},
	} {
		if got := hasPositionIn(c.msg, c.where); got != c.want {
			t.Errorf("hasPositionIn(%q, %q) = %v, want %v", c.msg, c.where, got, c.want)
		}
	}
}
