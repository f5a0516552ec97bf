package main

import (
	"io"
	"net"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/gonetrepl/gonetrepl/internal/peer"
)

// exec_server.lua (ncat --exec) with real clients: ncat and OpenBSD nc send
// 1 MiB of every byte value through cat and get it back whole, their
// half-close at the end of stdin ending cat and so the connection. A
// program that exits ends its connection though the client's side is still
// open; a client that goes away has its program killed; --pty gives the
// program a terminal.
func TestExecServerScriptRealClients(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("process tubes are not supported on Windows")
	}
	t.Parallel()
	ncat, nc := ncatPath(t), ncPath(t)
	cat := peer.Find(t, "cat", "coreutils")
	p, addr := startServerScript(t, "tcp", "scripts/exec_server.lua", "--", cat)
	host, port, _ := net.SplitHostPort(addr)
	data := binaryPayload(1 << 20)
	for _, c := range []struct {
		path string
		args []string
	}{
		{ncat, []string{host, port}},
		{nc, []string{"-N", host, port}},
	} {
		got := runTool(t, data, c.path, c.args...)
		sameBytes(t, filepath.Base(c.path)+" "+strings.Join(c.args, " "), got, data)
	}
	p.waitLine(p.stderr, `^exec_server: 127\.0\.0\.1:\d+ done, 1048832 bytes in, 1048832 out, exit 0$`, readyTimeout)
	stopScript(t, p)

	sh := peer.Find(t, "sh", "dash")
	const readEcho = `read line; echo "got $line"; [ -t 0 ] && echo tty; true`
	p, addr = startServerScript(t, "tcp", "scripts/exec_server.lua", "--", sh, "-c", readEcho)
	// The program's exit ends the connection: this client never closes
	// its side.
	c := dialExecServer(t, addr)
	c.Write([]byte("one\n"))
	if got := readExecServer(t, c); got != "got one\n" {
		t.Errorf("through pipes: got %q, want %q", got, "got one\n")
	}
	stopScript(t, p)

	p, addr = startServerScript(t, "tcp", "scripts/exec_server.lua", "--pty", "--", sh, "-c", readEcho)
	c = dialExecServer(t, addr)
	c.Write([]byte("two\n")) // raw mode: nothing is echoed, \n ends the line
	if got := readExecServer(t, c); got != "got two\ntty\n" {
		t.Errorf("on a pty: got %q, want %q", got, "got two\ntty\n")
	}
	stopScript(t, p)

	// A client that goes away while its program runs on, deaf to its EOF:
	// the program is killed.
	p, addr = startServerScript(t, "tcp", "scripts/exec_server.lua", "--", sh, "-c", "exec >&- 2>&-; exec sleep 30")
	c = dialExecServer(t, addr)
	c.Close()
	p.waitLine(p.stderr, `^exec_server: 127\.0\.0\.1:\d+ done, 0 bytes in, 0 out, exit SIGTERM$`, readyTimeout)
	stopScript(t, p)
}

func dialExecServer(t *testing.T, addr string) net.Conn {
	t.Helper()
	c, err := net.DialTimeout("tcp", addr, 10*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	c.SetDeadline(time.Now().Add(toolTimeout))
	return c
}

func readExecServer(t *testing.T, c net.Conn) string {
	t.Helper()
	b, err := io.ReadAll(c)
	if err != nil {
		t.Fatalf("read: %v (after %q)", err, b)
	}
	return string(b)
}
