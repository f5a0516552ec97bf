package bindings

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/gonetrepl/gonetrepl/internal/peer"
)

// procCycles is how many spawn/exit cycles TestProcNoLeakSpawnExit runs;
// procCyclesBound how long they may take (about 1.5 s alone, 4 s with
// -race, on a 2-core machine that runs other tests beside).
const (
	procCycles      = 1000
	procCyclesBound = 60 * time.Second
)

// Process tubes leak nothing: after 1,000 cycles of spawning true, reading
// its output to EOF, waiting for it and closing the tube, and 100 tasks
// that fail holding a running sleep (which their end kills), the
// descriptors and goroutines are back to their baseline and no child of
// this process is a zombie.
func TestProcNoLeakSpawnExit(t *testing.T) {
	truePath := peer.Find(t, "true", "coreutils")
	sleepPath := peer.Find(t, "sleep", "coreutils")
	rt := New(Options{Stdout: &syncBuffer{}, Stderr: io.Discard})
	t.Cleanup(rt.Close)
	runLeakChunk(t, rt, fmt.Sprintf(`
		TRUE, SLEEP = %q, %q
		function cycles(n)
		  for i = 1, n do
		    local p = assert(proc.spawn({TRUE}))
		    assert(p:read_all({timeout = 10}) == "")
		    assert(p:wait(10) == 0)
		    assert(p:close())
		  end
		end
		function failing(n)
		  local tasks = {}
		  for i = 1, n do
		    tasks[i] = task.spawn(function()
		      local p = assert(proc.spawn({SLEEP, "30"}))
		      error("failing while holding a process")
		    end)
		  end
		  for _, t in ipairs(tasks) do assert(not t:wait(10)) end
		end`, truePath, sleepPath))
	runLeakChunk(t, rt, "cycles(20) failing(2)") // warm-up: pollers, class tables
	before := measure(t)
	start := time.Now()
	runLeakChunk(t, rt, fmt.Sprintf("cycles(%d)", procCycles))
	took := time.Since(start)
	runLeakChunk(t, rt, "failing(100)")
	after := measure(t)
	t.Logf("%d spawn/exit cycles in %v", procCycles, took)
	checkBack(t, fmt.Sprintf("%d spawn/exit cycles and 100 failing tasks", procCycles), before, after)
	if after.fds != before.fds {
		t.Errorf("descriptors: %d, baseline %d", after.fds, before.fds)
	}
	if z := zombieChildren(t); len(z) > 0 {
		t.Errorf("zombie children: %v", z)
	}
	if took > procCyclesBound {
		t.Errorf("%d cycles took %v, over %v", procCycles, took, procCyclesBound)
	}
}

// zombieChildren lists the children of this process in state Z.
func zombieChildren(t *testing.T) []int {
	t.Helper()
	stats, err := filepath.Glob("/proc/[0-9]*/stat")
	if err != nil {
		t.Fatal(err)
	}
	self := os.Getpid()
	var zombies []int
	for _, path := range stats {
		b, err := os.ReadFile(path)
		if err != nil {
			continue // the process ended meanwhile
		}
		// pid (comm) state ppid ...; comm may hold spaces and parentheses.
		i := bytes.LastIndexByte(b, ')')
		if i < 0 {
			continue
		}
		var state string
		var ppid int
		if _, err := fmt.Sscan(string(b[i+1:]), &state, &ppid); err != nil {
			continue
		}
		if ppid == self && state == "Z" {
			pid, _ := strconv.Atoi(filepath.Base(filepath.Dir(path)))
			zombies = append(zombies, pid)
		}
	}
	return zombies
}

// opts.stderr = "inherit" sends the child's stderr to the runtime's own
// (the REPL's terminal, a script's stderr), not into the tube.
func TestProcStderrInherit(t *testing.T) {
	sh := peer.Find(t, "sh", "dash")
	out := &syncBuffer{}
	rt := New(Options{Stdout: io.Discard, Stderr: out})
	t.Cleanup(rt.Close)
	runLeakChunk(t, rt, fmt.Sprintf(`
		local p = assert(proc.spawn({%q, "-c", "echo to-stdout; echo to-stderr >&2"}, {stderr = "inherit"}))
		assert(p:read_all({timeout = 10}) == "to-stdout\n")
		assert(p:wait(10) == 0)
		p:close()`, sh))
	if got := out.String(); got != "to-stderr\n" {
		t.Errorf("the runtime's stderr got %q, want %q", got, "to-stderr\n")
	}
}
