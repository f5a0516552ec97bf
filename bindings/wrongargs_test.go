// Go's own resolver, in every test of this package: it keeps the wrong
// argument test's "x.onion" lookups on this machine (RFC 7686), where a
// resolver through the C library might ask the configured DNS server.
//
//go:debug netdns=go
package bindings

import (
	"fmt"
	"path/filepath"
	"runtime/debug"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	lua "github.com/gonetrepl/gonetrepl/third_party/gopher-lua"
)

// Nothing crashes from Lua: every function of every module and every
// method and metamethod of every class, called with every wrong argument
// shape, raises a Lua error or returns; no call lets a Go panic out, even
// one the runtime would recover, and none hangs.
//
// The targets come from the binding tables: the module functions from
// Docs(), the methods from rt.classDefs, the metamethods from each class's
// metatable. A new binding is covered without editing this test; a new
// class needs a receiver in wrongArgsSetup, and the test fails until it has
// one.
//
// The shapes, in each position the signature names (earlier positions get
// a valid value from validValue, see args_test.go): none (the argument left
// out), nil, false, true, 0, NaN, 1e308, 2^63, -1, 1/0, a short string, a
// 10,000-byte string, {}, a function, a coroutine, a closed conn, a
// closed listener. A method is also called on each shape as its receiver
// and on a value of every other class, and its arguments are tried on two
// receivers: a closed one and a live one.
//
// The long string has 10,000 bytes, not more: gopher-lua compiles a Lua
// pattern in time quadratic in its length (string.find with a 100,000-byte
// pattern takes about 1s, and so does c:expect, holding the interpreter).
//
// The short string is "x.onion", not "x": Go's resolver never sends an
// RFC 7686 name to a DNS server, so a lookup of it stays on this machine;
// so does a lookup of the long string, too long to be a domain name. Live
// conns and packet conns have a 50ms timeout, set again before each call.
//
// Bounds: each call runs in its own task, waited for wrongArgsBound. A call
// listed in documentedBlocking, which waits by design for something that
// never comes (an accept with no timeout, a task that sleeps), is then
// canceled; any other gets wrongArgsHang seconds more, so that a slow
// machine is not taken for a hang, and is then a hang that fails the test.
// A canceled call must end within wrongArgsHang.
//
// Panics: every Go function reachable from the targets is wrapped so that a
// panic other than a Lua error (*lua.ApiError) is recorded before it goes
// on; and an error message in the form errPanic gives ("internal error:")
// or the Go runtime gives is recorded too. Either fails the test: a
// recovered panic is still a bug.

// wrongArgsBound is how long a documented-blocking call may run before it
// is canceled; wrongArgsHang how much longer any other call may take, and
// a cancel, before the test calls it a hang.
const (
	wrongArgsBound = 0.5 // seconds
	wrongArgsHang  = 10  // seconds
)

// documentedBlocking lists the calls allowed to outlast wrongArgsBound.
var documentedBlocking = []string{
	"net.listener:accept", // no timeout: waits for a client
	"net.listener:serve",  // serves until the listener closes
	"task:wait",           // no timeout: waits for a sleeping task
	"task.chan:send",      // a full or unbuffered channel
	"task.chan:recv",      // an empty channel
	"time.sleep",          // a long but valid sleep
	"net.relay",           // copies until both sides close
	// waits opts.timeout (default 1s) for a reply, opts.retries (3) times
	"net.packet_conn:exchange",
}

// wrongArgsSetup makes the receivers: closed[class] and live[class]() (a
// fresh live value for each method, so one method closing it does not
// spoil the next), and the globals validValue refers to.
const wrongArgsSetup = `
	local opened = {}
	local function keep(v) opened[#opened + 1] = v; return v end
	local ln = keep(assert(net.listen("tcp", "127.0.0.1:0")))
	local function conn_pair()
		local c = keep(assert(net.dial("tcp", tostring(ln:addr()))))
		local s = keep(assert(ln:accept(5)))
		s:write(string.rep("line\n", 200))
		c:set_timeout(0.05)
		return c
	end
	a = conn_pair() -- validValue: conn, a
	local base = opened
	opened = {}
	local ca, cb = net.pipe()
	ca:close(); cb:close()
	local cln = assert(net.listen("tcp", "127.0.0.1:0")); cln:close()
	local cpc = assert(net.listen_packet("udp", "127.0.0.1:0")); cpc:close()
	local cch = task.chan(1); cch:close()
	local done = task.spawn(function() end); done:wait(5)
	local ccap = assert(pcap.open("testdata/pcap/http.pcap")); ccap:close()
	local _, errv = ca:read(1)
	assert(type(errv) == "userdata", "no error value from a closed conn")
	closed = {
		["net.conn"] = ca,
		["net.listener"] = cln,
		["net.packet_conn"] = cpc,
		["task.chan"] = cch,
		["task"] = done,
		["net.ip"] = net.parse_ip("127.0.0.1"),
		["net.ipnet"] = select(2, net.parse_cidr("10.0.0.0/8")),
		["net.error"] = errv,
		["net.addr"] = a:local_addr(),
		["pcap.capture"] = ccap,
	}
	live = {
		["net.conn"] = conn_pair,
		["net.listener"] = function()
			local l = keep(assert(net.listen("tcp", "127.0.0.1:0")))
			keep(assert(net.dial("tcp", tostring(l:addr())))) -- one pending client
			return l
		end,
		["net.packet_conn"] = function()
			local p = keep(assert(net.listen_packet("udp", "127.0.0.1:0")))
			p:set_timeout(0.05)
			return p
		end,
		["task.chan"] = function()
			local ch = task.chan(1000)
			for i = 1, 500 do ch:send(i) end
			return ch
		end,
		["task"] = function() return keep(task.spawn(function() time.sleep(30) end)) end,
		["pcap.capture"] = function() return assert(pcap.open("testdata/pcap/http.pcap")) end,
	}
	function close_all()
		for i = #opened, 1, -1 do pcall(function() opened[i]:close() end); pcall(function() opened[i]:cancel() end) end
		opened = {}
	end
	-- before each call: live conns keep their short timeout.
	function reset(r)
		if type(r) == "userdata" and r.set_timeout then pcall(r.set_timeout, r, 0.05) end
	end
`

// wrongArgsHarness calls the targets. Each target is
// {name, f | cls+method, n (number of parameters), valid = {...}}.
const wrongArgsHarness = `
	local co = coroutine.create(function() end)
	local shapes = {
		{"nil", nil}, {"false", false}, {"true", true}, {"0", 0}, {"NaN", 0/0},
		{"1e308", 1e308}, {"2^63", 2^63}, {"-1", -1}, {"1/0", 1/0},
		{"short string", "x.onion"}, {"long string", string.rep("x", 10000)},
		{"table", {}}, {"function", function() end}, {"coroutine", co},
		{"closed conn", closed["net.conn"]}, {"closed listener", closed["net.listener"]},
	}
	local blocking = {}
	for _, n in ipairs(BLOCKING) do blocking[n] = true end
	local stats = {calls = 0, raised = 0, returned = 0, timeouts = 0}
	local failures = {}
	local panicPatterns = {"internal error:", "runtime error", "interface conversion",
		"invalid memory address", "nil pointer", "index out of range", "goroutine "}

	local function fail(msg) failures[#failures + 1] = msg end

	-- try calls f with n arguments, in its own task, bounded.
	local function try(name, what, f, n, ...)
		stats.calls = stats.calls + 1
		local h = task.spawn(function(...) return pcall(f, ...) end, ...)
		local ok, err = h:wait(BOUND)
		local st = h:status()
		if st == "running" and not blocking[name] then
			-- Slow is not stuck: on a loaded machine under -race a call
			-- may take longer than BOUND. Only one that is still running
			-- after HANG more seconds is a hang.
			ok, err = h:wait(HANG)
			st = h:status()
		end
		if st == "running" then
			h:cancel()
			h:wait(HANG)
			if h:status() == "running" then
				fail(name .. " with " .. what .. ": still running " .. HANG .. "s after cancel")
			elseif not blocking[name] then
				fail(name .. " with " .. what .. ": blocked past " .. BOUND .. "s")
			end
			stats.timeouts = stats.timeouts + 1
			return
		end
		if st ~= "done" then
			fail(name .. " with " .. what .. ": task " .. st .. ": " .. tostring(select(2, h:wait())))
			return
		end
		if ok then stats.returned = stats.returned + 1 return end
		stats.raised = stats.raised + 1
		local msg = tostring(err)
		for _, p in ipairs(panicPatterns) do
			if msg:find(p, 1, true) then
				fail(name .. " with " .. what .. ": Go panic: " .. msg)
				break
			end
		end
	end

	-- args runs every shape in each position 1..max(n,1), earlier
	-- positions valid; self, if not nil, goes first.
	local function args(name, f, n, valid, self, selfName)
		local pre = {}
		if self ~= nil then pre[1] = self end
		local base = #pre
		for i = 1, math.max(n, 1) do
			try(name, selfName .. " none at #" .. i, f, base + i - 1, unpack(pre, 1, base + i - 1))
			for _, s in ipairs(shapes) do
				local argv = {unpack(pre, 1, base + i - 1)}
				argv[base + i] = s[2]
				reset(self)
				try(name, selfName .. s[1] .. " at #" .. i, f, base + i, unpack(argv, 1, base + i))
			end
			pre[base + i] = valid[i]
		end
	end

	local classNames = {}
	for _, c in ipairs(CLASSES) do
		assert(closed[c] ~= nil, "no receiver for class " .. c .. ": add one to wrongArgsSetup")
		classNames[#classNames + 1] = c
	end

	for _, t in ipairs(TARGETS) do
		if t.f then
			assert(type(t.f) == "function", t.name .. " is not a function")
			args(t.name, t.f, t.n, t.valid, nil, "")
		else
			local f = getmetatable(closed[t.cls]).__methods[t.method]
			assert(type(f) == "function", t.name .. " missing from __methods")
			args(t.name, f, t.n, t.valid, closed[t.cls], "closed self, ")
			if live[t.cls] then
				args(t.name, f, t.n, t.valid, live[t.cls](), "live self, ")
			end
			-- wrong receivers
			try(t.name, "no self", f, 0)
			for _, s in ipairs(shapes) do try(t.name, s[1] .. " as self", f, 1, s[2]) end
			for _, c in ipairs(classNames) do
				if c ~= t.cls then try(t.name, c .. " as self", f, 1, closed[c]) end
			end
			close_all()
		end
	end

	-- metamethods of every class: wrong receivers and wrong keys.
	for _, c in ipairs(classNames) do
		local mt = getmetatable(closed[c])
		local keys = {}
		for k, v in pairs(mt) do if type(v) == "function" then keys[#keys + 1] = k end end
		table.sort(keys)
		for _, k in ipairs(keys) do
			local name = c .. " " .. k
			args(name, mt[k], 2, {closed[c]}, nil, "")
			for _, o in ipairs(classNames) do
				if o ~= c then
					try(name, o .. " as self", mt[k], 2, closed[o], "kind")
					try(name, o .. " as self", mt[k], 2, closed[o], closed[c])
				end
			end
		end
	end

	close_all()
	opened = base
	close_all()
	ln:close()
	stats.failures = table.concat(failures, "\n")
	RESULT = stats
`

func TestNothingCrashesFromLua(t *testing.T) {
	if testing.Short() {
		t.Skip("calls every binding with every wrong argument")
	}
	rt, _ := newTestRuntime(t)
	defer rt.Close()

	var mu sync.Mutex
	var panics []string
	wrap := func(name string, f *lua.LFunction) {
		if !f.IsG {
			return
		}
		orig := f.GFunction
		f.GFunction = func(L *lua.LState) int {
			defer func() {
				if r := recover(); r != nil {
					if _, isLua := r.(*lua.ApiError); !isLua {
						mu.Lock()
						panics = append(panics, fmt.Sprintf("%s: %v\n%s", name, r, firstFrames(debug.Stack())))
						mu.Unlock()
					}
					panic(r)
				}
			}()
			return orig(L)
		}
	}

	var targets []string
	target := func(fields, sig string) {
		ps := params(sig)
		valid := make([]string, len(ps))
		for i, p := range ps {
			if i == len(ps)-1 {
				valid[i] = "nil" // only earlier positions need a valid value
				break
			}
			v, ok := validValue[p]
			if !ok {
				t.Fatalf("%s: no valid value known for parameter %q: add one to validValue", sig, p)
			}
			valid[i] = v
		}
		targets = append(targets, fmt.Sprintf("{%s, n = %d, valid = {%s}}", fields, len(ps), strings.Join(valid, ", ")))
	}

	rt.gil.Lock()
	for _, m := range Docs() {
		if m.Method {
			continue
		}
		for _, d := range m.Docs {
			var v lua.LValue = rt.L.G.Global
			for _, part := range strings.Split(d.Name, ".") {
				v = rt.L.GetField(v, part)
			}
			f, ok := v.(*lua.LFunction)
			if !ok {
				rt.gil.Unlock()
				t.Fatalf("%s is a %s, not a function", d.Name, v.Type())
			}
			wrap(d.Name, f)
			target(fmt.Sprintf("name = %q, f = %s", d.Name, d.Name), d.Sig)
		}
	}
	var classes []string
	for name := range rt.classDefs {
		classes = append(classes, name)
	}
	sort.Strings(classes)
	for _, name := range classes {
		mt := rt.classMeta(name)
		methods, _ := mt.RawGetString("__methods").(*lua.LTable)
		mt.ForEach(func(k, v lua.LValue) {
			if f, ok := v.(*lua.LFunction); ok {
				wrap(name+" "+k.String(), f)
			}
		})
		for _, b := range rt.classDefs[name].methods {
			f, ok := methods.RawGetString(b.name).(*lua.LFunction)
			if !ok {
				rt.gil.Unlock()
				t.Fatalf("%s:%s missing from __methods", name, b.name)
			}
			wrap(name+":"+b.name, f)
			target(fmt.Sprintf("name = %q, cls = %q, method = %q", name+":"+b.name, name, b.name), b.sig)
		}
	}
	rt.gil.Unlock()

	quoted := func(ss []string) string {
		q := make([]string, len(ss))
		for i, s := range ss {
			q[i] = fmt.Sprintf("%q", s)
		}
		return "{" + strings.Join(q, ", ") + "}"
	}
	src := fmt.Sprintf("BOUND = %v\nHANG = %v\nBLOCKING = %s\nCLASSES = %s\n%s\nTARGETS = {\n%s\n}\n%s",
		wrongArgsBound, wrongArgsHang, quoted(documentedBlocking), quoted(classes), wrongArgsSetup,
		strings.Join(targets, ",\n"), wrongArgsHarness)
	// A call given a path where it takes one may make a file there
	// (net.record("x.onion") records to it): in a directory of the test's,
	// not in the source tree. The capture the setup opens is named by its
	// absolute path.
	capture, err := filepath.Abs("testdata/pcap/http.pcap")
	if err != nil {
		t.Fatal(err)
	}
	src = strings.ReplaceAll(src, `"testdata/pcap/http.pcap"`, strconv.Quote(capture))
	t.Chdir(t.TempDir())
	task := startChunk(t, rt, src)
	waitTaskFor(t, task, 240)
	if task.Status() != statusDone {
		t.Fatalf("%s", task.Err())
	}

	// The runtime is still healthy.
	check := startChunk(t, rt, `assert(1 + 1 == 2); local ch = task.chan(1); ch:send("ok"); assert(ch:recv() == "ok")`)
	waitTask(t, check)
	if check.Status() != statusDone {
		t.Fatalf("runtime unhealthy after the calls: %s", check.Err())
	}

	rt.gil.Lock()
	res := rt.L.GetGlobal("RESULT").(*lua.LTable)
	num := func(k string) int { return int(lua.LVAsNumber(res.RawGetString(k))) }
	failures := lua.LVAsString(res.RawGetString("failures"))
	rt.gil.Unlock()
	t.Logf("%d calls: %d raised, %d returned, %d bounded (documented-blocking)",
		num("calls"), num("raised"), num("returned"), num("timeouts"))
	if num("calls") < 1000 {
		t.Errorf("only %d calls: the binding tables were not read", num("calls"))
	}
	mu.Lock()
	defer mu.Unlock()
	for _, p := range panics {
		t.Errorf("Go panic in a binding: %s", p)
	}
	if failures != "" {
		t.Errorf("failures:\n%s", failures)
	}
}

// waitTaskFor is waitTask with a longer bound, in seconds.
func waitTaskFor(t *testing.T, task *Task, secs int) {
	t.Helper()
	select {
	case <-task.Done():
	case <-time.After(time.Duration(secs) * time.Second):
		t.Fatalf("task %d did not end in %ds", task.ID, secs)
	}
}

// firstFrames keeps the part of a stack trace that shows where a binding
// panicked: the frames above the test's wrapper.
func firstFrames(stack []byte) string {
	lines := strings.Split(string(stack), "\n")
	if len(lines) > 16 {
		lines = lines[:16]
	}
	return strings.Join(lines, "\n")
}
