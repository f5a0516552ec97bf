package main

// End-to-end tests of the UDP and Unix socket scripts, and of the removal
// of Unix socket files when a signal ends a script. Each runs gonetrepl as
// a real process (see cli_test.go) against sockets opened here.

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// startUDPEcho starts scripts/udp_echo.lua on a free loopback port.
func startUDPEcho(t *testing.T, opts ...string) (*proc, string) {
	t.Helper()
	return startServerScript(t, "udp", "scripts/udp_echo.lua", opts...)
}

// udpRoundTrip sends msg from c and returns the datagram that comes back
// (or an error after timeout).
func udpRoundTrip(c *net.UDPConn, msg []byte, timeout time.Duration) ([]byte, error) {
	if _, err := c.Write(msg); err != nil {
		return nil, err
	}
	c.SetReadDeadline(time.Now().Add(timeout))
	buf := make([]byte, 65536)
	n, err := c.Read(buf)
	return buf[:n], err
}

func TestUDPEchoScript(t *testing.T) {
	t.Parallel()
	p, addr := startUDPEcho(t)
	raddr, _ := net.ResolveUDPAddr("udp", addr)
	c, err := net.DialUDP("udp", nil, raddr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	binary := make([]byte, 256)
	for i := range binary {
		binary[i] = byte(i)
	}
	for _, msg := range [][]byte{[]byte("hello"), binary, bytes.Repeat([]byte("big"), 20000), {}} {
		got, err := udpRoundTrip(c, msg, 10*time.Second)
		if err != nil || !bytes.Equal(got, msg) {
			t.Fatalf("echo of %d bytes: got %d bytes, %v", len(msg), len(got), err)
		}
	}
	local := regexp.QuoteMeta(c.LocalAddr().String())
	p.waitLine(p.stderr, `^udp_echo: 60000 bytes from `+local+` echoed$`, readyTimeout)

	// Several clients at once, each getting its own datagrams back.
	concurrently(t, 10, func(i int) error {
		c, err := net.DialUDP("udp", nil, raddr)
		if err != nil {
			return err
		}
		defer c.Close()
		for round := range 20 {
			msg := fmt.Sprintf("client %d round %d", i, round)
			if got, err := udpRoundTrip(c, []byte(msg), 10*time.Second); err != nil || string(got) != msg {
				return fmt.Errorf("client %d: sent %q, got %q, %v", i, msg, got, err)
			}
		}
		return nil
	})

	p.signal(syscall.SIGINT)
	if code := p.wait(10 * time.Second); code != 130 {
		t.Fatalf("udp_echo.lua after SIGINT: want status 130; got %d\nstderr:\n%s", code, p.stderr)
	}
}

func TestUDPEchoDrop(t *testing.T) {
	t.Parallel()
	p, addr := startUDPEcho(t, "--drop", "100")
	raddr, _ := net.ResolveUDPAddr("udp", addr)
	c, err := net.DialUDP("udp", nil, raddr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	got, err := udpRoundTrip(c, []byte("lost"), 300*time.Millisecond)
	if !errors.Is(err, os.ErrDeadlineExceeded) {
		t.Fatalf("--drop 100: want no echo; got %q, %v", got, err)
	}
	p.waitLine(p.stderr, `^udp_echo: 4 bytes from `+regexp.QuoteMeta(c.LocalAddr().String())+` dropped$`, readyTimeout)
	p.signal(syscall.SIGTERM)
	if code := p.wait(10 * time.Second); code != 143 {
		t.Fatalf("want status 143 after SIGTERM; got %d", code)
	}
}

func TestUDPPingScript(t *testing.T) {
	t.Parallel()
	echo, addr := startUDPEcho(t, "--quiet")
	r := runCLI(t, "", "scripts/udp_ping.lua", addr, "--count", "20", "--interval", "0.01", "--timeout", "5", "--size", "100")
	if r.code != 0 {
		t.Fatalf("udp_ping.lua: want status 0; got %v", r)
	}
	lines := strings.Split(strings.TrimSuffix(r.stdout, "\n"), "\n")
	if want := fmt.Sprintf("UDP PING %s: 20 pings of 100 bytes, timeout 5s", addr); lines[0] != want {
		t.Errorf("first line: want %q; got %q", want, lines[0])
	}
	pings := regexp.MustCompile(`^100 bytes from ` + regexp.QuoteMeta(addr) + `: seq=(\d+) time=\d+\.\d{3} ms$`)
	seq := 0
	for _, line := range lines {
		if m := pings.FindStringSubmatch(line); m != nil {
			seq++
			if m[1] != strconv.Itoa(seq) {
				t.Errorf("ping line out of order: %q, want seq=%d", line, seq)
			}
		}
	}
	if seq != 20 {
		t.Errorf("want 20 ping lines; got %d in %v", seq, r)
	}
	for _, want := range []string{
		"\n--- " + addr + " udp ping statistics ---\n",
		"\n20 sent, 20 received, 0.0% loss\n",
		"\nrtt histogram (ms):\n",
	} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("want %q in the output; got %v", want, r)
		}
	}
	stats := regexp.MustCompile(`(?m)^rtt min/avg/max/p99 = (\d+\.\d+)/(\d+\.\d+)/(\d+\.\d+)/(\d+\.\d+) ms$`).FindStringSubmatch(r.stdout)
	if stats == nil {
		t.Fatalf("no rtt line; got %v", r)
	}
	var v [4]float64
	for i := range v {
		v[i], _ = strconv.ParseFloat(stats[i+1], 64)
	}
	if !(v[0] <= v[1] && v[1] <= v[2] && v[0] <= v[3] && v[3] <= v[2]) {
		t.Errorf("rtt min/avg/max/p99 out of order: %v", stats[0])
	}
	// The histogram's counts add up to the replies.
	total := 0
	for _, m := range regexp.MustCompile(`(?m)^ +\d+\.\d{3} - +\d+\.\d{3} \| #* *(\d+)$`).FindAllStringSubmatch(r.stdout, -1) {
		n, _ := strconv.Atoi(m[1])
		total += n
	}
	if total != 20 {
		t.Errorf("histogram counts add up to %d; want 20\n%s", total, r.stdout)
	}

	// --quiet prints the summary only.
	r = runCLI(t, "", "scripts/udp_ping.lua", addr, "--count", "3", "--interval", "0", "--quiet")
	if r.code != 0 || strings.Contains(r.stdout, "seq=") || !strings.Contains(r.stdout, "3 sent, 3 received") {
		t.Errorf("--quiet: got %v", r)
	}
	echo.signal(syscall.SIGTERM)
	if code := echo.wait(10 * time.Second); code != 143 {
		t.Fatalf("udp_echo.lua: want status 143 after SIGTERM; got %d", code)
	}

	// Nothing listening: every ping is refused (ICMP port unreachable);
	// all lost is status 1.
	r = runCLI(t, "", "scripts/udp_ping.lua", addr, "--count", "2", "--interval", "0", "--timeout", "2")
	if r.code != 1 || !strings.Contains(r.stdout, "2 sent, 0 received, 100.0% loss") ||
		!strings.Contains(r.stdout, "seq=1 refused: no server on "+addr) {
		t.Errorf("ping with no server: want status 1 and 100%% loss; got %v", r)
	}
	r = runCLI(t, "", "scripts/udp_ping.lua", "--count", "0")
	if r.code != 2 || !strings.Contains(r.stderr, "--count") {
		t.Errorf("--count 0: want status 2; got %v", r)
	}
}

// startUnixEcho starts scripts/unix_echo.lua on path.
func startUnixEcho(t *testing.T, path string) *proc {
	t.Helper()
	p := startProc(t, "", "scripts/unix_echo.lua", path)
	p.waitLine(p.stderr, `^unix_echo: listening on `+regexp.QuoteMeta(path)+`$`, readyTimeout)
	return p
}

func TestUnixEchoScript(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "echo.sock")
	p := startUnixEcho(t, path)
	concurrently(t, 5, func(i int) error {
		c, err := net.DialTimeout("unix", path, 10*time.Second)
		if err != nil {
			return err
		}
		defer c.Close()
		c.SetDeadline(time.Now().Add(30 * time.Second))
		for round := range 10 {
			msg := fmt.Sprintf("client %d round %d\n", i, round)
			if _, err := c.Write([]byte(msg)); err != nil {
				return err
			}
			buf := make([]byte, len(msg))
			if _, err := io.ReadFull(c, buf); err != nil || string(buf) != msg {
				return fmt.Errorf("client %d: sent %q, got %q, %v", i, msg, buf, err)
			}
		}
		return nil
	})
	p.waitLine(p.stderr, `^unix_echo: client \d+ disconnected \(closed by peer\), \d+ bytes echoed$`, readyTimeout)

	p.signal(syscall.SIGTERM)
	if code := p.wait(10 * time.Second); code != 143 {
		t.Fatalf("unix_echo.lua: want status 143 after SIGTERM; got %d\nstderr:\n%s", code, p.stderr)
	}
	if _, err := os.Lstat(path); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("socket file %s left after SIGTERM (lstat: %v)", path, err)
	}
}

// TestUnixEchoStaleFile: a server killed with SIGKILL cannot remove its
// socket file; the next one says so, and how to remove it.
func TestUnixEchoStaleFile(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "echo.sock")
	p := startUnixEcho(t, path)
	p.cmd.Process.Kill()
	p.wait(10 * time.Second)
	if _, err := os.Lstat(path); err != nil {
		t.Fatalf("want the socket file left by SIGKILL: %v", err)
	}
	r := runCLI(t, "", "scripts/unix_echo.lua", path)
	want := "unix_echo: listen unix " + path + ": bind: address already in use: stale socket file left by a process that exited; remove it with rm " + path + "\n"
	if r.code != 1 || r.stderr != want {
		t.Fatalf("unix_echo.lua on a stale file: want status 1 and\n%s\ngot %v", want, r)
	}
	if err := os.Remove(path); err != nil {
		t.Fatal(err)
	}
	p = startUnixEcho(t, path)
	p.signal(syscall.SIGINT)
	if code := p.wait(10 * time.Second); code != 130 {
		t.Fatalf("want status 130 after SIGINT; got %d", code)
	}
}

// TestSignalRemovesUnixgramFile: SIGTERM and SIGINT remove the socket files
// of unixgram packet conns, as of Unix listeners; abstract names have none.
func TestSignalRemovesUnixgramFile(t *testing.T) {
	t.Parallel()
	for _, tt := range exitSignals {
		t.Run(tt.sig.String(), func(t *testing.T) {
			dir := t.TempDir()
			dgram, stream := filepath.Join(dir, "dgram.sock"), filepath.Join(dir, "stream.sock")
			chunk := fmt.Sprintf(`
				local pc = assert(net.listen_packet("unixgram", %q))
				local ln = assert(net.listen("unix", %q))
				local anon = assert(net.listen_packet("unixgram", "@gonetrepl-signal-test-" .. %d))
				io.stderr:write("listening\n")
				local data, from = pc:read_from()
				pc:write_to("got " .. data, from)
				pc:read_from() -- blocked until the signal`, dgram, stream, time.Now().UnixNano())
			p := startProc(t, "", "-e", chunk)
			p.waitLine(p.stderr, `^listening$`, readyTimeout)
			// The packet conn serves a Go client first.
			c, err := net.DialUnix("unixgram", &net.UnixAddr{Name: filepath.Join(dir, "client.sock"), Net: "unixgram"},
				&net.UnixAddr{Name: dgram, Net: "unixgram"})
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			c.SetDeadline(time.Now().Add(10 * time.Second))
			if _, err := c.Write([]byte("hi")); err != nil {
				t.Fatal(err)
			}
			buf := make([]byte, 100)
			if n, err := c.Read(buf); err != nil || string(buf[:n]) != "got hi" {
				t.Fatalf("reply: %q, %v", buf[:n], err)
			}
			p.signal(tt.sig)
			if code := p.wait(10 * time.Second); code != tt.code {
				t.Fatalf("want status %d after %v; got %d\nstderr:\n%s", tt.code, tt.sig, code, p.stderr)
			}
			for _, f := range []string{dgram, stream} {
				if _, err := os.Lstat(f); !errors.Is(err, os.ErrNotExist) {
					t.Errorf("socket file %s left after %v (lstat: %v)", f, tt.sig, err)
				}
			}
		})
	}
}
