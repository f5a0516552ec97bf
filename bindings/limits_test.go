package bindings

import (
	"bytes"
	"fmt"
	"os"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"
)

// The largest string (gopher-lua patch 10) and task.chan's lazy buffer,
// measured from Go: what testdata/limits_alloc_test.lua checks in Lua, plus
// the process's memory while it happens.

// TestChanCapacityIsLazy: a channel's capacity is a limit, not an
// allocation. A Go channel of 2^20 slots took 16 MiB up front, so 1,000 of
// them asked for 16 GiB.
func TestChanCapacityIsLazy(t *testing.T) {
	rt, _ := newTestRuntime(t)
	defer rt.Close()
	runLeakChunk(t, rt, "chans = {}")
	before := measure(t)
	runLeakChunk(t, rt, `for i = 1, 1000 do chans[i] = task.chan(2^20) end
		for i = 1, 1000, 100 do assert(chans[i]:send(i)) end`)
	after := measure(t)
	grew := int64(after.heap) - int64(before.heap)
	t.Logf("1,000 task.chan(2^20): heap %.1f -> %.1f MiB", float64(before.heap)/(1<<20), float64(after.heap)/(1<<20))
	if grew > 8<<20 {
		t.Errorf("1,000 task.chan(2^20) grew the heap by %.1f MiB, want under 8", float64(grew)/(1<<20))
	}
	runLeakChunk(t, rt, `for i = 1, 1000, 100 do assert(chans[i]:recv() == i) end chans = nil`)
}

// peakRSS returns the process's peak resident size (VmHWM) in bytes, after
// resetting it to the current size when reset is true.
func peakRSS(t *testing.T, reset bool) int64 {
	t.Helper()
	if reset {
		// "5" resets the peak to the current size (Linux 4.0 and later).
		if err := os.WriteFile("/proc/self/clear_refs", []byte("5"), 0); err != nil {
			t.Skipf("cannot reset the peak RSS: %v", err)
		}
	}
	status, err := os.ReadFile("/proc/self/status")
	if err != nil {
		t.Skipf("no /proc/self/status: %v", err)
	}
	for _, line := range strings.Split(string(status), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			kb, err := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")), 10, 64)
			if err != nil {
				t.Fatalf("VmHWM: %v", err)
			}
			return kb << 10
		}
	}
	t.Skip("no VmHWM in /proc/self/status")
	return 0
}

// rssLimit is limit, or three times limit under the race detector, whose
// shadow memory counts in the RSS.
func rssLimit(limit int64) int64 {
	if raceEnabled {
		return 3 * limit
	}
	return limit
}

// TestOversizedResultsKeepMemoryBounded: results over the largest string
// are refused before they are allocated, so the process's peak memory
// grows by what the script itself holds (a 64 MiB string), not by the
// result asked for (gigabytes; before, string.rep("x", 2^36) ended the
// process with "fatal error: runtime: out of memory").
func TestOversizedResultsKeepMemoryBounded(t *testing.T) {
	rt, out := newTestRuntime(t)
	defer rt.Close()
	runtime.GC()
	start := peakRSS(t, true)
	attacks := []string{
		`string.rep("x", 2^36)`,
		`string.rep("xy", 2^40)`,
		`("x"):rep(2^20):rep(2^20)`,
		`s .. s .. s .. s .. s`,
		`table.concat({s, s, s, s, s})`,
		`table.concat({s, s, s}, s)`,
		`string.format(string.rep("%999999d", 300), unpack(ones))`,
		`string.format("%s%s%s%s%s", s, s, s, s, s)`,
		`string.pack("s4s4s4s4s4", s, s, s, s, s)`,
		`bin.hexdump(s)`,
		`print(s, s, s, s, s)`,
		`os.date(string.rep("%c", 2^24))`,
	}
	var src bytes.Buffer
	src.WriteString("s = string.rep('x', 64 * 2^20)\nones = {}\nfor i = 1, 300 do ones[i] = 1 end\n")
	for i, a := range attacks {
		fmt.Fprintf(&src, "do local ok, err = pcall(function() return %s end)\n"+
			"assert(not ok and tostring(err):find('not enough memory', 1, true), %q .. ': ' .. tostring(err)) end\n", a, fmt.Sprint(i, ": ", a))
	}
	src.WriteString("print('refused', " + strconv.Itoa(len(attacks)) + ")\n")
	runLeakChunk(t, rt, src.String())
	if !strings.Contains(out.String(), fmt.Sprint("refused\t", len(attacks))) {
		t.Fatalf("output: %q", out.String())
	}
	grew := peakRSS(t, false) - start
	t.Logf("%d oversized results refused; peak RSS grew by %.0f MiB", len(attacks), float64(grew)/(1<<20))
	if limit := rssLimit(200 << 20); grew > limit {
		t.Errorf("peak RSS grew by %.0f MiB, want under %d (the script holds 96)", float64(grew)/(1<<20), limit>>20)
	}
}

// TestPatternMatchesStream: string.gmatch and string.gsub hold one match at
// a time (gopher-lua patch 11). Upstream collected every match first, a
// few dozen bytes each: "." on 2 MiB took over 100 MB for gmatch, and
// gsub then copied the whole string once per replacement (quadratic: 2
// MiB took minutes).
func TestPatternMatchesStream(t *testing.T) {
	rt, _ := newTestRuntime(t)
	defer rt.Close()
	runLeakChunk(t, rt, `s = string.rep("ab", 2^20)`)
	runtime.GC()
	for _, chunk := range []string{
		`local n = 0 for c in s:gmatch(".") do n = n + 1 end assert(n == #s, n)`,
		`local r, n = s:gsub("a", "") assert(n == #s / 2 and r == string.rep("b", #s / 2), n)`,
		`local r, n = s:gsub("(a)(b)", "%2%1") assert(n == #s / 2 and r:sub(1, 4) == "baba", n)`,
	} {
		start := peakRSS(t, true)
		runLeakChunk(t, rt, chunk)
		grew := peakRSS(t, false) - start
		t.Logf("%s: peak RSS grew by %.0f MiB", chunk, float64(grew)/(1<<20))
		if limit := rssLimit(32 << 20); grew > limit {
			t.Errorf("%s: peak RSS grew by %.0f MiB, want under %d (the subject is 2 MiB)", chunk, float64(grew)/(1<<20), limit>>20)
		}
	}
}

// writeSizes records the largest single Write and the total.
type writeSizes struct {
	mu           sync.Mutex
	largest, all int
}

func (w *writeSizes) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.largest = max(w.largest, len(p))
	w.all += len(p)
	return len(p), nil
}

// TestTraceWritesBigEventsInPieces: tracing a big write writes its text
// in pieces of about 64 KiB. It was built as one string, five times the
// bytes in hex mode: a traced c:write of 256 MiB made 1.2 GiB of text.
func TestTraceWritesBigEventsInPieces(t *testing.T) {
	for _, mode := range []string{"text", "hex"} {
		stderr := &writeSizes{}
		rt := New(Options{Stdout: &syncBuffer{}, Stderr: stderr})
		runLeakChunk(t, rt, `
			local a, b = (function()
				local ln = assert(net.listen("tcp", "127.0.0.1:0"))
				local got = task.chan(1)
				task.spawn(function() got:send(assert(ln:accept(10))) end)
				local c = assert(net.dial("tcp", tostring(ln:addr())))
				return c, assert(got:recv(10))
			end)()
			local data = string.rep("0123456789abcdefg", 2^19) -- 8.5 MiB, no two lines alike
			local reader = task.spawn(function() return #assert(b:read_all()) end)
			net.trace("`+mode+`")
			assert(a:write(data))
			net.trace(false)
			a:close()
			assert(reader:wait(30) == #data)
			b:close()`)
		rt.Close()
		t.Logf("%s: %d bytes of trace, the largest write %d", mode, stderr.all, stderr.largest)
		if stderr.all < 8<<20 {
			t.Errorf("%s: only %d bytes of trace", mode, stderr.all)
		}
		if stderr.largest > 256<<10 {
			t.Errorf("%s: a write of %d bytes of trace, want pieces of about 64 KiB", mode, stderr.largest)
		}
	}
}
