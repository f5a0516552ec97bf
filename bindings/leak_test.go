package bindings

import (
	"fmt"
	"io"
	"os"
	"runtime"
	"strings"
	"testing"
	"time"
)

// The leak tests run many connect/serve/close cycles through one runtime
// and check that open descriptors, goroutines and the Go heap come back to
// where they were. They are not parallel: other tests' sockets and
// goroutines would blur the counts.

const (
	leakCycles = 10000
	// leakSlack is how far descriptors and goroutines may end above their
	// baseline: the runtime's timers and pollers come and go.
	leakSlack = 10
	// leakHeapSlack bounds the heap's growth: maps keep their buckets after
	// their entries are deleted (the runtime's task table held 10,000).
	leakHeapSlack = 4 << 20
)

// leakServer is a line server and the client loops the tests run, as
// globals: cycles(n) connects n times, sends a line, reads the echo and
// closes; failing(n) starts n tasks that each connect and fail holding the
// conn, having sent nothing; settle(want_eofs) waits until only the
// server's task and the caller's are left and want_eofs conns have ended
// with EOF, which the server counts in eofs. Without the ownership rule the
// failing tasks' conns stay open until their idle timeout (kind "timeout").
const leakServer = `
ln = assert(net.listen("tcp", "127.0.0.1:0"))
addr = tostring(ln:addr())
eofs = 0
ln:serve(function(c)
  c:set_timeout(10)
  local line, err = c:read_line()
  if line then
    assert(c:write(line .. "\n"))
  elseif err.kind == "eof" then
    eofs = eofs + 1
  end
end)

function cycles(n)
  for i = 1, n do
    local c = assert(net.dial("tcp", addr))
    assert(c:write("ping " .. i .. "\n"))
    assert(c:read_line() == "ping " .. i)
    assert(c:close())
  end
end

function failing(n)
  local tasks = {}
  for i = 1, n do
    tasks[i] = task.spawn(function()
      local c = assert(net.dial("tcp", addr))
      error("failing while holding a conn")
    end)
    if i % 100 == 0 then for j = i - 99, i do tasks[j]:wait(10) end end
  end
  for _, t in ipairs(tasks) do t:wait(10) end
end

function settle(want_eofs)
  local t0 = time.now()
  while (#task.list() > 2 or eofs < want_eofs) and time.since(t0) < 30 do time.sleep(0.01) end
  assert(#task.list() == 2, #task.list() .. " tasks still running")
  assert(eofs >= want_eofs, eofs .. " conns ended with EOF; want " .. want_eofs)
end
`

// footprint is what a leak would make grow.
type footprint struct {
	fds, goroutines int
	heap            uint64
}

func measure(t *testing.T) footprint {
	t.Helper()
	entries, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		t.Fatal(err)
	}
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return footprint{fds: len(entries), goroutines: runtime.NumGoroutine(), heap: ms.HeapAlloc}
}

// runLeakChunk runs src in rt as a task and fails the test if it fails.
func runLeakChunk(t *testing.T, rt *Runtime, src string) {
	t.Helper()
	fn, err := rt.Load(strings.NewReader(src), "leak")
	if err != nil {
		t.Fatal(err)
	}
	task := rt.Start("leak", fn)
	select {
	case <-task.Done():
	case <-time.After(5 * time.Minute):
		t.Fatalf("%q still running after 5 minutes", src)
	}
	if task.Status() != statusDone {
		t.Fatalf("%q: %s", src, task.Err())
	}
}

// checkBack compares a footprint with the baseline.
func checkBack(t *testing.T, what string, before, after footprint) {
	t.Helper()
	t.Logf("%s: fds %d -> %d, goroutines %d -> %d, heap %.1f -> %.1f MiB", what,
		before.fds, after.fds, before.goroutines, after.goroutines,
		float64(before.heap)/(1<<20), float64(after.heap)/(1<<20))
	if after.fds > before.fds+leakSlack {
		t.Errorf("%s: %d descriptors open, baseline %d", what, after.fds, before.fds)
	}
	if after.goroutines > before.goroutines+leakSlack {
		t.Errorf("%s: %d goroutines, baseline %d", what, after.goroutines, before.goroutines)
	}
	if after.heap > before.heap+leakHeapSlack {
		t.Errorf("%s: heap %d bytes after GC, baseline %d", what, after.heap, before.heap)
	}
}

func newLeakRuntime(t *testing.T) *Runtime {
	t.Helper()
	// io.Discard takes the 10,000 tracebacks of the failing tasks.
	rt := New(Options{Stdout: &syncBuffer{}, Stderr: io.Discard})
	t.Cleanup(rt.Close)
	runLeakChunk(t, rt, leakServer)
	return rt
}

func TestNoLeakConnectServeClose(t *testing.T) {
	rt := newLeakRuntime(t)
	// A warm-up, so that what is made once (class tables, pollers, the
	// task table's first buckets) is in the baseline.
	runLeakChunk(t, rt, "cycles(200) settle(0)")
	before := measure(t)
	runLeakChunk(t, rt, fmt.Sprintf("cycles(%d) settle(0)", leakCycles))
	checkBack(t, fmt.Sprintf("%d connect/serve/close cycles", leakCycles), before, measure(t))
}

// TestNoLeakFailingTasks: tasks that fail holding a conn have it closed as
// they end (the ownership rule in owner.go). The server sees each conn end
// with EOF at once, without waiting for a GC to find the socket unused.
func TestNoLeakFailingTasks(t *testing.T) {
	rt := newLeakRuntime(t)
	runLeakChunk(t, rt, "failing(200) settle(200)")
	before := measure(t)
	runLeakChunk(t, rt, fmt.Sprintf("failing(%d) settle(%d)", leakCycles, 200+leakCycles))
	checkBack(t, fmt.Sprintf("%d tasks failing while holding a conn", leakCycles), before, measure(t))
}
