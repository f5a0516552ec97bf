package bindings

import (
	"fmt"
	"strings"
	"testing"
)

// Every binding, called with a wrong argument in each position its
// signature names, raises a Lua error that names the argument; called on a
// wrong receiver, a method raises one that names the expected type. The
// list comes from the binding tables, so a new binding is covered without
// editing this test.

// params extracts the parameter names of a signature such as
// "net.dial(network, address [, opts]) -> conn": network, address, opts.
// A repeated one, "bit.band(x1 [, x2...])", is named by its first: x2.
func params(sig string) []string {
	open, close := strings.Index(sig, "("), strings.Index(sig, ")")
	if open < 0 || close < open {
		return nil
	}
	var names []string
	for _, p := range strings.Split(sig[open+1:close], ",") {
		p = strings.Trim(p, " []")
		p, _, _ = strings.Cut(p, " ") // "secs | false" -> "secs"
		p = strings.TrimSuffix(p, "...")
		if p != "" && p != "..." {
			names = append(names, p)
		}
	}
	return names
}

// receivers makes a valid value for each class, so that method arguments
// are checked past the receiver.
const receivers = `
	local ln = assert(net.listen("tcp", "127.0.0.1:0"))
	local a, b = net.pipe()
	local receivers = {
		conn = a,
		listener = ln,
		["task handle"] = task.spawn(function() end),
		chan = task.chan(1),
		ip = net.parse_ip("127.0.0.1"),
		ipnet = select(2, net.parse_cidr("10.0.0.0/8")),
		["packet conn"] = assert(net.listen_packet("udp", "127.0.0.1:0")),
		["pcap capture"] = assert(pcap.open("testdata/pcap/http.pcap")),
	}
	local wrong = coroutine.create(function() end) -- no binding takes a thread
`

// validValue gives a well-typed value for each parameter name, so that the
// parameters before the one under test pass their checks.
var validValue = map[string]string{
	"network": `"tcp"`, "address": `"127.0.0.1:1"`, "opts": "{}", "fn": "function() end",
	"handler": "function() end", "max": "10", "n": "1", "delim": `"\n"`, "data": `"x"`,
	"t": "0", "secs": "0", "on": "true", "timeout": "0.01", "capacity": "1", "bytes": "1024",
	"v": "1", "pattern": `"x"`, "a": "a", // expect; net.relay: the pipe conn of receivers
	"b": "select(2, net.pipe())", // net.relay: a conn other than a
	"s": `"127.0.0.1"`, "hostport": `"127.0.0.1:80"`, "host": `"localhost"`, "port": "80",
	"ip": `"127.0.0.1"`, "other": `"127.0.0.1"`, "name": `"localhost"`, "service": `"http"`,
	"proto": `"tcp"`,
	"addr":  `"127.0.0.1:1"`,
	"fmt":   `"i4"`, // string.pack and unpack
	"conn":  "a",    // tls.client, tls.server: the pipe conn of receivers
	"hosts": `{"localhost"}`,
	"path":  `"/dev/null"`, "offset": "0", "count": "0", // c:send_file, os.stat
	"x": "1", "x1": "1", // bit
	"key": `"k"`, "alg": `"sha256"`, // bin.xor, bin.hmac
	"code1": "65", "i": "1", "list": "{}", // utf8, table.unpack
	// multicast: all-hosts, the one group whose join Linux never
	// reports (no IGMP leaves the host when a sweep joins it)
	"group_addr": `"224.0.0.1:0"`, "group": `"224.0.0.1"`, "iface": `"lo"`, "ttl": "1",
	// proc.spawn runs true, which exits at once; p:kill's receivers are
	// no process tubes, and SIGCONT would harm none
	"argv": `{"true"}`, "signal": `"SIGCONT"`,
}

// anyValue lists parameters that accept any value.
var anyValue = map[string]bool{"ch:send/v": true, "help/x": true}

func TestWrongArgumentsRaise(t *testing.T) {
	var calls []string
	for _, m := range Docs() {
		for _, d := range m.Docs {
			ps := params(d.Sig)
			for i, p := range ps {
				if anyValue[shortName(d.Sig)+"/"+p] {
					continue
				}
				args := make([]string, len(ps))
				for j := range args[:i] {
					v, ok := validValue[ps[j]]
					if !ok {
						t.Fatalf("%s: no valid value known for parameter %q: add one to validValue", d.Name, ps[j])
					}
					args[j] = v
				}
				args[i] = "wrong"
				calls = append(calls, callCase(m, d, i, p, strings.Join(args[:i+1], ", ")))
			}
			if m.Method {
				calls = append(calls, fmt.Sprintf(`
					do
						local f = getmetatable(receivers[%q]).__methods[%q]
						local ok, err = pcall(f, 42)
						assert(not ok, %q .. ": accepted a number as receiver")
						assert(tostring(err):find("bad argument #1", 1, true) and tostring(err):find("expected, got number", 1, true),
							%q .. ": " .. tostring(err))
					end`, m.Name, methodName(d.Name), d.Name, d.Name))
			}
		}
	}
	if len(calls) < 40 {
		t.Fatalf("only %d cases: the binding tables were not read", len(calls))
	}
	rt, _ := newTestRuntime(t)
	defer rt.Close()
	task := startChunk(t, rt, receivers+strings.Join(calls, "\n")+"\nln:close()")
	waitTask(t, task)
	if task.Status() != statusDone {
		t.Fatalf("%s", task.Err())
	}
	t.Logf("%d wrong-argument cases checked", len(calls))
}

func shortName(sig string) string {
	name, _, _ := strings.Cut(sig, "(")
	return name
}

func methodName(qualified string) string {
	_, name, _ := strings.Cut(qualified, ":")
	return name
}

// callCase builds the Lua that calls d with a thread in position i and
// checks the error names parameter p.
func callCase(m Module, d Doc, i int, p, args string) string {
	var call string
	if m.Method {
		call = fmt.Sprintf("local r = receivers[%q]; return r[%q](r, %s)", m.Name, methodName(d.Name), args)
	} else {
		call = fmt.Sprintf("return %s(%s)", d.Name, args)
	}
	want := fmt.Sprintf("bad argument #%d", i+1)
	if m.Method {
		want = fmt.Sprintf("bad argument #%d", i+2)
	}
	return fmt.Sprintf(`
		do
			local ok, err = pcall(function() %s end)
			assert(not ok, %q .. ": accepted a thread as %s")
			err = tostring(err)
			assert(err:find(%q, 1, true) and err:find(%q, 1, true), %q .. ": " .. err)
		end`, call, d.Name, p, want, p+":", d.Name)
}

// Numbers that are not sizes or durations: NaN, infinities, negatives,
// fractions, huge values.
func TestBadNumbersRaise(t *testing.T) {
	rt, _ := newTestRuntime(t)
	defer rt.Close()
	task := startChunk(t, rt, `
		local a, b = net.pipe()
		local ln = assert(net.listen("tcp", "127.0.0.1:0"))
		local cases = {
			{function() return a:read(0/0) end, "max"},
			{function() return a:read(-1) end, "max"},
			{function() return a:read(1.5) end, "max"},
			{function() return a:read(1e300) end, "max"},
			{function() return a:read(1/0) end, "max"},
			{function() return a:read_full(-5) end, "n"},
			{function() return a:read_line(-1) end, "max"},
			{function() return a:read_until("") end, "delim"},
			{function() return a:set_timeout(-1) end, "secs"},
			{function() return a:set_timeout(0/0) end, "secs"},
			{function() return a:set_deadline(-3) end, "t"},
			{function() return a:set_deadline(1e300) end, "t"},
			{function() return time.sleep(-1) end, "secs"},
			{function() return time.sleep(1/0) end, "secs"},
			{function() return task.chan(-1) end, "capacity"},
			{function() return task.chan(2^40) end, "capacity"},
			{function() return ln:accept(-1) end, "timeout"},
			{function() return net.dial("tcp", "127.0.0.1:1", {timeout = -1}) end, "opts.timeout"},
			{function() return net.dial("tcp", "127.0.0.1:1", {timeout = "soon"}) end, "opts.timeout"},
			{function() return net.dial("tcp", "127.0.0.1:1", {local_addr = 5}) end, "opts.local_addr"},
			{function() return net.dial("udpx", "127.0.0.1:1") end, "network"},
			{function() return net.dial("tcp", "127.0.0.1:1", "opts") end, "opts"},
			{function() return os.exit("x") end, "code"},
		}
		for i, case in ipairs(cases) do
			local ok, err = pcall(case[1])
			assert(not ok, "case " .. i .. " did not raise")
			assert(tostring(err):find(case[2] .. ":", 1, true), "case " .. i .. ": " .. tostring(err))
		end
		ln:close()`)
	waitTask(t, task)
	if task.Status() != statusDone {
		t.Fatalf("%s", task.Err())
	}
}
