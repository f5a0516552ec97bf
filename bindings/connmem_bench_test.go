package bindings

import (
	"net"
	"runtime"
	"testing"
	"time"
)

// BenchmarkConnMemory reports what one idle served connection costs: the
// heap and the goroutine stack of its task, parked in c:read, measured over
// 2,000 connections to the Lua echo server (the shape of bench/lua/echo.lua).
// Memory per connection once regressed unnoticed; this keeps it in view.
func BenchmarkConnMemory(b *testing.B) {
	const conns = 2000
	for i := 0; i < b.N; i++ {
		rt, addr := benchServer(b, luaEchoServer)
		warm := benchDial(b, "tcp", addr)
		warm.Write([]byte("x"))
		warm.Read(make([]byte, 1))
		var before, after runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&before)
		cs := make([]net.Conn, 0, conns)
		buf := make([]byte, 1)
		for j := 0; j < conns; j++ {
			c := benchDial(b, "tcp", addr)
			// A round trip: the server's task has its conn and is back in
			// c:read when the reply comes.
			if _, err := c.Write([]byte("y")); err != nil {
				b.Fatal(err)
			}
			if _, err := c.Read(buf); err != nil {
				b.Fatal(err)
			}
			cs = append(cs, c)
		}
		time.Sleep(100 * time.Millisecond)
		runtime.GC()
		runtime.ReadMemStats(&after)
		b.ReportMetric(float64(after.HeapInuse-before.HeapInuse)/conns, "heap-B/conn")
		b.ReportMetric(float64(after.StackInuse-before.StackInuse)/conns, "stack-B/conn")
		for _, c := range cs {
			c.Close()
		}
		rt.Close()
	}
}
