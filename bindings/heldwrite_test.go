package bindings

import (
	"bufio"
	"net"
	"regexp"
	"strings"
	"testing"
	"time"
)

// serverWrites lists the writes the trace shows on the server's conn (the
// one whose tostring the chunk printed as "server <...>").
func serverWrites(t *testing.T, out string) []string {
	t.Helper()
	m := regexp.MustCompile(`(?m)^server (<tcp conn .*>)$`).FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("no server line in:\n%s", out)
	}
	return regexp.MustCompile(`(?m)^> `+regexp.QuoteMeta(m[1])+` wrote \d+ bytes$`).FindAllString(out, -1)
}

// TestHeldWritesGoOutTogether: three requests that arrived in one packet
// get their three replies in one write, when the server next waits for
// input; one request at a time gets each reply at once.
func TestHeldWritesGoOutTogether(t *testing.T) {
	out := runChunkOutput(t, `
		local th = require "testhelp"
		local c, s = th.tcp_pair()
		print("server " .. tostring(s))
		s:trace("text")
		local served = task.spawn(function()
			for i = 1, 4 do
				local line = s:read_line()
				if not line then return end
				assert(s:write(line:upper() .. "\n"))
			end
			return true
		end)
		assert(c:write("a\nb\nc\n"))
		assert(c:read_full(6) == "A\nB\nC\n")
		print("pipelined done")
		assert(c:write("d\n"))
		assert(c:read_full(2) == "D\n")
		assert(served:wait())`)
	writes := serverWrites(t, out)
	if len(writes) != 2 || !strings.HasSuffix(writes[0], " wrote 6 bytes") || !strings.HasSuffix(writes[1], " wrote 2 bytes") {
		t.Fatalf("server writes %q, want one of 6 bytes then one of 2\noutput:\n%s", writes, out)
	}
}

// TestHeldWriteWaitsForFlush: a held write is not on the wire until the
// flush; a write with no input waiting is, before the next line runs.
func TestHeldWriteWaitsForFlush(t *testing.T) {
	out := runChunkOutput(t, `
		local th = require "testhelp"
		local c, s = th.tcp_pair()
		print("server " .. tostring(s))
		s:trace("text")
		assert(s:write("now"))
		print("after the write at once")
		assert(c:write("a\nb\n"))
		time.sleep(0.05)
		assert(s:read_line() == "a")
		assert(s:write("held"))
		print("before flush")
		assert(s:flush())
		print("after flush")
		assert(c:read_full(7) == "nowheld")`)
	i := strings.Index
	now, first := i(out, "wrote 3 bytes"), i(out, "after the write at once")
	before, held, after := i(out, "before flush"), i(out, "wrote 4 bytes"), i(out, "after flush")
	if now < 0 || first < 0 || now > first {
		t.Fatalf("the write with no input waiting was not written at once:\n%s", out)
	}
	if before < 0 || held < 0 || after < 0 || !(before < held && held < after) {
		t.Fatalf("the held write was not written by flush (before %d, wrote %d, after %d):\n%s", before, held, after, out)
	}
}

// servePipelined starts a Go peer that sends two lines in one write and
// reports what it reads back within 5 s.
func servePipelined(t *testing.T) (addr string, got chan string) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	got = make(chan string, 1)
	go func() {
		c, err := ln.Accept()
		if err != nil {
			got <- "accept: " + err.Error()
			return
		}
		defer c.Close()
		c.Write([]byte("a\nb\n"))
		c.SetReadDeadline(time.Now().Add(5 * time.Second))
		line, err := bufio.NewReader(c).ReadString('\n')
		if err != nil {
			line += " (" + err.Error() + ")"
		}
		got <- line
	}()
	return ln.Addr().String(), got
}

// heldReply is a chunk that dials addr, reads the first of the two lines
// the peer sent together and writes a reply, held (the second line waits
// unread), then runs tail.
func heldReply(addr, tail string) string {
	return `
		c = assert(net.dial("tcp", "` + addr + `"))
		time.sleep(0.1)
		assert(c:read_line() == "a")
		assert(c:buffered() == "b\n")
		assert(c:write("A\n"))
		` + tail
}

// TestHeldBytesGoOutWhenTheChunkEnds: a script that writes a held reply
// and ends, leaving the conn open, has sent the reply.
func TestHeldBytesGoOutWhenTheChunkEnds(t *testing.T) {
	addr, got := servePipelined(t)
	rt, _ := newTestRuntime(t)
	defer rt.Close()
	waitTask(t, startChunk(t, rt, heldReply(addr, "")))
	if line := <-got; line != "A\n" {
		t.Fatalf("the peer read %q, want the held reply", line)
	}
}

// TestHeldBytesGoOutWhileTheTaskRunsOn: a task that keeps running without
// waiting does not keep its held reply: it goes out after a millisecond.
func TestHeldBytesGoOutWhileTheTaskRunsOn(t *testing.T) {
	addr, got := servePipelined(t)
	rt, _ := newTestRuntime(t)
	defer rt.Close()
	busy := startChunk(t, rt, heldReply(addr, `
		local t0 = time.now()
		while time.now() - t0 < 3 do end`))
	line := <-got
	if busy.Status() != statusRunning {
		t.Fatalf("the reply came only when the task ended (%s)", busy.Status())
	}
	if line != "A\n" {
		t.Fatalf("the peer read %q, want the held reply", line)
	}
	busy.Cancel()
	waitTask(t, busy)
}

// TestHeadAndSmallFileInOneWrite: a head written with {more = true} and a
// small file sent after it go out in one write; a file over smallFile
// goes in its own.
func TestHeadAndSmallFileInOneWrite(t *testing.T) {
	dir := t.TempDir()
	out := runChunkOutput(t, `
		local th = require "testhelp"
		local c, s = th.tcp_pair()
		print("server " .. tostring(s))
		s:trace("text")
		local small = "`+dir+`/small"
		local f = assert(io.open(small, "wb")) f:write(("x"):rep(1000)) f:close()
		assert(s:write(("h"):rep(100), {more = true}))
		assert(s:send_file(small) == 1000)
		assert(c:read_full(1100))`)
	writes := serverWrites(t, out)
	if len(writes) != 1 || !strings.HasSuffix(writes[0], " wrote 1100 bytes") {
		t.Fatalf("server writes %q, want one of 1100 bytes\noutput:\n%.3000s", writes, out)
	}
}

// TestBigWriteIsNotHeld: a write over maxHeld goes out at once even with
// input waiting: nothing copies a script's big string to hold it.
func TestBigWriteIsNotHeld(t *testing.T) {
	out := runChunkOutput(t, `
		local th = require "testhelp"
		local c, s = th.tcp_pair()
		print("server " .. tostring(s))
		s:trace("text")
		assert(c:write("a\nb\n"))
		time.sleep(0.05)
		assert(s:read_line() == "a") -- "b\n" waits unread
		local got = task.spawn(function() return c:read_full(70000) end)
		assert(s:write(("x"):rep(70000)))
		print("after the big write")
		assert(got:wait())`)
	i := strings.Index(out, "after the big write")
	if i < 0 || len(serverWrites(t, out[:i])) == 0 {
		t.Fatalf("a write of 70000 bytes (over maxHeld) was held:\n%.2000s", out)
	}
}
