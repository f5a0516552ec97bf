package bindings

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	lua "github.com/gonetrepl/gonetrepl/third_party/gopher-lua"
)

// Every options table refuses an unknown key (issue 16), and accepts every
// key its shape lists. The cases come from the binding tables (Docs and
// stdlibDocs) and the stubs' typing table: every parameter typed as an
// options shape (or as http's request table) is called with {bogus = 1}
// and must raise an argument error naming the parameter; then with each
// key of the shape, which must not be called unknown. A new binding that
// takes an options table is covered without editing this test, and every
// shape with opts: true must be reached by one binding at least.
func TestEveryOptionsTableRefusesUnknownKeys(t *testing.T) {
	shapes := shapesByClass()
	reached := map[string]bool{}
	var calls []string
	modules := slices.Concat(Docs(), stdlibDocs())
	for _, m := range modules {
		for _, d := range m.Docs {
			key := d.Name
			if m.Method {
				key = m.Name + ":" + methodName(d.Name)
			}
			ps := params(d.Sig)
			for i, p := range ps {
				class := paramOverrides[key][p]
				if class == "" {
					class = paramTypes[p]
				}
				s, ok := shapes[class]
				if !ok || !(s.opts || class == "gonetrepl.http_request") {
					continue
				}
				reached[class] = true
				args := make([]string, i)
				for j := range args {
					v, ok := optionsCaseValue[d.Name+":"+ps[j]]
					if !ok {
						v, ok = optionsCaseValue[ps[j]]
					}
					if !ok {
						v, ok = validValue[ps[j]]
					}
					if !ok {
						t.Fatalf("%s: no valid value known for parameter %q: add one to optionsCaseValue", d.Name, ps[j])
					}
					args[j] = v
				}
				base := ""
				if class == "gonetrepl.http_request" {
					base = `url = "http://127.0.0.1:1/", `
				}
				// Go methods count the receiver as argument #1; Lua
				// methods (stdlib) do not, as Lua's own do not.
				n := i + 1
				if m.Method && !isStdlibModule(m.Name) {
					n = i + 2
				}
				want := fmt.Sprintf("bad argument #%d", n)
				calls = append(calls, optionsCase(m, d, args, "{"+base+"bogus = 1}", want, p+": unknown option 'bogus'"))
				calls = append(calls, optionsCase(m, d, args, "{"+base+"[1] = true}", want, p+": unknown option [1]"))
				// A read given a key it accepts would wait for data that
				// never comes: timeout = 0 makes it take what is buffered.
				if k := shapeKeys(s); slices.Contains(k, "timeout") && (s.class == "gonetrepl.read_opts" ||
					s.parent == "gonetrepl.read_opts" || s.class == "gonetrepl.read_frame_opts") {
					base += "timeout = 0, "
				}
				for _, k := range shapeKeys(s) {
					b := base
					if k == "timeout" {
						b = strings.Replace(b, "timeout = 0, ", "", 1)
					}
					calls = append(calls, acceptedCase(m, d, args, fmt.Sprintf("{%s%s = false}", b, k)))
				}
			}
		}
	}
	for class, s := range shapes {
		if s.opts && !reached[class] {
			t.Errorf("%s: no binding's parameter is typed with it (paramOverrides), so nothing checks its keys are enforced", class)
		}
	}
	if len(calls) < 50 {
		t.Fatalf("only %d cases: the binding tables were not read", len(calls))
	}
	rt, _ := newTestRuntime(t)
	defer rt.Close()
	task := startChunk(t, rt, receivers+optionsReceivers+strings.Join(calls, "\n")+"\nln:close()")
	waitTaskFor(t, task, 30)
	if task.Status() != statusDone {
		t.Fatalf("%s", task.Err())
	}
	t.Logf("%d options cases checked", len(calls))
}

// optionsReceivers adds the stdlib modules and classes to receivers.
const optionsReceivers = `
	local http, resp, flags, socks, replay = require("http"), require("resp"), require("flags"), require("socks"), require("replay")
	local websocket = require("websocket")
	receivers["http client"] = http.client()
	receivers["flags parser"] = flags.new("prog")
	function deadlined_pipe()
		local p = select(2, net.pipe())
		p:set_deadline(time.now() - 1)
		return p
	end
	receivers["websocket socket"] = websocket.wrap(deadlined_pipe())
	-- No one reads the pipe: a write it accepts (c:write {more = false})
	-- fails at once on this deadline instead of waiting for ever.
	a:set_write_deadline(time.now() - 1)
	-- closeAll closes what a call that went through returned (http.serve's
	-- listener, resp.new's client).
	local function closeAll(...)
		for i = 1, select("#", ...) do
			local v = select(i, ...)
			local close = (type(v) == "userdata" or type(v) == "table") and v.close
			if type(close) == "function" then pcall(close, v) end
		end
	end
`

// optionsCaseValue gives a valid value for the stdlib parameters that
// validValue lacks, or that mean something else there; a key
// "function:param" is for that function's parameter alone.
var optionsCaseValue = map[string]string{
	"url": `"http://127.0.0.1:1/"`, "addr_or_listener": `"127.0.0.1:0"`, "c": "a",
	"default": "1", "help": `"h"`, "name": `"count"`,
	"session": "{chunks = {}}", "expected": `""`, "got": `""`, "path": `"/nonexistent/replay18"`,
	// websocket: a conn of its own for each call (closing a socket
	// closes its conn), and a request table
	// (closing a socket writes a close frame: past the deadline, it fails
	// at once instead of waiting for a reader).
	"websocket.wrap:c": "deadlined_pipe()", "websocket.upgrade:c": "deadlined_pipe()", "req": "{}",
}

func isStdlibModule(name string) bool {
	for _, m := range stdlibDocs() {
		if m.Name == name {
			return true
		}
	}
	return false
}

// optionsCall is the Lua that calls d with args and then opts.
func optionsCall(m Module, d Doc, args []string, opts string) string {
	all := strings.Join(append(slices.Clone(args), opts), ", ")
	if m.Method {
		return fmt.Sprintf("local r = receivers[%q]; return r[%q](r, %s)", m.Name, methodName(d.Name), all)
	}
	return fmt.Sprintf("return %s(%s)", d.Name, all)
}

// optionsCase checks that the call raises an error containing want and
// what.
func optionsCase(m Module, d Doc, args []string, opts, want, what string) string {
	return fmt.Sprintf(`
		do
			local ok, err = pcall(function() %s end)
			assert(not ok, %q .. ": accepted " .. %q)
			err = tostring(err)
			assert(err:find(%q, 1, true) and err:find(%q, 1, true), %q .. ": " .. err)
		end`, optionsCall(m, d, args, opts), d.Name, opts, want, what, d.Name)
}

// acceptedCase checks that the call does not call a key of opts unknown
// (false is usually the wrong type for it: the call raises about that, or
// goes through and fails to connect).
func acceptedCase(m Module, d Doc, args []string, opts string) string {
	return fmt.Sprintf(`
		do
			local r = table.pack(pcall(function() %s end))
			if r[1] then closeAll(table.unpack(r, 2, r.n)) end
			assert(r[1] or not tostring(r[2]):find("unknown option", 1, true), %q .. " refused " .. %q .. ": " .. tostring(r[2]))
		end`, optionsCall(m, d, args, opts), d.Name, opts)
}

// The did-you-mean: edit distance 2 or less (not the whole key), a prefix
// either way, or a changed ending; nothing for a key near no name.
func TestClosestName(t *testing.T) {
	names := []string{"timeout", "keepalive", "local_addr", "server", "max", "retries"}
	for _, c := range []struct{ key, want string }{
		{"timeuot", "timeout"}, {"tiemout", "timeout"}, {"Timeout", "timeout"}, {"timeouts", "timeout"},
		{"time", "timeout"}, {"local", "local_addr"}, {"local_address", "local_addr"},
		{"sever", "server"}, {"maxx", "max"}, {"mx", "max"}, {"retry", "retries"},
		{"bogus", ""}, {"x", ""}, {"ab", ""}, {"", ""}, {"tim", "timeout"},
		{strings.Repeat("timeout", 20), "timeout"}, // a prefix, however long
	} {
		if got := closestName(c.key, names); got != c.want {
			t.Errorf("closestName(%q) = %q, want %q", c.key, got, c.want)
		}
	}
}

// The check runs on every call that passes options (a read_frame in a
// loop): accepting a table allocates nothing. It boxed each key (ForEach:
// gopher-lua patch 16 adds ForEachStringKey), looked its key set up in a
// sync.Map (which boxed the class name) and joined the key list for an
// error message it did not make: three allocations a call.
func TestOptionsCheckDoesNotAllocate(t *testing.T) {
	L := lua.NewState()
	defer L.Close()
	opts := L.NewTable()
	opts.RawSetString("size", lua.LNumber(4))
	opts.RawSetString("order", lua.LString("big"))
	opts.RawSetString("timeout", lua.LNumber(1))
	keysOf(readFrameOptsShape) // made once, on first use
	allocs := testing.AllocsPerRun(200, func() {
		if problem := unknownOption(opts, keysOf(readFrameOptsShape)); problem != "" {
			t.Fatal(problem)
		}
	})
	if allocs != 0 {
		t.Errorf("accepting an options table allocates %v times", allocs)
	}
	opts.RawSetString("bogus", lua.LTrue)
	if problem := unknownOption(opts, keysOf(readFrameOptsShape)); !strings.Contains(problem, "unknown option 'bogus'") {
		t.Errorf("a bogus key: %q", problem)
	}
	opts.RawSetString("bogus", lua.LNil)
	opts.RawSetInt(1, lua.LTrue)
	if problem := unknownOption(opts, keysOf(readFrameOptsShape)); !strings.Contains(problem, "unknown option [1]") {
		t.Errorf("an integer key: %q", problem)
	}
}
