package main

// The bundled servers, and the clients where it is natural, run against
// the programs people already use with them (issue 24): socat, ncat and
// OpenBSD nc with echo.lua, unix_echo.lua and chat.lua; socat and python3
// with udp_echo.lua; curl through proxy.lua to nginx, and redis-cli through
// it to redis-server; python3's struct framing with frames.lua; socat's
// echo servers with echo_client.lua and udp_ping.lua. Each compares the
// real bytes that come back. scripts/README.md's "Tried with" notes name
// what these tests run. A missing program skips its test, or fails it
// under CI=true (package peer; ./test.sh installs them).

import (
	"bufio"
	"bytes"
	"context"
	"crypto/rand"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/gonetrepl/gonetrepl/internal/nginxtest"
	"github.com/gonetrepl/gonetrepl/internal/peer"
	"github.com/gonetrepl/gonetrepl/internal/redistest"
)

// toolTimeout bounds one run of a real program, and each wait for its
// output: generous, as the scripts run under -race on a busy machine.
const toolTimeout = 60 * time.Second

// The real programs, found as peer.Find finds them. nc is asked for by
// the name only netcat-openbsd installs (nc.openbsd): its -N and -U are
// what the tests use, and Debian's other nc (netcat-traditional) has
// neither.
func socatPath(t *testing.T) string { return peer.Find(t, "socat", "socat") }
func ncatPath(t *testing.T) string  { return peer.Find(t, "ncat", "ncat") }
func ncPath(t *testing.T) string    { return peer.Find(t, "nc.openbsd", "netcat-openbsd") }
func pythonPath(t *testing.T) string {
	return peer.Find(t, "python3", "python3")
}

// binaryPayload is every byte value (NULs included) then n random bytes.
func binaryPayload(n int) []byte {
	b := make([]byte, 256, 256+n)
	for i := range b {
		b[i] = byte(i)
	}
	random := make([]byte, n)
	rand.Read(random)
	return append(b, random...)
}

// sameBytes fails the test when got is not want, saying where they part.
func sameBytes(t *testing.T, what string, got, want []byte) {
	t.Helper()
	if bytes.Equal(got, want) {
		return
	}
	i := 0
	for i < len(got) && i < len(want) && got[i] == want[i] {
		i++
	}
	t.Errorf("%s: sent %d bytes, got %d back, first difference at byte %d", what, len(want), len(got), i)
}

// runTool runs a real program to its end with in as its stdin, and returns
// its stdout; a nonzero status, or a run longer than toolTimeout, fails the
// test.
func runTool(t *testing.T, in []byte, path string, args ...string) []byte {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), toolTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, path, args...)
	cmd.Stdin = bytes.NewReader(in)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	cmd.WaitDelay = 5 * time.Second
	if err := cmd.Run(); err != nil {
		t.Fatalf("%s %s: %v (after %d bytes out)\nstderr:\n%s", filepath.Base(path), strings.Join(args, " "), err, stdout.Len(), stderr.String())
	}
	return stdout.Bytes()
}

// session is a real program running beside the test, which writes its
// stdin and reads its stdout as the exchange goes on (a chat client, a
// socat that must not see EOF before the reply is in).
type session struct {
	t      *testing.T
	name   string
	cmd    *exec.Cmd
	stdin  *os.File // the write end of its stdin pipe; nil once closed
	out    *bufio.Reader
	chunks chan []byte // its stdout as read; closed at EOF
	stderr *peer.SyncBuffer
	done   chan struct{} // closed when it has ended
	err    error         // how it ended, valid after done
}

// startSession starts path with args, its stdin a pipe that already holds
// first (written before the program runs, so that it reads it with one
// read call: socat makes one datagram of it).
func startSession(t *testing.T, first []byte, path string, args ...string) *session {
	t.Helper()
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	if len(first) > 0 {
		// A pipe holds 64 KiB; a smaller one would block, so bound the wait.
		w.SetWriteDeadline(time.Now().Add(5 * time.Second))
		if _, err := w.Write(first); err != nil {
			t.Fatalf("prefill %d bytes of %s's stdin: %v", len(first), filepath.Base(path), err)
		}
		w.SetWriteDeadline(time.Time{})
	}
	s := &session{t: t, name: filepath.Base(path), stdin: w, chunks: make(chan []byte, 64),
		stderr: &peer.SyncBuffer{}, done: make(chan struct{})}
	s.cmd = exec.Command(path, args...)
	s.cmd.Stdin, s.cmd.Stderr = r, s.stderr
	stdout, err := s.cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := s.cmd.Start(); err != nil {
		t.Fatalf("start %s: %v", s.name, err)
	}
	r.Close()
	eof := make(chan struct{})
	go func() {
		defer close(eof)
		defer close(s.chunks)
		for {
			b := make([]byte, 64<<10)
			n, err := stdout.Read(b)
			if n > 0 {
				s.chunks <- b[:n]
			}
			if err != nil {
				return
			}
		}
	}()
	go func() {
		<-eof // Wait closes the pipe: only once it is read to its end
		s.err = s.cmd.Wait()
		close(s.done)
	}()
	s.out = bufio.NewReader(&chanReader{s: s})
	t.Cleanup(func() {
		if s.stdin != nil {
			s.stdin.Close()
		}
		s.cmd.Process.Kill() // harmless once it has ended
		for range s.chunks {
		}
		<-s.done
	})
	return s
}

// chanReader reads a session's stdout from its chunks, failing the test
// after toolTimeout without any.
type chanReader struct {
	s    *session
	rest []byte
}

func (c *chanReader) Read(p []byte) (int, error) {
	if len(c.rest) == 0 {
		select {
		case b, ok := <-c.s.chunks:
			if !ok {
				return 0, io.EOF
			}
			c.rest = b
		case <-time.After(toolTimeout):
			return 0, fmt.Errorf("%s printed nothing for %v", c.s.name, toolTimeout)
		}
	}
	n := copy(p, c.rest)
	c.rest = c.rest[n:]
	return n, nil
}

// write sends text to the program's stdin.
func (s *session) write(text string) {
	s.t.Helper()
	if _, err := io.WriteString(s.stdin, text); err != nil {
		s.t.Fatalf("write to %s: %v", s.name, err)
	}
}

// line returns the next line the program prints, without its newline.
func (s *session) line() string {
	s.t.Helper()
	line, err := s.out.ReadString('\n')
	if err != nil {
		s.t.Fatalf("%s: reading a line: %v (got %q)\nstderr:\n%s", s.name, err, line, s.stderr)
	}
	return strings.TrimSuffix(line, "\n")
}

// want fails the test unless the next line the program prints is line.
func (s *session) want(line string) {
	s.t.Helper()
	if got := s.line(); got != line {
		s.t.Fatalf("%s printed %q; want %q", s.name, got, line)
	}
}

// bytes returns the next n bytes the program prints.
func (s *session) bytes(n int) []byte {
	s.t.Helper()
	b := make([]byte, n)
	if got, err := io.ReadFull(s.out, b); err != nil {
		s.t.Fatalf("%s: reading %d bytes: %v after %d\nstderr:\n%s", s.name, n, err, got, s.stderr)
	}
	return b
}

// end closes the program's stdin and returns how it ended, failing the
// test if it does not end within toolTimeout.
func (s *session) end() error {
	s.t.Helper()
	if s.stdin != nil {
		s.stdin.Close()
		s.stdin = nil
	}
	go func() {
		for range s.chunks { // what it prints from now on is not read
		}
	}()
	select {
	case <-s.done:
		return s.err
	case <-time.After(toolTimeout):
		s.cmd.Process.Kill()
		<-s.done
		s.t.Fatalf("%s did not end within %v after its stdin closed", s.name, toolTimeout)
		return nil
	}
}

// stopScript ends a server script with SIGTERM, which it must survive
// until then: status 143.
func stopScript(t *testing.T, p *proc) {
	t.Helper()
	p.signal(syscall.SIGTERM)
	if code := p.wait(10 * time.Second); code != 143 {
		t.Fatalf("gonetrepl %q after SIGTERM: want status 143; got %d\nstderr:\n%s", p.args, code, p.stderr)
	}
}

// echo.lua with socat, ncat and nc: every byte value and 1 MiB of random
// bytes come back whole, and each client's half-close at the end of its
// stdin (socat's shutdown with -t, ncat's default, nc -N) ends the
// exchange once everything is back. A client that sends and goes away
// without reading (ncat --send-only) costs the server nothing.
func TestEchoScriptRealClients(t *testing.T) {
	t.Parallel()
	socat, ncat, nc := socatPath(t), ncatPath(t), ncPath(t)
	p, addr := startEcho(t)
	host, port, _ := net.SplitHostPort(addr)
	data := binaryPayload(1 << 20)
	for _, c := range []struct {
		path string
		args []string
	}{
		{socat, []string{"-t", "30", "-", "TCP:" + addr}},
		{ncat, []string{host, port}},
		{nc, []string{"-N", host, port}},
	} {
		got := runTool(t, data, c.path, c.args...)
		sameBytes(t, filepath.Base(c.path)+" "+strings.Join(c.args, " "), got, data)
	}
	line := fmt.Sprintf(`^echo: 127\.0\.0\.1:\d+ disconnected \(closed by peer\), %d bytes echoed$`, len(data))
	p.waitLine(p.stderr, line, readyTimeout)

	if out := runTool(t, data, ncat, "--send-only", host, port); len(out) != 0 {
		t.Errorf("ncat --send-only printed %d bytes", len(out))
	}
	got := runTool(t, []byte("still here\n"), socat, "-t", "30", "-", "TCP:"+addr)
	sameBytes(t, "socat after ncat --send-only", got, []byte("still here\n"))
	stopScript(t, p)
}

// udp_echo.lua with socat and python3: a 0-byte datagram and one of
// 65,507 bytes (the most UDP over IPv4 carries) come back as one datagram
// each, byte for byte.
func TestUDPEchoScriptRealClients(t *testing.T) {
	t.Parallel()
	socat, python := socatPath(t), pythonPath(t)
	p, addr := startUDPEcho(t)
	host, port, _ := net.SplitHostPort(addr)

	// socat reads its stdin into one datagram of up to -b bytes: the pipe
	// holds the whole datagram before socat starts, and stays open until
	// the echo is in (at EOF socat would wait -t seconds, then quit).
	big := binaryPayload(65507 - 256)
	s := startSession(t, big, socat, "-b", "65507", "-t", "0.1", "-", "UDP:"+addr)
	sameBytes(t, "socat -b 65507 - UDP:", s.bytes(len(big)), big)
	if err := s.end(); err != nil {
		t.Errorf("socat: %v\nstderr:\n%s", err, s.stderr)
	}
	p.waitLine(p.stderr, `^udp_echo: 65507 bytes from 127\.0\.0\.1:\d+ echoed$`, readyTimeout)

	// python3's socket module: each recv is one datagram, so a split or a
	// dropped empty datagram shows.
	script := `
import os, socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.settimeout(30)
s.connect((sys.argv[1], int(sys.argv[2])))
for n in (0, 1, 65507):
    m = os.urandom(n)
    s.send(m)
    r = s.recv(65536)
    print(n, len(r), r == m)
`
	out := runTool(t, nil, python, "-c", script, host, port)
	if want := "0 0 True\n1 1 True\n65507 65507 True\n"; string(out) != want {
		t.Errorf("python3 datagrams: want\n%sgot\n%s", want, out)
	}
	stopScript(t, p)
}

// unix_echo.lua with socat UNIX-CONNECT, nc -U and ncat -U on a socket
// file, and socat ABSTRACT-CONNECT on an abstract name (Linux): the bytes
// come back whole and the half-close ends each exchange.
func TestUnixEchoScriptRealClients(t *testing.T) {
	t.Parallel()
	socat, ncat, nc := socatPath(t), ncatPath(t), ncPath(t)
	data := binaryPayload(1 << 20)
	path := filepath.Join(t.TempDir(), "echo.sock")
	p := startUnixEcho(t, path)
	for _, c := range []struct {
		path string
		args []string
	}{
		{socat, []string{"-t", "30", "-", "UNIX-CONNECT:" + path}},
		{nc, []string{"-N", "-U", path}},
		{ncat, []string{"-U", path}},
	} {
		got := runTool(t, data, c.path, c.args...)
		sameBytes(t, filepath.Base(c.path)+" "+strings.Join(c.args, " "), got, data)
	}
	stopScript(t, p)

	if runtime.GOOS != "linux" {
		return // the abstract namespace is Linux's
	}
	name := "gonetrepl-tried-" + strconv.Itoa(os.Getpid()) + "-" + strconv.Itoa(peer.FreePort(t))
	p = startUnixEcho(t, "@"+name)
	got := runTool(t, data, socat, "-t", "30", "-", "ABSTRACT-CONNECT:"+name)
	sameBytes(t, "socat - ABSTRACT-CONNECT:"+name, got, data)
	stopScript(t, p)
}

// chat.lua with nc and ncat as two users: joins, a rename and lines reach
// the other one, nc's sent with CRLF (-C, as telnet sends them) arriving
// without the CR, and the end of ncat's stdin (its half-close) is a
// leave.
func TestChatScriptRealClients(t *testing.T) {
	t.Parallel()
	ncat, nc := ncatPath(t), ncPath(t)
	p, addr := startServerScript(t, "tcp", "scripts/chat.lua")
	host, port, _ := net.SplitHostPort(addr)

	a := startSession(t, nil, nc, "-C", "-N", host, port)
	a.want("* you are client 1; 0 others are here; /nick NAME to change your name")
	b := startSession(t, nil, ncat, host, port)
	b.want("* you are client 2; 1 other is here; /nick NAME to change your name")
	a.want("* client 2 joined")

	b.write("/nick bee\n")
	b.want("* you are now bee")
	a.want("* client 2 is now bee")
	a.write("hello from nc\n")
	b.want("client 1: hello from nc")
	b.write("hello from ncat\n")
	a.want("bee: hello from ncat")

	if err := b.end(); err != nil {
		t.Errorf("ncat at the end of its stdin: %v\nstderr:\n%s", err, b.stderr)
	}
	a.want("* bee left")
	if err := a.end(); err != nil {
		t.Errorf("nc -C -N at the end of its stdin: %v\nstderr:\n%s", err, a.stderr)
	}
	stopScript(t, p)
}

// proxy.lua between curl and nginx, and between redis-cli and
// redis-server: what comes through is what the server sent, keep-alive
// requests share one relayed conn, and the hexdump shows Redis's replies.
func TestProxyScriptRealClients(t *testing.T) {
	t.Parallel()
	t.Run("curl to nginx", func(t *testing.T) {
		t.Parallel()
		peer.Find(t, "curl", "curl")
		root := t.TempDir()
		big := binaryPayload(1 << 20)
		if err := os.WriteFile(filepath.Join(root, "big.bin"), big, 0o644); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(root, "a.txt"), []byte("hello\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		web := nginxtest.Start(t, root)
		p, addr := startListening(t, `^proxy: listening on (\S+), forwarding to `, "scripts/proxy.lua", "127.0.0.1:0", web, "--quiet")
		sameBytes(t, "curl through proxy.lua", []byte(curl(t, "http://"+addr+"/big.bin")), big)
		// Two URLs in one curl: two requests on one kept-alive conn.
		if got := curl(t, "http://"+addr+"/a.txt", "http://"+addr+"/a.txt"); got != "hello\nhello\n" {
			t.Errorf("curl, two requests through proxy.lua: got %q", got)
		}
		if n := strings.Count(p.stderr.String(), " connected, relaying to "+web+"\n"); n != 2 {
			t.Errorf("want 2 relayed conns for 3 requests (one kept alive); got %d\nstderr:\n%s", n, p.stderr)
		}
		stopScript(t, p)
	})
	t.Run("redis-cli to redis-server", func(t *testing.T) {
		t.Parallel()
		cli := redistest.Cli(t)
		server := redistest.Start(t)
		p, addr := startListening(t, `^proxy: listening on (\S+), forwarding to `, "scripts/proxy.lua", "127.0.0.1:0", server)
		host, port, _ := net.SplitHostPort(addr)
		redis := func(in []byte, args ...string) string {
			return string(runTool(t, in, cli, append([]string{"-h", host, "-p", port}, args...)...))
		}
		if got := redis(nil, "SET", "greeting", "hello proxy"); got != "OK\n" {
			t.Errorf("redis-cli SET through proxy.lua: got %q", got)
		}
		blob := binaryPayload(4096)
		if got := redis(blob, "-x", "SET", "blob"); got != "OK\n" {
			t.Errorf("redis-cli -x SET through proxy.lua: got %q", got)
		}
		sameBytes(t, "redis-cli --raw GET blob through proxy.lua", []byte(redis(nil, "--raw", "GET", "blob")), append(blob, '\n'))
		if got := redis([]byte("INCR n\nINCR n\nGET greeting\n")); got != "1\n2\nhello proxy\n" {
			t.Errorf("redis-cli reading commands from stdin through proxy.lua: got %q", got)
		}
		trace := p.stderr.String()
		if !strings.Contains(trace, "00000000  2b 4f 4b 0d 0a                                    |+OK..|\n") {
			t.Errorf("proxy.lua's hexdump: no +OK reply in\n%s", trace)
		}
		stopScript(t, p)
	})
}

// frames.lua against Python's struct framing: --serve answers a python3
// client's 8-byte little-endian frames (an empty one, binary ones, one
// refused at its header), and --send talks to a python3 server's 4-byte
// big-endian ones.
func TestFramesScriptWithPython(t *testing.T) {
	t.Parallel()
	python := pythonPath(t)
	p, addr := startListening(t, `^frames: listening on (\S+) `,
		"scripts/frames.lua", "--serve", "127.0.0.1:0", "--size", "8", "--order", "little", "--max", "100000")
	host, port, _ := net.SplitHostPort(addr)
	client := `
import socket, struct, sys
s = socket.create_connection((sys.argv[1], int(sys.argv[2])), timeout=30)
f = s.makefile("rb")
def send(m): s.sendall(struct.pack("<Q", len(m)) + m)
def recv():
    h = f.read(8)
    if len(h) < 8: return None
    n, = struct.unpack("<Q", h)
    return f.read(n)
for m in (b"hello", b"", bytes(range(256)) * 4, b"\0\xff" * 49998):
    send(m)
    r = recv()
    print(len(m), r == b"ok " + m)
s.sendall(struct.pack("<Q", 100001))
print(recv().decode().split(": ")[-1])
print(recv())
`
	out := runTool(t, nil, python, "-c", client, host, port)
	want := "5 True\n0 True\n1024 True\n99996 True\nframe header claims 100001 bytes, over the limit of 100000\nNone\n"
	if string(out) != want {
		t.Errorf("python3 struct client against frames.lua --serve: want\n%sgot\n%s", want, out)
	}
	stopScript(t, p)

	// A python3 server answering each frame with its bytes reversed.
	server := `
import socket, struct
ln = socket.socket()
ln.bind(("127.0.0.1", 0))
ln.listen(1)
print(ln.getsockname()[1], flush=True)
c, _ = ln.accept()
c.settimeout(30)
f = c.makefile("rb")
while True:
    h = f.read(4)
    if len(h) < 4: break
    n, = struct.unpack(">I", h)
    m = f.read(n)[::-1]
    c.sendall(struct.pack(">I", len(m)) + m)
`
	s := startSession(t, nil, python, "-c", server)
	serverAddr := net.JoinHostPort("127.0.0.1", s.line())
	r := runCLI(t, "", "scripts/frames.lua", "--send", serverAddr, "hello", "a b c", "")
	if want := "> hello\n< olleh\n> a b c\n< c b a\n> \n< \n"; r.code != 0 || r.stdout != want {
		t.Errorf("frames.lua --send to a python3 server: want status 0 and\n%sgot %v", want, r)
	}
	if err := s.end(); err != nil {
		t.Errorf("the python3 frame server: %v\nstderr:\n%s", err, s.stderr)
	}
}

// readyUDPEcho reports whether a datagram sent to addr comes back.
func readyUDPEcho(addr string) bool {
	c, err := net.Dial("udp", addr)
	if err != nil {
		return false
	}
	defer c.Close()
	got, err := udpRoundTrip(c.(*net.UDPConn), []byte("ready?"), 500*time.Millisecond)
	return err == nil && string(got) == "ready?"
}

// echo_client.lua against socat's TCP echo (a fork running cat per
// conn): all the bytes come back, and the half-close at the end of stdin
// ends the exchange. 64 KiB: the script reads stdin a byte at a time
// (io.read(1), so that a typed line goes out at once), about 1.5 MB/s,
// five times slower under -race.
func TestEchoClientScriptWithSocat(t *testing.T) {
	t.Parallel()
	socat := socatPath(t)
	addr := peer.Start(t, socat, func(port int) []string {
		return []string{fmt.Sprintf("TCP-LISTEN:%d,bind=127.0.0.1,reuseaddr,fork", port), "EXEC:cat"}
	}, peer.AcceptsTCP)
	data := binaryPayload(64 << 10)
	r := runCLI(t, string(data), "scripts/echo_client.lua", addr)
	if r.code != 0 || r.stderr != "" {
		t.Errorf("echo_client.lua to socat: want status 0 and nothing on stderr; got status %d\nstderr:\n%s", r.code, r.stderr)
	}
	sameBytes(t, "echo_client.lua to socat's echo", []byte(r.stdout), data)
}

// udp_ping.lua against socat's UDP echo (a fork per datagram, through a
// pipe): every ping answered.
func TestUDPPingScriptWithSocat(t *testing.T) {
	t.Parallel()
	socat := socatPath(t)
	addr := peer.Start(t, socat, func(port int) []string {
		return []string{fmt.Sprintf("UDP-RECVFROM:%d,bind=127.0.0.1,fork", port), "PIPE"}
	}, readyUDPEcho)
	r := runCLI(t, "", "scripts/udp_ping.lua", addr, "--count", "5", "--interval", "0.01", "--timeout", "10", "--size", "1000")
	if r.code != 0 || !strings.Contains(r.stdout, "\n5 sent, 5 received, 0.0% loss\n") ||
		len(regexp.MustCompile(`(?m)^1000 bytes from `+regexp.QuoteMeta(addr)+`: seq=\d `).FindAllString(r.stdout, -1)) != 5 {
		t.Errorf("udp_ping.lua to socat's UDP echo: want status 0 and 5 replies of 1000 bytes; got %v", r)
	}
}

// echo_client.lua --udp against socat's UDP echo: a datagram per line,
// each echoed line printed. --timeout 2: after stdin ends the script
// waits until no reply has come for 2 s; the replies come long before.
func TestEchoClientScriptUDPWithSocat(t *testing.T) {
	t.Parallel()
	socat := socatPath(t)
	addr := peer.Start(t, socat, func(port int) []string {
		return []string{fmt.Sprintf("UDP-RECVFROM:%d,bind=127.0.0.1,fork", port), "PIPE"}
	}, readyUDPEcho)
	in := "one\ntwo \x00 three\n"
	r := runCLI(t, in, "scripts/echo_client.lua", "--udp", "--timeout", "2", addr)
	// socat's fork answers each datagram from a child process of its own,
	// so the replies may come in either order (seen on a loaded machine).
	lines := func(s string) []string {
		l := strings.SplitAfter(s, "\n")
		sort.Strings(l)
		return l
	}
	if r.code != 0 || !slices.Equal(lines(r.stdout), lines(in)) {
		t.Errorf("echo_client.lua --udp to socat's UDP echo: want status 0 and the lines of %q; got %v", in, r)
	}
}

// portscan.lua finds the ports OpenBSD nc -z finds open, no more, no
// fewer.
func TestPortscanScriptLikeNc(t *testing.T) {
	t.Parallel()
	nc := ncPath(t)
	base := reservePortRange(t, 40, []int{0, 7, 8, 39})
	ports := fmt.Sprintf("%d-%d", base, base+39)
	ctx, cancel := context.WithTimeout(context.Background(), toolTimeout)
	defer cancel()
	// -z: connect and close; -v: a line for each port, on stderr. Its
	// status is 0 when any port is open.
	out, err := exec.CommandContext(ctx, nc, "-z", "-v", "-w", "5", "127.0.0.1", ports).CombinedOutput()
	if err != nil {
		t.Fatalf("nc -z -v 127.0.0.1 %s: %v\n%s", ports, err, out)
	}
	var want strings.Builder
	for _, m := range regexp.MustCompile(`(?m)^Connection to 127\.0\.0\.1 (\d+) port \S+ succeeded!$`).FindAllStringSubmatch(string(out), -1) {
		fmt.Fprintf(&want, "%s/tcp open\n", m[1])
	}
	if strings.Count(want.String(), "\n") != 4 {
		t.Fatalf("nc -z found %q open; want the 4 listening ports of %s\n%s", want.String(), ports, out)
	}
	r := runCLI(t, "", "scripts/portscan.lua", "127.0.0.1", ports)
	if got := strings.TrimSuffix(r.stdout, lastLine(r.stdout)+"\n"); r.code != 0 || got != want.String() {
		t.Errorf("portscan.lua 127.0.0.1 %s: want status 0 and nc -z's open ports\n%sgot %v", ports, want.String(), r)
	}
}
