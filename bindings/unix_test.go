package bindings

// Stale Unix socket files: a file left by a process that ended without
// removing it (made here with Go, which can be told not to unlink).

import (
	"io"
	"net"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// staleSocket leaves a socket file at path with nothing bound to it.
func staleSocket(t *testing.T, network, path string) {
	t.Helper()
	switch network {
	case "unix":
		ln, err := net.ListenUnix("unix", &net.UnixAddr{Name: path, Net: "unix"})
		if err != nil {
			t.Fatal(err)
		}
		ln.SetUnlinkOnClose(false)
		ln.Close()
	case "unixgram":
		c, err := net.ListenUnixgram("unixgram", &net.UnixAddr{Name: path, Net: "unixgram"})
		if err != nil {
			t.Fatal(err)
		}
		c.Close() // Go never unlinks a unixgram socket's file
	}
	if fi, err := os.Lstat(path); err != nil || fi.Mode()&os.ModeSocket == 0 {
		t.Fatalf("no stale socket file at %s: %v", path, err)
	}
}

func TestStaleSocketFile(t *testing.T) {
	for _, network := range []string{"unix", "unixgram"} {
		t.Run(network, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, "stale.sock")
			staleSocket(t, network, path)
			odd := filepath.Join(dir, "it's stale.sock") // needs quoting in the rm hint
			staleSocket(t, network, odd)
			notSocket := filepath.Join(dir, "plain")
			if err := os.WriteFile(notSocket, []byte("data"), 0o644); err != nil {
				t.Fatal(err)
			}
			listen := `net.listen("unix", ...)`
			if network == "unixgram" {
				listen = `net.listen_packet("unixgram", ...)`
			}
			runLuaWith(t, map[string]string{"NETWORK": network, "PATH": path, "ODD": odd, "PLAIN": notSocket}, `
				local function listen(p)
					if NETWORK == "unix" then return net.listen("unix", p) end
					return net.listen_packet("unixgram", p)
				end
				local s, err = listen(PATH)
				assert(s == nil, "listened on a stale socket file")
				assert(err.kind == "addr_in_use", err.kind)
				assert(err.op == "listen" and err.addr == PATH, tostring(err.op) .. " " .. tostring(err.addr))
				local msg = tostring(err)
				assert(msg:find("address already in use: stale socket file left by a process that exited; remove it with rm " .. PATH, 1, true), msg)
				_, err = listen(ODD)
				assert(tostring(err):find("remove it with rm '" .. ODD:gsub("'", "'\\''") .. "'", 1, true), tostring(err))
				-- A file that is no socket is not called stale.
				_, err = listen(PLAIN)
				assert(err.kind == "addr_in_use" and tostring(err):find("exists and is not a socket", 1, true), tostring(err))
				-- Once removed, the path can be listened on.
				assert(os.remove(PATH))
				local ok = assert(listen(PATH))
				ok:close()`)
			if _, err := os.Stat(notSocket); err != nil {
				t.Errorf("%s touched the regular file: %v", listen, err)
			}
		})
	}
}

// TestInUseCheckDoesNotConnect: a net.listen refused because a live server
// listens on the path finds that out without connecting to it (the server
// would see a phantom client), from /proc/net/unix on Linux. The server
// here counts its clients: the first it accepts must be the marker this
// test dials afterwards.
func TestInUseCheckDoesNotConnect(t *testing.T) {
	if _, err := os.Stat("/proc/net/unix"); err != nil {
		t.Skip("no /proc/net/unix: the check connects here")
	}
	path := filepath.Join(t.TempDir(), "live.sock")
	ln, err := net.Listen("unix", path)
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	first := make(chan string, 1)
	go func() {
		c, err := ln.Accept()
		if err != nil {
			first <- "accept: " + err.Error()
			return
		}
		defer c.Close()
		c.SetReadDeadline(time.Now().Add(10 * time.Second))
		buf := make([]byte, 6)
		n, _ := io.ReadFull(c, buf)
		first <- string(buf[:n])
	}()
	runLuaWith(t, map[string]string{"PATH": path}, `
		local other, err = net.listen("unix", PATH)
		assert(other == nil and err.kind == "addr_in_use", tostring(err))
		assert(not tostring(err):find("stale"), tostring(err))`)
	marker, err := net.Dial("unix", path)
	if err != nil {
		t.Fatal(err)
	}
	defer marker.Close()
	marker.Write([]byte("marker"))
	if got := <-first; got != "marker" {
		t.Fatalf("the live server's first client sent %q, not the marker: the in-use check connected to it", got)
	}
}

// TestProcSocketLive reads a /proc/net/unix of its own making: listening
// stream sockets and bound datagram sockets count, for their own network
// only; a socket that is not listening, an abstract name and another file
// do not.
func TestProcSocketLive(t *testing.T) {
	dir := t.TempDir()
	file := func(name string) (string, os.FileInfo) {
		p := filepath.Join(dir, name)
		staleSocket(t, "unix", p)
		fi, err := os.Lstat(p)
		if err != nil {
			t.Fatal(err)
		}
		return p, fi
	}
	listening, listeningFI := file("listening.sock")
	dgram, dgramFI := file("dgram.sock")
	connected, connectedFI := file("connected.sock")
	spaced, spacedFI := file("with space.sock")
	_, otherFI := file("other.sock")
	list := filepath.Join(dir, "unix")
	err := os.WriteFile(list, []byte("Num       RefCount Protocol Flags    Type St Inode Path\n"+
		"0000000000000000: 00000002 00000000 00010000 0001 01 11 "+listening+"\n"+
		"0000000000000000: 00000002 00000000 00000000 0002 01 12 "+dgram+"\n"+
		"0000000000000000: 00000003 00000000 00000000 0001 03 13 "+connected+"\n"+
		"0000000000000000: 00000002 00000000 00010000 0001 01 14 "+spaced+"\n"+
		"0000000000000000: 00000002 00000000 00010000 0001 01 15 @abstract\n"+
		"0000000000000000: 00000002 00000000 00000000 0001 07 16\n"), 0o644)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		network string
		fi      os.FileInfo
		live    bool
	}{
		{"unix", listeningFI, true},
		{"unixgram", listeningFI, false},
		{"unixgram", dgramFI, true},
		{"unix", dgramFI, false},
		{"unix", connectedFI, false},
		{"unix", spacedFI, true},
		{"unix", otherFI, false},
	} {
		live, ok := procSocketLive(list, tc.network, tc.fi)
		if !ok || live != tc.live {
			t.Errorf("%s %s: live %v (ok %v), want %v", tc.network, tc.fi.Name(), live, ok, tc.live)
		}
	}
	if _, ok := procSocketLive(filepath.Join(dir, "missing"), "unix", otherFI); ok {
		t.Error("a missing list was read")
	}
}
