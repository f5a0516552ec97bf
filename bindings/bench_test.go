package bindings

import (
	"runtime"
	"strings"
	"testing"
	"time"
)

// Benchmarks of the runtime's costs. They are measurements, not tests:
// run with go test -bench . -run '^$' ./bindings.

func runBench(b *testing.B, rt *Runtime, src string) {
	b.Helper()
	fn, err := rt.Load(strings.NewReader(src), "bench")
	if err != nil {
		b.Fatal(err)
	}
	task := rt.Start("bench", fn)
	<-task.Done()
	if task.Status() != statusDone {
		b.Fatal(task.Err())
	}
}

// BenchmarkTaskMemory reports the memory one parked task costs (its
// goroutine and Lua thread), measured over 10,000 tasks blocked in recv.
func BenchmarkTaskMemory(b *testing.B) {
	const tasks = 10000
	for i := 0; i < b.N; i++ {
		rt := New(Options{})
		var before, after runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&before)
		runBench(b, rt, `
			gate = task.chan()
			for i = 1, 10000 do task.spawn(function() gate:recv() end) end
			time.sleep(0.2)`)
		runtime.GC()
		runtime.ReadMemStats(&after)
		perTask := float64((after.HeapInuse+after.StackInuse)-(before.HeapInuse+before.StackInuse)) / tasks
		b.ReportMetric(perTask, "B/task")
		rt.Close()
		time.Sleep(100 * time.Millisecond)
	}
}

// BenchmarkRoundTrip is one 64-byte write and read_line echo over loopback
// TCP through the bindings, with a Lua echo server in the same runtime.
func BenchmarkRoundTrip(b *testing.B) {
	rt := New(Options{})
	defer rt.Close()
	runBench(b, rt, `
		ln = assert(net.listen("tcp", "127.0.0.1:0"))
		ln:serve(function(c)
			while true do
				local d = c:read()
				if not d or not c:write(d) then return end
			end
		end)
		c = assert(net.dial("tcp", tostring(ln:addr())))
		msg = ("x"):rep(63) .. "\n"`)
	fn, _ := rt.Load(strings.NewReader(`for i = 1, tonumber(...) do c:write(msg) c:read_line() end`), "rtt")
	b.ResetTimer()
	task := rt.Start("rtt", fn, itoa(b.N))
	<-task.Done()
	if task.Status() != statusDone {
		b.Fatal(task.Err())
	}
}

// BenchmarkSpawn is the cost of starting and finishing one task.
func BenchmarkSpawn(b *testing.B) {
	rt := New(Options{})
	defer rt.Close()
	fn, _ := rt.Load(strings.NewReader(`
		local n = tonumber(...)
		local done = task.chan(64)
		for i = 1, n do
			task.spawn(function() done:send(true) end)
			done:recv()
		end`), "spawn")
	b.ResetTimer()
	task := rt.Start("spawn", fn, itoa(b.N))
	<-task.Done()
	if task.Status() != statusDone {
		b.Fatal(task.Err())
	}
}
