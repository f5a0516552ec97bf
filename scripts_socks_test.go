package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"os/exec"
	"strings"
	"testing"

	"github.com/gonetrepl/gonetrepl/internal/httppeer"
	"github.com/gonetrepl/gonetrepl/internal/peer"
)

// curlStatus runs curl with args and returns its exit status and output,
// for the calls that are meant to fail.
func curlStatus(t *testing.T, args ...string) (int, string) {
	t.Helper()
	path := peer.Find(t, "curl", "curl")
	ctx, cancel := context.WithTimeout(context.Background(), runTimeout)
	defer cancel()
	var out bytes.Buffer
	cmd := exec.CommandContext(ctx, path, append([]string{"-sS", "--max-time", "20"}, args...)...)
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	if ee, ok := err.(*exec.ExitError); ok {
		return ee.ExitCode(), out.String()
	}
	if err != nil {
		t.Fatalf("curl %q: %v", args, err)
	}
	return 0, out.String()
}

// socks_proxy.lua with user/password: curl --socks5-hostname (the script
// looks the name up) and --socks5 fetch through it from the Python HTTP
// peer; a wrong password and a refused target fail curl's handshake and
// are logged; gonetrepl's own net.dial with via goes through it, bytes
// checked both ways; --loopback-only refuses other targets.
func TestSocksProxyScript(t *testing.T) {
	t.Parallel()
	web := httppeer.Start(t)
	_, webPort, _ := net.SplitHostPort(web)
	p, addr := startListening(t, `^socks_proxy: listening on (\S+) \(user/password required\)$`,
		"scripts/socks_proxy.lua", "127.0.0.1:0", "--user", "me", "--pass", "se cret")

	if got := curl(t, "--socks5-hostname", "me:se%20cret@"+addr, "http://localhost:"+webPort+"/fixed"); got != "hello, world\n" {
		t.Errorf("curl --socks5-hostname through socks_proxy.lua: got %q", got)
	}
	if got := curl(t, "--socks5", "me:se%20cret@"+addr, "http://"+web+"/fixed"); got != "hello, world\n" {
		t.Errorf("curl --socks5 through socks_proxy.lua: got %q", got)
	}
	p.waitLine(p.stderr, `^socks_proxy: 127\.0\.0\.1:\d+ done: \d+ bytes up, \d+ bytes down$`, readyTimeout)

	if code, out := curlStatus(t, "--socks5-hostname", "me:wrong@"+addr, "http://"+web+"/fixed"); code == 0 || strings.Contains(out, "hello") {
		t.Errorf("curl with a wrong password: status %d, %q", code, out)
	}
	p.waitLine(p.stderr, `^socks_proxy: 127\.0\.0\.1:\d+: socks: authentication failed$`, readyTimeout)

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := ln.Addr().String()
	ln.Close()
	if code, out := curlStatus(t, "--socks5", "me:se%20cret@"+addr, "http://"+closed+"/"); code == 0 {
		t.Errorf("curl to a closed port: status 0, %q", out)
	}
	p.waitLine(p.stderr, `^socks_proxy: 127\.0\.0\.1:\d+: dial tcp `+closed+`: connect: connection refused$`, readyTimeout)

	// Our client and our server: net.dial's via, 256 KiB of every byte
	// value through the script to an echo server, then a half-close that
	// net.relay carries to the server and back.
	echo := goServer(t, func(c net.Conn) {
		io.Copy(c, c)
		c.(*net.TCPConn).CloseWrite()
	})
	chunk := fmt.Sprintf(`
		net.trace("text") -- the handshake is not traced: the password never shows
		local data = {}
		for i = 0, 256 * 1024 - 1 do data[#data + 1] = string.char((i * 7 + math.floor(i / 256)) %% 256) end
		data = table.concat(data)
		local c = assert(net.dial("tcp", %q, {via = %q, timeout = 20}))
		c:set_timeout(20)
		task.spawn(function() assert(c:write(data)); assert(c:close_write()) end)
		local back = assert(c:read_all())
		print(back == data and "same bytes" or ("differ: " .. #back))
		local v, err = net.dial("tcp", %q, {via = "socks5h://me:nope@%s", timeout = 20})
		print(err.kind, err)`, echo, "socks5h://me:se%20cret@"+addr, echo, addr)
	r := runCLI(t, "", "-e", chunk)
	want := "same bytes\nproxy\tvia socks5h://me:***@" + addr + ": connect to " + echo + ": username/password authentication failed\n"
	if r.code != 0 || r.stdout != want {
		t.Errorf("net.dial via socks_proxy.lua: want status 0 and\n%s\ngot %v", want, r)
	}
	if !strings.Contains(r.stderr, "wrote 262144 bytes") || strings.Contains(r.stderr, "cret") || strings.Contains(r.stderr, "nope") {
		t.Errorf("the trace of net.dial via socks_proxy.lua: want the data's 262144 bytes and no password; got\n%.2000s", r.stderr)
	}
	stopScript(t, p)

	q, qaddr := startListening(t, `^socks_proxy: listening on (\S+)$`, "scripts/socks_proxy.lua", "127.0.0.1:0", "--loopback-only")
	if got := curl(t, "--socks5-hostname", qaddr, "http://localhost:"+webPort+"/fixed"); got != "hello, world\n" {
		t.Errorf("curl through socks_proxy.lua --loopback-only: got %q", got)
	}
	if code, out := curlStatus(t, "--connect-timeout", "5", "--socks5", qaddr, "http://192.0.2.1/"); code == 0 {
		t.Errorf("curl to 192.0.2.1 through --loopback-only: status 0, %q", out)
	}
	q.waitLine(q.stderr, `^socks_proxy: 127\.0\.0\.1:\d+: socks: connection to 192\.0\.2\.1:80 not allowed$`, readyTimeout)
	stopScript(t, q)
}
