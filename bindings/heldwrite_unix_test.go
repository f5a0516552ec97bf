//go:build unix

package bindings

import (
	"context"
	"fmt"
	"io"
	"net"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestHeldFlushThatWaitsBesideOtherWriters: a flush that has to wait (the
// peer reads late) while other tasks write on the conn: one writes behind
// it, one holds new bytes and runs on without waiting (no task waits to
// flush them). Every byte arrives once, the first held bytes first, and
// the newer hold is neither lost nor left behind when the first flush
// ends (it cleared the conn's newer hold, and the next flush of the list
// found a conn holding nothing: a nil dereference).
func TestHeldFlushThatWaitsBesideOtherWriters(t *testing.T) {
	// A small receive buffer from the start (the listener's, inherited):
	// set after the handshake, the window would stay large.
	lc := net.ListenConfig{Control: func(_, _ string, rc syscall.RawConn) error {
		return rc.Control(func(fd uintptr) { syscall.SetsockoptInt(int(fd), syscall.SOL_SOCKET, syscall.SO_RCVBUF, 4096) })
	}}
	ln, err := lc.Listen(context.Background(), "tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	const big = 60000
	got := make(chan string, 1)
	go func() {
		c, err := ln.Accept()
		if err != nil {
			got <- err.Error()
			return
		}
		defer c.Close()
		c.Write([]byte("a\nb\n"))
		time.Sleep(300 * time.Millisecond) // the flush waits for this reader
		c.SetReadDeadline(time.Now().Add(5 * time.Second))
		buf := make([]byte, big+2)
		n, err := io.ReadFull(c, buf)
		if err != nil {
			got <- fmt.Sprintf("read %d: %v", n, err)
			return
		}
		got <- string(buf)
	}()
	out := runChunkOutput(t, `
		local s = assert(net.dial("tcp", "`+ln.Addr().String()+`"))
		s:set_write_buffer(4096)
		time.sleep(0.05)
		assert(s:read_line() == "a") -- "b\n" waits unread: writes on s are held
		assert(s:write(("A"):rep(`+strconv.Itoa(big)+`))) -- held; more than the socket takes
		local queued = task.spawn(function()
			time.sleep(0.05) -- while the flush below waits
			return s:write("B")
		end)
		local busy = task.spawn(function()
			time.sleep(0.1)
			assert(s:write("C")) -- a new hold, while the first flush waits
			local t0 = time.now()
			while time.now() - t0 < 0.6 do end -- runs on, through the first flush's end
			return true
		end)
		local t0 = time.now()
		time.sleep(0) -- a wait: the held bytes are flushed, which waits for the reader
		assert(time.now() - t0 > 0.2, "the flush did not wait: the case is not tested")
		assert(queued:wait(5))
		assert(busy:wait(5))
		print("done")`)
	if !strings.Contains(out, "done") {
		t.Fatalf("output:\n%s", out)
	}
	s := <-got
	if len(s) != big+2 || strings.Trim(s[:big], "A") != "" {
		t.Fatalf("the peer read %.80q... (%d bytes), want %d A's first", s, len(s), big)
	}
	if tail := s[big:]; tail != "BC" && tail != "CB" {
		t.Fatalf("after the held bytes: %q, want B and C", tail)
	}
}
