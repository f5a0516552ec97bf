package bindings

// UDP against an independent peer: a socket opened by the Go test, so that
// what the Lua side sends and receives is checked by code that does not
// share its implementation. Every wait is bounded.

import (
	"errors"
	"fmt"
	"net"
	"os"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	lua "github.com/gonetrepl/gonetrepl/third_party/gopher-lua"
)

// peerTimeout bounds every read of a Go peer.
const peerTimeout = 20 * time.Second

// runLuaWith runs src as a task in a fresh runtime, with the string globals
// given, and fails the test if it fails or does not end in time.
func runLuaWith(t *testing.T, globals map[string]string, src string) {
	t.Helper()
	rt, out := newTestRuntime(t)
	defer rt.Close()
	rt.gil.Lock()
	for name, v := range globals {
		rt.L.SetGlobal(name, lua.LString(v))
	}
	rt.gil.Unlock()
	task := startChunk(t, rt, src)
	select {
	case <-task.Done():
	case <-time.After(luaTestTimeout):
		rt.Close()
		t.Fatalf("chunk did not finish in %v\noutput:\n%s", luaTestTimeout, out)
	}
	if task.Status() != statusDone {
		t.Fatalf("%s\n%s\noutput:\n%s", task.Err(), task.Trace(), out)
	}
	if rt.Failed() {
		t.Fatalf("a task failed:\n%s", out)
	}
}

// udpPeer opens a Go UDP socket on loopback, closed when the test ends.
func udpPeer(t *testing.T) *net.UDPConn {
	t.Helper()
	c, err := net.ListenUDP("udp", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// peerRead reads one datagram within peerTimeout.
func peerRead(c *net.UDPConn) (string, *net.UDPAddr, error) {
	c.SetReadDeadline(time.Now().Add(peerTimeout))
	buf := make([]byte, 65536)
	n, from, err := c.ReadFromUDP(buf)
	return string(buf[:n]), from, err
}

// peerJob runs f in a goroutine; wait returns its error.
type peerJob struct{ done chan error }

func goPeer(f func() error) peerJob {
	j := peerJob{make(chan error, 1)}
	go func() { j.done <- f() }()
	return j
}

func (j peerJob) wait(t *testing.T) {
	t.Helper()
	select {
	case err := <-j.done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(2 * peerTimeout):
		t.Fatal("Go peer did not finish")
	}
}

// TestUDPWithGoPeer: read_from and write_to both ways between a Lua packet
// conn and a Go socket, with addr values and strings.
func TestUDPWithGoPeer(t *testing.T) {
	peer := udpPeer(t)
	job := goPeer(func() error {
		// Lua speaks first, so the peer learns its address.
		data, from, err := peerRead(peer)
		if err != nil || data != "hello from lua" {
			return fmt.Errorf("peer: first datagram %q, %v", data, err)
		}
		if _, err := peer.WriteToUDP([]byte("hello from go"), from); err != nil {
			return err
		}
		// The reply to the addr value read_from gave.
		data, from2, err := peerRead(peer)
		if err != nil || data != "reply to addr" || from2.String() != from.String() {
			return fmt.Errorf("peer: second datagram %q from %v, %v", data, from2, err)
		}
		// Binary data, every byte value.
		data, _, err = peerRead(peer)
		if err != nil || data != allBytes() {
			return fmt.Errorf("peer: binary datagram of %d bytes, %v", len(data), err)
		}
		_, err = peer.WriteToUDP([]byte(data), from)
		return err
	})
	runLuaWith(t, map[string]string{"PEER": peer.LocalAddr().String()}, `
		local pc = assert(net.listen_packet("udp", "127.0.0.1:0"))
		assert(pc:write_to("hello from lua", PEER) == 14)
		local data, from, truncated = pc:read_from()
		assert(data == "hello from go", tostring(data))
		assert(truncated == nil)
		assert(tostring(from) == PEER and from.ip == "127.0.0.1" and from.network == "udp", tostring(from))
		assert(pc:write_to("reply to addr", from) == 13)
		local bytes = {}
		for i = 0, 255 do bytes[#bytes + 1] = string.char(i) end
		bytes = table.concat(bytes)
		assert(pc:write_to(bytes, from) == 256)
		assert(pc:read_from() == bytes)
		pc:close()`)
	job.wait(t)
}

func allBytes() string {
	var b strings.Builder
	for i := range 256 {
		b.WriteByte(byte(i))
	}
	return b.String()
}

// TestConnectedUDPWithGoPeer: c:read returns one datagram at a time, and
// c:write sends one.
func TestConnectedUDPWithGoPeer(t *testing.T) {
	peer := udpPeer(t)
	job := goPeer(func() error {
		var from *net.UDPAddr
		for _, want := range []string{"one", "two two"} {
			data, f, err := peerRead(peer)
			if err != nil || data != want {
				return fmt.Errorf("peer: got %q, %v; want %q", data, err, want)
			}
			from = f
		}
		for _, d := range []string{"alpha", "beta", "gamma"} {
			if _, err := peer.WriteToUDP([]byte(d), from); err != nil {
				return err
			}
		}
		return nil
	})
	runLuaWith(t, map[string]string{"PEER": peer.LocalAddr().String()}, `
		local c = assert(net.dial("udp", PEER))
		assert(c:write("one") == 3)
		assert(c:write("two two") == 7)
		c:set_timeout(20)
		assert(c:read() == "alpha")
		assert(c:read() == "beta")
		assert(c:read(100) == "gamma")
		c:close()`)
	job.wait(t)
}

// TestUDPTruncated: a 100-byte datagram read with max 10 gives 10 bytes and
// true, on a packet conn and on a connected conn.
func TestUDPTruncated(t *testing.T) {
	peer := udpPeer(t)
	job := goPeer(func() error {
		for range 2 {
			_, from, err := peerRead(peer)
			if err != nil {
				return err
			}
			if _, err := peer.WriteToUDP([]byte(strings.Repeat("t", 100)), from); err != nil {
				return err
			}
			if _, err := peer.WriteToUDP([]byte(strings.Repeat("u", 10)), from); err != nil {
				return err
			}
		}
		return nil
	})
	runLuaWith(t, map[string]string{"PEER": peer.LocalAddr().String()}, `
		local pc = assert(net.listen_packet("udp", "127.0.0.1:0"))
		pc:set_timeout(20)
		assert(pc:write_to("send me something", PEER))
		local data, from, truncated = pc:read_from(10)
		assert(data == ("t"):rep(10), tostring(data))
		assert(tostring(from) == PEER, tostring(from))
		assert(truncated == true, "truncated flag missing")
		-- Exactly max bytes is not truncated.
		data, from, truncated = pc:read_from(10)
		assert(data == ("u"):rep(10) and truncated == nil, tostring(data))
		pc:close()

		local c = assert(net.dial("udp", PEER))
		c:set_timeout(20)
		assert(c:write("again"))
		local part, cut = c:read(10)
		assert(part == ("t"):rep(10) and cut == true)
		part, cut = c:read(10)
		assert(part == ("u"):rep(10) and cut == nil)
		c:close()`)
	job.wait(t)
}

// TestExchangeRetry: the peer drops the first request and answers the
// second; before answering it sends noise from another socket, which a
// packet conn's exchange must skip.
func TestExchangeRetry(t *testing.T) {
	peer := udpPeer(t)
	stranger := udpPeer(t)
	var mu sync.Mutex
	var seen []string
	job := goPeer(func() error {
		for round := range 2 { // a packet conn, then a connected conn
			for try := 1; try <= 2; try++ {
				data, from, err := peerRead(peer)
				if err != nil {
					return fmt.Errorf("round %d try %d: %v", round, try, err)
				}
				mu.Lock()
				seen = append(seen, data)
				mu.Unlock()
				if try == 1 {
					continue // dropped
				}
				stranger.WriteToUDP([]byte("noise"), from)
				if _, err := peer.WriteToUDP([]byte("pong:"+data), from); err != nil {
					return err
				}
			}
		}
		return nil
	})
	runLuaWith(t, map[string]string{"PEER": peer.LocalAddr().String()}, `
		local pc = assert(net.listen_packet("udp", "127.0.0.1:0"))
		local t0 = time.now()
		local reply = assert(pc:exchange("ping", PEER, {timeout = 0.3, retries = 3}))
		assert(reply == "pong:ping", reply)
		assert(time.since(t0) >= 0.25, "answered before a resend")
		pc:close()

		local c = assert(net.dial("udp", PEER))
		reply = assert(c:exchange("ping2", {timeout = 0.3, retries = 1}))
		assert(reply == "pong:ping2", reply)
		c:close()`)
	job.wait(t)
	mu.Lock()
	defer mu.Unlock()
	if want := "ping ping ping2 ping2"; strings.Join(seen, " ") != want {
		t.Errorf("peer saw %q; want %q", seen, want)
	}
}

// TestExchangeTimeout: a peer that never answers gets 1 + retries requests,
// then exchange returns kind timeout.
func TestExchangeTimeout(t *testing.T) {
	peer := udpPeer(t)
	var mu sync.Mutex
	count := 0
	job := goPeer(func() error {
		for {
			peer.SetReadDeadline(time.Now().Add(peerTimeout))
			buf := make([]byte, 100)
			_, err := peer.Read(buf)
			if err != nil {
				if errors.Is(err, net.ErrClosed) {
					return nil
				}
				return err
			}
			mu.Lock()
			count++
			mu.Unlock()
		}
	})
	runLuaWith(t, map[string]string{"PEER": peer.LocalAddr().String()}, `
		local pc = assert(net.listen_packet("udp", "127.0.0.1:0"))
		local t0 = time.now()
		local reply, err = pc:exchange("hello?", PEER, {timeout = 0.1, retries = 2})
		local took = time.since(t0)
		assert(reply == nil and err.kind == "timeout", tostring(err))
		assert(err.op == "exchange", tostring(err.op))
		assert(tostring(err):find("no reply after 3 tries", 1, true), tostring(err))
		assert(took >= 0.25 and took < 10, took)
		-- The same on a connected conn, with the default retries.
		local c = assert(net.dial("udp", PEER))
		reply, err = c:exchange("hello?", {timeout = 0.05})
		assert(reply == nil and err.kind == "timeout", tostring(err))
		assert(tostring(err):find("no reply after 4 tries", 1, true), tostring(err))
		c:close()
		pc:close()`)
	// Wait until the peer has read all 7 requests, then stop it.
	deadline := time.Now().Add(peerTimeout)
	for {
		mu.Lock()
		n := count
		mu.Unlock()
		if n >= 7 || time.Now().After(deadline) {
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	peer.Close()
	job.wait(t)
	mu.Lock()
	defer mu.Unlock()
	if count != 7 {
		t.Errorf("peer got %d requests; want 3 + 4", count)
	}
}

// TestDatagramReadError: a read that the system fails for a datagram too
// big for the buffer (Windows' WSAEMSGSIZE; EMSGSIZE stands in for it
// here) is too_large and says the datagram was dropped; other errors pass
// unchanged.
func TestDatagramReadError(t *testing.T) {
	tooBig := &net.OpError{Op: "read", Net: "udp", Err: os.NewSyscallError("wsarecvmsg", syscall.EMSGSIZE)}
	err := datagramReadError(tooBig, 512)
	if k := classify(err); k != kindTooLarge {
		t.Errorf("kind %q, want too_large: %v", k, err)
	}
	if !strings.HasPrefix(err.Error(), "datagram longer than max (512 bytes), dropped: this system reports no truncated part: read udp: wsarecvmsg: ") {
		t.Errorf("message: %v", err)
	}
	if e := newError(err, "read", ""); e.Op != "read" {
		t.Errorf("op %q, want read", e.Op)
	}
	timeout := &net.OpError{Op: "read", Net: "udp", Err: os.ErrDeadlineExceeded}
	if got := datagramReadError(timeout, 512); got != error(timeout) {
		t.Errorf("a timeout became %v", got)
	}
}
