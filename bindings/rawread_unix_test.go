//go:build unix

package bindings

import (
	"io"
	"net"
	"strings"
	"testing"
	"time"
)

// TestParkedConnHoldsNoReadBuffer: a served conn whose task waits in c:read
// holds no read buffer once it has echoed what came (the buffer went back
// to readBufs), and the next message still comes back whole.
func TestParkedConnHoldsNoReadBuffer(t *testing.T) {
	out := &syncBuffer{}
	rt := New(Options{Stdout: out})
	defer rt.Close()
	fn, err := rt.Load(strings.NewReader(luaEchoServer), "server")
	if err != nil {
		t.Fatal(err)
	}
	select {
	case <-rt.Start("server", fn).Done():
	case <-time.After(10 * time.Second):
		t.Fatal("the server chunk did not finish")
	}
	addr := lastLine(out)
	c, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(10 * time.Second))
	for _, msg := range []string{"first", "second message"} {
		if _, err := c.Write([]byte(msg)); err != nil {
			t.Fatal(err)
		}
		got := make([]byte, len(msg))
		if _, err := io.ReadFull(c, got); err != nil || string(got) != msg {
			t.Fatalf("echo %q: %q, %v", msg, got, err)
		}
		time.Sleep(50 * time.Millisecond) // the task is back in c:read
		sc := servedConn(t, rt)
		if sc == nil {
			t.Fatal("no task handles a conn")
		}
		sc.rd.mu.Lock()
		buf := sc.rd.buf
		sc.rd.mu.Unlock()
		if sc.rd.raw == nil {
			t.Fatal("a TCP conn has no raw source")
		}
		if buf != nil {
			t.Fatalf("after %q the parked conn holds a %d-byte read buffer", msg, len(buf))
		}
	}
}

// servedConn returns the conn of rt's one serve handler task.
func servedConn(t *testing.T, rt *Runtime) *Conn {
	rt.gil.Lock()
	defer rt.gil.Unlock()
	for _, task := range rt.tasks {
		if task.handles != nil {
			return task.handles
		}
	}
	return nil
}
