package main

import (
	"regexp"
	"strings"
	"testing"
)

// A task's failure that t:wait() takes is the waiter's to handle: nothing
// is printed for it, and it does not make the exit status 1. A failure
// nobody waits for is printed when it happens; a later t:wait() still
// takes it, and then the status stays 0.
func TestWaitCollectsFailure(t *testing.T) {
	t.Parallel()
	r := runCLI(t, "", "-e", `
		local t = task.spawn(function() time.sleep(0.05); error("boom") end)
		local ok, err = t:wait()
		print("collected", ok, err)
		-- A wait that times out leaves the failure to the next wait.
		local t1 = task.spawn(function() time.sleep(0.3); error("second") end)
		local none, werr = t1:wait(0.01)
		print("timed", none == nil and werr.kind == "timeout", t1:wait())
		local t2 = task.spawn(function() error("early") end)
		time.sleep(0.2) -- t2 fails while nobody waits
		print("late", t2:wait())
	`)
	if r.code != 0 {
		t.Errorf("exit status %d, want 0: every failure was collected\n%v", r.code, r)
	}
	if !regexp.MustCompile(`collected\tnil\t.*boom`).MatchString(r.stdout) || !regexp.MustCompile(`timed\ttrue\tnil\t.*second`).MatchString(r.stdout) ||
		!regexp.MustCompile(`late\tnil\t.*early`).MatchString(r.stdout) {
		t.Errorf("stdout: %q", r.stdout)
	}
	if strings.Contains(r.stderr, "boom") || strings.Contains(r.stderr, "second") {
		t.Errorf("a failure a waiter took was reported too: %q", r.stderr)
	}
	if n := strings.Count(r.stderr, "early"); n != 1 {
		t.Errorf("the failure nobody waited for was reported %d times, want once: %q", n, r.stderr)
	}
}

// A failure nobody collects is printed with its traceback, and the exit
// status is 1.
func TestUncollectedFailureIsStatus1(t *testing.T) {
	t.Parallel()
	r := runCLI(t, "", "-e", `task.spawn(function() error("lost") end)`)
	if r.code != 1 || !regexp.MustCompile(`task \d+ \(.*\) failed: .*lost`).MatchString(r.stderr) || !strings.Contains(r.stderr, "stack traceback") {
		t.Errorf("want status 1 and the failure with its traceback; got %v", r)
	}
}

// A serve handler ended by its conn's failure (the peer resets it; a line
// over lines()'s cap) is one line naming the conn, without a traceback and
// without changing the exit status. A Lua bug in a handler keeps its
// traceback and makes the status 1.
func TestServeHandlerEndedByItsConn(t *testing.T) {
	t.Parallel()
	r := runCLI(t, "", "-e", `
		local ln = assert(net.listen("tcp", "127.0.0.1:0"))
		local ended = task.chan(2)
		ln:serve(function(c)
			local ok, err = pcall(function() for line in c:lines(16) do end end)
			ended:send(true)
			if not ok then error(err, 0) end
		end)
		local a = assert(net.dial("tcp", tostring(ln:addr())))
		a:set_linger(0); a:write("x"); time.sleep(0.05); a:close() -- a reset
		local b = assert(net.dial("tcp", tostring(ln:addr())))
		b:write(string.rep("y", 100) .. "\n")                        -- too_large
		ended:recv(); ended:recv(); time.sleep(0.1)
		ln:close(); b:close()
	`)
	if r.code != 0 {
		t.Errorf("exit status %d, want 0: a peer's doing is not the script's failure\n%v", r.code, r)
	}
	lines := regexp.MustCompile(`(?m)^conn 127\.0\.0\.1:\d+ ended: .*$`).FindAllString(r.stderr, -1)
	if len(lines) != 2 || !strings.Contains(r.stderr, "connection reset by peer") || !strings.Contains(r.stderr, "longer than 16 bytes") {
		t.Errorf("want two one-line reports (reset, too long); got %q", r.stderr)
	}
	if strings.Contains(r.stderr, "traceback") || strings.Contains(r.stderr, "failed") {
		t.Errorf("a conn's failure was reported as a task failure: %q", r.stderr)
	}

	bug := runCLI(t, "", "-e", `
		local ln = assert(net.listen("tcp", "127.0.0.1:0"))
		ln:serve(function(c) local cfg; return cfg.port end)
		local c = assert(net.dial("tcp", tostring(ln:addr())))
		c:read()
		time.sleep(0.1); ln:close()
	`)
	if bug.code != 1 || !strings.Contains(bug.stderr, "attempt to index") || !strings.Contains(bug.stderr, "stack traceback") {
		t.Errorf("a Lua bug in a handler: want status 1 and a traceback; got %v", bug)
	}
}
