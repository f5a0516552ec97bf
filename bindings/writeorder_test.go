package bindings

import (
	"bufio"
	"net"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/gonetrepl/gonetrepl/internal/transcript"
	lua "github.com/gonetrepl/gonetrepl/third_party/gopher-lua"
)

// TestRecordKeepsCausalOrderAcrossSockets relays a client that waits for
// each reply before its next request, with every write held back 30 ms
// between the socket taking it and its logging (a descheduled writer on
// a loaded machine). The transcript must still show each request after
// the reply it waited for: replay.lua deadlocked on a transcript that
// did not (TestReplayScriptServesRedisCLI under load).
func TestRecordKeepsCausalOrderAcrossSockets(t *testing.T) {
	t.Parallel()
	// The upstream: a pong for each ping line.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		c, err := ln.Accept()
		if err != nil {
			return
		}
		defer c.Close()
		r := bufio.NewReader(c)
		for {
			if _, err := r.ReadString('\n'); err != nil {
				return
			}
			c.Write([]byte("pong\n"))
		}
	}()
	file := filepath.Join(t.TempDir(), "order.transcript")
	rt, out := newTestRuntime(t)
	defer rt.Close()
	rt.trace.afterWrite = func() { time.Sleep(30 * time.Millisecond) }
	rt.gil.Lock()
	rt.L.SetGlobal("UP", lua.LString(ln.Addr().String()))
	rt.L.SetGlobal("FILE", lua.LString(file))
	rt.gil.Unlock()
	task := startChunk(t, rt, `
		local ln = assert(net.listen("tcp", "127.0.0.1:0"))
		assert(net.record(FILE))
		local relay = task.spawn(function()
			local c = assert(ln:accept())
			local up = assert(net.dial("tcp", UP))
			net.relay(c, up)
			up:close()
			c:close()
		end)
		local cl = assert(net.dial("tcp", tostring(ln:addr())))
		for i = 1, 5 do
			assert(cl:write("ping\n"))
			assert(cl:read_line() == "pong")
		end
		cl:close()
		relay:wait()
		net.record(false)
	`)
	select {
	case <-task.Done():
	case <-time.After(luaTestTimeout):
		t.Fatalf("the chunk did not end\n%s", out)
	}
	if task.Status() != statusDone {
		t.Fatalf("%s\n%s", task.Err(), out)
	}
	f, err := os.Open(file)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	evs, err := transcript.ReadAll(f, transcript.Limits{})
	if err != nil {
		t.Fatal(err)
	}
	// The data events of the relay's two conns, in file order: the
	// accepted one must alternate recv ping, send pong, and the dialed one
	// send ping, recv pong.
	role := map[int64]string{}
	seq := map[string]string{}
	for _, ev := range evs {
		switch {
		case ev.Kind == transcript.Open && ev.Role == "accept":
			role[ev.Session] = "accepted"
		case ev.Kind == transcript.Open && ev.Remote == ln.Addr().String():
			role[ev.Session] = "dialed"
		case (ev.Kind == transcript.Send || ev.Kind == transcript.Recv) && role[ev.Session] != "":
			seq[role[ev.Session]] += string(ev.Kind) + " " + string(ev.Data)
		}
	}
	want := map[string]string{}
	for range 5 {
		want["accepted"] += "recv ping\nsend pong\n"
		want["dialed"] += "send ping\nrecv pong\n"
	}
	for _, k := range []string{"accepted", "dialed"} {
		if seq[k] != want[k] {
			t.Errorf("the %s conn's events, in file order:\n%s\nwant:\n%s", k, seq[k], want[k])
		}
	}
}
