package bindings

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"errors"
	"io"
	"net"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"
)

// Benchmarks of the runtime's costs. They are measurements, not tests:
// run with go test -bench . -run '^$' ./bindings. Each one checks what
// came back (lengths, contents, counts) and fails otherwise, so none can
// quietly measure nothing. They use only the runtime's public Go API and
// Lua scripts, loopback sockets, and bounded waits.

// benchIOTimeout bounds each Go-side read or write (or run of 256 small
// ones): a stalled peer fails the benchmark instead of hanging it.
const benchIOTimeout = 10 * time.Second

// benchLimit bounds a wait for a Lua task: generous, so that only a hang
// trips it, and growing with b.N so that long -benchtime runs fit.
func benchLimit(b *testing.B) time.Duration {
	return 20*time.Second + time.Duration(b.N)*time.Millisecond
}

// lastLine is the last line of out: the address a setup chunk prints.
func lastLine(out *syncBuffer) string {
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	return lines[len(lines)-1]
}

// benchWait waits for task, at most benchLimit, and fails b unless the
// task ended well.
func benchWait(b *testing.B, task *Task) {
	b.Helper()
	select {
	case <-task.Done():
	case <-time.After(benchLimit(b)):
		b.Fatalf("Lua task still running after %v", benchLimit(b))
	}
	if task.Status() != statusDone {
		b.Fatal(task.Err())
	}
}

// benchStart loads src and starts it as a task with args.
func benchStart(b *testing.B, rt *Runtime, name, src string, args ...string) *Task {
	b.Helper()
	fn, err := rt.Load(strings.NewReader(src), name)
	if err != nil {
		b.Fatal(err)
	}
	return rt.Start(name, fn, args...)
}

func runBench(b *testing.B, rt *Runtime, src string) {
	b.Helper()
	benchWait(b, benchStart(b, rt, "bench", src))
}

// benchServer makes a runtime (closed when b ends), runs the setup chunk
// src, which must print an address last, and returns the runtime and that
// address.
func benchServer(b *testing.B, src string) (*Runtime, string) {
	b.Helper()
	out := &syncBuffer{}
	rt := New(Options{Stdout: out})
	b.Cleanup(rt.Close)
	runBench(b, rt, src)
	addr := lastLine(out)
	if _, _, err := net.SplitHostPort(addr); err != nil {
		b.Fatalf("setup printed %q, not an address", addr)
	}
	return rt, addr
}

// benchDial dials addr over network with a deadline of benchIOTimeout;
// the conn is closed when b ends.
func benchDial(b *testing.B, network, addr string) net.Conn {
	b.Helper()
	c, err := net.DialTimeout(network, addr, benchIOTimeout)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { c.Close() })
	if err := c.SetDeadline(time.Now().Add(benchIOTimeout)); err != nil {
		b.Fatal(err)
	}
	return c
}

// benchRefresh pushes c's deadline out every 256 operations, so that a
// deadline bounds each stretch without a timer reset per small operation.
func benchRefresh(c net.Conn, i int) error {
	if i%256 != 0 {
		return nil
	}
	return c.SetDeadline(time.Now().Add(benchIOTimeout))
}

// luaEchoServer is a TCP echo server in Lua: c:read() then c:write() of
// what it read, until EOF. No Lua timeouts on the hot path: the Go side's
// deadlines and benchWait bound every benchmark.
const luaEchoServer = `
	ln = assert(net.listen("tcp", "127.0.0.1:0"))
	ln:serve(function(c)
		while true do
			local d = c:read()
			if not d or not c:write(d) then return end
		end
	end)
	print(ln:addr())`

// benchChunk runs src, a Lua chunk given b.N as its "...", in a new
// runtime and times it; src checks its own results and raises otherwise.
func benchChunk(b *testing.B, name, src string) {
	b.Helper()
	rt := New(Options{})
	defer rt.Close()
	preloadTestHelp(b, rt)
	fn, err := rt.Load(strings.NewReader(src), name)
	if err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	benchWait(b, rt.Start(name, fn, strconv.Itoa(b.N)))
}

// BenchmarkTaskMemory reports the memory one parked task costs (its
// goroutine and Lua thread), measured over 10,000 tasks blocked in recv.
// It waits until every task has reached recv: on two cores a fixed 0.2 s
// saw only about half of them there.
func BenchmarkTaskMemory(b *testing.B) {
	const tasks = 10000
	for i := 0; i < b.N; i++ {
		rt := New(Options{})
		var before, after runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&before)
		runBench(b, rt, `
			gate = task.chan()
			parked = 0
			for i = 1, 10000 do task.spawn(function() parked = parked + 1 gate:recv() end) end
			local t0 = time.now()
			while parked < 10000 and time.since(t0) < 10 do time.sleep(0.01) end
			assert(parked == 10000, parked .. " tasks parked")`)
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
	b.ReportAllocs()
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
	fn, err := rt.Load(strings.NewReader(`
		local got
		for i = 1, tonumber(...) do c:write(msg) got = c:read_line() end
		assert(got == msg:sub(1, -2), "echo came back wrong")`), "rtt")
	if err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	benchWait(b, rt.Start("rtt", fn, strconv.Itoa(b.N)))
}

// BenchmarkRoundTripGoClient is one 64-byte round trip from a plain Go
// client to a Lua c:read()/c:write() echo server: only the server is Lua.
func BenchmarkRoundTripGoClient(b *testing.B) {
	b.ReportAllocs()
	b.SetBytes(64)
	_, addr := benchServer(b, luaEchoServer)
	c := benchDial(b, "tcp", addr)
	msg, got := make([]byte, 64), make([]byte, 64)
	for i := range msg {
		msg[i] = 'x'
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if err := benchRefresh(c, i); err != nil {
			b.Fatal(err)
		}
		binary.BigEndian.PutUint64(msg, uint64(i))
		if _, err := c.Write(msg); err != nil {
			b.Fatalf("round trip %d: %v", i, err)
		}
		if _, err := io.ReadFull(c, got); err != nil {
			b.Fatalf("round trip %d: %v", i, err)
		}
		if !bytes.Equal(got, msg) {
			b.Fatalf("round trip %d: sent %q, got back %q", i, msg, got)
		}
	}
}

// BenchmarkUDPRoundTrip is one 64-byte datagram from a Go client echoed by
// a Lua pc:read_from()/pc:write_to() loop.
func BenchmarkUDPRoundTrip(b *testing.B) {
	b.ReportAllocs()
	b.SetBytes(64)
	_, addr := benchServer(b, `
		pc = assert(net.listen_packet("udp", "127.0.0.1:0"))
		task.spawn(function()
			while true do
				local d, from = pc:read_from()
				if not d or not pc:write_to(d, from) then return end
			end
		end)
		print(pc:local_addr())`)
	c := benchDial(b, "udp", addr)
	msg, got := make([]byte, 64), make([]byte, 128)
	for i := range msg {
		msg[i] = 'u'
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if err := benchRefresh(c, i); err != nil {
			b.Fatal(err)
		}
		binary.BigEndian.PutUint64(msg, uint64(i))
		if _, err := c.Write(msg); err != nil {
			b.Fatalf("datagram %d: %v", i, err)
		}
		n, err := c.Read(got)
		if err != nil {
			b.Fatalf("datagram %d: %v", i, err)
		}
		if !bytes.Equal(got[:n], msg) {
			b.Fatalf("datagram %d: sent %q, got back %q", i, msg, got[:n])
		}
	}
}

// BenchmarkReadWriteLoop is the throughput of a Lua c:read()/c:write()
// echo loop: a Go client writes 64 KiB chunks and reads the echo
// concurrently. One op is one chunk there and back.
func BenchmarkReadWriteLoop(b *testing.B) {
	const chunk = 64 << 10
	const period = 251 // the pattern's period: a prime, so chunks differ
	b.ReportAllocs()
	b.SetBytes(chunk)
	_, addr := benchServer(b, luaEchoServer)
	c := benchDial(b, "tcp", addr)
	// Byte k of the stream is byte(k % period); pattern[k%period:] is the
	// stream from offset k on, for up to one chunk.
	pattern := make([]byte, chunk+period)
	for i := range pattern {
		pattern[i] = byte(i % period)
	}
	b.ResetTimer()

	written := make(chan error, 1)
	go func() {
		for i := 0; i < b.N; i++ {
			if err := c.SetWriteDeadline(time.Now().Add(benchIOTimeout)); err != nil {
				written <- err
				return
			}
			off := (i * chunk) % period
			if _, err := c.Write(pattern[off : off+chunk]); err != nil {
				written <- err
				return
			}
		}
		written <- c.(*net.TCPConn).CloseWrite()
	}()

	buf := make([]byte, chunk)
	total := 0
	for {
		if err := c.SetReadDeadline(time.Now().Add(benchIOTimeout)); err != nil {
			b.Fatal(err)
		}
		n, err := c.Read(buf)
		off := total % period
		if !bytes.Equal(buf[:n], pattern[off:off+n]) {
			b.Fatalf("echo differs in the %d bytes from offset %d", n, total)
		}
		total += n
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			b.Fatalf("after %d bytes: %v", total, err)
		}
	}
	if err := <-written; err != nil {
		b.Fatal(err)
	}
	if total != b.N*chunk {
		b.Fatalf("echoed %d bytes of %d", total, b.N*chunk)
	}
}

// BenchmarkBlockingCall is the cost of one blocking call, which hands the
// interpreter lock off and takes it back: time.sleep(0) in a loop, and a
// ping-pong between two tasks over task.chan (one op: one send and one
// recv on each side, four blocking calls).
// BenchmarkSpawn is the cost of starting and finishing one task: its
// thread, its goroutine, and a channel send back to the spawner.
func BenchmarkSpawn(b *testing.B) {
	b.ReportAllocs()
	benchChunk(b, "spawn", `
		local n = tonumber(...)
		local done = task.chan(64)
		local sum = 0
		for i = 1, n do
			task.spawn(function() done:send(i) end)
			sum = sum + done:recv()
		end
		assert(sum == n * (n + 1) / 2, "tasks sent " .. sum)`)
}

func BenchmarkBlockingCall(b *testing.B) {
	b.Run("sleep0", func(b *testing.B) {
		b.ReportAllocs()
		benchChunk(b, "sleep0", `
			local n, count = tonumber(...), 0
			for i = 1, n do time.sleep(0) count = count + 1 end
			assert(count == n, "slept " .. count .. " times")`)
	})
	b.Run("chan_pingpong", func(b *testing.B) {
		b.ReportAllocs()
		benchChunk(b, "pingpong", `
			local n = tonumber(...)
			local ping, pong = task.chan(), task.chan()
			local echo = task.spawn(function()
				while true do
					local v, ok = ping:recv()
					if not ok then return true end
					assert(pong:send(v))
				end
			end)
			for i = 1, n do
				assert(ping:send(i))
				local v = pong:recv()
				if v ~= i then error("sent " .. i .. ", got back " .. tostring(v)) end
			end
			ping:close()
			assert(echo:wait(10))`)
	})
}

// BenchmarkLuaLoop is the VM alone: an iteration of a Lua loop doing
// arithmetic, table reads and writes by field and by index, a length, a
// method call and a call of a local function: the instructions whose
// type errors name their operand (gopher-lua patch 18), which must cost
// nothing until one fails.
func BenchmarkLuaLoop(b *testing.B) {
	b.ReportAllocs()
	benchChunk(b, "loop", `
		local n = tonumber(...)
		local obj = {count = 0, items = {1, 2, 3}}
		function obj:bump(k) self.count = self.count + k end
		local function sq(x) return x * x end
		local acc = 0
		for i = 1, n do
			local t = obj.items
			acc = acc + sq(t[i % 3 + 1]) - #t
			obj:bump(1)
		end
		assert(obj.count == n and acc > 0, "looped wrong")`)
}

// BenchmarkStringPack is one string.pack(">I4 s2 d", ...) in a Lua loop.
func BenchmarkStringPack(b *testing.B) {
	b.ReportAllocs()
	benchChunk(b, "pack", `
		local n = tonumber(...)
		local pack, s = string.pack
		for i = 1, n do s = pack(">I4 s2 d", i, "payload", i + 0.5) end
		assert(#s == 4 + 2 + 7 + 8, "packed " .. #s .. " bytes")
		local a, p, d, next = string.unpack(">I4 s2 d", s)
		assert(a == n and p == "payload" and d == n + 0.5 and next == #s + 1, "packed wrong")`)
}

// BenchmarkStringUnpack is one string.unpack(">I4 s2 d", s) in a Lua loop.
func BenchmarkStringUnpack(b *testing.B) {
	b.ReportAllocs()
	benchChunk(b, "unpack", `
		local n = tonumber(...)
		local s = string.pack(">I4 s2 d", 123456, "payload", 0.5)
		local unpack, sum = string.unpack, 0
		for i = 1, n do
			local a, p, d, next = unpack(">I4 s2 d", s)
			sum = sum + a + #p + d + next
		end
		assert(sum == n * (123456 + 7 + 0.5 + 22), "unpacked wrong: " .. sum)`)
}

// benchReader measures a Lua loop reading b.N items of 64 bytes that a Go
// writer sends over loopback TCP. item(i, p) fills p with item i (counted
// from 1); read is the Lua that runs after `local n = tonumber(...)` and
// `c`, the accepted conn, and must check what it read.
func benchReader(b *testing.B, item func(i int, p []byte), read string) {
	const size = 64
	b.ReportAllocs()
	b.SetBytes(size)
	rt, addr := benchServer(b, `
		ln = assert(net.listen("tcp", "127.0.0.1:0"))
		print(ln:addr())`)
	task := benchStart(b, rt, "reader", `
		local n = tonumber(...)
		local c = assert(ln:accept(10))
		`+read+`
		local more, err = c:read(1)
		assert(more == nil and err.kind == "eof", "data after the last item")
		c:close()`, strconv.Itoa(b.N))
	c := benchDial(b, "tcp", addr)
	b.ResetTimer()

	written := make(chan error, 1)
	go func() {
		w := bufio.NewWriterSize(c, 64<<10)
		p := make([]byte, size)
		for i := 1; i <= b.N; i++ {
			if err := benchRefresh(c, i); err != nil {
				written <- err
				return
			}
			item(i, p)
			if _, err := w.Write(p); err != nil {
				written <- err
				return
			}
		}
		if err := w.Flush(); err != nil {
			written <- err
			return
		}
		written <- c.(*net.TCPConn).CloseWrite()
	}()
	benchWait(b, task)
	if err := <-written; err != nil {
		b.Fatal(err)
	}
}

// benchIndex writes i as 8 decimal digits at the start of p.
func benchIndex(i int, p []byte) {
	for k := 7; k >= 0; k-- {
		p[k] = byte('0' + i%10)
		i /= 10
	}
}

// BenchmarkReadLine is one c:read_line() of a 64-byte line a Go writer
// sent.
func BenchmarkReadLine(b *testing.B) {
	benchReader(b, func(i int, p []byte) {
		benchIndex(i, p)
		for k := 8; k < len(p)-1; k++ {
			p[k] = 'x'
		}
		p[len(p)-1] = '\n'
	}, `
		local bytes, last = 0
		for i = 1, n do
			last = assert(c:read_line())
			bytes = bytes + #last
		end
		assert(bytes == n * 63, "read " .. bytes .. " bytes of lines")
		assert(tonumber(last:sub(1, 8)) == n and last:sub(9) == ("x"):rep(55), "last line: " .. last)`)
}

// BenchmarkReadFrame is one c:read_frame({size = 4}) of a 64-byte frame (a
// 4-byte length and 60 bytes of data) a Go writer sent.
func BenchmarkReadFrame(b *testing.B) {
	benchReader(b, func(i int, p []byte) {
		binary.BigEndian.PutUint32(p, uint32(len(p)-4))
		benchIndex(i, p[4:])
		for k := 12; k < len(p); k++ {
			p[k] = 'y'
		}
	}, `
		local opts, bytes, last = {size = 4}, 0
		for i = 1, n do
			last = assert(c:read_frame(opts))
			bytes = bytes + #last
		end
		assert(bytes == n * 60, "read " .. bytes .. " bytes of frames")
		assert(tonumber(last:sub(1, 8)) == n and last:sub(9) == ("y"):rep(52), "last frame: " .. last)`)
}
