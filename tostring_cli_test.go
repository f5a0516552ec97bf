package main

import (
	"bufio"
	"net"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// Issue 14, item 1: an error value whose __tostring raises was a Go panic
// that ended the process with status 2, wherever the error was reported:
// a spawned task, the main chunk, t:wait, a prompt line. Now its text is a
// fallback and the process carries on as for any other error.
func TestErrorToStringCannotCrash(t *testing.T) {
	t.Parallel()
	const obj = `setmetatable({}, {__tostring = function() error("x") end})`
	script := filepath.Join(t.TempDir(), "raise.lua")
	if err := os.WriteFile(script, []byte("error("+obj+")\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name string
		args []string
	}{
		{"task", []string{"-e", `task.spawn(function() error(` + obj + `) end)`}},
		{"main chunk", []string{"-e", `error(` + obj + `)`}},
		{"script", []string{script}},
		// t:wait takes the error (status 0); the script prints it.
		{"wait", []string{"-e", `local v, err = task.spawn(function() error(` + obj + `) end):wait() print(v, err) error(err)`}},
		{"coroutine", []string{"-e", `coroutine.wrap(function() error(` + obj + `) end)()`}},
	} {
		t.Run(c.name, func(t *testing.T) {
			r := runCLI(t, "", c.args...)
			if r.code != 1 || !strings.Contains(r.stderr, "error object (__tostring failed: ") || strings.Contains(r.stderr, "panic") {
				t.Fatalf("want status 1 and the fallback text; got %v", r)
			}
		})
	}
	t.Run("prompt", func(t *testing.T) {
		home := t.TempDir()
		env := []string{"HOME=" + home, "GONETREPL_HISTORY=" + filepath.Join(home, "history")}
		lines := "x = " + obj + "\nx\nerror(x)\n{x}\n" +
			"y = setmetatable({}, {__tostring = function() while true do end end})\ny\n" +
			"print('after')\n"
		r := runCLIEnv(t, env, lines, "--no-color")
		out := r.stdout + r.stderr
		if r.code != 0 || strings.Count(out, "(__tostring failed: ") != 3 ||
			!strings.Contains(out, "(__tostring did not finish in 500ms)") || !strings.Contains(out, "\nafter\n") {
			t.Fatalf("want each line shown with the fallback text, then 'after'; got %v", r)
		}
	})
}

// A __tostring that never returns, on the error of a task: other tasks
// still run (it is stopped after half a second), and SIGTERM still ends
// the process with 143.
func TestErrorToStringLoopKeepsServing(t *testing.T) {
	t.Parallel()
	p, addr := startListening(t, `^listening on (\S+)$`, "-e", `
		local ln = assert(net.listen("tcp", "127.0.0.1:0"))
		io.stderr:write("listening on ", tostring(ln:addr()), "\n")
		ln:serve(function(c) c:write("pong\n") end)
		local looping = setmetatable({}, {__tostring = function()
			io.stderr:write("in tostring\n")
			while true do end
		end})
		while true do
			local t = task.spawn(function() error(looping) end)
			while t:status() == "running" do time.sleep(0.01) end -- reported: nobody waits
		end`)
	p.waitLine(p.stderr, `^in tostring$`, readyTimeout)
	for i := 0; i < 3; i++ { // a few times, to meet a loop under way
		c, err := net.DialTimeout("tcp", addr, 10*time.Second)
		if err != nil {
			t.Fatal(err)
		}
		c.SetReadDeadline(time.Now().Add(10 * time.Second))
		reply, err := bufio.NewReader(c).ReadString('\n')
		c.Close()
		if reply != "pong\n" {
			t.Fatalf("no reply while a __tostring loops: %q, %v\nstderr:\n%s", reply, err, p.stderr)
		}
	}
	// The replies came while the loop ran (it hands the interpreter on
	// every time slice); its fallback text comes once its budget is spent.
	p.waitLine(p.stderr, `error object \(__tostring did not finish in 500ms\)`, readyTimeout)
	sent := time.Now()
	p.signal(syscall.SIGTERM)
	if code := p.wait(10 * time.Second); code != 143 {
		t.Fatalf("want status 143 after SIGTERM; got %d\nstderr:\n%s", code, p.stderr)
	}
	if took := time.Since(sent); took > time.Second {
		t.Errorf("took %v to exit after SIGTERM; want under 1 s", took)
	}
}

// Issue 14, item 2: nesting that used to end in Go's fatal "stack
// overflow" (status 2, after gigabytes) is a Lua error: status 1.
func TestDeepNestingIsALuaError(t *testing.T) {
	t.Parallel()
	const nest = `local function f() local ok, err = pcall(coroutine.wrap(f)) if not ok then error(err, 0) end end `
	chunk := filepath.Join(t.TempDir(), "deep.lua")
	if err := os.WriteFile(chunk, []byte("return "+strings.Repeat("{", 1000000)+strings.Repeat("}", 1000000)), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name string
		args []string
		want string
	}{
		{"coroutines", []string{"-e", nest + "f()"}, "C stack overflow"},
		{"coroutines in a task", []string{"-e", "task.spawn(function() " + nest + "f() end)"}, "C stack overflow"},
		{"pattern", []string{"-e", `string.find("x", ("("):rep(400000) .. (")"):rep(400000))`}, "too many captures"},
		{"loadstring", []string{"-e", `assert(loadstring("return " .. ("{"):rep(1000000) .. ("}"):rep(1000000)))`}, "too many syntax levels"},
		{"script", []string{chunk}, "too many syntax levels"},
	} {
		t.Run(c.name, func(t *testing.T) {
			r := runCLI(t, "", c.args...)
			if r.code != 1 || !strings.Contains(r.stderr, c.want) || strings.Contains(r.stderr, "fatal error") {
				if len(r.stderr) > 2000 {
					r.stderr = r.stderr[:2000] + "..."
				}
				t.Fatalf("want status 1 and %q; got %v", c.want, r)
			}
		})
	}
}
