package bindings

// Stale Unix socket files: a file left by a process that ended without
// removing it (made here with Go, which can be told not to unlink).

import (
	"net"
	"os"
	"path/filepath"
	"testing"
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
